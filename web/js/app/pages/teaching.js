// Teaching rounds (教学查房, 手术示教, 专题讲座) that the user can see: the
// occurrences, registration and the waitlist, and joining an occurrence
// that is about to start. Trainees register; presenters join as presenters.

import { api } from '../api.js';
import { orgName, pageHeading } from '../common.js';
import { MessageBox, button, el } from '../dom.js';
import { launchCall } from '../join-launch.js';
import { rangeElement } from '../time.js';

// A join token is valid from 15 minutes before the start (docs/api.md);
// the join button shows from this long before it.
const JOIN_BUTTON_LEAD_MS = 60 * 60 * 1000;

// Returns a function that resolves a presenter's user id to their name,
// or null. It reads the FHIR Practitioner view, which every role,
// trainees included, may read for experts.
function presenterNames() {
  const cache = new Map();
  return async (userId) => {
    if (!cache.has(userId)) {
      cache.set(userId, api('GET', `/fhir/Practitioner/${userId}`)
        .then((practitioner) => practitioner?.name?.[0]?.text ?? null)
        .catch(() => null));
    }
    return cache.get(userId);
  };
}

function registrationLine(registration) {
  if (!registration || registration.status === 'cancelled')
    return el('p', { class: 'registration muted', text: 'teaching.not_registered' });
  if (registration.status === 'waitlisted')
    return el('p', { class: 'registration waitlisted', text: 'teaching.waitlisted',
      params: { position: registration.waitlist_position } });
  return el('p', { class: 'registration registered', text: 'teaching.registered' });
}

function occurrenceItem(context, series, occurrence, mayJoin) {
  const message = new MessageBox();
  const now = Date.now();
  const start = new Date(occurrence.start).getTime();
  const end = new Date(occurrence.end).getTime();
  const open = occurrence.status === 'scheduled' && end > now && start - now < JOIN_BUTTON_LEAD_MS;
  const join = mayJoin && open ? button('teaching.join', async () => {
    join.disabled = true;
    if (!await launchCall(occurrence.session_id, message))
      join.disabled = false;
  }, { kind: 'primary', label: 'teaching.join_label', params: { title: series.title } }) : null;
  return el('li', { class: `occurrence ${occurrence.status}` },
    rangeElement(occurrence.start, occurrence.end, context.zone),
    occurrence.status !== 'scheduled'
      ? el('span', { class: 'badge', text: `teaching.occurrence_${occurrence.status}` }) : null,
    occurrence.cancel_reason ? el('span', { class: 'muted', data: occurrence.cancel_reason }) : null,
    join, message.element);
}

async function seriesCard(context, series, nameOf) {
  const { me } = context;
  const message = new MessageBox();
  const isPresenter = me.id === series.presenter_id;
  const registration = series.my_registration;
  const registered = registration?.status === 'registered';
  const waiting = registration?.status === 'waitlisted';
  const presenter = await nameOf(series.presenter_id);

  const act = async (method, path, target) => {
    target.disabled = true;
    try {
      await api(method, path, method === 'POST' ? {} : undefined);
      context.reload();
    } catch (error) {
      message.showError(error);
      target.disabled = false;
    }
  };
  let action = null;
  if (!isPresenter && (registered || waiting)) {
    action = button(waiting ? 'teaching.leave_waitlist' : 'teaching.unregister',
      (event) => act('DELETE', `/teaching-sessions/${series.id}/registrations/me`, event.target),
      { label: 'teaching.unregister_label', params: { title: series.title } });
  } else if (!isPresenter) {
    const full = series.registered >= series.capacity;
    action = button(full ? 'teaching.join_waitlist' : 'teaching.register',
      (event) => act('POST', `/teaching-sessions/${series.id}/registrations`, event.target),
      { kind: 'primary', label: 'teaching.register_label', params: { title: series.title } });
  }

  const upcoming = series.occurrences.filter((occurrence) => new Date(occurrence.end).getTime() > Date.now());
  return el('li', { class: 'card teaching-card', attrs: { 'data-series-id': series.id } },
    el('div', { class: 'card-top' },
      el('h2', { class: 'card-title', data: series.title }),
      el('span', { class: 'badge', text: `teaching.kind_${series.kind}` })),
    el('p', { class: 'card-line muted' },
      presenter ? el('span', { text: 'teaching.presenter', params: { name: presenter } }) : null,
      presenter ? ' · ' : null, orgName(context, series.org_id),
      series.recording ? el('span', { class: 'badge recording-badge', text: 'teaching.recorded' }) : null),
    series.description ? el('p', { class: 'prewrap', data: series.description }) : null,
    el('p', { class: 'card-line', text: 'teaching.capacity',
      params: { registered: series.registered, capacity: series.capacity, waitlisted: series.waitlisted } }),
    isPresenter ? el('p', { class: 'registration', text: 'teaching.you_present' }) : registrationLine(registration),
    el('h3', { text: 'teaching.occurrences' }),
    upcoming.length
      ? el('ul', { class: 'occurrences' }, upcoming.map((occurrence) =>
        occurrenceItem(context, series, occurrence, isPresenter || registered)))
      : el('p', { class: 'empty', text: 'teaching.no_upcoming' }),
    action ? el('div', { class: 'actions' }, action) : null,
    message.element);
}

export async function renderTeaching(context) {
  const body = await api('GET', '/teaching-sessions');
  const nameOf = presenterNames();
  // NOTE: the list has "my_registration": null for every series, so each
  // series is read again by id, which fills it in.
  const seriesList = await Promise.all(body.teaching_sessions.map((series) =>
    api('GET', `/teaching-sessions/${series.id}`)));
  const cards = await Promise.all(seriesList.map((series) => seriesCard(context, series, nameOf)));
  return el('section', { class: 'teaching-page' },
    pageHeading(context, 'teaching.title'),
    el('p', { class: 'lead', text: 'teaching.intro' }),
    cards.length ? el('ul', { class: 'cards' }, cards) : el('p', { class: 'empty', text: 'teaching.none' }));
}
