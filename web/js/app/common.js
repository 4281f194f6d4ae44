// Pieces that several pages share: status badges, consultation cards,
// organization names, the expert directory and page headings.

import { t } from '../i18n.js';
import { api } from './api.js';
import { bilingual, el } from './dom.js';
import { rangeElement, timeElement } from './time.js';

// The statuses of docs/api.md's workflow; each has a 'cstatus.NAME' label.
export const CONSULTATION_STATUSES = ['requested', 'accepted', 'returned', 'scheduled',
  'in_progress', 'completed', 'cancelled', 'no_show'];

export function statusBadge(status) {
  return el('span', { class: `badge status-${status}`, text: `cstatus.${status}` });
}

export function orgName(context, orgId) {
  const org = context.orgs.get(orgId);
  if (!org)
    return el('span', { text: 'common.unknown_org', params: { id: orgId } });
  return bilingual(org.name, org.name_en);
}

// A heading with the page's title, which also becomes the document title.
export function pageHeading(context, key, params = null, ...actions) {
  context.setTitle(key, params);
  return el('div', { class: 'page-heading' },
    el('h1', { text: key, params }),
    actions.length ? el('div', { class: 'heading-actions' }, actions) : null);
}

// Resolves to the experts of GET /api/v1/experts as a Map by id, loaded
// once per sign-in.
export function loadExperts(context) {
  if (!context.expertsPromise) {
    context.expertsPromise = api('GET', '/experts')
      .then((body) => new Map(body.experts.map((expert) => [expert.id, expert])))
      .catch((error) => {
        context.expertsPromise = null;
        throw error;
      });
  }
  return context.expertsPromise;
}

// "陈国栋（心血管内科 主任医师）"-like text of EXPERT in the current
// language, as plain text for <option> elements and messages.
export function expertLabel(expert) {
  if (!expert)
    return '';
  const details = [expert.specialty, expert.title].filter(Boolean).join(' ');
  return details ? t('common.expert_label', { name: expert.name, details }) : expert.name;
}

// One line per field: a <dl> of [labelKey, value (node or text)] pairs,
// skipping pairs whose value is null.
export function detailList(pairs) {
  const list = el('dl', { class: 'details' });
  for (const [key, value, params] of pairs) {
    if (value === null || value === undefined || value === '')
      continue;
    list.append(el('dt', { text: key, params }),
      el('dd', {}, value instanceof Node ? value : el('span', { data: value })));
  }
  return list;
}

// The patient line of a consultation: record number, age and sex.
export function patientLine(patient) {
  return el('span', { class: 'patient-line' },
    el('span', { text: 'consult.patient_ref', params: { ref: patient.ref } }), ' · ',
    el('span', { text: 'consult.patient_age', params: { age: patient.age } }), ' · ',
    el('span', { text: `sex.${patient.sex}` }));
}

// A card that links to consultation C, for lists and queues. EXPERTS (a
// Map, may be null) names the assigned expert.
export function consultationCard(context, consultation, experts = null) {
  const expert = experts?.get(consultation.expert_id ?? consultation.requested_expert_id);
  const when = consultation.start
    ? el('span', { class: 'when' }, rangeElement(consultation.start, consultation.end, context.zone))
    : null;
  return el('li', { class: 'card consultation-card' },
    el('div', { class: 'card-top' },
      el('a', { href: `#/consultations/${consultation.id}`, class: 'card-title',
        text: 'consult.card_title', params: { id: consultation.id, specialty: consultation.specialty } }),
      el('span', { class: 'badges' },
        consultation.urgency && consultation.urgency !== 'routine'
          ? el('span', { class: `badge urgency-${consultation.urgency}`, text: `urgency.${consultation.urgency}` })
          : null,
        statusBadge(consultation.status))),
    el('p', { class: 'card-line' }, patientLine(consultation.patient)),
    el('p', { class: 'card-line muted' },
      el('span', { text: 'consult.from_org' }), orgName(context, consultation.org_id),
      expert ? el('span', { class: 'sep', data: ' · ' }) : null,
      expert ? el('span', { text: 'consult.expert_is', params: { name: expertLabel(expert) } }) : null),
    when ? el('p', { class: 'card-line' }, when) : null,
    el('p', { class: 'card-line muted' }, el('span', { text: 'consult.created_at' }),
      timeElement(consultation.created_at, context.zone)));
}
