// A county doctor's consultation request (POST /api/v1/consultations):
// a specialty or a named expert, the consulting hospital, the patient, the
// question, the urgency and up to PREFERRED_ROWS preferred times.

import { api } from '../api.js';
import { expertLabel, loadExperts, pageHeading } from '../common.js';
import { MessageBox, button, el, field, select } from '../dom.js';
import { rfc3339, zonedInstant } from '../time.js';

const CONSULTING_LEVELS = new Set(['district', 'city', 'provincial']);
const SEXES = ['male', 'female', 'other', 'unknown'];
const URGENCIES = ['routine', 'urgent', 'emergency'];
// Rows of preferred times on the form; the API takes up to 5.
const PREFERRED_ROWS = 3;

// One row of a preferred time: a date and the clock times it runs from and
// to, in the user's organization's zone. Its controls are named by N.
function preferredRow(n) {
  const date = el('input', { type: 'date', name: `preferred_date_${n}` });
  const from = el('input', { type: 'time', name: `preferred_from_${n}` });
  const to = el('input', { type: 'time', name: `preferred_to_${n}` });
  const element = el('div', { class: 'row preferred-time' },
    field('request.preferred_date', date, { params: { n } }),
    field('request.preferred_from', from, { params: { n } }),
    field('request.preferred_to', to, { params: { n } }));
  return { element, date, from, to };
}

function radio(name, value, key, checked) {
  const input = el('input', { type: 'radio', name, value, checked });
  return el('label', { class: 'choice' }, input, el('span', { text: key }));
}

export async function renderRequestForm(context) {
  const experts = await loadExperts(context);
  const specialties = [...new Set([...experts.values()].map((expert) => expert.specialty)
    .filter(Boolean))].sort();
  // A hospital with partner links may address only its partners.
  const partners = new Set(context.orgs.get(context.me.org_id)?.partner_org_ids ?? []);
  const consultingOrgs = [...context.orgs.values()].filter((org) => CONSULTING_LEVELS.has(org.level)
    && (partners.size === 0 || partners.has(org.id)));

  const byExpert = radio('target-kind', 'expert', 'request.by_expert', false);
  const bySpecialty = radio('target-kind', 'specialty', 'request.by_specialty', true);
  const targetKind = el('fieldset', { class: 'choices' },
    el('legend', { text: 'request.target_kind' }), bySpecialty, byExpert);

  const specialty = el('input', { name: 'specialty', required: true, maxLength: 100,
    attrs: { list: 'specialty-list' } });
  const specialtyList = el('datalist', { id: 'specialty-list' },
    specialties.map((name) => el('option', { value: name })));
  const targetOrg = select('target_org_id', [{ value: '', text: 'request.any_hospital' },
    ...consultingOrgs.map((org) => ({ value: org.id, data: org.name }))]);
  const expertSelect = select('requested_expert_id', [{ value: '', text: 'request.choose_expert' },
    ...[...experts.values()].map((expert) => ({ value: expert.id, data: expertLabel(expert) }))]);
  const expertField = field('request.expert', expertSelect);
  const orgField = field('request.target_org', targetOrg);
  expertField.hidden = true;

  const ref = el('input', { name: 'patient_ref', required: true, maxLength: 64, autocomplete: 'off' });
  const age = el('input', { name: 'patient_age', type: 'number', min: 0, max: 150, required: true,
    attrs: { inputmode: 'numeric' } });
  const sex = select('patient_sex', SEXES.map((value) => ({ value, text: `sex.${value}` })), 'unknown');
  const summary = el('textarea', { name: 'patient_summary', required: true, maxLength: 4000, rows: 5 });
  const question = el('textarea', { name: 'question', required: true, maxLength: 4000, rows: 4 });
  const urgency = select('urgency', URGENCIES.map((value) => ({ value, text: `urgency.${value}` })), 'routine');
  const preferredRows = Array.from({ length: PREFERRED_ROWS }, (_, i) => preferredRow(i + 1));
  const message = new MessageBox();
  const submit = button('request.submit', null, { kind: 'primary', submit: true });

  function updateTargetKind() {
    const named = byExpert.querySelector('input').checked;
    expertField.hidden = !named;
    orgField.hidden = named;
    updateFromExpert();
  }

  // A named expert's specialty fills the field, which then stays fixed;
  // an expert without one leaves it to the doctor.
  function updateFromExpert() {
    const named = byExpert.querySelector('input').checked;
    const expert = named ? experts.get(Number(expertSelect.value)) : null;
    specialty.readOnly = Boolean(expert?.specialty);
    if (expert?.specialty)
      specialty.value = expert.specialty;
  }

  for (const input of targetKind.querySelectorAll('input'))
    input.addEventListener('change', updateTargetKind);
  expertSelect.addEventListener('change', updateFromExpert);

  function readForm() {
    const named = byExpert.querySelector('input').checked;
    if (named && !expertSelect.value)
      return { errorKey: 'request.missing_expert' };
    for (const [input, key] of [[specialty, 'request.specialty'], [ref, 'request.patient_ref'],
      [age, 'request.patient_age'], [summary, 'request.patient_summary'], [question, 'request.question']]) {
      if (!input.value.trim()) {
        input.focus();
        return { errorKey: 'request.missing_field', params: { field: { key } } };
      }
    }
    const ageValue = Number(age.value);
    if (!Number.isInteger(ageValue) || ageValue < 0 || ageValue > 150) {
      age.focus();
      return { errorKey: 'request.invalid_age' };
    }
    const preferredTimes = [];
    for (const row of preferredRows) {
      if (!row.date.value && !row.from.value && !row.to.value)
        continue;
      if (!row.date.value || !row.from.value || !row.to.value || row.to.value <= row.from.value) {
        (row.date.value ? row.from : row.date).focus();
        return { errorKey: 'request.invalid_preferred_time' };
      }
      preferredTimes.push({
        start: rfc3339(zonedInstant(row.date.value, row.from.value, context.zone), context.zone),
        end: rfc3339(zonedInstant(row.date.value, row.to.value, context.zone), context.zone),
      });
    }
    const body = {
      specialty: specialty.value.trim(),
      patient: { ref: ref.value.trim(), age: ageValue, sex: sex.value, summary: summary.value.trim() },
      question: question.value.trim(),
      urgency: urgency.value,
      preferred_times: preferredTimes,
    };
    if (named)
      body.requested_expert_id = Number(expertSelect.value);
    else if (targetOrg.value)
      body.target_org_id = Number(targetOrg.value);
    return { body };
  }

  const form = el('form', { class: 'request-form', attrs: { novalidate: true } },
    targetKind,
    orgField,
    expertField,
    field('request.specialty', specialty, { hint: 'request.specialty_hint' }),
    specialtyList,
    el('fieldset', { class: 'group' }, el('legend', { text: 'request.patient' }),
      field('request.patient_ref', ref, { hint: 'request.patient_ref_hint' }),
      el('div', { class: 'row' }, field('request.patient_age', age), field('request.patient_sex', sex)),
      field('request.patient_summary', summary)),
    field('request.question', question, { hint: 'request.question_hint' }),
    field('request.urgency', urgency, { hint: 'request.urgency_hint' }),
    el('fieldset', { class: 'group' }, el('legend', { text: 'request.preferred_times' }),
      el('p', { class: 'hint', text: 'request.preferred_hint' }),
      preferredRows.map((row) => row.element)),
    message.element,
    el('div', { class: 'actions' }, submit,
      el('a', { href: '#/consultations', class: 'button', text: 'common.cancel' })));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    const { body, errorKey, params } = readForm();
    if (errorKey) {
      message.show(errorKey, params, 'error');
      return;
    }
    submit.disabled = true;
    try {
      const created = await api('POST', '/consultations', body);
      context.navigate(`/consultations/${created.id}`);
    } catch (error) {
      message.showError(error);
      submit.disabled = false;
    }
  });

  return el('section', { class: 'request-page' },
    pageHeading(context, 'request.title'),
    el('p', { class: 'lead', text: 'request.intro' }),
    form);
}
