// The connection-quality indicator of the join page. Every
// SAMPLE_INTERVAL_MS it reads getStats() of each RTCPeerConnection of the
// call and shows the outbound and inbound bitrate, the packet loss, the
// round-trip time and a level (good, fair or poor) derived from the last two.

import { setText } from './i18n.js';

const SAMPLE_INTERVAL_MS = 2000;

// Limits of the levels: a sample is good when both its loss and its
// round-trip time are below the "good" limits, fair when both are below
// the "fair" limits, and poor otherwise.
// NOTE: the limits are estimates for a video call, not tuned with users.
export const LEVEL_LIMITS = {
  good: { lossPercent: 2, rttMs: 300 },
  fair: { lossPercent: 8, rttMs: 600 },
};

// Returns 'good', 'fair' or 'poor' for a summary of summarize(). A value
// that is null (not measured yet) does not lower the level.
export function qualityLevel({ lossPercent, rttMs }) {
  const within = (limits) => (lossPercent === null || lossPercent < limits.lossPercent) &&
    (rttMs === null || rttMs < limits.rttMs);
  if (within(LEVEL_LIMITS.good))
    return 'good';
  if (within(LEVEL_LIMITS.fair))
    return 'fair';
  return 'poor';
}

// Reads one sample of PCS' statistics: byte and packet counters summed over
// the RTP streams, the loss that the relay reports for what this page sends
// (remote-inbound-rtp fractionLost), and the round-trip time of each
// selected ICE candidate pair. A pair counts as selected when a transport
// names it, or when the browser marks it `selected` (Firefox does both).
// When no selected pair has a time, the RTCP round-trip times of
// remote-inbound-rtp count instead.
export async function sampleStats(pcs) {
  const sample = {
    time: performance.now(),
    bytesSent: 0,
    bytesReceived: 0,
    packetsReceived: 0,
    packetsLost: 0,
    remoteLossPercent: [],
    rttMs: [],
  };
  for (const pc of pcs) {
    const report = await pc.getStats();
    const selectedPairs = new Set();
    const rtcpRttMs = [];
    report.forEach((stats) => {
      if (stats.type === 'transport' && stats.selectedCandidatePairId)
        selectedPairs.add(stats.selectedCandidatePairId);
      else if (stats.type === 'candidate-pair' && stats.selected === true)
        selectedPairs.add(stats.id);
    });
    const pairRttCount = sample.rttMs.length;
    report.forEach((stats) => {
      switch (stats.type) {
        case 'outbound-rtp':
          sample.bytesSent += stats.bytesSent || 0;
          break;
        case 'inbound-rtp':
          sample.bytesReceived += stats.bytesReceived || 0;
          sample.packetsReceived += stats.packetsReceived || 0;
          // packetsLost is negative when more duplicates than losses arrived.
          sample.packetsLost += Math.max(0, stats.packetsLost || 0);
          break;
        case 'remote-inbound-rtp':
          if (typeof stats.fractionLost === 'number')
            sample.remoteLossPercent.push(stats.fractionLost * 100);
          if (typeof stats.roundTripTime === 'number')
            rtcpRttMs.push(stats.roundTripTime * 1000);
          break;
        case 'candidate-pair':
          if (selectedPairs.has(stats.id) && typeof stats.currentRoundTripTime === 'number')
            sample.rttMs.push(stats.currentRoundTripTime * 1000);
          break;
        default:
          break;
      }
    });
    if (sample.rttMs.length === pairRttCount)
      sample.rttMs.push(...rtcpRttMs);
  }
  return sample;
}

// Returns {outboundKbps, inboundKbps, lossPercent, rttMs, level} between
// two samples of sampleStats(). Loss is the larger of the inbound loss over
// the interval and the highest loss that the relay reports. Loss and rttMs
// are null when nothing was measured. A counter that went down, because a
// connection closed and a new one opened, counts from zero.
export function summarize(previous, current) {
  const seconds = Math.max(0.001, (current.time - previous.time) / 1000);
  const delta = (name) => {
    const difference = current[name] - previous[name];
    return difference >= 0 ? difference : current[name];
  };
  const lost = delta('packetsLost');
  const received = delta('packetsReceived');
  const losses = [...current.remoteLossPercent];
  if (lost + received > 0)
    losses.push((lost / (lost + received)) * 100);
  const summary = {
    outboundKbps: Math.round((delta('bytesSent') * 8) / seconds / 1000),
    inboundKbps: Math.round((delta('bytesReceived') * 8) / seconds / 1000),
    lossPercent: losses.length ? Math.max(...losses) : null,
    rttMs: current.rttMs.length ? Math.round(Math.max(...current.rttMs)) : null,
  };
  summary.level = qualityLevel(summary);
  return summary;
}

export class QualityIndicator {
  // ELEMENTS: {container, level, details}. CONNECTIONS() returns the
  // RTCPeerConnections to read.
  constructor(elements, connections) {
    this.elements = elements;
    this.connections = connections;
    this.timer = null;
    this.previous = null;
    this.latest = null;
    this.shownLevel = null;
  }

  start() {
    if (this.timer !== null)
      return;
    this.timer = setInterval(() => this.update(), SAMPLE_INTERVAL_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.previous = null;
    this.latest = null;
    this.shownLevel = null;
    this.elements.container.hidden = true;
  }

  async update() {
    const pcs = this.connections();
    if (pcs.length === 0)
      return;
    let sample;
    try {
      sample = await sampleStats(pcs);
    } catch (error) {
      // A connection may close during getStats(). The next sample reads
      // the connections that remain.
      console.warn('huizhen: reading call statistics failed', error);
      return;
    }
    if (this.timer === null)
      return;
    if (this.previous)
      this.show(summarize(this.previous, sample));
    this.previous = sample;
  }

  show(summary) {
    this.latest = summary;
    const { container, level, details } = this.elements;
    container.hidden = false;
    container.dataset.level = summary.level;
    // The level has aria-live, so it is rewritten only when it changes.
    if (this.shownLevel !== summary.level) {
      setText(level, 'quality.level', { level: { key: `quality.${summary.level}` } });
      this.shownLevel = summary.level;
    }
    setText(details, 'quality.details', {
      up: summary.outboundKbps,
      down: summary.inboundKbps,
      loss: summary.lossPercent === null ? '–' : summary.lossPercent.toFixed(1),
      rtt: summary.rttMs === null ? '–' : summary.rttMs,
    });
  }
}
