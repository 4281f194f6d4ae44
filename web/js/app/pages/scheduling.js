// Scheduling and rescheduling a consultation: a slot search across the
// experts of a specialty, or of one expert (GET /api/v1/slots), or a time
// entered by hand, then POST .../schedule or .../reschedule.
//
// Dates and times on this page are wall-clock times in the coordinator's
// organization's zone; the API receives them as RFC 3339 with that zone's
// offset.

import { api, query } from '../api.js';
import { expertLabel, loadExperts, pageHeading, patientLine, statusBadge } from '../common.js';
import { MessageBox, button, el, field, replaceChildren, select } from '../dom.js';
import {
  addDays, formatTime, localClock, localDate, rangeElement, rfc3339, timeElement, zoneParam, zoneSuffix, zonedInstant,
} from '../time.js';

const DURATIONS = [15, 30, 45, 60, 90, 120];
// Slots shown per day; the API returns at most 2000 in all.
const SLOTS_PER_DAY_SHOWN = 48;

function durationChoices() {
  return DURATIONS.map((minutes) => ({ value: minutes, text: 'slot.minutes', params: { minutes } }));
}

export async function renderScheduling(context, { id }) {
  const consultation = await api('GET', `/consultations/${id}`);
  const experts = await loadExperts(context);
  const rescheduling = consultation.status === 'scheduled';
  const message = new MessageBox();
  const today = localDate(new Date(), context.zone);
  const currentMinutes = consultation.start
    ? Math.round((new Date(consultation.end) - new Date(consultation.start)) / 60000) : 30;

  // ---- search form ----
  const bySpecialty = el('input', { type: 'radio', name: 'search-kind', value: 'specialty',
    checked: !consultation.requested_expert_id });
  const byExpert = el('input', { type: 'radio', name: 'search-kind', value: 'expert',
    checked: Boolean(consultation.requested_expert_id) });
  const specialty = el('input', { name: 'specialty', value: consultation.specialty, maxLength: 100 });
  const expertChoices = [...experts.values()].map((expert) => ({ value: expert.id, data: expertLabel(expert) }));
  const expertSelect = select('expert_id', expertChoices,
    consultation.expert_id ?? consultation.requested_expert_id ?? expertChoices[0]?.value ?? null);
  const from = el('input', { type: 'date', name: 'from', value: today, min: today, required: true });
  const days = el('input', { type: 'number', name: 'days', value: 7, min: 1, max: 31, required: true });
  const duration = select('duration', durationChoices(),
    DURATIONS.includes(currentMinutes) ? currentMinutes : 30);
  const results = el('div', { class: 'slot-results', attrs: { 'aria-live': 'polite' } });
  const searchButton = button('slot.search', null, { kind: 'primary', submit: true });

  // ---- confirmation ----
  const reason = el('textarea', { name: 'reason', rows: 2, maxLength: 500 });
  // Recording needs consent, so the box starts unchecked. The flag is fixed
  // at booking, so a reschedule does not offer it.
  const recording = el('input', { type: 'checkbox', name: 'recording' });
  const confirmMessage = new MessageBox();
  const chosenText = el('p', { class: 'chosen' });
  const confirmButton = button(rescheduling ? 'slot.confirm_reschedule' : 'slot.confirm_schedule',
    null, { kind: 'primary', submit: true });
  const confirmForm = el('form', { class: 'panel confirm-panel', hidden: true, attrs: { novalidate: true } },
    el('h2', { text: 'slot.chosen_heading' }), chosenText,
    rescheduling ? field('slot.reason', reason) : null,
    rescheduling ? null : el('label', { class: 'choice' }, recording, el('span', { text: 'slot.recording' })),
    confirmMessage.element,
    el('div', { class: 'actions' }, confirmButton,
      button('common.cancel', () => {
        confirmForm.hidden = true;
      })));
  let chosen = null;

  function choose(slot) {
    chosen = slot;
    const expert = experts.get(slot.expert_id);
    replaceChildren(chosenText, rangeElement(slot.start, slot.end, context.zone),
      zoneSuffix(context.zone), el('span', { data: ` · ${expertLabel(expert) || slot.expert_id}` }));
    confirmMessage.clear();
    confirmForm.hidden = false;
    confirmButton.focus();
  }

  confirmForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!chosen)
      return;
    confirmButton.disabled = true;
    const body = { expert_id: chosen.expert_id, start: chosen.start, end: chosen.end };
    if (rescheduling && reason.value.trim())
      body.reason = reason.value.trim();
    if (!rescheduling)
      body.recording = recording.checked;
    try {
      await api('POST', `/consultations/${id}/${rescheduling ? 'reschedule' : 'schedule'}`, body);
      context.navigate(`/consultations/${id}`);
    } catch (error) {
      confirmMessage.showError(error);
      confirmButton.disabled = false;
    }
  });

  function showSlots(body) {
    if (body.slots.length === 0) {
      replaceChildren(results, el('p', { class: 'empty', text: 'slot.none' }));
      return;
    }
    const byDay = new Map();
    for (const slot of body.slots) {
      const day = localDate(new Date(slot.start), context.zone);
      if (!byDay.has(day))
        byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    const sections = [];
    for (const [, slots] of byDay) {
      const buttons = slots.slice(0, SLOTS_PER_DAY_SHOWN).map((slot) => {
        const expert = experts.get(slot.expert_id);
        const clock = `${formatTime(slot.start, context.zone, 'time')}–${formatTime(slot.end, context.zone, 'time')}`;
        return el('button', { type: 'button', class: 'slot',
          label: 'slot.choose_label', params: { time: formatTime(slot.start, context.zone), name: expert?.name ?? '' },
          on: { click: () => choose(slot) } },
        el('span', { class: 'slot-time', data: clock }),
        el('span', { class: 'slot-expert', data: expert?.name ?? String(slot.expert_id) }));
      });
      sections.push(el('section', { class: 'slot-day' },
        el('h3', {}, timeElement(slots[0].start, context.zone, 'date')),
        el('div', { class: 'slot-grid' }, buttons),
        slots.length > SLOTS_PER_DAY_SHOWN
          ? el('p', { class: 'hint', text: 'slot.more_that_day', params: { count: slots.length - SLOTS_PER_DAY_SHOWN } })
          : null));
    }
    replaceChildren(results, body.truncated ? el('p', { class: 'hint', text: 'slot.truncated' }) : null, sections);
  }

  const searchForm = el('form', { class: 'panel slot-search', attrs: { novalidate: true } },
    el('h2', { text: 'slot.search_heading' }),
    el('fieldset', { class: 'choices' }, el('legend', { text: 'slot.search_by' }),
      el('label', { class: 'choice' }, bySpecialty, el('span', { text: 'slot.by_specialty' })),
      el('label', { class: 'choice' }, byExpert, el('span', { text: 'slot.by_expert' }))),
    field('slot.specialty', specialty),
    field('slot.expert', expertSelect),
    el('div', { class: 'row' }, field('slot.from', from), field('slot.days', days), field('slot.duration', duration)),
    el('p', { class: 'hint', text: 'slot.zone_hint', params: { zone: zoneParam(context.zone) } }),
    message.element,
    el('div', { class: 'actions' }, searchButton));

  async function search() {
    message.clear();
    const dayCount = Number(days.value);
    if (!from.value || !Number.isInteger(dayCount) || dayCount < 1 || dayCount > 31) {
      message.show('slot.invalid_range', null, 'error');
      return;
    }
    const params = {
      from: rfc3339(zonedInstant(from.value, '00:00', context.zone), context.zone),
      to: rfc3339(zonedInstant(addDays(from.value, dayCount), '00:00', context.zone), context.zone),
      duration: duration.value,
    };
    if (byExpert.checked)
      params.expert_id = expertSelect.value;
    else
      params.specialty = specialty.value.trim();
    searchButton.disabled = true;
    replaceChildren(results, el('p', { class: 'muted', text: 'common.loading' }));
    try {
      showSlots(await api('GET', `/slots${query(params)}`));
    } catch (error) {
      replaceChildren(results);
      message.showError(error);
    } finally {
      searchButton.disabled = false;
    }
  }

  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    search();
  });

  // ---- a time entered by hand ----
  const manualExpert = select('manual_expert_id', expertChoices,
    consultation.expert_id ?? consultation.requested_expert_id ?? expertChoices[0]?.value ?? null);
  const manualDate = el('input', { type: 'date', name: 'manual_date', value: today, required: true });
  const manualTime = el('input', { type: 'time', name: 'manual_time', required: true, step: 300,
    value: localClock(new Date(Math.ceil(Date.now() / 3600000) * 3600000), context.zone) });
  const manualDuration = select('manual_duration', durationChoices(),
    DURATIONS.includes(currentMinutes) ? currentMinutes : 30);
  const manualMessage = new MessageBox();
  const manualForm = el('form', { class: 'panel manual-time', attrs: { novalidate: true } },
    el('h2', { text: 'slot.manual_heading' }),
    el('p', { class: 'hint', text: 'slot.manual_hint' }),
    field('slot.expert', manualExpert),
    el('div', { class: 'row' }, field('slot.date', manualDate), field('slot.start_time', manualTime),
      field('slot.duration', manualDuration)),
    manualMessage.element,
    el('div', { class: 'actions' }, button('slot.use_time', null, { submit: true })));
  manualForm.addEventListener('submit', (event) => {
    event.preventDefault();
    manualMessage.clear();
    if (!manualDate.value || !/^\d{2}:\d{2}/.test(manualTime.value) || !manualExpert.value) {
      manualMessage.show('slot.manual_missing', null, 'error');
      return;
    }
    const start = zonedInstant(manualDate.value, manualTime.value.slice(0, 5), context.zone);
    const end = new Date(start.getTime() + Number(manualDuration.value) * 60000);
    choose({ expert_id: Number(manualExpert.value), start: rfc3339(start, context.zone),
      end: rfc3339(end, context.zone) });
  });

  const summary = el('section', { class: 'panel' },
    el('p', {}, statusBadge(consultation.status), ' ',
      el('a', { href: `#/consultations/${id}`, text: 'consult.card_title',
        params: { id, specialty: consultation.specialty } })),
    el('p', {}, patientLine(consultation.patient)),
    consultation.start ? el('p', {}, el('span', { text: 'slot.current_time' }),
      rangeElement(consultation.start, consultation.end, context.zone)) : null);

  return el('section', { class: 'scheduling-page' },
    pageHeading(context, rescheduling ? 'slot.title_reschedule' : 'slot.title_schedule', { id }),
    summary, searchForm, confirmForm, results, manualForm);
}
