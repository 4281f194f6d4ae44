// The join page: reads the join link, opens camera and microphone and takes
// part in one consultation through huizhen-relay (docs/signalling.md).
//
// The link carries session, token and (optionally) relay in the URL
// fragment, which the browser never sends to the web server. The token goes only into the
// relay's `join` message, and the fragment is removed from the address bar
// as soon as it has been read.
//
// The page connects only to the relay that the scheduler names in
// GET /api/v1/client-config, so that a forged link cannot send camera and
// microphone elsewhere: a link whose relay differs is rejected before the
// camera opens. The scheduler's Content-Security-Policy header allows
// connections to that relay's origin only.

import { QualityIndicator } from './call-quality.js';
import { DevicePicker } from './device-picker.js';
import { FloorControl } from './floor.js';
import { RELAY_ERROR_CODES, initLanguage, setText } from './i18n.js';
import { openDevice, openLocalMedia, reasonKey, stopLocalMedia } from './local-media.js';
import { PeerLink } from './peer-link.js';
import { ReconnectSchedule } from './reconnect.js';
import { CLOSE_REPLACED, CLOSE_TOKEN_REJECTED, RelayConnection } from './relay-connection.js';
import { TileGrid } from './tiles.js';

// Errors after which joining again with the same link cannot succeed.
const FINAL_ERROR_CODES = new Set([
  'token_malformed', 'token_bad_signature', 'token_expired', 'token_wrong_session',
]);

// A subscribe connection that has decoded no video this long after reaching
// `connected` requests a keyframe from the relay, at most KEYFRAME_RETRIES
// times.
const KEYFRAME_CHECK_MS = 3000;
const KEYFRAME_RETRIES = 3;

// After a rejoin, how often the page checks whether media flows again, and
// how long a connection of the lost join may wait for the relay's new
// offer before it closes.
const MEDIA_CHECK_MS = 500;
const STALE_LINK_TIMEOUT_MS = 15000;

// At most this many failed ICE connections per page load lead to a rejoin.
// After that the page shows the error and leaves the connection failed.
const MAX_ICE_RECOVERIES = 3;

// Returns {session, token, relay} from the fragment, or {errorKey}. relay
// is null when the link names none.
function readJoinLink() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const session = params.get('session');
  const token = params.get('token');
  const relay = params.get('relay');
  if (!session || !token)
    return { errorKey: 'error.link_incomplete' };
  if (!/^[1-9][0-9]{0,15}$/.test(session))
    return { errorKey: 'error.link_incomplete' };
  if (relay === null)
    return { session: Number(session), token, relay: null };
  let relayUrl;
  try {
    relayUrl = new URL(relay);
  } catch {
    return { errorKey: 'error.link_bad_relay' };
  }
  if (relayUrl.protocol !== 'ws:' && relayUrl.protocol !== 'wss:')
    return { errorKey: 'error.link_bad_relay' };
  return { session: Number(session), token, relay: relayUrl.href };
}

// Resolves to the relay URL that the scheduler hands out, or null when the
// scheduler cannot be asked.
async function fetchConfiguredRelay() {
  try {
    const response = await fetch('/api/v1/client-config', { cache: 'no-store' });
    if (!response.ok)
      return null;
    const config = await response.json();
    return typeof config.relay_url === 'string' ? new URL(config.relay_url).href : null;
  } catch (error) {
    console.warn('huizhen: reading /api/v1/client-config failed', error);
    return null;
  }
}

function forgetJoinLink() {
  if (window.location.hash)
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
}

class JoinPage {
  constructor(elements, link) {
    this.elements = elements;
    this.link = link;
    this.tiles = new TileGrid(elements.tiles);
    this.media = null;
    this.relay = null;
    this.publishLink = null;
    this.subLinks = new Map();       // participant id -> PeerLink
    this.participants = new Map();   // participant id -> name
    this.participantId = null;
    this.role = null;
    this.phase = 'idle';             // idle, connecting, joined, reconnecting, left, failed
    this.finalError = false;
    this.staleRelay = null;          // the lost join's socket, still open
    this.reconnect = new ReconnectSchedule();
    this.mediaCheck = null;          // interval that waits for media after a rejoin
    this.iceRecoveries = 0;
    this.devices = new DevicePicker({
      video: { field: elements.cameraField, select: elements.cameraSelect },
      audio: { field: elements.microphoneField, select: elements.microphoneSelect },
    }, (kind, deviceId) => this.switchDevice(kind, deviceId));
    this.floor = new FloorControl({
      button: elements.hand, panel: elements.hands, list: elements.handList,
    }, {
      send: (message) => this.relay?.send(message),
      startPublishing: (video) => this.startFloorPublishing(video),
      stopPublishing: () => this.stopFloorPublishing(),
      nameOf: (id) => this.tiles.displayName(id),
    });
    this.quality = new QualityIndicator({
      container: elements.quality,
      level: elements.qualityLevel,
      details: elements.qualityDetails,
    }, () => this.openConnections().map((link) => link.pc));
  }

  // ---- messages on the page -------------------------------------------

  showStatus(key, params) {
    setText(this.elements.status, key, params);
  }

  showError(key, params) {
    this.elements.error.hidden = false;
    setText(this.elements.error, key, params);
  }

  clearError() {
    this.elements.error.hidden = true;
    this.elements.error.textContent = '';
  }

  showNotice(element, key, params) {
    element.hidden = !key;
    if (key)
      setText(element, key, params);
  }

  showParticipantCount() {
    if (this.role === 'view')
      this.showStatus('status.view_only');
    else if (this.participants.size === 0)
      this.showStatus('status.joined_alone');
    else
      this.showStatus('status.joined_count', { count: this.participants.size + 1 });
  }

  // ---- joining and leaving ----------------------------------------------

  async start() {
    this.phase = 'connecting';
    this.clearError();
    this.elements.rejoin.hidden = true;
    this.elements.leave.hidden = false;
    this.elements.leave.disabled = true;
    await this.openMedia();
    // A leave while getUserMedia or the WebSocket was pending ends the
    // attempt, and tracks that opened after it stop again.
    if (this.phase !== 'connecting') {
      if (this.phase === 'left') {
        stopLocalMedia(this.media?.stream);
        this.media = null;
        this.tiles.clear();
        this.updateMediaButtons();
      }
      return;
    }

    this.showStatus('status.connecting');
    if (!await this.connectRelay())
      this.fail('error.connect_failed');
  }

  // Opens a WebSocket to the relay and sends `join` with the link's token.
  // Resolves to false when the socket fails to open, and to true otherwise,
  // also when a leave or a newer socket has replaced this one meanwhile.
  async connectRelay() {
    const relay = new RelayConnection(this.link.relay, {
      onMessage: (message) => this.handleMessage(message),
      onClose: (event) => this.handleClose(event),
    });
    this.relay = relay;
    try {
      await relay.open();
    } catch (error) {
      if (this.relay !== relay)
        return true;
      console.warn('huizhen: connecting to the relay failed', error);
      this.relay = null;
      return false;
    }
    if (this.relay === relay)
      relay.send({ type: 'join', session_id: this.link.session, token: this.link.token });
    return true;
  }

  // Opens camera and microphone once. A rejoin reuses live tracks and calls
  // getUserMedia again only after a leave or when nothing opened before.
  async openMedia() {
    const live = this.media?.stream?.getTracks().some((track) => track.readyState === 'live');
    if (live)
      return;
    this.showStatus('status.opening_media');
    if (!navigator.mediaDevices?.getUserMedia) {
      this.media = { stream: null, hasAudio: false, hasVideo: false };
      this.showError('error.insecure_context');
      return;
    }
    this.media = await openLocalMedia();
    this.showMediaNotice();
    if (this.media.stream)
      this.tiles.showLocal(this.media.stream, !this.media.hasVideo);
    this.updateMediaButtons();
    await this.devices.refresh(this.media.stream);
  }

  // Opens the device DEVICE_ID for KIND and sends its track in place of
  // the current one, without a new offer. On failure the current device
  // stays in use and the media notice shows the reason.
  async switchDevice(kind, deviceId) {
    const stream = this.media?.stream;
    const current = stream?.getTracks().find((track) => track.kind === kind);
    if (!current || current.getSettings().deviceId === deviceId)
      return;
    const { track, error } = await openDevice(kind, deviceId);
    if (!track) {
      console.warn(`huizhen: opening the ${kind} device failed`, error);
      this.showNotice(this.elements.mediaNotice, 'notice.device_failed',
        { reason: this.translateLater(reasonKey(error)) });
      return;
    }
    if (this.media?.stream !== stream) {
      // The page left or the stream changed while the device opened.
      track.stop();
      return;
    }
    track.enabled = current.enabled;
    stream.removeTrack(current);
    stream.addTrack(track);
    current.stop();
    this.tiles.showLocal(stream, !this.media.hasVideo);
    if (this.publishLink)
      await this.publishLink.replaceTrack(track);
    this.showMediaNotice();
    this.updateMediaButtons();
  }

  showMediaNotice() {
    const { stream, hasVideo, cameraError, microphoneError } = this.media;
    if (!stream) {
      const reason = reasonKey(microphoneError || cameraError);
      this.showNotice(this.elements.mediaNotice, 'notice.no_media', { reason: this.translateLater(reason) });
    } else if (!hasVideo) {
      this.showNotice(this.elements.mediaNotice, 'notice.audio_only', { reason: this.translateLater(reasonKey(cameraError)) });
    } else {
      this.showNotice(this.elements.mediaNotice, null);
    }
  }

  // A parameter that is itself a catalogue key is translated when the
  // message is rendered, so a language switch changes it too.
  translateLater(key) {
    return { key };
  }

  handleClose(event) {
    if (this.phase === 'left' || this.phase === 'failed')
      return;
    console.warn(`huizhen: relay closed the WebSocket (code ${event.code})`);
    const explained = event.code === CLOSE_TOKEN_REJECTED || event.code === CLOSE_REPLACED;
    if (explained && !this.elements.error.hidden) {
      // The error message that came before the close already explains it.
      this.teardown('failed');
      return;
    }
    if (this.phase === 'reconnecting') {
      // A socket of a reconnect attempt closed before the relay took the join.
      this.relay = null;
      this.scheduleReconnect();
      return;
    }
    if (this.phase === 'joined') {
      this.beginReconnect('WebSocket closed');
      return;
    }
    this.fail('error.connection_lost');
  }

  // ---- reconnecting -------------------------------------------------------

  // Shows the banner and joins again with the same token. Connections of
  // the lost join stay until the relay replaces them, so the tiles keep
  // their last picture meanwhile. The lost socket, when still open, stays
  // open: the relay resumes the participant on the new socket and closes
  // the old one itself.
  beginReconnect(cause) {
    console.warn(`huizhen: lost the call (${cause}); joining again`);
    this.phase = 'reconnecting';
    this.stopMediaCheck();
    if (this.relay) {
      this.relay.detach();
      this.staleRelay?.close();
      this.staleRelay = this.relay;
      this.relay = null;
    }
    for (const link of this.openConnections())
      link.stale = true;
    this.elements.leave.disabled = false;
    this.reconnect.begin();
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    const scheduled = this.reconnect.schedule(async (attempt) => {
      if (this.phase !== 'reconnecting')
        return;
      this.showBanner(attempt);
      if (!await this.connectRelay() && this.phase === 'reconnecting')
        this.scheduleReconnect();
    });
    if (!scheduled)
      this.fail('error.reconnect_failed');
  }

  showBanner(attempt) {
    const banner = this.elements.reconnectBanner;
    banner.hidden = false;
    setText(banner, 'banner.reconnecting', { attempt });
  }

  hideBanner() {
    this.elements.reconnectBanner.hidden = true;
  }

  // After a rejoin: drops what the relay no longer has, then hides the
  // banner once media flows again.
  resumeAfterRejoin(participants) {
    this.staleRelay?.close();
    this.staleRelay = null;
    this.reconnect.cancel();
    this.publishLink?.close();
    this.publishLink = null;

    const present = new Set(participants.map((participant) => String(participant.participant_id)));
    for (const id of this.tiles.remoteIds()) {
      if (!present.has(id))
        this.removeParticipant(id);
    }

    const rejoinedAt = Date.now();
    this.stopMediaCheck();
    this.mediaCheck = setInterval(() => {
      if (Date.now() - rejoinedAt >= STALE_LINK_TIMEOUT_MS)
        this.closeStaleLinks();
      if (this.mediaFlowing()) {
        this.stopMediaCheck();
        this.hideBanner();
        console.info('huizhen: media flows again after the rejoin');
      }
    }, MEDIA_CHECK_MS);
  }

  // Whether the publish connection (when there is one) is connected and at
  // least one connection of this join receives, or there is nothing to
  // receive.
  mediaFlowing() {
    if (this.phase !== 'joined')
      return false;
    if (this.publishLink && this.publishLink.pc.connectionState !== 'connected')
      return false;
    const links = [...this.subLinks.values()];
    return links.length === 0 ||
      links.some((link) => !link.stale && link.pc.connectionState === 'connected');
  }

  closeStaleLinks() {
    for (const [id, link] of this.subLinks) {
      if (link.stale) {
        link.close();
        this.subLinks.delete(id);
      }
    }
  }

  stopMediaCheck() {
    clearInterval(this.mediaCheck);
    this.mediaCheck = null;
  }

  // The publish connection and every subscribe connection that is open.
  openConnections() {
    return [this.publishLink, ...this.subLinks.values()].filter((link) => link && !link.closed);
  }

  fail(errorKey, params) {
    this.showError(errorKey, params);
    this.teardown('failed');
  }

  clearStatus() {
    this.elements.status.removeAttribute('data-i18n');
    this.elements.status.textContent = '';
  }

  // Closes every connection. Camera and microphone stop too after a leave
  // or an error that rules out rejoining; otherwise a rejoin reuses them.
  teardown(phase) {
    this.phase = phase;
    this.floor.clear();
    this.elements.hand.hidden = true;
    this.reconnect.cancel();
    this.stopMediaCheck();
    this.hideBanner();
    this.quality.stop();
    this.relay?.close();
    this.relay = null;
    this.staleRelay?.close();
    this.staleRelay = null;
    this.publishLink?.close();
    this.publishLink = null;
    for (const link of this.subLinks.values())
      link.close();
    this.subLinks.clear();
    this.participants.clear();
    this.tiles.removeRemotes();
    this.showNotice(this.elements.recordingNotice, null);

    if (phase === 'left' || this.finalError) {
      stopLocalMedia(this.media?.stream);
      this.media = null;
      this.tiles.clear();
      this.devices.hide();
    }
    if (phase === 'failed')
      this.clearStatus();
    this.elements.leave.hidden = true;
    this.elements.rejoin.hidden = this.finalError;
    this.updateMediaButtons();
  }

  leave() {
    if (this.phase !== 'joined' && this.phase !== 'connecting' && this.phase !== 'reconnecting')
      return;
    this.relay?.send({ type: 'leave' });
    this.teardown('left');
    this.showStatus('status.left');
  }

  // ---- relay messages -----------------------------------------------------

  handleMessage(message) {
    if (this.floor.handle(message))
      return undefined;
    switch (message.type) {
      case 'feed-closed': return this.onFeedClosed(message);
      case 'joined': return this.onJoined(message);
      case 'participant-joined': return this.onParticipantJoined(message);
      case 'participant-left': return this.onParticipantLeft(message);
      case 'answer': return this.onAnswer(message);
      case 'offer': return this.onOffer(message);
      case 'candidate': return this.onCandidate(message);
      case 'recording': return this.onRecording(message);
      case 'recording-stopped': return this.onRecordingStopped(message);
      case 'error': return this.onRelayError(message);
      default:
        console.warn(`huizhen: ignoring relay message of unknown type "${message.type}"`);
        return undefined;
    }
  }

  onJoined(message) {
    const rejoined = this.phase === 'reconnecting';
    this.phase = 'joined';
    if (rejoined)
      this.resumeAfterRejoin(message.participants ?? []);
    this.participantId = String(message.participant_id);
    this.role = message.role === 'view' ? 'view' : 'publish';
    for (const participant of message.participants ?? []) {
      const id = String(participant.participant_id);
      if (id === this.participantId) {
        this.tiles.setLocalName(participant.name);
        continue;
      }
      this.participants.set(id, participant.name);
      this.tiles.ensureRemote(id, participant.name);
    }
    this.showParticipantCount();
    this.elements.leave.disabled = false;

    // The notice comes before the publish, so nobody is recorded unaware.
    // The relay's "recording" message later names the recorded kinds.
    this.showNotice(this.elements.recordingNotice,
      message.recording === true ? 'notice.session_recorded' : null);

    if (this.role === 'publish' && this.media?.stream) {
      this.publishLink = this.createLink('publish', null);
      this.publishLink.publish(this.media.stream);
    } else if (this.role === 'view') {
      // An observer sends nothing, so camera and microphone go off again.
      stopLocalMedia(this.media?.stream);
      this.media = null;
      this.tiles.removeLocal();
      this.showNotice(this.elements.mediaNotice, null);
      this.devices.hide();
    }
    this.floor.setRole(this.role, this.participantId);
    this.updateMediaButtons();
    this.quality.start();
  }

  // A participant's feed ended while it stays in the room, e.g. a viewer
  // whose floor ended: its receiving connection goes.
  onFeedClosed(message) {
    const id = String(message.participant_id);
    this.subLinks.get(id)?.close();
    this.subLinks.delete(id);
  }

  // A viewer was given the floor: opens the microphone, and the camera when
  // VIDEO, and publishes them.
  async startFloorPublishing(video) {
    const media = await openLocalMedia();
    if (this.phase !== 'joined' || this.floor.state !== 'granted' || !media.stream) {
      stopLocalMedia(media.stream);
      if (!media.stream)
        this.showError('error.floor_no_microphone');
      return;
    }
    if (!video) {
      for (const track of media.stream.getVideoTracks()) {
        track.stop();
        media.stream.removeTrack(track);
      }
      media.hasVideo = false;
    }
    this.media = media;
    this.tiles.showLocal(media.stream, !media.hasVideo);
    this.publishLink = this.createLink('publish', null);
    this.publishLink.publish(media.stream);
    this.updateMediaButtons();
  }

  // The viewer's floor ended: stops publishing and closes the devices.
  stopFloorPublishing() {
    this.publishLink?.close();
    this.publishLink = null;
    stopLocalMedia(this.media?.stream);
    this.media = null;
    this.tiles.removeLocal();
    this.updateMediaButtons();
  }

  onParticipantJoined(message) {
    const id = String(message.participant_id);
    if (id === this.participantId)
      return;
    this.participants.set(id, message.name);
    this.tiles.ensureRemote(id, message.name);
    this.showParticipantCount();
  }

  onParticipantLeft(message) {
    const id = String(message.participant_id);
    const name = this.tiles.displayName(id);
    this.removeParticipant(id);
    this.showParticipantCount();
    this.showStatus('status.participant_left', { name });
  }

  removeParticipant(id) {
    this.subLinks.get(id)?.close();
    this.subLinks.delete(id);
    this.participants.delete(id);
    this.tiles.remove(id);
  }

  onAnswer(message) {
    if (message.pc !== 'publish' || !this.publishLink) {
      console.warn(`huizhen: ignoring an answer for unknown connection "${message.pc}"`);
      return;
    }
    this.publishLink.acceptAnswer(message.sdp);
  }

  onOffer(message) {
    const pcName = String(message.pc ?? '');
    if (!pcName.startsWith('sub:') || typeof message.sdp !== 'string') {
      console.warn(`huizhen: ignoring an offer for connection "${pcName}"`);
      return;
    }
    const id = String(message.participant_id ?? pcName.slice(4));
    if (message.name) {
      this.participants.set(id, message.name);
      this.tiles.ensureRemote(id, message.name);
    }
    this.tiles.setAudioOnly(id, !/^m=video /m.test(message.sdp));
    // An offer for a connection that the page has replaces it: the relay
    // sends one after a rejoin and after the publisher published again.
    this.subLinks.get(id)?.close();
    const link = this.createLink(pcName, id);
    this.subLinks.set(id, link);
    link.answerOffer(message.sdp);
  }

  onCandidate(message) {
    const link = message.pc === 'publish'
      ? this.publishLink
      : this.subLinks.get(String(message.pc ?? '').slice(4));
    if (!link || typeof message.candidate !== 'string')
      return;
    link.addRemoteCandidate(message.candidate, message.sdpMLineIndex ?? 0);
  }

  // The relay stopped recording a track, e.g. because its disk is full.
  // The call goes on, so this is a notice, not an error.
  onRecordingStopped(message) {
    const key = message.reason === 'disk_full'
      ? 'notice.recording_stopped_disk_full' : 'notice.recording_stopped';
    this.showNotice(this.elements.recordingNotice, key);
  }

  onRecording(message) {
    const kinds = new Set(message.kinds ?? []);
    let key = null;
    if (kinds.has('audio') && kinds.has('video'))
      key = 'notice.recording_audio_video';
    else if (kinds.has('audio'))
      key = 'notice.recording_audio';
    else if (kinds.has('video'))
      key = 'notice.recording_video';
    this.showNotice(this.elements.recordingNotice, key);
  }

  onRelayError(message) {
    const code = String(message.code ?? '');
    // The relay's English message is for developers; users get the catalogue's.
    console.warn(`huizhen: relay error ${code}${message.pc ? ` on ${message.pc}` : ''}: ${message.message ?? ''}`);
    // The relay closed a feed's connection whose ICE failed, e.g. after a
    // network outage that the WebSocket survived: rejoin, as when ICE
    // fails on this side.
    if (code === 'connection_failed' && String(message.pc ?? '').startsWith('sub:')
        && this.phase === 'joined' && this.iceRecoveries < MAX_ICE_RECOVERIES) {
      this.iceRecoveries += 1;
      this.beginReconnect(`the relay's connection for ${message.pc} failed`);
      return;
    }
    if (RELAY_ERROR_CODES.includes(code))
      this.showError(`error.${code}`);
    else
      this.showError('error.unknown', { code });

    if (FINAL_ERROR_CODES.has(code)) {
      this.finalError = true;
      this.teardown('failed');
    } else if (code.startsWith('token_') || code === 'replaced') {
      // The relay closes the socket after these; rejoining may work later.
      this.teardown('failed');
    }
  }

  // ---- peer connections -----------------------------------------------------

  // Creates the PeerLink called PC_NAME; PARTICIPANT_ID is null for publish.
  createLink(pcName, participantId) {
    const link = new PeerLink(pcName, (message) => this.relay?.send(message), {
      onTrack: (event) => {
        if (participantId)
          this.tiles.addRemoteTrack(participantId, event.track);
      },
      onStateChange: (state) => this.onLinkState(link, participantId, state),
      onError: (error) => {
        console.warn(`huizhen: ${pcName}: negotiation failed`, error);
        this.showError('error.media_setup_failed');
      },
    });
    return link;
  }

  onLinkState(link, participantId, state) {
    if (link.closed || link.stale)
      return;
    // call-page.mjs makes ICE fail by freezing the relay.
    if (state === 'failed' && this.phase === 'joined' && this.iceRecoveries < MAX_ICE_RECOVERIES) {
      this.iceRecoveries += 1;
      this.beginReconnect(`ICE of ${link.name} failed`);
      return;
    }
    if (state === 'failed') {
      if (participantId)
        this.showError('error.receive_failed', { name: this.tiles.displayName(participantId) });
      else
        this.showError('error.publish_failed');
    } else if (state === 'connected' && participantId) {
      this.checkKeyframe(link, KEYFRAME_RETRIES);
    }
  }

  checkKeyframe(link, retriesLeft) {
    setTimeout(async () => {
      if (link.closed || retriesLeft <= 0)
        return;
      if (await link.framesDecoded() > 0)
        return;
      this.relay?.send({ type: 'keyframe', pc: link.name });
      this.checkKeyframe(link, retriesLeft - 1);
    }, KEYFRAME_CHECK_MS);
  }

  // ---- controls -----------------------------------------------------------

  updateMediaButtons() {
    const { mic, camera } = this.elements;
    const audio = this.media?.stream?.getAudioTracks()[0];
    const video = this.media?.stream?.getVideoTracks()[0];
    mic.disabled = !audio;
    mic.hidden = !audio;
    camera.disabled = !video;
    camera.hidden = !video;
    const micOn = audio ? audio.enabled : false;
    const cameraOn = video ? video.enabled : false;
    mic.setAttribute('aria-pressed', String(!micOn));
    camera.setAttribute('aria-pressed', String(!cameraOn));
    setText(mic, micOn ? 'control.mic_off' : 'control.mic_on', null,
      micOn ? 'control.mic_off_label' : 'control.mic_on_label');
    setText(camera, cameraOn ? 'control.camera_off' : 'control.camera_on', null,
      cameraOn ? 'control.camera_off_label' : 'control.camera_on_label');
  }

  toggleTrack(kind) {
    const tracks = kind === 'audio' ? this.media?.stream?.getAudioTracks() : this.media?.stream?.getVideoTracks();
    for (const track of tracks ?? [])
      track.enabled = !track.enabled;
    this.updateMediaButtons();
  }

  bindControls() {
    const { mic, camera, leave, rejoin } = this.elements;
    mic.addEventListener('click', () => this.toggleTrack('audio'));
    camera.addEventListener('click', () => this.toggleTrack('video'));
    leave.addEventListener('click', () => this.leave());
    rejoin.addEventListener('click', () => this.start());
    setText(leave, 'control.leave', null, 'control.leave_label');
    setText(rejoin, 'control.rejoin', null, 'control.rejoin_label');
    this.updateMediaButtons();
    window.addEventListener('pagehide', () => this.leave());
  }

  // ---- test hooks -------------------------------------------------------------

  // Per remote participant: framesDecoded from getStats() of its subscribe
  // connection, whether its tile is playing a picture, and whether it plays
  // the participant's audio track unmuted.
  async remoteVideoStats() {
    const result = {};
    for (const id of this.tiles.remoteIds()) {
      const link = this.subLinks.get(id);
      result[id] = {
        framesDecoded: link ? await link.framesDecoded() : 0,
        playing: this.tiles.isPlaying(id),
        audio: this.tiles.playsAudio(id),
      };
    }
    return result;
  }

  // The tracks that the page sends: {audio, video}, each {id, label,
  // deviceId} of the track in the local stream and sentId, the id of the
  // track that the publish connection's sender sends.
  describeSending() {
    const result = {};
    for (const kind of ['audio', 'video']) {
      const track = this.media?.stream?.getTracks().find((candidate) => candidate.kind === kind);
      if (!track)
        continue;
      result[kind] = {
        id: track.id,
        label: track.label,
        deviceId: track.getSettings().deviceId,
        sentId: this.publishLink?.sentTrack(kind)?.id ?? null,
      };
    }
    return result;
  }

  describeState() {
    return {
      phase: this.phase,
      participantId: this.participantId,
      role: this.role,
      hasAudio: Boolean(this.media?.hasAudio),
      hasVideo: Boolean(this.media?.hasVideo),
      remote: this.tiles.remoteIds(),
      publishState: this.publishLink ? this.publishLink.pc.connectionState : null,
    };
  }
}

function findElements() {
  const byId = (id) => document.getElementById(id);
  return {
    status: byId('status'),
    error: byId('error'),
    mediaNotice: byId('media-notice'),
    recordingNotice: byId('recording-notice'),
    sessionNumber: byId('session-number'),
    reconnectBanner: byId('reconnect-banner'),
    quality: byId('call-quality'),
    qualityLevel: byId('call-quality-level'),
    qualityDetails: byId('call-quality-details'),
    cameraField: byId('camera-field'),
    cameraSelect: byId('camera-select'),
    microphoneField: byId('microphone-field'),
    microphoneSelect: byId('microphone-select'),
    tiles: byId('tiles'),
    mic: byId('mic-button'),
    camera: byId('camera-button'),
    leave: byId('leave-button'),
    rejoin: byId('rejoin-button'),
    hand: byId('hand-button'),
    hands: byId('hands'),
    handList: byId('hand-list'),
  };
}

async function main() {
  initLanguage(document.getElementById('lang-switch'));
  const elements = findElements();
  const link = readJoinLink();
  forgetJoinLink();

  if (!link.errorKey) {
    const configured = await fetchConfiguredRelay();
    if (configured === null)
      link.errorKey = 'error.config_failed';
    else if (link.relay !== null && link.relay !== configured)
      link.errorKey = 'error.link_other_relay';
    else
      link.relay = configured;
  }
  if (link.errorKey) {
    setText(elements.error, link.errorKey);
    elements.error.hidden = false;
    return;
  }
  setText(elements.sessionNumber, 'join.session', { session: link.session });
  elements.sessionNumber.hidden = false;

  if (typeof RTCPeerConnection !== 'function' || typeof WebSocket !== 'function') {
    setText(elements.error, 'error.unsupported');
    elements.error.hidden = false;
    return;
  }

  const page = new JoinPage(elements, link);
  page.bindControls();

  // Hooks for tests (tests/browser); they expose no token.
  window.huizhen = {
    state: () => page.describeState(),
    remoteVideoStats: () => page.remoteVideoStats(),
    sending: () => page.describeSending(),
    quality: () => page.quality.latest,
    floor: () => page.floor.describe(),
    leave: () => page.leave(),
  };
  page.start();
}

main();
