// The expert's week: sessions (consultations and teaching rounds), working
// hours, leave and extra hours, and public holidays, one column per day
// from Monday to Sunday in the zone of the expert's organization.

import { api, query } from '../api.js';
import { pageHeading, statusBadge } from '../common.js';
import { el } from '../dom.js';
import {
  addDays, localDate, rangeElement, rfc3339, timeElement, weekdayOf, zoneSuffix, zonedInstant,
} from '../time.js';

const CONSULTATION_LIMIT = 200;
const HIDDEN_STATUSES = new Set(['cancelled', 'returned', 'requested', 'accepted']);

function mondayOf(dateText) {
  return addDays(dateText, 1 - weekdayOf(dateText));
}

// Entries {start, end, node} of the week: the expert's consultations and
// the occurrences of the teaching rounds that they present.
async function loadSessions(context, fromText, toText) {
  const { me } = context;
  const [consultations, teaching] = await Promise.all([
    api('GET', `/consultations${query({ limit: CONSULTATION_LIMIT })}`),
    api('GET', `/teaching-sessions${query({ from: fromText, to: toText })}`),
  ]);
  const entries = [];
  for (const consultation of consultations.consultations) {
    if (consultation.expert_id !== me.id || !consultation.start || HIDDEN_STATUSES.has(consultation.status))
      continue;
    entries.push({
      start: consultation.start, end: consultation.end,
      node: el('a', { href: `#/consultations/${consultation.id}`, class: 'session consultation' },
        rangeElement(consultation.start, consultation.end, context.zone, { clockOnly: true }),
        el('span', { class: 'session-kind', text: 'calendar.consultation', params: { specialty: consultation.specialty } }),
        statusBadge(consultation.status)),
    });
  }
  for (const series of teaching.teaching_sessions) {
    if (series.presenter_id !== me.id)
      continue;
    for (const occurrence of series.occurrences) {
      if (occurrence.status === 'cancelled')
        continue;
      entries.push({
        start: occurrence.start, end: occurrence.end,
        node: el('a', { href: '#/teaching', class: 'session teaching' },
          rangeElement(occurrence.start, occurrence.end, context.zone, { clockOnly: true }),
          el('span', { class: 'session-kind', text: `teaching.kind_${series.kind}` }),
          el('span', { data: series.title })),
      });
    }
  }
  return entries;
}

function dayColumn(context, day, { hours, exceptions, holidays, sessions }) {
  const weekday = weekdayOf(day);
  const holiday = holidays.get(day);
  const dayHours = holiday?.kind === 'holiday' ? []
    : hours.filter((range) => range.weekday === (holiday?.kind === 'workday' ? 1 : weekday));
  const dayStart = zonedInstant(day, '00:00', context.zone).getTime();
  const dayEnd = zonedInstant(addDays(day, 1), '00:00', context.zone).getTime();
  const overlaps = (item) => new Date(item.start).getTime() < dayEnd && new Date(item.end).getTime() > dayStart;
  const daySessions = sessions.filter(overlaps).sort((a, b) => new Date(a.start) - new Date(b.start));
  const dayExceptions = exceptions.filter(overlaps);
  const isToday = day === localDate(new Date(), context.zone);

  return el('section', { class: `day${isToday ? ' today' : ''}`, attrs: { 'data-date': day } },
    el('h2', {}, timeElement(zonedInstant(day, '12:00', context.zone), context.zone, 'day'),
      isToday ? el('span', { class: 'badge', text: 'calendar.today' }) : null),
    holiday ? el('p', { class: `holiday ${holiday.kind}`,
      text: holiday.kind === 'holiday' ? 'calendar.holiday' : 'calendar.workday',
      params: { name: holiday.name } }) : null,
    dayHours.length
      ? el('p', { class: 'hours' }, el('span', { text: 'calendar.hours' }),
        dayHours.map((range) => el('span', { class: 'hours-range', data: `${range.start}–${range.end}` })))
      : el('p', { class: 'hours muted', text: hours.length ? 'calendar.no_hours' : 'calendar.any_time' }),
    dayExceptions.map((exception) => el('p', { class: `exception ${exception.kind}` },
      el('span', { text: `leave.kind_${exception.kind}` }), ' ',
      rangeElement(exception.start, exception.end, context.zone, { clockOnly: true }))),
    daySessions.length ? el('ul', { class: 'sessions' }, daySessions.map((entry) => el('li', {}, entry.node)))
      : el('p', { class: 'empty', text: 'calendar.no_sessions' }));
}

export async function renderCalendar(context, { date } = {}) {
  const { me } = context;
  const monday = mondayOf(date ?? localDate(new Date(), context.zone));
  const nextMonday = addDays(monday, 7);
  const fromText = rfc3339(zonedInstant(monday, '00:00', context.zone), context.zone);
  const toText = rfc3339(zonedInstant(nextMonday, '00:00', context.zone), context.zone);

  const [sessions, hoursBody, exceptionsBody, holidaysBody] = await Promise.all([
    loadSessions(context, fromText, toText),
    api('GET', `/experts/${me.id}/working-hours`),
    api('GET', `/experts/${me.id}/exceptions${query({ from: fromText, to: toText })}`),
    api('GET', `/holidays${query({ from: monday, to: addDays(monday, 6) })}`).catch(() => ({ days: [] })),
  ]);
  const data = {
    sessions,
    hours: hoursBody.hours,
    exceptions: exceptionsBody.exceptions,
    holidays: new Map(holidaysBody.days.map((entry) => [entry.date, entry])),
  };

  const days = [];
  for (let i = 0; i < 7; i++)
    days.push(dayColumn(context, addDays(monday, i), data));

  const weekNav = el('nav', { class: 'week-nav', label: 'calendar.week_nav' },
    el('a', { class: 'button', href: `#/calendar/${addDays(monday, -7)}`, text: 'calendar.previous' }),
    el('a', { class: 'button', href: '#/calendar', text: 'calendar.this_week' }),
    el('a', { class: 'button', href: `#/calendar/${nextMonday}`, text: 'calendar.next' }));

  return el('section', { class: 'calendar-page' },
    pageHeading(context, 'calendar.title', null,
      el('a', { class: 'button', href: '#/availability', text: 'nav.availability' })),
    el('p', { class: 'week-range' },
      timeElement(zonedInstant(monday, '12:00', context.zone), context.zone, 'date'), ' – ',
      timeElement(zonedInstant(addDays(monday, 6), '12:00', context.zone), context.zone, 'date'),
      zoneSuffix(context.zone)),
    weekNav,
    el('div', { class: 'week' }, days));
}
