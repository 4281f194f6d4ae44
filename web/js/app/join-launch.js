// Opening the call page of a session: POST /api/v1/sessions/{id}/join-token
// and then the join_url it returns. Before the token's window opens, the
// message names the time it opens, in Beijing time, instead of sending the
// user to a call page that the relay would turn away.

import { api } from './api.js';
import { BEIJING_ZONE, formatTime, zoneParam } from './time.js';

// Requests a join token for SESSION_ID and opens the call, or shows on
// MESSAGE (a MessageBox) when it opens or why it cannot. Resolves to true
// when the browser is leaving for the call page.
export async function launchCall(sessionId, message) {
  message.clear();
  let grant;
  try {
    grant = await api('POST', `/sessions/${sessionId}/join-token`);
  } catch (error) {
    message.showError(error);
    return false;
  }

  const opensAt = new Date(grant.not_before);
  if (opensAt.getTime() > Date.now()) {
    message.show('call.not_open_yet', {
      time: formatTime(opensAt, BEIJING_ZONE),
      zone: zoneParam(BEIJING_ZONE),
    }, 'notice');
    return false;
  }

  window.location.assign(grant.join_url);
  return true;
}
