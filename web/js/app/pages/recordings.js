// The recordings library: the recorded sessions that the user took part in
// or may see, newest first. Teaching rounds come first for trainees, who
// see no consultations.

import { api, query } from '../api.js';
import { pageHeading } from '../common.js';
import { el } from '../dom.js';
import { recordingItems } from '../recordings-list.js';
import { rangeElement } from '../time.js';

// Sessions looked up at most, newest first; each is one request.
const MAX_SESSIONS = 30;
// Teaching rounds of the past year.
const TEACHING_LOOKBACK_DAYS = 365;

async function teachingSessions() {
  const from = new Date(Date.now() - TEACHING_LOOKBACK_DAYS * 86400000).toISOString();
  const to = new Date().toISOString();
  const body = await api('GET', `/teaching-sessions${query({ from, to })}`);
  const sessions = [];
  for (const series of body.teaching_sessions) {
    for (const occurrence of series.occurrences) {
      if (occurrence.status !== 'cancelled' && new Date(occurrence.start).getTime() < Date.now())
        sessions.push({ id: occurrence.session_id, start: occurrence.start, end: occurrence.end,
          titleNode: el('span', { data: series.title }), kind: `teaching.kind_${series.kind}` });
    }
  }
  return sessions;
}

async function consultationSessions(context) {
  if (context.me.role === 'trainee')
    return [];
  const body = await api('GET', `/consultations${query({ limit: 200 })}`);
  return body.consultations
    .filter((consultation) => consultation.session_id && ['in_progress', 'completed'].includes(consultation.status))
    .map((consultation) => ({ id: consultation.session_id, start: consultation.start, end: consultation.end,
      titleNode: el('a', { href: `#/consultations/${consultation.id}`, text: 'consult.card_title',
        params: { id: consultation.id, specialty: consultation.specialty } }),
      kind: 'rec.kind_consultation' }));
}

export async function renderRecordings(context) {
  const [teaching, consultations] = await Promise.all([teachingSessions(), consultationSessions(context)]);
  const sessions = [...teaching, ...consultations]
    .sort((a, b) => new Date(b.start) - new Date(a.start))
    .slice(0, MAX_SESSIONS);

  const groups = await Promise.all(sessions.map(async (session) => {
    let recordings;
    try {
      recordings = (await api('GET', `/sessions/${session.id}/recordings`)).recordings;
    } catch (error) {
      if (error.status === 403 || error.status === 404)
        return null;
      throw error;
    }
    if (recordings.length === 0)
      return null;
    return el('li', { class: 'card recording-group', attrs: { 'data-session-id': session.id } },
      el('div', { class: 'card-top' }, el('h2', { class: 'card-title' }, session.titleNode),
        el('span', { class: 'badge', text: session.kind })),
      el('p', { class: 'card-line' }, rangeElement(session.start, session.end, context.zone)),
      el('ul', { class: 'recordings' }, recordingItems(context, recordings)));
  }));
  const cards = groups.filter(Boolean);

  return el('section', { class: 'recordings-page' },
    pageHeading(context, 'rec.title'),
    el('p', { class: 'hint', text: 'rec.no_playback' }),
    cards.length ? el('ul', { class: 'cards' }, cards) : el('p', { class: 'empty', text: 'rec.library_empty' }));
}
