// Recordings as lists: one WebM file per participant and track, as the
// relay writes them. A complete recording plays in the page from
// GET /api/v1/recordings/{id}/file, which serves byte ranges, so the
// browser can seek without downloading the whole file.

import { api } from './api.js';
import { button, el } from './dom.js';
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

// A button that replaces itself with a player of RECORDING: <audio> for an
// audio track, <video> otherwise. The player is made on request, so a long
// list does not make the browser read every file.
function playButton(recording) {
  const player = el('div', { class: 'recording-player' });
  const play = button('rec.play', () => {
    const tag = recording.kind === 'audio' ? 'audio' : 'video';
    const media = el(tag, {
      controls: true,
      preload: 'metadata',
      label: 'rec.player_label',
      params: { id: recording.id },
      attrs: { 'data-recording-id': recording.id },
    });
    const failure = el('p', { class: 'message error', text: 'rec.play_failed', attrs: { role: 'alert' } });
    failure.hidden = true;
    media.addEventListener('error', () => {
      failure.hidden = false;
    });
    media.src = `/api/v1/recordings/${recording.id}/file`;
    player.replaceChildren(media, failure);
    media.play().catch(() => {
      // Autoplay may be blocked until the user presses play on the controls.
    });
  }, { label: 'rec.play_label', params: { id: recording.id } });
  player.append(play);
  return player;
}

// One <li> per recording. NAMES maps participant ids (strings) to names.
// EXTRA(recording) returns more nodes for an item, or null.
export function recordingItems(context, recordings, names = new Map(), extra = null) {
  return recordings.map((recording) => {
    const size = formatBytes(recording.bytes);
    const seconds = durationSeconds(recording);
    const name = names.get(String(recording.participant_id)) ?? recording.participant_name;
    return el('li', { class: 'recording', attrs: { 'data-recording-id': recording.id } },
      el('div', { class: 'recording-line' },
        el('span', { class: 'recording-kind', text: `rec.kind_${recording.kind}` }),
        name ? el('span', { data: name })
          : el('span', { text: 'rec.participant', params: { id: recording.participant_id } }),
        timeElement(recording.started_at, context.zone),
        seconds !== null ? el('span', { text: 'rec.duration', params: {
          minutes: Math.floor(seconds / 60), seconds: seconds % 60 } }) : null,
        size ? el('span', { text: size.key, params: size.params }) : null,
        el('span', { class: `badge rec-${recording.status}`, text: `rec.status_${recording.status}` })),
      recording.status === 'complete' ? playButton(recording) : null,
      extra ? extra(recording) : null);
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
      : el('p', { class: 'empty', text: 'rec.none' }));
}
