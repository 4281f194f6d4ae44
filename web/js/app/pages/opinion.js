// The expert's opinion on a consultation (GET, PUT
// /consultations/{id}/report, POST .../report/sign and .../amendments).
//
// The assigned expert writes a draft while the consultation is scheduled
// or in progress and signs it once the call has started, which completes
// the consultation. Everyone else who may read the report sees only the
// signed opinion, never a draft.

import { api } from '../api.js';
import { MessageBox, button, el, field } from '../dom.js';
import { timeElement } from '../time.js';

const WRITABLE = new Set(['scheduled', 'in_progress']);

async function loadReport(consultationId) {
  try {
    return { report: await api('GET', `/consultations/${consultationId}/report`) };
  } catch (error) {
    if (error.status === 404)
      return { report: null };
    if (error.status === 403)
      return { forbidden: true };
    throw error;
  }
}

function signedOpinion(context, report) {
  return el('div', { class: 'signed-opinion' },
    el('p', { class: 'prewrap opinion-text', data: report.opinion }),
    el('p', { class: 'muted' },
      el('span', { text: 'opinion.signed_by', params: { name: report.author.name } }), ' ',
      timeElement(report.signed_at, context.zone)),
    report.amendments.length ? el('h3', { text: 'opinion.amendments' }) : null,
    report.amendments.length ? el('ol', { class: 'amendments' }, report.amendments.map((amendment) =>
      el('li', {}, el('p', { class: 'prewrap', data: amendment.text }),
        el('p', { class: 'muted' }, el('span', { data: `${amendment.author.name} ` }),
          timeElement(amendment.created_at, context.zone))))) : null);
}

function draftEditor(context, consultation, report) {
  const path = `/consultations/${consultation.id}/report`;
  const text = el('textarea', { name: 'opinion', rows: 10, maxLength: 20000, value: report?.opinion ?? '' });
  const message = new MessageBox();
  const save = button('opinion.save', null, { submit: true });
  // Signing asks once more, because a signed opinion never changes.
  const confirmSign = button('opinion.sign_confirm', async () => {
    message.clear();
    confirmSign.disabled = true;
    try {
      await api('PUT', path, { opinion: text.value.trim() });
      await api('POST', `${path}/sign`, {});
      context.reload();
    } catch (error) {
      message.showError(error);
      confirmSign.disabled = false;
    }
  }, { kind: 'primary' });
  const confirmBox = el('div', { class: 'confirm-box', hidden: true },
    el('p', { text: 'opinion.sign_warning' }),
    el('div', { class: 'actions' }, confirmSign,
      button('common.cancel', () => {
        confirmBox.hidden = true;
        sign.focus();
      })));
  const sign = button('opinion.sign', () => {
    message.clear();
    if (!text.value.trim()) {
      message.show('opinion.empty', null, 'error');
      return;
    }
    confirmBox.hidden = false;
    confirmSign.focus();
  }, { kind: 'primary' });
  const canSign = consultation.status === 'in_progress';
  sign.disabled = !canSign;

  const form = el('form', { class: 'opinion-form', attrs: { novalidate: true } },
    field('opinion.text', text, { hint: 'opinion.text_hint' }),
    report?.updated_at ? el('p', { class: 'muted' }, el('span', { text: 'opinion.draft_saved' }),
      timeElement(report.updated_at, context.zone)) : null,
    canSign ? null : el('p', { class: 'hint', text: 'opinion.sign_after_call' }),
    message.element,
    el('div', { class: 'actions' }, save, sign),
    confirmBox);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    if (!text.value.trim()) {
      message.show('opinion.empty', null, 'error');
      return;
    }
    save.disabled = true;
    try {
      await api('PUT', path, { opinion: text.value.trim() });
      message.show('opinion.saved', null, 'success');
    } catch (error) {
      message.showError(error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function amendmentForm(context, consultation) {
  const text = el('textarea', { name: 'amendment', rows: 3, maxLength: 4000 });
  const message = new MessageBox();
  const submit = button('opinion.add_amendment', null, { submit: true });
  const form = el('form', { class: 'amendment-form', attrs: { novalidate: true } },
    field('opinion.amendment', text), message.element, el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      message.show('opinion.empty', null, 'error');
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', `/consultations/${consultation.id}/report/amendments`, { text: text.value.trim() });
      context.reload();
    } catch (error) {
      message.showError(error);
      submit.disabled = false;
    }
  });
  return form;
}

export async function opinionSection(context, consultation) {
  const { me } = context;
  const isAuthor = me.role === 'expert' && me.id === consultation.expert_id;
  if (!consultation.expert_id)
    return null;
  const { report, forbidden } = await loadReport(consultation.id);
  if (forbidden)
    return null;

  const section = el('section', { class: 'panel opinion-panel' }, el('h2', { text: 'opinion.heading' }));
  if (report?.status === 'signed') {
    section.append(signedOpinion(context, report));
    if (isAuthor)
      section.append(amendmentForm(context, consultation));
  } else if (isAuthor && WRITABLE.has(consultation.status)) {
    section.append(draftEditor(context, consultation, report));
  } else {
    section.append(el('p', { class: 'empty', text: 'opinion.none_yet' }));
  }
  return section;
}
