// An expert's weekly working hours, booking rules, leave and extra hours
// (docs/api.md, "Availability and slot search"). Experts edit their own;
// admins and coordinators open it for an expert of theirs from the user
// list. Times are wall-clock times in the zone of the expert's
// organization, which GET .../working-hours names.

import { api, query } from '../api.js';
import { pageHeading } from '../common.js';
import { MessageBox, button, el, field, replaceChildren, select, setLabel } from '../dom.js';
import { addDays, localDate, rangeElement, rfc3339, zoneParam, zonedInstant } from '../time.js';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const ABSENCE_KINDS = ['leave', 'training', 'conference', 'other'];
// How far ahead the list of leave and extra hours reaches.
const EXCEPTION_LIST_DAYS = 366;

// An <input type="time"> cannot show 24:00, so a range that ends at
// midnight shows 23:59 and 23:59 is sent as 24:00.
function hoursRow(range = { weekday: 1, start: '08:00', end: '12:00' }) {
  const weekday = select('weekday', WEEKDAYS.map((value) => ({ value, text: `weekday.${value}` })), range.weekday);
  setLabel(weekday, 'hours.weekday');
  const start = el('input', { type: 'time', name: 'start', value: range.start, required: true, label: 'hours.start' });
  const end = el('input', { type: 'time', name: 'end', value: range.end === '24:00' ? '23:59' : range.end,
    required: true, label: 'hours.end' });
  const row = el('li', { class: 'hours-row' }, weekday, start, el('span', { data: '–' }), end);
  row.append(button('hours.remove', () => row.remove(), { kind: 'small' }));
  row.read = () => ({ weekday: Number(weekday.value), start: start.value.slice(0, 5),
    end: end.value.slice(0, 5) === '23:59' ? '24:00' : end.value.slice(0, 5) });
  return row;
}

function hoursSection(expertId, body) {
  const list = el('ul', { class: 'hours-list' },
    [...body.hours].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start)).map(hoursRow));
  const message = new MessageBox();
  const save = button('hours.save', null, { kind: 'primary', submit: true });
  const form = el('form', { class: 'panel', attrs: { novalidate: true } },
    el('h2', { text: 'hours.heading' }),
    el('p', { class: 'hint', text: 'hours.hint', params: { zone: zoneParam(body.timezone) } }),
    list,
    el('div', { class: 'actions' },
      button('hours.add', () => {
        const row = hoursRow();
        list.append(row);
        row.querySelector('select').focus();
      }),
      save),
    message.element);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    const hours = [...list.children].map((row) => row.read());
    if (hours.some((range) => !range.start || !range.end || range.start >= range.end)) {
      message.show('hours.invalid', null, 'error');
      return;
    }
    save.disabled = true;
    try {
      await api('PUT', `/experts/${expertId}/working-hours`, { hours });
      message.show('hours.saved', null, 'success');
    } catch (error) {
      message.showError(error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function rulesSection(expertId, rules) {
  const notice = el('input', { type: 'number', name: 'min_notice_minutes', min: 0, max: 129600,
    value: rules.min_notice_minutes });
  const buffer = el('input', { type: 'number', name: 'buffer_minutes', min: 0, max: 240, value: rules.buffer_minutes });
  const message = new MessageBox();
  const save = button('rules.save', null, { kind: 'primary', submit: true });
  const form = el('form', { class: 'panel', attrs: { novalidate: true } },
    el('h2', { text: 'rules.heading' }),
    el('div', { class: 'row' }, field('rules.min_notice', notice, { hint: 'rules.min_notice_hint' }),
      field('rules.buffer', buffer, { hint: 'rules.buffer_hint' })),
    message.element,
    el('div', { class: 'actions' }, save));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    save.disabled = true;
    try {
      await api('PUT', `/experts/${expertId}/booking-rules`, {
        min_notice_minutes: Number(notice.value), buffer_minutes: Number(buffer.value) });
      message.show('rules.saved', null, 'success');
    } catch (error) {
      message.showError(error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function exceptionItem(context, zone, exception, onDeleted, message) {
  return el('li', { class: `exception ${exception.kind}` },
    el('span', { class: 'badge', text: `leave.kind_${exception.kind}` }),
    rangeElement(exception.start, exception.end, zone),
    exception.reason ? el('span', { class: 'muted', data: exception.reason }) : null,
    button('leave.delete', async (event) => {
      event.target.disabled = true;
      try {
        await api('DELETE', `/availability-exceptions/${exception.id}`);
        onDeleted();
      } catch (error) {
        message.showError(error);
        event.target.disabled = false;
      }
    }, { kind: 'small danger-outline', label: 'leave.delete_label' }));
}

function exceptionsSection(context, expertId, zone) {
  const list = el('ul', { class: 'exceptions' });
  const listMessage = new MessageBox();
  const today = localDate(new Date(), zone);

  async function refresh() {
    try {
      const from = rfc3339(new Date(), zone);
      const to = rfc3339(zonedInstant(addDays(today, EXCEPTION_LIST_DAYS), '00:00', zone), zone);
      const body = await api('GET', `/experts/${expertId}/exceptions${query({ from, to })}`);
      replaceChildren(list, body.exceptions.length
        ? body.exceptions.map((exception) => exceptionItem(context, zone, exception, refresh, listMessage))
        : el('li', { class: 'empty', text: 'leave.none' }));
    } catch (error) {
      listMessage.showError(error);
    }
  }

  const kind = select('kind', [...ABSENCE_KINDS.map((value) => ({ value, text: `leave.kind_${value}` })),
    { value: 'extra_hours', text: 'leave.kind_extra_hours' }]);
  const startDate = el('input', { type: 'date', name: 'start_date', value: today, required: true });
  const startTime = el('input', { type: 'time', name: 'start_time', value: '08:00', required: true });
  const endDate = el('input', { type: 'date', name: 'end_date', value: today, required: true });
  const endTime = el('input', { type: 'time', name: 'end_time', value: '17:30', required: true });
  const reason = el('input', { name: 'reason', maxLength: 500 });
  const message = new MessageBox();
  const add = button('leave.add', null, { kind: 'primary', submit: true });
  const form = el('form', { class: 'leave-form', attrs: { novalidate: true } },
    el('h3', { text: 'leave.add_heading' }),
    field('leave.kind', kind),
    el('div', { class: 'row' }, field('leave.start_date', startDate), field('leave.start_time', startTime)),
    el('div', { class: 'row' }, field('leave.end_date', endDate), field('leave.end_time', endTime)),
    field('leave.reason', reason),
    message.element,
    el('div', { class: 'actions' }, add));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    if (!startDate.value || !startTime.value || !endDate.value || !endTime.value) {
      message.show('leave.missing', null, 'error');
      return;
    }
    const start = zonedInstant(startDate.value, startTime.value.slice(0, 5), zone);
    const end = zonedInstant(endDate.value, endTime.value.slice(0, 5), zone);
    if (end <= start) {
      message.show('leave.end_before_start', null, 'error');
      return;
    }
    const body = { start: rfc3339(start, zone), end: rfc3339(end, zone) };
    if (reason.value.trim())
      body.reason = reason.value.trim();
    const extra = kind.value === 'extra_hours';
    if (!extra)
      body.kind = kind.value;
    add.disabled = true;
    try {
      await api('POST', `/experts/${expertId}/${extra ? 'extra-hours' : 'leave'}`, body);
      reason.value = '';
      message.show('leave.added', null, 'success');
      await refresh();
    } catch (error) {
      message.showError(error);
    } finally {
      add.disabled = false;
    }
  });

  return {
    element: el('section', { class: 'panel' },
      el('h2', { text: 'leave.heading' }),
      el('p', { class: 'hint', text: 'leave.hint' }),
      listMessage.element, list, form),
    refresh,
  };
}

export async function renderAvailability(context, { id } = {}) {
  const expertId = id ?? context.me.id;
  const [hours, rules] = await Promise.all([
    api('GET', `/experts/${expertId}/working-hours`),
    api('GET', `/experts/${expertId}/booking-rules`),
  ]);
  const zone = hours.timezone || context.zone;
  const exceptions = exceptionsSection(context, expertId, zone);
  await exceptions.refresh();

  let expertName = context.me.name;
  if (id) {
    const experts = await api('GET', '/experts');
    expertName = experts.experts.find((expert) => expert.id === id)?.name ?? String(id);
  }

  return el('section', { class: 'availability-page' },
    pageHeading(context, 'hours.title', { name: expertName }),
    hoursSection(expertId, hours),
    exceptions.element,
    rulesSection(expertId, rules));
}
