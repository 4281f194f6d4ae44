// Browser test of the recordings library page against the real daemons:
// a doctor and an expert call each other in headless Chromium with
// recording booked, then the expert plays a recording in the library and
// shares it with the county hospital's trainees, the doctor plays one on
// the consultation's page, and the trainee, who sees only the shared
// recording, plays it too.
//
// Usage: node recordings-library.mjs --scheduler PATH --relay PATH
//          [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { listRecordings, request, requestJoinToken } from './lib/api.mjs';
import {
  createStoryUsers, formatChinaTime, openRoute, readAppPaths, scheduleConsultation, signIn,
} from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { startDaemonsWithRelayPort, stopDaemons } from './lib/daemons.mjs';
import { makeSpeechWav } from './lib/media.mjs';

// Seconds of the call, which is what the recordings hold.
const CALL_SECONDS = 6;

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

// Plays the recording ID on PAGE, which shows the library, and resolves
// to the player's state once it has played more than a second.
async function playRecording(page, id) {
  await page.getByRole('button', { name: `播放录像 ${id}` }).click();
  return pollPage(page, (recordingId) => {
    const media = document.querySelector(`.recording-player [data-recording-id="${recordingId}"]`);
    if (!media)
      return null;
    return {
      tag: media.tagName.toLowerCase(),
      currentTime: media.currentTime,
      readyState: media.readyState,
      videoWidth: media.videoWidth ?? 0,
      error: media.error ? media.error.code : null,
    };
  }, id, (player) => player?.error !== null || player?.currentTime > 1, 20000,
  `recording ${id} to play for more than a second`);
}

describe('recordings library', { timeout: 230000 }, () => {
  const paths = readAppPaths();
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-library-'));
  const state = { failed: false };
  let daemons = null;
  let browser = null;
  let story = null;
  let sessionId = null;
  let consultationId = null;
  let recordings = [];

  before(recordFailure(state, async () => {
    console.log(`# test directory: ${dir}`);
    const wav = await makeSpeechWav(dir);
    daemons = await startDaemonsWithRelayPort(dir, paths);
    story = await createStoryUsers(daemons.schedulerUrl, daemons.adminKey);
    browser = await launchChromium(wav);
  }));

  after(async () => {
    await browser?.close().catch(() => {});
    await stopDaemons(daemons);
    if (state.failed) {
      for (const child of [daemons?.scheduler, daemons?.relay].filter(Boolean))
        console.log(`# last lines of ${child.logPath}:\n${child.logTail(20).replace(/^/gm, '#   ')}`);
    }
    if (state.failed || process.env.HUIZHEN_KEEP_TEST_DIR) {
      console.log(`# logs, database and recordings are kept in ${dir}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // Opens a page of its own browser context for USER_KEY, signed in.
  async function signedInPage(userKey) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    recordPageLog(page, join(dir, `page-${userKey}.log`));
    await signIn(page, daemons.schedulerUrl, story.users[userKey]);
    return page;
  }

  test('recorded call lands in library', { timeout: 90000 }, recordFailure(state, async () => {
    const baseUrl = daemons.schedulerUrl;
    const { doctor, expert, coordinator } = story.users;
    const consultation = await request(baseUrl, 'POST', '/consultations', doctor.key, {
      specialty: '心血管内科',
      patient: { ref: 'LIB-0001', age: 58, sex: 'male', summary: '活动后胸闷两周' },
      question: '是否需要冠状动脉造影？',
    }, 201);
    const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    const end = new Date(start.getTime() + 30 * 60 * 1000);
    const scheduled = await scheduleConsultation(baseUrl, coordinator.key, consultation.id, {
      expert_id: expert.id, start: formatChinaTime(start), end: formatChinaTime(end), recording: true,
    });
    sessionId = scheduled.session_id;
    consultationId = consultation.id;
    assert.ok(sessionId, `scheduling returned no session_id: ${JSON.stringify(scheduled)}`);

    // Both join from their join links and stay for CALL_SECONDS.
    const pages = [];
    for (const user of [doctor, expert]) {
      const joinToken = await requestJoinToken(baseUrl, sessionId, user.key);
      const context = await browser.newContext();
      const page = await context.newPage();
      recordPageLog(page, join(dir, `call-${user.login}.log`));
      await keepLoopbackCandidates(page, daemons.relayUrl, { fromPage: 0, fromRelay: 0 },
        join(dir, `websocket-${user.login}.log`));
      await page.goto(joinToken.join_url, { timeout: 15000 });
      await pollPage(page, () => window.huizhen?.state(), null, (value) => value?.phase === 'joined',
        20000, `${user.login} to join`);
      pages.push(page);
    }
    const expertId = String(expert.id);
    await pollPage(pages[0], () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[expertId]?.framesDecoded > 0, 30000, 'the expert\'s video at the doctor');
    await sleep(CALL_SECONDS * 1000);
    for (const page of pages) {
      await page.locator('#leave-button').click();
      await page.context().close();
    }

    // The relay reports each file complete once it has finalized it.
    const deadline = Date.now() + 30000;
    for (;;) {
      recordings = await listRecordings(baseUrl, sessionId, expert.key);
      const complete = recordings.filter((recording) => recording.status === 'complete');
      if (complete.length >= 4 && complete.length === recordings.length)
        break;
      assert.ok(Date.now() < deadline, `recordings not all complete within 30 s: ${JSON.stringify(recordings)}`);
      await sleep(500);
    }
    assert.equal(recordings.filter((recording) => recording.kind === 'video').length, 2, 'video recordings');
  }));

  test('expert plays and shares one', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(recordings.length, 'the call test recorded nothing');
    const page = await signedInPage('expert');
    await openRoute(page, daemons.schedulerUrl, '/recordings');
    const card = page.locator(`.recording-group[data-session-id="${sessionId}"]`);
    assert.equal(await card.locator('li.recording').count(), recordings.length, 'recordings listed');
    assert.equal(await card.locator('.card-title').textContent(), `场次 ${sessionId}`, 'card title');
    assert.match(await card.textContent(), new RegExp(`会诊专家：${story.users.expert.name}`), 'expert named');
    const doctorItems = card.locator('li.recording', { hasText: story.users.doctor.name });
    assert.equal(await doctorItems.count(), 2, 'the doctor\'s two tracks named by the doctor\'s name');
    assert.doesNotMatch(await card.textContent(), /参会人 \d/, 'no track labelled by participant number');

    const video = recordings.find((recording) => recording.kind === 'video' &&
      recording.participant_id === String(story.users.doctor.id));
    const player = await playRecording(page, video.id);
    assert.equal(player.error, null, `media error of recording ${video.id}`);
    assert.equal(player.tag, 'video', 'a video track plays in <video>');
    assert.ok(player.videoWidth > 0, `video width ${player.videoWidth}`);
    assert.ok(player.readyState >= 2, `readyState ${player.readyState}`);

    // The browser seeks with byte ranges, so the file endpoint must serve them.
    const partial = await page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/recordings/${id}/file`, { headers: { Range: 'bytes=0-99' } });
      return { status: response.status, length: (await response.arrayBuffer()).byteLength };
    }, video.id);
    assert.deepEqual(partial, { status: 206, length: 100 }, 'a byte range of the file');

    // Share it with the trainees of the county hospital.
    const item = card.locator(`li.recording[data-recording-id="${video.id}"]`);
    await item.locator('select[name="org_id"]').selectOption(String(story.county.id));
    await item.getByRole('button', { name: `把录像 ${video.id} 共享给所选机构的学员` }).click();
    await item.locator('.shared-orgs li').waitFor({ timeout: 10000 });
    assert.match(await item.locator('.shared-orgs').textContent(), new RegExp(story.county.name),
      'county listed as shared');
    const stored = await request(daemons.schedulerUrl, 'GET', `/recordings/${video.id}`, story.users.expert.key,
      undefined, 200);
    assert.deepEqual(stored.shared_with_org_ids, [story.county.id], 'share stored');
    await page.context().close();
  }));

  test('doctor plays on consultation page', { timeout: 60000 }, recordFailure(state, async () => {
    const own = recordings.find((recording) => recording.kind === 'video' &&
      recording.participant_id === String(story.users.expert.id));
    assert.ok(own, 'the call test recorded no video of the expert');
    const page = await signedInPage('doctor');
    await openRoute(page, daemons.schedulerUrl, `/consultations/${consultationId}`);
    const panel = page.locator('.recordings-panel');
    await panel.waitFor({ timeout: 10000 });
    assert.equal(await panel.locator('li.recording').count(), recordings.length, 'recordings on the page');
    assert.equal(await panel.locator('.recording-share').count(), 0, 'no share controls for the doctor');
    const player = await playRecording(page, own.id);
    assert.equal(player.error, null, `media error of recording ${own.id}`);
    assert.ok(player.videoWidth > 0, `video width ${player.videoWidth}`);
    await page.context().close();
  }));

  test('trainee plays the shared one', { timeout: 60000 }, recordFailure(state, async () => {
    const shared = recordings.find((recording) => recording.kind === 'video' &&
      recording.participant_id === String(story.users.doctor.id));
    assert.ok(shared, 'the call test recorded no video of the doctor');
    const page = await signedInPage('trainee');
    await openRoute(page, daemons.schedulerUrl, '/recordings');
    assert.equal(await page.locator('li.recording').count(), 1, 'only the shared recording listed');
    assert.equal(await page.locator('li.recording').getAttribute('data-recording-id'), String(shared.id),
      'the shared recording');
    assert.equal(await page.locator('.recording-share').count(), 0, 'no share controls for a trainee');

    const player = await playRecording(page, shared.id);
    assert.equal(player.error, null, `media error of recording ${shared.id}`);
    assert.ok(player.videoWidth > 0, `video width ${player.videoWidth}`);

    // An unshared recording stays closed to the trainee, file included.
    const other = recordings.find((recording) => recording.id !== shared.id);
    const status = await page.evaluate(async (id) =>
      (await fetch(`/api/v1/recordings/${id}/file`, { headers: { Range: 'bytes=0-9' } })).status, other.id);
    assert.equal(status, 403, `file of unshared recording ${other.id}`);
    await page.context().close();
  }));
});
