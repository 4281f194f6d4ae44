// Browser tests of the call page's controls against the real daemons: the
// county doctor in headless Chromium with three fake cameras, the expert as
// hz-test-peer (GStreamer).
//
// Checks camera and microphone switching without a new offer, the
// connection-quality indicator on real getStats() values, the automatic
// rejoin after the page's WebSocket drops, and joining without a camera.
// After a failure every log stays in the printed temporary directory.
//
// Usage: node call-page.mjs --scheduler PATH --relay PATH --test-peer PATH
//          [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { bookConsultation, requestJoinToken } from './lib/api.mjs';
import { readAppPaths } from './lib/app.mjs';
import { dropPageSide, keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { restartRelay, startDaemonsWithRelayPort, stopDaemons } from './lib/daemons.mjs';
import { makeSpeechWav } from './lib/media.mjs';
import { TestPeer } from './lib/test-peer.mjs';

// A test body that marks the run as failed, so that after() keeps the logs.
function recordFailure(state, body) {
  return async () => {
    try {
      await body();
    } catch (error) {
      state.failed = true;
      throw error;
    }
  };
}

// Returns the messages of one direction ('fromPage' or 'fromRelay') in a
// WebSocket log of keepLoopbackCandidates().
function loggedMessages(logPath, direction) {
  const prefix = ` ${direction}: `;
  return readFileSync(logPath, 'utf8').split('\n')
    .filter((line) => line.includes(prefix))
    .map((line) => JSON.parse(line.slice(line.indexOf(prefix) + prefix.length)));
}

describe('call page', { timeout: 230000 }, () => {
  const paths = readAppPaths(['scheduler', 'relay', 'testPeer', 'webRoot']);
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-call-page-'));
  const droppedCandidates = { fromPage: 0, fromRelay: 0 };
  const state = { failed: false };
  let daemons = null;
  let booking = null;
  let browser = null;
  let wavPath = null;
  // The call that the first tests build and the later ones reuse.
  const call = {
    peer: null, page: null, pageErrors: null, routes: [], websocketLog: null, restartPage: null,
    iceFailurePage: null,
  };

  before(recordFailure(state, async () => {
    console.log(`# test directory: ${dir}`);
    wavPath = await makeSpeechWav(dir);
    daemons = await startDaemonsWithRelayPort(dir, paths);
    booking = await bookConsultation(daemons.schedulerUrl, daemons.adminKey);
    browser = await launchChromium(wavPath, { fakeDevices: 'device-count=3' });
  }));

  after(async () => {
    await call.page?.close().catch(() => {});
    await call.restartPage?.close().catch(() => {});
    await call.iceFailurePage?.close().catch(() => {});
    await call.peer?.stop();
    await browser?.close().catch(() => {});
    await stopDaemons(daemons);
    console.log(`# ICE candidates dropped as not loopback: ${droppedCandidates.fromPage} from the page, ` +
      `${droppedCandidates.fromRelay} from the relay`);
    if (state.failed) {
      for (const child of [daemons?.scheduler, daemons?.relay].filter(Boolean))
        console.log(`# last lines of ${child.logPath}:\n${child.logTail(20).replace(/^/gm, '#   ')}`);
    }
    if (state.failed || process.env.HUIZHEN_KEEP_TEST_DIR) {
      console.log(`# logs and database are kept in ${dir}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // Opens the doctor's join link in TARGET (a browser or a context) and
  // waits until the page has joined. ROUTES collects its WebSocket routes.
  async function openDoctorPage(target, logName, routes = []) {
    const doctorJoin = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, booking.doctor.key);
    const page = await target.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    const pageErrors = recordPageLog(page, join(dir, `page-${logName}.log`));
    const websocketLog = join(dir, `websocket-${logName}.log`);
    await keepLoopbackCandidates(page, daemons.relayUrl, droppedCandidates, websocketLog, { routes });
    await page.goto(doctorJoin.join_url, { timeout: 15000 });
    const joined = await pollPage(page, () => window.huizhen?.state(), null,
      (value) => value?.phase === 'joined', 20000, 'the page to join');
    return { page, pageErrors, joined, websocketLog };
  }

  // Starts hz-test-peer as the expert and waits until it has joined. With
  // RECONNECT it joins again after a drop.
  async function startExpertPeer(reconnect = false) {
    const expertJoin = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, booking.expert.key);
    const peer = new TestPeer(paths.testPeer, dir, {
      relayUrl: daemons.relayUrl, sessionId: booking.sessionId, token: expertJoin.token, reconnect,
    });
    await peer.waitFor((event) => event.event === 'joined', 20000, 'its "joined" event');
    return peer;
  }

  // Checks that the expert's video plays on PAGE and then decodes more
  // frames within 10 s. A feed that the relay offers again after the join
  // gets a new receiver whose count restarts from 0 (seen once: 3, then 0).
  // So any new count above 0 passes, and a frozen picture keeps its count.
  async function assertExpertVideoPlays(page) {
    const expertId = booking.expert.id;
    const first = await pollPage(page, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[expertId]?.playing && stats[expertId].framesDecoded > 0,
      30000, `video of participant ${expertId} to play`);
    const firstCount = first[expertId].framesDecoded;
    await pollPage(page, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[expertId]?.playing && stats[expertId].framesDecoded > 0 &&
        stats[expertId].framesDecoded !== firstCount,
      10000, `more decoded frames of participant ${expertId} than ${firstCount}`);
  }

  // Waits until hz-test-peer reports two more stats of the doctor's feed,
  // the second with more video frames than the first: the doctor's video
  // reaches the expert now.
  async function assertPeerReceivesVideo(peer, expected) {
    const doctorId = booking.doctor.id;
    const isDoctorStats = (event) => event.event === 'stats' && String(event.from) === doctorId;
    const start = peer.events.length;
    const first = await peer.waitFor((event) => peer.events.indexOf(event) >= start && isDoctorStats(event),
      15000, `stats of participant ${doctorId} ${expected}`);
    const firstIndex = peer.events.indexOf(first);
    const later = await peer.waitFor((event) => peer.events.indexOf(event) > firstIndex &&
      isDoctorStats(event) && event.video_frames > first.video_frames,
    15000, `more video frames from participant ${doctorId} ${expected}`);
    assert.ok(later.video_frames > first.video_frames, `video frames at hz-test-peer ${expected}`);
  }

  test('devices switch without new offer', { timeout: 90000 }, recordFailure(state, async () => {
    call.peer = await startExpertPeer();
    const opened = await openDoctorPage(browser, 'call', call.routes);
    Object.assign(call, opened);
    const { page } = call;
    await assertExpertVideoPlays(page);

    // Three fake cameras: all are listed and the one in use is selected.
    const cameraSelect = page.locator('#camera-select');
    assert.equal(await page.locator('#camera-field').isVisible(), true, 'camera field shown');
    const cameras = await cameraSelect.locator('option').evaluateAll((options) =>
      options.map((option) => ({ value: option.value, label: option.textContent })));
    assert.equal(cameras.length, 3, `cameras listed: ${JSON.stringify(cameras)}`);
    const before = await page.evaluate(() => window.huizhen.sending());
    assert.equal(await cameraSelect.inputValue(), before.video.deviceId, 'camera in use selected');
    assert.equal(before.video.sentId, before.video.id, 'the sender sends the local video track');
    assert.equal(await cameraSelect.getAttribute('aria-label'), '选择摄像头', 'camera list named');

    // Chromium's fake_device_1 delivers Y16 (depth) frames, which the video
    // encoder never encodes, even as the only track. fake_device_2 delivers
    // MJPEG, which it encodes.
    const otherCamera = cameras.find((camera) => camera.label === 'fake_device_2');
    assert.ok(otherCamera, `fake_device_2 listed: ${JSON.stringify(cameras)}`);
    assert.notEqual(otherCamera.value, before.video.deviceId, 'fake_device_2 not in use yet');
    await cameraSelect.selectOption(otherCamera.value);
    const afterCamera = await pollPage(page, () => window.huizhen.sending(), null,
      (sending) => sending.video?.deviceId === otherCamera.value && sending.video.sentId === sending.video.id,
      10000, `the sender to send camera ${otherCamera.label}`);
    assert.notEqual(afterCamera.video.id, before.video.id, 'a new video track');
    assert.equal(afterCamera.video.label, otherCamera.label, 'track of the chosen camera');
    assert.equal(await cameraSelect.inputValue(), otherCamera.value, 'chosen camera selected');
    await assertPeerReceivesVideo(call.peer, 'after the camera switch');

    // The fake microphones: switching sends the chosen one.
    const microphoneSelect = page.locator('#microphone-select');
    assert.equal(await page.locator('#microphone-field').isVisible(), true, 'microphone field shown');
    const microphones = await microphoneSelect.locator('option').evaluateAll((options) =>
      options.map((option) => option.value));
    assert.ok(microphones.length >= 2, `microphones listed: ${microphones.length}`);
    const otherMicrophone = microphones.find((value) => value !== before.audio.deviceId);
    await microphoneSelect.selectOption(otherMicrophone);
    const afterMicrophone = await pollPage(page, () => window.huizhen.sending(), null,
      (sending) => sending.audio?.deviceId === otherMicrophone && sending.audio.sentId === sending.audio.id,
      10000, 'the sender to send the chosen microphone');
    assert.notEqual(afterMicrophone.audio.id, before.audio.id, 'a new audio track');
    assert.equal(afterMicrophone.video.id, afterCamera.video.id, 'video track kept');

    // At phone width the device lists fit, and every control has a name.
    await page.setViewportSize({ width: 360, height: 740 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0,
      'horizontal overflow at 360 px');
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, select')]
      .filter((control) => control.getClientRects().length > 0)
      .filter((control) => !(control.getAttribute('aria-label') || control.textContent.trim()))
      .map((control) => control.id || control.className));
    assert.deepEqual(unnamed, [], 'controls without an accessible name');
    await page.setViewportSize({ width: 1280, height: 800 });

    // replaceTrack() needed no renegotiation: one publish offer in all.
    const offers = loggedMessages(call.websocketLog, 'fromPage')
      .filter((message) => message.type === 'offer' && message.pc === 'publish');
    assert.equal(offers.length, 1, 'publish offers sent by the page');
    assert.deepEqual(call.pageErrors.map(String), [], 'uncaught page errors');
  }));

  test('quality indicator reads stats', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(call.page, 'the first test opened no call');
    const { page } = call;

    // The indicator's values come from getStats() of the live call: both
    // directions carry video, and loopback has no loss and a short round
    // trip. Opus speech alone measures about 30 kbit/s here, so more than
    // 50 kbit/s means that video flows.
    const quality = await pollPage(page, () => window.huizhen.quality(), null,
      (value) => value && value.outboundKbps > 50 && value.inboundKbps > 50 && value.rttMs !== null,
      20000, 'bitrates above 50 kbit/s both ways and a round-trip time');
    console.log(`# quality indicator: ${JSON.stringify(quality)}`);
    assert.ok(quality.rttMs >= 0, `round-trip time not negative: ${quality.rttMs} ms`);
    assert.ok(quality.rttMs < 300, `round-trip time on loopback: ${quality.rttMs} ms`);
    assert.notEqual(quality.lossPercent, null, 'packet loss measured');
    assert.ok(quality.lossPercent < 2, `packet loss on loopback: ${quality.lossPercent}%`);
    assert.equal(quality.level, 'good', 'level on loopback');

    const indicator = page.locator('#call-quality');
    assert.equal(await indicator.isVisible(), true, 'indicator shown');
    assert.equal(await indicator.getAttribute('data-level'), 'good', 'indicator level attribute');
    assert.equal(await page.locator('#call-quality-level').textContent(), '连接质量：良好', 'level in words');
    assert.match(await page.locator('#call-quality-details').textContent(),
      /^上行 \d+ kbit\/s，下行 \d+ kbit\/s，丢包 \d+\.\d%，往返时延 \d+ 毫秒$/, 'measured values shown');

    // The page's own module: levels at the limits and a summary of two
    // samples with known counters.
    const computed = await page.evaluate(async () => {
      const module = await import('/js/call-quality.js');
      const levels = [
        [0, 20], [1.9, 299], [2, 20], [0, 300], [7.9, 599], [8, 20], [0, 600], [null, null], [null, 700],
      ].map(([lossPercent, rttMs]) => module.qualityLevel({ lossPercent, rttMs }));
      const summary = module.summarize(
        { time: 0, bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0, remoteLossPercent: [], rttMs: [] },
        { time: 2000, bytesSent: 250000, bytesReceived: 125000, packetsReceived: 95, packetsLost: 5,
          remoteLossPercent: [1], rttMs: [40, 120.4] });
      return { levels, summary };
    });
    assert.deepEqual(computed.levels,
      ['good', 'good', 'fair', 'fair', 'fair', 'poor', 'poor', 'good', 'poor'], 'levels at the limits');
    assert.deepEqual(computed.summary,
      { outboundKbps: 1000, inboundKbps: 500, lossPercent: 5, rttMs: 120, level: 'fair' }, 'summary of two samples');
  }));

  // The test closes the page's side of the WebSocket and leaves the
  // relay's side open, as a network drop does. The page rejoins on a new
  // socket, the relay resumes the participant and offers the expert's feed
  // again, and the page replaces that connection.
  test('dropped socket rejoins and resumes', { timeout: 90000 }, recordFailure(state, async () => {
    assert.ok(call.page, 'the first test opened no call');
    const { page, routes } = call;
    assert.equal(routes.length, 1, 'WebSocket routes before the drop');

    await dropPageSide(routes[0]);
    const banner = page.locator('#reconnect-banner');
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await banner.textContent(), /^与会诊服务器的连接中断，正在自动重新连接…（第 \d+ 次尝试）$/,
      'banner text');
    assert.equal(await banner.getAttribute('role'), 'alert', 'banner announced');

    await banner.waitFor({ state: 'hidden', timeout: 30000 });
    const rejoined = await page.evaluate(() => window.huizhen.state());
    assert.equal(rejoined.phase, 'joined', 'phase after the rejoin');
    assert.equal(rejoined.participantId, booking.doctor.id, 'same participant after the rejoin');
    assert.equal(routes.length, 2, 'WebSocket routes after the rejoin');
    await assertExpertVideoPlays(page);
    await assertPeerReceivesVideo(call.peer, 'after the rejoin');

    const fromRelay = loggedMessages(call.websocketLog, 'fromRelay');
    const joins = fromRelay.filter((message) => message.type === 'joined');
    assert.equal(joins.length, 2, 'joined messages');
    assert.equal(joins[1].resumed, true, 'the relay resumed the participant');
    const expertOffers = fromRelay.filter((message) => message.type === 'offer' &&
      message.pc === `sub:${booking.expert.id}`);
    assert.equal(expertOffers.length, 2, 'offers of the expert feed: the first join and the rejoin');
    const replaced = fromRelay.filter((message) => message.type === 'error' && message.code === 'replaced');
    assert.equal(replaced.length, 1, 'the relay closed the old socket as replaced');
    assert.equal(await page.locator('#error').isVisible(), false, 'no error shown');
    assert.deepEqual(call.pageErrors.map(String), [], 'uncaught page errors');

    await page.locator('#leave-button').click();
    await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'left',
      5000, 'the page to leave');
  }));

  // The relay stops and starts again on the same port 3 s later, as after
  // a crash. The page keeps trying and joins the new relay, which has
  // no state of the old call, and the expert's video plays again.
  // hz-test-peer, the expert, rejoins too (--reconnect).
  test('relay restart rejoins the call', { timeout: 120000 }, recordFailure(state, async () => {
    await call.peer?.stop();
    call.peer = await startExpertPeer(true);
    const { page, pageErrors, websocketLog } = await openDoctorPage(browser, 'relay-restart');
    call.restartPage = page;
    await assertExpertVideoPlays(page);

    const restarted = restartRelay(daemons, paths.relay, 3000);
    const banner = page.locator('#reconnect-banner');
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    await restarted;
    await banner.waitFor({ state: 'hidden', timeout: 40000 });
    assert.equal((await page.evaluate(() => window.huizhen.state())).phase, 'joined', 'phase after the restart');
    await assertExpertVideoPlays(page);
    await assertPeerReceivesVideo(call.peer, 'after the relay restart');

    const joins = loggedMessages(websocketLog, 'fromRelay').filter((message) => message.type === 'joined');
    assert.equal(joins.length, 2, 'joined messages');
    assert.notEqual(joins[1].resumed, true, 'the new relay cannot resume the participant');
    assert.equal(await page.locator('#error').isVisible(), false, 'no error shown');
    assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');

    await page.locator('#leave-button').click();
    await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'left',
      5000, 'the page to leave');
  }));

  // The relay freezes (SIGSTOP) with every socket open, as when the
  // network between page and relay stops carrying UDP: the WebSocket
  // notices nothing, and ICE fails once Chromium's consent checks go
  // unanswered (about 30 s). The page then joins again on a new socket,
  // and the relay accepts that join once it runs again (SIGCONT).
  test('ICE failure rejoins the call', { timeout: 150000 }, recordFailure(state, async () => {
    await call.peer?.stop();
    call.peer = await startExpertPeer(true);
    const { page, pageErrors, websocketLog } = await openDoctorPage(browser, 'ice-failure');
    call.iceFailurePage = page;
    await assertExpertVideoPlays(page);
    const consoleLines = [];
    page.on('console', (message) => consoleLines.push(message.text()));

    const relay = daemons.relay.process;
    relay.kill('SIGSTOP');
    try {
      await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'reconnecting',
        60000, 'the page to notice that ICE failed');
    } finally {
      relay.kill('SIGCONT');
    }
    assert.ok(consoleLines.some((line) => /lost the call \(ICE of .* failed\)/.test(line)),
      `the page rejoins because ICE failed: ${JSON.stringify(consoleLines)}`);
    const banner = page.locator('#reconnect-banner');
    await banner.waitFor({ state: 'hidden', timeout: 40000 });
    assert.equal((await page.evaluate(() => window.huizhen.state())).phase, 'joined', 'phase after the rejoin');
    await assertExpertVideoPlays(page);
    await assertPeerReceivesVideo(call.peer, 'after the ICE failure');

    const joins = loggedMessages(websocketLog, 'fromRelay').filter((message) => message.type === 'joined');
    assert.equal(joins.length, 2, 'joined messages');
    assert.equal(await page.locator('#error').isVisible(), false, 'no error shown');
    assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');

    await page.locator('#leave-button').click();
    await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'left',
      5000, 'the page to leave');
  }));

  // A machine without a camera: the page joins with audio only, shows the
  // reason, and still shows the expert.
  test('missing camera joins audio only', { timeout: 60000 }, recordFailure(state, async () => {
    const noCamera = await launchChromium(wavPath, { fakeDevices: 'device-count=0' });
    try {
      const { page, pageErrors, joined } = await openDoctorPage(noCamera, 'no-camera');
      assert.equal(joined.hasAudio, true, 'microphone opened');
      assert.equal(joined.hasVideo, false, 'no camera track');
      assert.equal(await page.locator('#media-notice').textContent(),
        '未能打开摄像头（未找到设备），已以仅音频方式入会，其他人能听到您，但看不到您。', 'notice text');
      assert.equal(await page.locator('#camera-field').isVisible(), false, 'no camera list');
      assert.equal(await page.locator('#camera-button').isVisible(), false, 'no camera button');
      await assertExpertVideoPlays(page);
      assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');
    } finally {
      await noCamera.close();
    }
  }));
});
