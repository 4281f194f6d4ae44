// Browser test of the join page against the real daemons: the county doctor
// joins in headless Chromium, the expert is hz-test-peer (GStreamer).
//
// Checks that the browser plays the expert's video, that the expert
// decodes the browser's audio and video, that the relay's recording of the
// browser's audio is not silent, and that relay token errors show as
// localized messages. The screenshot of the join page and, after a failure,
// every log stay in the printed temporary directory.
//
// Usage: node join-call.mjs --scheduler PATH --relay PATH --test-peer PATH
//          --media-check PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { bookConsultation, listRecordings, requestJoinToken } from './lib/api.mjs';
import { readAppPaths } from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { startDaemonsWithRelayPort, stopDaemons } from './lib/daemons.mjs';
import { checkRecording, makeSpeechWav } from './lib/media.mjs';
import { TestPeer } from './lib/test-peer.mjs';

// Above this level (dBFS) a decoded track is taken as sound, not silence.
// The espeak-ng speech measures about -13 dBFS at its loudest (sox stats,
// "RMS Pk dB"), and hz-test-peer reports silence as -120.
const SOUND_THRESHOLD_DB = -50;

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

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('join page', { timeout: 220000 }, () => {
  const paths = readAppPaths(['scheduler', 'relay', 'testPeer', 'mediaCheck', 'webRoot']);
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-browser-'));
  const droppedCandidates = { fromPage: 0, fromRelay: 0 };
  const state = { failed: false, callFinished: false };
  let daemons = null;
  let booking = null;
  let browser = null;
  let wavPath = null;
  // Pages still open; each would stay in the room as the doctor.
  const openPages = new Set();

  before(recordFailure(state, async () => {
    console.log(`# test directory: ${dir}`);
    wavPath = await makeSpeechWav(dir);
    daemons = await startDaemonsWithRelayPort(dir, paths);
    booking = await bookConsultation(daemons.schedulerUrl, daemons.adminKey);
    browser = await launchChromium(wavPath);
  }));

  afterEach(async () => {
    for (const page of openPages)
      await page.close().catch(() => {});
    openPages.clear();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopDaemons(daemons);
    console.log(`# ICE candidates dropped as not loopback: ${droppedCandidates.fromPage} from the page, ` +
      `${droppedCandidates.fromRelay} from the relay`);
    if (state.failed) {
      for (const child of [daemons?.scheduler, daemons?.relay].filter(Boolean))
        console.log(`# last lines of ${child.logPath}:\n${child.logTail(20).replace(/^/gm, '#   ')}`);
    }
    if (state.failed || process.env.HUIZHEN_KEEP_TEST_DIR) {
      console.log(`# logs, database and recordings are kept in ${dir}`);
      return;
    }
    // Keep only the screenshots; the secret, database and recordings go.
    for (const name of ['token.secret', 'huizhen.db', 'huizhen.db-wal', 'huizhen.db-shm',
      'huizhen.conf', 'recordings', 'speech.wav', 'speech-espeak.wav'])
      rmSync(join(dir, name), { recursive: true, force: true });
  });

  // Opens URL in a new page of TARGET (a browser or a browser context)
  // whose WebSocket goes through the loopback filter.
  async function openJoinPage(target, url, logName, viewport = { width: 1280, height: 800 }) {
    const page = await target.newPage();
    openPages.add(page);
    await page.setViewportSize(viewport);
    const pageErrors = recordPageLog(page, join(dir, `page-${logName}.log`));
    await keepLoopbackCandidates(page, daemons.relayUrl, droppedCandidates,
      join(dir, `websocket-${logName}.log`));
    await page.goto(url, { timeout: 15000 });
    return { page, pageErrors };
  }

  // Starts hz-test-peer as the expert and waits until it has joined.
  async function startExpertPeer() {
    const expertJoin = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, booking.expert.key);
    const peer = new TestPeer(paths.testPeer, dir, {
      relayUrl: daemons.relayUrl, sessionId: booking.sessionId, token: expertJoin.token,
    });
    await peer.waitFor((event) => event.event === 'joined', 20000, 'its "joined" event');
    return peer;
  }

  // Opens the doctor's join link in TARGET and waits until the page has joined.
  async function openDoctorPage(target, logName, viewport) {
    const doctorJoin = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, booking.doctor.key);
    assert.match(doctorJoin.join_url, /\/join\.html#session=\d+&token=[^&]+&relay=/, 'join_url form');
    assert.equal(doctorJoin.relay_url, daemons.relayUrl, 'the scheduler names the running relay');
    const opened = await openJoinPage(target, doctorJoin.join_url, logName, viewport);
    const joined = await pollPage(opened.page, () => window.huizhen?.state(), null,
      (value) => value?.phase === 'joined', 20000, 'the page to join');
    assert.equal(joined.participantId, booking.doctor.id, 'participant id of the doctor');
    return { ...opened, joined };
  }

  // Checks that the expert's video plays on PAGE and that framesDecoded
  // grows over 2 s.
  async function assertExpertVideoPlays(page) {
    const expertId = booking.expert.id;
    const first = await pollPage(page, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[expertId]?.playing && stats[expertId].framesDecoded > 0,
      30000, `video of participant ${expertId} to play`);
    await sleep(2000);
    const second = await page.evaluate(() => window.huizhen.remoteVideoStats());
    assert.ok(second[expertId].framesDecoded > first[expertId].framesDecoded,
      `framesDecoded of the expert's video did not grow over 2 s: ` +
      `${first[expertId].framesDecoded} -> ${second[expertId].framesDecoded}`);
    assert.equal(second[expertId].playing, true, 'expert video still playing');
    assert.equal(second[expertId].audio, true, 'expert audio track played unmuted');
    assert.equal(await page.locator(`.tile[data-participant-id="${expertId}"] .tile-name`).textContent(),
      booking.expert.name, 'expert tile named');
  }

  async function leave(page) {
    await page.locator('#leave-button').click();
    await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'left',
      5000, 'the page to leave');
  }

  // Stops PEER and returns the summary of the feed that it received from
  // the doctor.
  async function stopPeerAndSummarize(peer) {
    const { summary, exit } = await peer.stop();
    assert.ok(summary, 'hz-test-peer printed no summary');
    assert.equal(exit.code, 0, `hz-test-peer exit status (signal ${exit.signal})`);
    const feed = summary.feeds?.[booking.doctor.id];
    assert.ok(feed, `summary has no feed from participant ${booking.doctor.id}: ${JSON.stringify(summary)}`);
    console.log(`# hz-test-peer received from the browser: ${JSON.stringify(feed)}`);
    return feed;
  }

  // A link that names another relay is refused before the camera opens,
  // and the Content-Security-Policy header blocks the page's scripts from
  // opening a WebSocket to it. A TCP server stands in for that relay and
  // counts the connections that reach it.
  test('link to another relay is refused', { timeout: 60000 }, recordFailure(state, async () => {
    const connections = [];
    const otherRelay = createServer((socket) => {
      connections.push(socket.remoteAddress);
      socket.destroy();
    });
    await new Promise((resolve) => otherRelay.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `ws://127.0.0.1:${otherRelay.address().port}/ws`;
      const doctorJoin = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, booking.doctor.key);
      const joinUrl = new URL(doctorJoin.join_url);
      const fragment = new URLSearchParams(joinUrl.hash.slice(1));
      fragment.set('relay', otherUrl);
      joinUrl.hash = fragment.toString();

      const { page, pageErrors } = await openJoinPage(browser, joinUrl.href, 'other-relay');
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible', timeout: 20000 });
      assert.equal(await error.textContent(),
        '入会链接指向的不是本系统的视频服务器。为保护您的摄像头和麦克风，本页不会连接该服务器。请向会诊中心重新获取链接。',
        'message shown');
      assert.equal(await page.evaluate(() => typeof window.huizhen), 'undefined', 'the call did not start');

      const attempt = await page.evaluate((url) => new Promise((resolve) => {
        try {
          const socket = new WebSocket(url);
          socket.onopen = () => resolve('open');
          socket.onerror = () => resolve('error');
        } catch (exception) {
          resolve(`thrown: ${exception.name}`);
        }
      }), otherUrl);
      assert.notEqual(attempt, 'open', 'WebSocket to the other relay');
      await sleep(500);
      assert.deepEqual(connections, [], 'connections that reached the other relay');
      assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');
    } finally {
      otherRelay.close();
    }
  }));

  test('relay token errors show localized', { timeout: 60000 }, recordFailure(state, async () => {
    const doctorJoin = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, booking.doctor.key);
    const joinUrl = new URL(doctorJoin.join_url);
    const fragment = new URLSearchParams(joinUrl.hash.slice(1));

    // The last character of the signature changed: token_bad_signature.
    const token = fragment.get('token');
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const cases = [
      { name: 'token_bad_signature', session: String(booking.sessionId), token: tampered,
        expected: '入会链接无效，可能被改动过。请向会诊中心重新获取。' },
      { name: 'token_wrong_session', session: String(booking.sessionId + 1000), token,
        expected: '该入会链接不属于这场会诊。请核对链接，或向会诊中心重新获取。' },
    ];
    for (const testCase of cases) {
      fragment.set('session', testCase.session);
      fragment.set('token', testCase.token);
      joinUrl.hash = fragment.toString();
      const { page, pageErrors } = await openJoinPage(browser, joinUrl.href, testCase.name);
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible', timeout: 20000 });
      assert.equal(await error.textContent(), testCase.expected, `${testCase.name}: message shown`);
      assert.equal(await page.locator('#rejoin-button').isVisible(), false,
        `${testCase.name}: no rejoin button, because the same link cannot succeed`);
      assert.deepEqual(pageErrors.map(String), [], `${testCase.name}: uncaught page errors`);
    }
  }));

  test('browser and test peer exchange media', { timeout: 120000 }, recordFailure(state, async () => {
    const peer = await startExpertPeer();
    try {
      const { page, pageErrors, joined } = await openDoctorPage(browser, 'call');
      assert.equal(joined.hasVideo, true, 'fake camera opened');
      assert.equal(await page.evaluate(() => window.location.hash), '', 'token removed from the address bar');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'default language');

      await assertExpertVideoPlays(page);
      // The booking allows recording and "joined" carries the flag, so the page
      // shows the recording notice.
      const notice = page.locator('#recording-notice');
      assert.equal(await notice.isVisible(), true, 'recording notice shown');
      assert.match(await notice.textContent(), /录制/, 'recording notice text');
      const screenshot = join(dir, 'join-page-zh-CN.png');
      await page.screenshot({ path: screenshot });
      console.log(`# screenshot: ${screenshot}`);

      // Every control has an accessible name.
      const unnamed = await page.evaluate(() => [...document.querySelectorAll('button')]
        .filter((button) => !button.hidden && !(button.getAttribute('aria-label') || button.textContent.trim()))
        .map((button) => button.id || button.className));
      assert.deepEqual(unnamed, [], 'buttons without an accessible name');

      // The English switch changes the strings and the lang attribute, and
      // is stored for the next page load.
      await page.locator('#lang-switch').click();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'lang after the switch');
      assert.equal(await page.locator('#leave-button').textContent(), 'Leave', 'leave button in English');
      assert.equal(await page.evaluate(() => window.localStorage.getItem('huizhen.lang')), 'en', 'stored language');
      await page.locator('#lang-switch').click();
      assert.equal(await page.locator('#leave-button').textContent(), '离开会诊', 'leave button in Chinese');

      // The expert receives the browser: fake camera frames and speech.
      const doctorId = booking.doctor.id;
      await peer.waitFor((event) => event.event === 'stats' && String(event.from) === doctorId &&
        event.video_frames > 0 && event.audio_rms_db_max > SOUND_THRESHOLD_DB,
      30000, `stats showing video and sound from participant ${doctorId}`);

      // Let the relay record a few seconds of speech, then leave.
      await sleep(5000);
      await leave(page);
      const feed = await stopPeerAndSummarize(peer);
      assert.ok(feed.video_frames > 0, `hz-test-peer decoded no video from the browser: ${JSON.stringify(feed)}`);
      assert.ok(feed.audio_rms_db_max > SOUND_THRESHOLD_DB,
        `browser audio at hz-test-peer is silent: ${feed.audio_rms_db_max} dB`);

      assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');
      state.callFinished = true;
    } finally {
      await peer.stop();
    }
  }));

  test('browser audio recording has sound', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(state.callFinished, 'the call test failed, so there is no recording to check');
    const relative = `${booking.sessionId}/${booking.doctor.id}-audio.webm`;

    // The relay reports the file as complete once it has finalized it.
    const deadline = Date.now() + 30000;
    for (;;) {
      const recordings = await listRecordings(daemons.schedulerUrl, booking.sessionId, daemons.adminKey);
      const recording = recordings.find((entry) => entry.path === relative);
      if (recording?.status === 'complete')
        break;
      assert.ok(Date.now() < deadline,
        `recording ${relative} not reported complete within 30 s: ${JSON.stringify(recordings)}`);
      await sleep(500);
    }

    const file = join(daemons.recordingsDir, relative);
    assert.ok(existsSync(file), `recording file missing: ${file}`);
    const check = await checkRecording(paths.mediaCheck, file);
    console.log(`# hz-media-check ${relative}: ${JSON.stringify(check)}`);
    assert.ok(check.audio_buffers > 0, `no audio decoded from ${file}: ${JSON.stringify(check)}`);
    assert.ok(check.audio_rms_db_max > SOUND_THRESHOLD_DB,
      `recording ${file} is silent: audio_rms_db_max ${check.audio_rms_db_max} dB`);
  }));

  // The camera permission is denied, the microphone granted: the page joins
  // with audio only and shows a notice. The window is a 360 px wide phone screen,
  // and here the expert leaves before the doctor.
  test('camera denied joins audio only', { timeout: 90000 }, recordFailure(state, async () => {
    const deniedBrowser = await launchChromium(wavPath, { grantAll: false });
    const peer = await startExpertPeer();
    try {
      const context = await deniedBrowser.newContext();
      await context.grantPermissions(['microphone'], { origin: new URL(daemons.schedulerUrl).origin });
      const { page, pageErrors, joined } = await openDoctorPage(context, 'audio-only', { width: 360, height: 740 });
      assert.equal(joined.hasAudio, true, 'microphone opened');
      assert.equal(joined.hasVideo, false, 'camera not opened');
      const notice = page.locator('#media-notice');
      assert.equal(await notice.isVisible(), true, 'audio-only notice shown');
      assert.match(await notice.textContent(), /已以仅音频方式入会/, 'audio-only notice text');
      assert.equal(await page.locator('.tile.local .tile-tag').isVisible(), true, 'local tile tagged audio only');

      await assertExpertVideoPlays(page);
      const screenshot = join(dir, 'join-page-audio-only-360px.png');
      await page.screenshot({ path: screenshot });
      console.log(`# screenshot: ${screenshot}`);

      const doctorId = booking.doctor.id;
      await peer.waitFor((event) => event.event === 'stats' && String(event.from) === doctorId &&
        event.audio_rms_db_max > SOUND_THRESHOLD_DB,
      30000, `stats showing sound from participant ${doctorId}`);
      const feed = await stopPeerAndSummarize(peer);
      assert.equal(feed.video_frames, 0, 'no video from a browser without camera');
      assert.ok(feed.audio_rms_db_max > SOUND_THRESHOLD_DB,
        `browser audio at hz-test-peer is silent: ${feed.audio_rms_db_max} dB`);

      // The expert left first: participant-left removes the tile.
      await pollPage(page, () => window.huizhen.state().remote, null,
        (remote) => !remote.includes(booking.expert.id), 10000, 'the expert tile to go');
      assert.equal(await page.locator('#status').textContent(), `${booking.expert.name} 离开了会诊。`,
        'status after the expert left');
      await leave(page);
      assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');
    } finally {
      await peer.stop();
      await deniedBrowser.close();
    }
  }));

  // A second page of the same doctor replaces the first, which shows why it
  // was disconnected and offers to rejoin.
  test('second join replaces the first', { timeout: 60000 }, recordFailure(state, async () => {
    const first = await openDoctorPage(browser, 'replaced-first');
    const second = await openDoctorPage(browser, 'replaced-second');
    const error = first.page.locator('#error');
    await error.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await error.textContent(), /^您已在另一个窗口或设备上用同一身份加入了这场会诊/, 'message on the replaced page');
    assert.equal(await first.page.locator('#rejoin-button').isVisible(), true, 'rejoin button on the replaced page');
    assert.equal((await second.page.evaluate(() => window.huizhen.state())).phase, 'joined', 'second page still joined');
    await leave(second.page);
    assert.deepEqual(first.pageErrors.map(String), [], 'uncaught errors on the first page');
    assert.deepEqual(second.pageErrors.map(String), [], 'uncaught errors on the second page');
  }));
});
