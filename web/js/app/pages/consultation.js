// One consultation: its details, the actions the user's role allows on it
// in its current status, the call, the expert's opinion and the history.
//
// A consultation that the user may not see comes back from the API as 404,
// so a doctor who types another hospital's consultation number gets the
// "not found" page (main.js), exactly as for a number that does not exist.

import { api } from '../api.js';
import {
  detailList, expertLabel, loadExperts, orgName, pageHeading, patientLine, statusBadge,
} from '../common.js';
import { MessageBox, button, el } from '../dom.js';
import { launchCall } from '../join-launch.js';
import { reasonAction } from '../reason-form.js';
import { recordingsSection } from '../recordings-list.js';
import { rangeElement, timeElement, zoneSuffix } from '../time.js';
import { opinionSection } from './opinion.js';

const CANCELLABLE = new Set(['requested', 'accepted', 'scheduled']);
const REVIEWABLE = new Set(['requested', 'accepted']);
const JOINABLE = new Set(['scheduled', 'in_progress']);

function isParticipant(me, consultation) {
  return me.id === consultation.requester_id || me.id === consultation.expert_id;
}

// The action buttons for ME on CONSULTATION; RELOAD re-renders the page.
function actionsFor(context, consultation, message) {
  const { me } = context;
  const path = `/consultations/${consultation.id}`;
  const manages = me.role === 'admin' || me.role === 'coordinator';
  const buttons = [];
  const forms = [];
  const run = async (method, suffix, body) => {
    await api(method, `${path}${suffix}`, body);
    context.reload();
  };

  if (manages && consultation.status === 'requested') {
    buttons.push(button('consult.accept', async (event) => {
      event.target.disabled = true;
      try {
        await run('POST', '/accept', {});
      } catch (error) {
        message.showError(error);
        event.target.disabled = false;
      }
    }, { kind: 'primary' }));
  }
  if (manages && REVIEWABLE.has(consultation.status)) {
    buttons.push(el('a', { class: 'button primary', href: `#${path}/schedule`, text: 'consult.schedule' }));
    const giveBack = reasonAction({ openKey: 'consult.return', submitKey: 'consult.return_confirm',
      labelKey: 'consult.return_reason', onSubmit: (reason) => run('POST', '/return', { reason }) });
    buttons.push(giveBack.open);
    forms.push(giveBack.form);
  }
  if (manages && consultation.status === 'scheduled') {
    buttons.push(el('a', { class: 'button', href: `#${path}/schedule`, text: 'consult.reschedule' }));
    if (consultation.start && new Date(consultation.start).getTime() <= Date.now()) {
      const noShow = reasonAction({ openKey: 'consult.no_show', submitKey: 'consult.no_show_confirm',
        labelKey: 'consult.no_show_reason', required: false,
        onSubmit: (reason) => run('POST', '/no-show', reason ? { reason } : {}) });
      buttons.push(noShow.open);
      forms.push(noShow.form);
    }
  }
  const mayCancel = manages || me.id === consultation.requester_id || me.id === consultation.expert_id;
  if (mayCancel && CANCELLABLE.has(consultation.status)) {
    const cancel = reasonAction({ openKey: 'consult.cancel', submitKey: 'consult.cancel_confirm',
      labelKey: 'consult.cancel_reason', danger: true,
      onSubmit: (reason) => run('POST', '/cancel', { reason }) });
    buttons.push(cancel.open);
    forms.push(cancel.form);
  }
  if (buttons.length === 0)
    return null;
  return el('section', { class: 'panel actions-panel' },
    el('h2', { text: 'consult.actions' }),
    el('div', { class: 'actions' }, buttons), forms);
}

function callSection(context, consultation) {
  if (!JOINABLE.has(consultation.status) || !consultation.session_id ||
      !isParticipant(context.me, consultation))
    return null;
  const message = new MessageBox();
  const join = button('call.join', async () => {
    join.disabled = true;
    const leaving = await launchCall(consultation.session_id, message);
    if (!leaving)
      join.disabled = false;
  }, { kind: 'primary call-button' });
  return el('section', { class: 'panel call-panel' },
    el('h2', { text: 'call.heading' }),
    el('p', {}, rangeElement(consultation.start, consultation.end, context.zone),
      zoneSuffix(context.zone)),
    el('p', { class: 'hint', text: 'call.window_hint' }),
    el('div', { class: 'actions' }, join),
    message.element);
}

function historySection(context, history) {
  const list = el('ol', { class: 'history' });
  for (const row of history) {
    const action = row.action.replace(/^consultation\./, '');
    list.append(el('li', {},
      timeElement(row.at, context.zone),
      el('span', { class: 'history-action', text: `history.${action}` }),
      row.actor?.name ? el('span', { class: 'history-actor', data: row.actor.name }) : null,
      row.actor?.kind === 'relay' ? el('span', { class: 'history-actor', text: 'history.by_relay' }) : null,
      row.reason ? el('span', { class: 'history-reason', text: 'history.reason', params: { reason: row.reason } }) : null));
  }
  return el('section', { class: 'panel' }, el('h2', { text: 'consult.history' }), list);
}

export async function renderConsultation(context, { id }) {
  const consultation = await api('GET', `/consultations/${id}`);
  const [history, experts] = await Promise.all([
    api('GET', `/consultations/${id}/history`).then((body) => body.history).catch(() => []),
    loadExperts(context).catch(() => new Map()),
  ]);
  const requester = history.find((row) => row.action === 'consultation.request')?.actor;
  const expert = experts.get(consultation.expert_id);
  const namedExpert = experts.get(consultation.requested_expert_id);
  const message = new MessageBox();

  const details = detailList([
    ['consult.status', statusBadge(consultation.status)],
    ['consult.urgency', el('span', { class: `urgency urgency-${consultation.urgency}`,
      text: `urgency.${consultation.urgency}` })],
    ['consult.requesting_org', orgName(context, consultation.org_id)],
    ['consult.requester', requester?.name ?? null],
    ['consult.specialty', consultation.specialty],
    ['consult.target_org', consultation.target_org_id ? orgName(context, consultation.target_org_id) : null],
    ['consult.named_expert', namedExpert ? expertLabel(namedExpert) : null],
    ['consult.expert', expert ? expertLabel(expert) : null],
    ['consult.time', consultation.start
      ? el('span', {}, rangeElement(consultation.start, consultation.end, context.zone),
        zoneSuffix(context.zone))
      : null],
    ['consult.preferred_times', consultation.preferred_times?.length
      ? el('ul', { class: 'preferred-times' }, consultation.preferred_times.map((time) =>
        el('li', {}, rangeElement(time.start, time.end, context.zone), zoneSuffix(context.zone))))
      : null],
    ['consult.return_reason', consultation.return_reason],
    ['consult.cancel_reason', consultation.cancel_reason],
    ['consult.created', timeElement(consultation.created_at, context.zone)],
  ]);

  const patient = el('section', { class: 'panel' },
    el('h2', { text: 'consult.patient' }),
    el('p', {}, patientLine(consultation.patient)),
    el('h3', { text: 'consult.summary' }),
    el('p', { class: 'prewrap', data: consultation.patient.summary }),
    el('h3', { text: 'consult.question' }),
    el('p', { class: 'prewrap', data: consultation.question }));

  const opinion = await opinionSection(context, consultation);
  const names = new Map([[String(consultation.requester_id), requester?.name],
    [String(consultation.expert_id), expert?.name]].filter(([, name]) => name));
  const recordings = consultation.session_id && ['in_progress', 'completed'].includes(consultation.status)
    ? await recordingsSection(context, consultation.session_id, names) : null;

  return el('article', { class: 'consultation-page', attrs: { 'data-status': consultation.status } },
    pageHeading(context, 'consult.title', { id: consultation.id, specialty: consultation.specialty }),
    message.element,
    el('section', { class: 'panel' }, details),
    callSection(context, consultation),
    actionsFor(context, consultation, message),
    patient,
    opinion,
    recordings,
    historySection(context, history));
}
