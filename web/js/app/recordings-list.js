// The recordings of a session (GET /api/v1/sessions/{id}/recordings): one
// WebM file per participant and track, as the relay writes them.
//
// NOTE: the scheduler does not serve the files, so the list has no
// playback; the files are in the relay's recordings-dir.

import { api } from './api.js';
import { el } from './dom.js';
import { timeElement } from './time.js';

function formatBytes(bytes) {
  if (bytes === null || bytes === undefined)
    return null;
  if (bytes >= 1024 * 1024)
    return { key: 'rec.size_mb', params: { size: (bytes / (1024 * 1024)).toFixed(1) } };
  return { key: 'rec.size_kb', params: { size: Math.max(1, Math.round(bytes / 1024)) } };
}

function durationSeconds(recording) {
  if (!recording.ended_at)
    return null;
  return Math.max(0, Math.round((new Date(recording.ended_at) - new Date(recording.started_at)) / 1000));
}

// One <li> per recording. NAMES maps participant ids (strings) to names.
export function recordingItems(context, recordings, names = new Map()) {
  return recordings.map((recording) => {
    const size = formatBytes(recording.bytes);
    const seconds = durationSeconds(recording);
    const name = names.get(String(recording.participant_id));
    return el('li', { class: 'recording' },
      el('span', { class: 'recording-kind', text: `rec.kind_${recording.kind}` }),
      name ? el('span', { data: name })
        : el('span', { text: 'rec.participant', params: { id: recording.participant_id } }),
      timeElement(recording.started_at, context.zone),
      seconds !== null ? el('span', { text: 'rec.duration', params: {
        minutes: Math.floor(seconds / 60), seconds: seconds % 60 } }) : null,
      size ? el('span', { text: size.key, params: size.params }) : null,
      el('span', { class: `badge rec-${recording.status}`, text: `rec.status_${recording.status}` }));
  });
}

// A panel with the recordings of SESSION_ID, or null when the user may not
// list them.
export async function recordingsSection(context, sessionId, names = new Map()) {
  let recordings;
  try {
    recordings = (await api('GET', `/sessions/${sessionId}/recordings`)).recordings;
  } catch (error) {
    if (error.status === 403 || error.status === 404)
      return null;
    throw error;
  }
  return el('section', { class: 'panel recordings-panel' },
    el('h2', { text: 'rec.heading' }),
    recordings.length ? el('ul', { class: 'recordings' }, recordingItems(context, recordings, names))
      : el('p', { class: 'empty', text: 'rec.none' }),
    el('p', { class: 'hint', text: 'rec.no_playback' }));
}
