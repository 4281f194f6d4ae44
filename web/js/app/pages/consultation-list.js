// The consultations that the user may see, newest first, with a status
// filter: a doctor's own hospital's requests, an expert's assigned ones,
// every visible one for coordinators and admins.

import { api, query } from '../api.js';
import { CONSULTATION_STATUSES, consultationCard, loadExperts, pageHeading } from '../common.js';
import { MessageBox, button, el, field, select } from '../dom.js';

const PAGE_SIZE = 50;

export async function renderConsultationList(context) {
  const { me } = context;
  const titleKey = me.role === 'doctor' ? 'list.title_doctor'
    : me.role === 'expert' ? 'list.title_expert' : 'list.title_all';
  const newButton = me.role === 'doctor'
    ? el('a', { class: 'button primary', href: '#/consultations/new', text: 'nav.new_request' })
    : null;

  const statusSelect = select('status', [{ value: '', text: 'list.all_statuses' },
    ...CONSULTATION_STATUSES.map((status) => ({ value: status, text: `cstatus.${status}` }))]);
  const list = el('ul', { class: 'cards', attrs: { 'aria-live': 'polite' } });
  const empty = el('p', { class: 'empty', text: 'list.empty', hidden: true });
  const message = new MessageBox();
  const more = button('list.more', () => loadPage(), { kind: 'secondary' });
  more.hidden = true;
  let beforeId = null;
  let experts = null;

  async function loadPage(reset = false) {
    message.clear();
    if (reset) {
      list.replaceChildren();
      beforeId = null;
    }
    try {
      experts ??= await loadExperts(context).catch(() => new Map());
      const body = await api('GET', `/consultations${query({
        status: statusSelect.value, limit: PAGE_SIZE, before_id: beforeId })}`);
      for (const consultation of body.consultations)
        list.append(consultationCard(context, consultation, experts));
      beforeId = body.next_before_id;
      more.hidden = beforeId === null;
      empty.hidden = list.children.length > 0;
    } catch (error) {
      message.showError(error);
    }
  }

  statusSelect.addEventListener('change', () => loadPage(true));
  await loadPage(true);

  return el('section', { class: 'consultation-list' },
    pageHeading(context, titleKey, null, newButton),
    el('div', { class: 'filters' }, field('list.filter_status', statusSelect)),
    message.element, list, empty, more);
}
