// One RTCPeerConnection to the relay, named as in docs/signalling.md:
// "publish" (this page offers, sendonly) or "sub:ID" (the relay offers).
//
// Offers, answers and remote candidates of one connection run one after the
// other through a promise queue, so a candidate that arrives while an
// offer is still being applied waits for it instead of failing.

// The codec put first in every offer and answer. The relay records into
// WebM, which carries VP8 and Opus without transcoding; the other codecs
// stay in the list behind it.
const PREFERRED_CODECS = { audio: 'audio/opus', video: 'video/VP8' };

function preferCodec(transceiver, kind) {
  if (typeof transceiver.setCodecPreferences !== 'function' ||
      typeof RTCRtpReceiver.getCapabilities !== 'function')
    return;
  const capabilities = RTCRtpReceiver.getCapabilities(kind);
  if (!capabilities)
    return;
  const preferredType = PREFERRED_CODECS[kind].toLowerCase();
  const preferred = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() === preferredType);
  const others = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() !== preferredType);
  try {
    transceiver.setCodecPreferences([...preferred, ...others]);
  } catch (error) {
    // Browsers differ in which codec lists they accept here; the default
    // order still works, only less predictably.
    console.warn(`huizhen: keeping the browser's ${kind} codec order`, error);
  }
}

// Accepts "candidate:..." and the SDP attribute form "a=candidate:...".
function normalizeCandidate(text) {
  return text.startsWith('a=') ? text.slice(2) : text;
}

export class PeerLink {
  // NAME: "publish" or "sub:ID". SEND(message) writes to the relay socket.
  // HANDLERS: onTrack(event), onStateChange(connectionState), onError(error).
  constructor(name, send, handlers) {
    this.name = name;
    this.send = send;
    this.handlers = handlers;
    this.queue = Promise.resolve();
    this.pendingCandidates = [];
    this.closed = false;
    // Set on the connections of a join that the page lost, until the relay
    // replaces them or they close.
    this.stale = false;
    this.senders = new Map();        // track kind -> RTCRtpSender, for publish

    // No ICE servers: the page gathers host candidates and the relay, which
    // has its own STUN/TURN settings, announces the addresses it is reached on.
    // The publish offer uses max-bundle because the relay bundles every track
    // on one transport. For relay offers, the default policy accepts the
    // BUNDLE group that the offer carries.
    const configuration = { iceServers: [] };
    if (name === 'publish')
      configuration.bundlePolicy = 'max-bundle';
    this.pc = new RTCPeerConnection(configuration);
    this.pc.addEventListener('icecandidate', (event) => this.sendCandidate(event.candidate));
    this.pc.addEventListener('track', (event) => this.handlers.onTrack?.(event));
    this.pc.addEventListener('connectionstatechange', () =>
      this.handlers.onStateChange?.(this.pc.connectionState));
  }

  sendCandidate(candidate) {
    if (this.closed)
      return;
    // A null candidate ends gathering. Browsers that also emit an empty
    // candidate per m-line are covered by that single end marker.
    if (candidate && candidate.candidate === '')
      return;
    this.send({
      type: 'candidate',
      pc: this.name,
      candidate: candidate ? candidate.candidate : '',
      sdpMLineIndex: candidate ? candidate.sdpMLineIndex ?? 0 : 0,
    });
  }

  // Runs TASK after every earlier task of this connection. A failure goes to
  // onError and does not stop later tasks.
  enqueue(task) {
    this.queue = this.queue.then(async () => {
      if (this.closed)
        return;
      try {
        await task();
      } catch (error) {
        if (!this.closed)
          this.handlers.onError?.(error);
      }
    });
    return this.queue;
  }

  // Adds one sendonly transceiver per track of STREAM and sends the offer.
  publish(stream) {
    return this.enqueue(async () => {
      for (const track of stream.getTracks()) {
        const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
        preferCodec(transceiver, track.kind);
        this.senders.set(track.kind, transceiver.sender);
      }
      await this.pc.setLocalDescription(await this.pc.createOffer());
      this.send({ type: 'offer', pc: this.name, sdp: this.pc.localDescription.sdp });
    });
  }

  // Sends TRACK in place of the track of its kind. replaceTrack() needs no
  // renegotiation as long as the new track fits the negotiated codec, which
  // holds for another camera or microphone.
  replaceTrack(track) {
    return this.enqueue(async () => {
      const sender = this.senders.get(track.kind);
      if (sender)
        await sender.replaceTrack(track);
    });
  }

  // Returns the track that the sender of KIND sends, or null.
  sentTrack(kind) {
    return this.senders.get(kind)?.track ?? null;
  }

  acceptAnswer(sdp) {
    return this.enqueue(async () => {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      await this.flushCandidates();
    });
  }

  // Applies a relay offer and sends the answer.
  answerOffer(sdp) {
    return this.enqueue(async () => {
      await this.pc.setRemoteDescription({ type: 'offer', sdp });
      for (const transceiver of this.pc.getTransceivers()) {
        if (transceiver.receiver.track)
          preferCodec(transceiver, transceiver.receiver.track.kind);
      }
      await this.flushCandidates();
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      this.send({ type: 'answer', pc: this.name, sdp: this.pc.localDescription.sdp });
    });
  }

  addRemoteCandidate(candidate, sdpMLineIndex) {
    return this.enqueue(async () => {
      const init = { candidate: normalizeCandidate(candidate), sdpMLineIndex };
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(init);
        return;
      }
      await this.applyCandidate(init);
    });
  }

  async flushCandidates() {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const init of pending)
      await this.applyCandidate(init);
  }

  async applyCandidate(init) {
    try {
      await this.pc.addIceCandidate(init);
    } catch (error) {
      // One bad candidate (or an end marker the browser does not take)
      // leaves the others usable, so it is logged and not raised.
      console.warn(`huizhen: ${this.name}: ignoring remote candidate "${init.candidate}"`, error);
    }
  }

  // Returns the summed framesDecoded of this connection's inbound video.
  async framesDecoded() {
    let frames = 0;
    const report = await this.pc.getStats();
    report.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'video')
        frames += stats.framesDecoded || 0;
    });
    return frames;
  }

  close() {
    if (this.closed)
      return;
    this.closed = true;
    this.pendingCandidates = [];
    this.pc.close();
  }
}
