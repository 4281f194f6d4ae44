// The recordings library (GET /api/v1/recordings): every recording that
// the user may see, newest first, grouped by session, each playable in the
// page. Trainees see only what was shared with their organization. The
// owner of a session's recordings (its expert or presenter, their
// coordinators, admins) shares each with an organization's trainees.

import { api, query } from '../api.js';
import { orgName, pageHeading } from '../common.js';
import { MessageBox, button, el, field, select } from '../dom.js';
import { recordingItems } from '../recordings-list.js';

// Recordings per request. The "load more" button requests the next page.
const PAGE_SIZE = 50;

function sessionKindKey(kind) {
  return kind === 'teaching' ? 'rec.kind_teaching' : 'rec.kind_consultation';
}

// The share controls of RECORDING for its owner: the organizations that it
// is shared with, each with a button to stop, and a form to add one.
function shareControls(context, recording) {
  if (!recording.editable)
    return null;
  const message = new MessageBox();
  const shared = new Set(recording.shared_with_org_ids ?? []);
  const section = el('div', { class: 'recording-share' });

  const change = async (action, orgId, control) => {
    control.disabled = true;
    try {
      const updated = await api('POST', `/recordings/${recording.id}/${action}`, { org_id: orgId });
      recording.shared_with_org_ids = updated.shared_with_org_ids ?? [];
      section.replaceWith(shareControls(context, recording));
    } catch (error) {
      message.showError(error);
      control.disabled = false;
    }
  };

  const sharedList = el('ul', { class: 'shared-orgs' }, [...shared].map((orgId) => {
    const org = context.orgs.get(orgId);
    return el('li', {}, orgName(context, orgId),
      button('rec.unshare', (event) => change('unshare', orgId, event.target),
        { label: 'rec.unshare_label', params: { org: org?.name ?? String(orgId) } }));
  }));

  const choices = [...context.orgs.values()]
    .filter((org) => !shared.has(org.id))
    .map((org) => ({ value: org.id, data: org.name }));
  let form = null;
  if (choices.length) {
    const picker = select('org_id', choices);
    form = el('div', { class: 'share-form' },
      field('rec.share_org', picker),
      button('rec.share', (event) => change('share', Number(picker.value), event.target),
        { label: 'rec.share_label', params: { id: recording.id } }));
  }

  section.append(
    shared.size ? el('p', { class: 'muted', text: 'rec.shared_with' }) : null,
    shared.size ? sharedList : null,
    form,
    message.element);
  return section;
}

// One card per session, in the order of RECORDINGS (newest first).
function sessionCards(context, recordings) {
  const groups = new Map();
  for (const recording of recordings) {
    if (!groups.has(recording.session_id))
      groups.set(recording.session_id, []);
    groups.get(recording.session_id).push(recording);
  }
  return [...groups.entries()].map(([sessionId, group]) => {
    const first = group[0];
    const title = first.title
      ? el('h2', { class: 'card-title', data: first.title })
      : el('h2', { class: 'card-title', text: 'rec.session_title', params: { id: sessionId } });
    return el('li', { class: 'card recording-group', attrs: { 'data-session-id': sessionId } },
      el('div', { class: 'card-top' }, title,
        el('span', { class: 'badge', text: sessionKindKey(first.session_kind) })),
      first.specialty ? el('p', { class: 'card-line muted', data: first.specialty }) : null,
      first.presenter_name
        ? el('p', { class: 'card-line', text: `rec.presenter_${first.session_kind}`,
          params: { name: first.presenter_name } })
        : null,
      el('ul', { class: 'recordings' },
        recordingItems(context, group, new Map(), (recording) => shareControls(context, recording))));
  });
}

export async function renderRecordings(context) {
  const list = el('ul', { class: 'cards' });
  const more = el('div', { class: 'actions' });
  const message = new MessageBox();
  let shown = [];

  // Appends the page of recordings below BEFORE_ID (0 for the newest).
  const load = async (beforeId) => {
    const params = { limit: PAGE_SIZE };
    if (beforeId)
      params.before_id = beforeId;
    const body = await api('GET', `/recordings${query(params)}`);
    shown = [...shown, ...body.recordings];
    list.replaceChildren(...sessionCards(context, shown));
    more.replaceChildren();
    if (body.next_before_id) {
      more.append(button('rec.load_more', async (event) => {
        event.target.disabled = true;
        try {
          await load(body.next_before_id);
        } catch (error) {
          message.showError(error);
          event.target.disabled = false;
        }
      }));
    }
  };
  await load(0);

  return el('section', { class: 'recordings-page' },
    pageHeading(context, 'rec.title'),
    el('p', { class: 'lead', text: context.me.role === 'trainee' ? 'rec.intro_trainee' : 'rec.intro' }),
    shown.length ? list : el('p', { class: 'empty', text: 'rec.library_empty' }),
    more, message.element);
}
