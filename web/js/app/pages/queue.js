// The coordinator's queue: new requests to accept or return, accepted ones
// to schedule, and the scheduled ones, which can be rescheduled or
// cancelled from their own page.

import { api, query } from '../api.js';
import { consultationCard, loadExperts, pageHeading } from '../common.js';
import { MessageBox, button, el } from '../dom.js';

const QUEUE_LIMIT = 200;
const URGENCY_ORDER = ['emergency', 'urgent', 'routine'];

const SECTIONS = [
  { status: 'requested', heading: 'queue.requested', empty: 'queue.requested_empty' },
  { status: 'accepted', heading: 'queue.accepted', empty: 'queue.accepted_empty' },
  { status: 'scheduled', heading: 'queue.scheduled', empty: 'queue.scheduled_empty' },
];

function quickActions(context, consultation, message) {
  const path = `/consultations/${consultation.id}`;
  const actions = el('div', { class: 'actions compact' });
  if (consultation.status === 'requested') {
    actions.append(button('consult.accept', async (event) => {
      event.target.disabled = true;
      try {
        await api('POST', `${path}/accept`, {});
        context.reload();
      } catch (error) {
        message.showError(error);
        event.target.disabled = false;
      }
    }, { label: 'queue.accept_label', params: { id: consultation.id } }));
  }
  const scheduleKey = consultation.status === 'scheduled' ? 'consult.reschedule' : 'consult.schedule';
  actions.append(el('a', { class: 'button primary', href: `#${path}/schedule`, text: scheduleKey,
    label: consultation.status === 'scheduled' ? 'queue.reschedule_label' : 'queue.schedule_label',
    params: { id: consultation.id } }));
  return actions;
}

export async function renderQueue(context) {
  const experts = await loadExperts(context).catch(() => new Map());
  const message = new MessageBox();
  const bodies = await Promise.all(SECTIONS.map((section) =>
    api('GET', `/consultations${query({ status: section.status, limit: QUEUE_LIMIT })}`)));

  const sections = SECTIONS.map((section, index) => {
    // Emergencies, then urgent requests, each oldest first: the queue is
    // worked from its head.
    const consultations = [...bodies[index].consultations].reverse();
    if (section.status !== 'scheduled')
      consultations.sort((a, b) => URGENCY_ORDER.indexOf(a.urgency) - URGENCY_ORDER.indexOf(b.urgency));
    if (section.status === 'scheduled')
      consultations.sort((a, b) => new Date(a.start) - new Date(b.start));
    const cards = consultations.map((consultation) => {
      const card = consultationCard(context, consultation, experts);
      card.append(quickActions(context, consultation, message));
      return card;
    });
    return el('section', { class: 'queue-section', attrs: { 'data-status': section.status } },
      el('h2', { text: section.heading, params: { count: consultations.length } }),
      cards.length ? el('ul', { class: 'cards' }, cards) : el('p', { class: 'empty', text: section.empty }));
  });

  return el('section', { class: 'queue-page' },
    pageHeading(context, 'queue.title', null,
      button('common.refresh', () => context.reload())),
    message.element, sections);
}
