// Dates and times in the time zone of the user's organization (an IANA
// zone from GET /api/v1/organizations), formatted with Intl.DateTimeFormat
// for the page's language: "2026年12月7日周一 09:00" in Chinese.
//
// <time> elements made by timeElement() carry their instant and format in
// data attributes, and refreshTimes() formats them again after a language
// switch.

import { currentLanguage, t } from '../i18n.js';

export const BEIJING_ZONE = 'Asia/Shanghai';

// IANA names of China Standard Time (UTC+08:00 all year since 1992).
const BEIJING_ZONES = new Set([BEIJING_ZONE, 'Asia/Chongqing', 'Asia/Chungking',
  'Asia/Harbin', 'PRC']);

const FORMATS = {
  datetime: { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  date: { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' },
  day: { month: 'long', day: 'numeric', weekday: 'short' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
};

function locale() {
  return currentLanguage() === 'en' ? 'en-GB' : 'zh-CN';
}

const formatters = new Map();

function formatter(kind, zone) {
  const cacheKey = `${locale()}|${kind}|${zone}`;
  let result = formatters.get(cacheKey);
  if (!result) {
    result = new Intl.DateTimeFormat(locale(), { ...FORMATS[kind], timeZone: zone });
    formatters.set(cacheKey, result);
  }
  return result;
}

// Formats VALUE (a Date or an RFC 3339 string) as KIND (datetime, date, day
// or time) in ZONE.
export function formatTime(value, zone, kind = 'datetime') {
  if (value === null || value === undefined)
    return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    return String(value);
  return formatter(kind, zone).format(date);
}

// The name of ZONE as a parameter of t(): 北京时间 (from the catalogue,
// so it follows language switches) for China Standard Time, else the IANA
// name.
export function zoneParam(zone) {
  return BEIJING_ZONES.has(zone) ? { key: 'time.beijing' } : zone;
}

// A <time> element showing VALUE as KIND in ZONE, re-formatted by
// refreshTimes() when the language changes.
export function timeElement(value, zone, kind = 'datetime') {
  const element = document.createElement('time');
  const date = value instanceof Date ? value : new Date(value);
  element.dateTime = date.toISOString();
  element.dataset.zone = zone;
  element.dataset.kind = kind;
  element.textContent = formatTime(date, zone, kind);
  return element;
}

export function refreshTimes(root = document) {
  for (const element of root.querySelectorAll('time[data-zone]'))
    element.textContent = formatTime(element.dateTime, element.dataset.zone, element.dataset.kind);
}

// Returns the wall-clock fields of DATE in ZONE as numbers
// {year, month, day, hour, minute, second, weekday (1 = Monday)}.
export function wallClock(date, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', weekday: 'short',
    year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(date);
  const fields = {};
  for (const part of parts)
    fields[part.type] = part.value;
  const weekdays = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
  return {
    year: Number(fields.year), month: Number(fields.month), day: Number(fields.day),
    hour: Number(fields.hour) % 24, minute: Number(fields.minute), second: Number(fields.second),
    weekday: weekdays[fields.weekday],
  };
}

// Offset of ZONE from UTC at DATE, in minutes (480 for UTC+08:00).
export function zoneOffsetMinutes(date, zone) {
  const wall = wallClock(date, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

// The instant at which the wall clock in ZONE shows DATE_TEXT (YYYY-MM-DD)
// and CLOCK_TEXT (HH:MM). A wall time that a daylight-saving change skips
// or repeats maps to the earlier of the two candidate instants; China has
// had no daylight saving since 1991.
export function zonedInstant(dateText, clockText, zone) {
  const [year, month, day] = dateText.split('-').map(Number);
  const [hour, minute] = clockText.split(':').map(Number);
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = zoneOffsetMinutes(new Date(guess), zone);
  let instant = guess - first * 60000;
  const second = zoneOffsetMinutes(new Date(instant), zone);
  if (second !== first)
    instant = Math.min(instant, guess - second * 60000);
  return new Date(instant);
}

function pad(number, width = 2) {
  return String(number).padStart(width, '0');
}

// RFC 3339 with ZONE's offset, as the API expects: 2026-12-07T09:00:00+08:00.
export function rfc3339(date, zone) {
  const wall = wallClock(date, zone);
  const offset = zoneOffsetMinutes(date, zone);
  const sign = offset < 0 ? '-' : '+';
  const absolute = Math.abs(offset);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:` +
    `${pad(wall.minute)}:${pad(wall.second)}${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

// YYYY-MM-DD of DATE in ZONE.
export function localDate(date, zone) {
  const wall = wallClock(date, zone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

// HH:MM of DATE in ZONE.
export function localClock(date, zone) {
  const wall = wallClock(date, zone);
  return `${pad(wall.hour)}:${pad(wall.minute)}`;
}

// Adds DAYS to the civil date DATE_TEXT (YYYY-MM-DD).
export function addDays(dateText, days) {
  const [year, month, day] = dateText.split('-').map(Number);
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return shifted.toISOString().slice(0, 10);
}

// ISO weekday (1 = Monday) of the civil date DATE_TEXT.
export function weekdayOf(dateText) {
  const [year, month, day] = dateText.split('-').map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

// A <span> with the start date-time and the end of an interval as <time>
// elements: the end shows only its clock time when both are on one day.
// With CLOCK_ONLY (for a calendar's day column) an interval within one day
// shows only clock times.
export function rangeElement(start, end, zone, { clockOnly = false } = {}) {
  const span = document.createElement('span');
  span.className = 'time-range';
  const sameDay = localDate(new Date(start), zone) === localDate(new Date(end), zone);
  span.append(timeElement(start, zone, sameDay && clockOnly ? 'time' : 'datetime'),
    sameDay ? '–' : ' – ', timeElement(end, zone, sameDay ? 'time' : 'datetime'));
  return span;
}

// " (北京时间)"-like suffix naming ZONE, as an element that follows
// language switches.
export function zoneSuffix(zone) {
  const span = document.createElement('span');
  span.className = 'zone';
  const isBeijing = BEIJING_ZONES.has(zone);
  span.setAttribute('data-i18n', isBeijing ? 'time.zone_beijing_suffix' : 'time.zone_suffix');
  span.setAttribute('data-i18n-params', JSON.stringify({ zone }));
  span.textContent = t(isBeijing ? 'time.zone_beijing_suffix' : 'time.zone_suffix', { zone });
  return span;
}
