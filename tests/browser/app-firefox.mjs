// Browser test of the web app in Firefox: the whole consultation story with
// the county doctor in headless Firefox (puppeteer-core over WebDriver
// BiDi). The doctor files the request through the form, the coordinator
// accepts and schedules it in Firefox, and the doctor joins the call from
// the app with the expert in headless Chromium (playwright-core): each
// plays the other's video. The expert signs the opinion in Chromium, and
// the doctor reads it in Firefox, then finds the call's recording in the
// library and plays it. The doctor's Firefox also keeps English across a
// reload, and a doctor of another county gets "not found" for the
// consultation's URL.
//
// Usage: node app-firefox.mjs --scheduler PATH --relay PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { request } from './lib/api.mjs';
import { PASSWORD, createStoryUsers, openRoute, readAppPaths, signIn } from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { findFreePort, startDaemons, stopDaemons } from './lib/daemons.mjs';
import {
  clickNamedFirefox, launchFirefox, openRouteFirefox, pollFirefox, setFieldFirefox, signInFirefox,
} from './lib/firefox.mjs';
import { makeSpeechWav } from './lib/media.mjs';

// Decoded frames by which a playing video must grow within the poll's
// timeout; a stalled stream grows by none.
const FRAMES_GROWTH = 15;

const OPINION = '考虑射血分数保留的心力衰竭。建议呋塞米减量至每日 20 mg，监测体重和电解质，两周后复诊。';

// The wall clock in Asia/Shanghai (UTC+08:00, no daylight saving) as
// {date: YYYY-MM-DD, clock: HH:MM}.
function chinaWallClock(date) {
  const text = new Date(date.getTime() + 8 * 3600 * 1000).toISOString();
  return { date: text.slice(0, 10), clock: text.slice(11, 16) };
}

// The heading of PAGE's current view.
function heading(page) {
  return page.evaluate(() => document.querySelector('#view h1')?.textContent ?? '');
}

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

// Copies the console and uncaught errors of a puppeteer PAGE to LOG_PATH and
// collects the uncaught errors in the returned array.
function recordFirefoxLog(page, logPath) {
  const log = createWriteStream(logPath);
  const errors = [];
  page.on('console', (message) => log.write(`console.${message.type()}: ${message.text()}\n`));
  page.on('pageerror', (error) => {
    errors.push(error);
    log.write(`uncaught: ${error.stack || error.message}\n`);
  });
  return errors;
}

describe('web app in Firefox', { timeout: 400000 }, () => {
  const paths = readAppPaths();
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-firefox-'));
  const state = { failed: false };
  let daemons = null;
  let story = null;
  let firefox = null;
  let chromium = null;
  let baseUrl = null;
  let consultationId = null;
  let doctorPage = null;
  let expertPage = null;
  let callFinished = false;
  let firefoxErrors = [];

  before(recordFailure(state, async () => {
    console.log(`# test directory: ${dir}`);
    const wavPath = await makeSpeechWav(dir);
    daemons = await startDaemons(dir, paths, { relayPort: await findFreePort() });
    baseUrl = daemons.schedulerUrl;
    story = await createStoryUsers(baseUrl, daemons.adminKey);
    firefox = await launchFirefox();
    chromium = await launchChromium(wavPath);
  }));

  after(async () => {
    await expertPage?.context().close().catch(() => {});
    await firefox?.close().catch(() => {});
    await chromium?.close().catch(() => {});
    await stopDaemons(daemons);
    if (state.failed) {
      for (const child of [daemons?.scheduler, daemons?.relay].filter(Boolean))
        console.log(`# last lines of ${child.logPath}:\n${child.logTail(20).replace(/^/gm, '#   ')}`);
    }
    if (state.failed || process.env.HUIZHEN_KEEP_TEST_DIR) {
      console.log(`# logs, database and recordings are kept in ${dir}`);
      return;
    }
    for (const name of ['token.secret', 'huizhen.db', 'huizhen.db-wal', 'huizhen.db-shm',
      'huizhen.conf', 'recordings', 'speech.wav', 'speech-espeak.wav'])
      rmSync(join(dir, name), { recursive: true, force: true });
  });

  test('Firefox doctor files a request', { timeout: 60000 }, recordFailure(state, async () => {
    doctorPage = await firefox.newPage();
    firefoxErrors = recordFirefoxLog(doctorPage, join(dir, 'page-firefox-doctor.log'));
    await doctorPage.setViewport({ width: 1280, height: 900 });
    await signInFirefox(doctorPage, baseUrl, story.users.doctor, PASSWORD);
    assert.equal(await doctorPage.evaluate(() => document.documentElement.lang), 'zh-CN', 'default language');

    await openRouteFirefox(doctorPage, baseUrl, '/consultations/new');
    assert.equal(await heading(doctorPage), '新建会诊申请');
    await setFieldFirefox(doctorPage, 'select[name="target_org_id"]', story.district.id);
    await setFieldFirefox(doctorPage, 'input[name="specialty"]', '心血管内科');
    await setFieldFirefox(doctorPage, 'input[name="patient_ref"]', 'SB-2026-0501');
    await setFieldFirefox(doctorPage, 'input[name="patient_age"]', 66);
    await setFieldFirefox(doctorPage, 'select[name="patient_sex"]', 'female');
    await setFieldFirefox(doctorPage, 'textarea[name="patient_summary"]', '活动后气短一月，双下肢轻度水肿。');
    await setFieldFirefox(doctorPage, 'textarea[name="question"]', '是否需要调整利尿剂？');
    await clickNamedFirefox(doctorPage, '提交申请');

    const url = await pollFirefox(doctorPage, () => location.hash, (hash) => /^#\/consultations\/\d+$/.test(hash),
      20000, 'the new consultation\'s page');
    consultationId = Number(url.match(/(\d+)$/)[1]);
    await pollFirefox(doctorPage, () => document.querySelector('#view h1')?.textContent ?? '',
      (text) => text === `会诊 ${consultationId} · 心血管内科`, 15000, 'the consultation\'s heading');
    assert.equal(await doctorPage.evaluate(() => document.querySelector('.details .badge').textContent), '待受理',
      'status after filing');
  }));

  test('Firefox coordinator accepts and schedules', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(consultationId, 'the request test failed, so there is no consultation');
    const context = await firefox.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await signInFirefox(page, baseUrl, story.users.coordinator, PASSWORD);
    await openRouteFirefox(page, baseUrl, '/queue');
    await clickNamedFirefox(page, `受理 ${consultationId} 号会诊`);
    await clickNamedFirefox(page, `为 ${consultationId} 号会诊安排时间`);
    await pollFirefox(page, () => Boolean(document.querySelector('select[name="manual_expert_id"]')),
      (ready) => ready === true, 15000, 'the scheduling page');

    // The call must start now, which a time entered by hand allows.
    const now = chinaWallClock(new Date());
    await setFieldFirefox(page, 'select[name="manual_expert_id"]', story.users.expert.id);
    await setFieldFirefox(page, 'input[name="manual_date"]', now.date);
    await setFieldFirefox(page, 'input[name="manual_time"]', now.clock);
    await clickNamedFirefox(page, '使用此时间');
    // Booked with recording, so that the library test below has a file.
    await pollFirefox(page, () => {
      const label = [...document.querySelectorAll('label')].find(
        (element) => element.textContent.includes('录像：参会各方已同意录制本次会诊'));
      const box = label?.querySelector('input[type="checkbox"]');
      if (!box)
        return false;
      if (!box.checked)
        box.click();
      return box.checked;
    }, (checked) => checked === true, 10000, 'the recording box to be checked');
    await clickNamedFirefox(page, '确认安排');
    await pollFirefox(page, () => document.querySelector('.details .badge')?.textContent ?? '',
      (text) => text === '已排期', 20000, 'the status 已排期');

    const consultation = await request(baseUrl, 'GET', `/consultations/${consultationId}`,
      story.users.coordinator.key, undefined, 200);
    assert.equal(consultation.expert_id, story.users.expert.id, 'expert booked');
    await context.close();
  }));

  test('Firefox and Chromium see each other', { timeout: 120000 }, recordFailure(state, async () => {
    assert.ok(doctorPage, 'the request test failed');
    const doctorId = String(story.users.doctor.id);
    const expertId = String(story.users.expert.id);

    await openRouteFirefox(doctorPage, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await doctorPage.evaluate(() => document.querySelector('.details .badge').textContent), '已排期',
      'status the doctor sees after scheduling');
    assert.match(await doctorPage.evaluate(() => document.querySelector('.details').textContent),
      /北京时间/, 'times named in Beijing time');
    await doctorPage.locator('button.call-button').click();
    await pollFirefox(doctorPage, () => window.huizhen?.state()?.phase, (phase) => phase === 'joined',
      30000, 'Firefox to join');

    const context = await chromium.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    expertPage = await context.newPage();
    const chromiumErrors = recordPageLog(expertPage, join(dir, 'page-chromium-expert.log'));
    await signIn(expertPage, baseUrl, story.users.expert);
    await keepLoopbackCandidates(expertPage, daemons.relayUrl, { fromPage: 0, fromRelay: 0 },
      join(dir, 'websocket-chromium-expert.log'));
    await openRoute(expertPage, baseUrl, `/consultations/${consultationId}`);
    await expertPage.getByRole('button', { name: '进入视频会诊' }).click();
    await expertPage.waitForURL(/\/join\.html/, { timeout: 10000 });
    await pollPage(expertPage, () => window.huizhen?.state()?.phase, null, (phase) => phase === 'joined',
      20000, 'Chromium to join');

    // Each side plays the other's video, and its decoded frames grow.
    const firstInChromium = await pollPage(expertPage, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[doctorId]?.playing && stats[doctorId].framesDecoded > 0, 30000,
      'Chromium to play Firefox\'s video');
    const firstInFirefox = await pollFirefox(doctorPage, () => window.huizhen.remoteVideoStats(),
      (stats) => stats?.[expertId]?.playing && stats[expertId].framesDecoded > 0, 30000,
      'Firefox to play Chromium\'s video');
    await pollPage(expertPage, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[doctorId]?.framesDecoded >= firstInChromium[doctorId].framesDecoded + FRAMES_GROWTH,
      15000, 'Chromium\'s frames of Firefox\'s video to grow');
    await pollFirefox(doctorPage, () => window.huizhen.remoteVideoStats(),
      (stats) => stats?.[expertId]?.framesDecoded >= firstInFirefox[expertId].framesDecoded + FRAMES_GROWTH,
      15000, 'Firefox\'s frames of Chromium\'s video to grow');

    // Firefox's getStats() feeds the connection-quality indicator too.
    const quality = await pollFirefox(doctorPage, () => window.huizhen.quality(),
      (value) => value && value.outboundKbps > 50 && value.inboundKbps > 50 && value.rttMs !== null,
      15000, 'Firefox\'s quality indicator to show bitrates and a round-trip time');
    console.log(`# quality indicator in Firefox: ${JSON.stringify(quality)}`);
    assert.equal(quality.level, 'good', 'level on loopback in Firefox');
    assert.equal(await doctorPage.evaluate(() => document.getElementById('call-quality-level').textContent),
      '连接质量：良好', 'level in words in Firefox');

    // A few seconds of recording, then both leave.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const leave of [() => doctorPage.evaluate(() => window.huizhen.leave()),
      () => expertPage.evaluate(() => window.huizhen.leave())])
      await leave();
    callFinished = true;
    assert.deepEqual(chromiumErrors.map(String), [], 'uncaught errors in Chromium');
  }));

  test('Chromium expert signs, Firefox doctor reads it', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(callFinished, 'the call test failed, so the opinion cannot be signed');
    await openRoute(expertPage, baseUrl, `/consultations/${consultationId}`);
    await expertPage.locator('textarea[name="opinion"]').fill(OPINION);
    await expertPage.getByRole('button', { name: '保存草稿' }).click();
    await expertPage.locator('.opinion-form .message', { hasText: '草稿已保存。' }).waitFor({ timeout: 20000 });
    await expertPage.getByRole('button', { name: '签署意见' }).click();
    await expertPage.getByRole('button', { name: '确认签署' }).click();
    await expertPage.locator('.signed-opinion').waitFor({ timeout: 20000 });

    await openRouteFirefox(doctorPage, baseUrl, `/consultations/${consultationId}`);
    const text = await pollFirefox(doctorPage,
      () => document.querySelector('.signed-opinion .opinion-text')?.textContent ?? null,
      (value) => value !== null, 15000, 'the signed opinion');
    assert.equal(text, OPINION, 'opinion text in Firefox');
    assert.equal(await doctorPage.evaluate(() => document.querySelector('.details .badge').textContent), '已完成',
      'status after signing');
  }));

  test('Firefox doctor plays the recording', { timeout: 90000 }, recordFailure(state, async () => {
    assert.ok(callFinished, 'the call test failed, so there is no recording');
    const deadline = Date.now() + 30000;
    let recordingId = null;
    while (recordingId === null) {
      await openRouteFirefox(doctorPage, baseUrl, '/recordings');
      recordingId = await doctorPage.evaluate((sessionItems) => {
        const group = document.querySelector(sessionItems);
        if (!group || group.querySelectorAll('.rec-complete').length < 2)
          return null;
        const video = [...group.querySelectorAll('li.recording')].find(
          (item) => item.textContent.includes('视频'));
        return video ? video.getAttribute('data-recording-id') : null;
      }, 'li.recording-group');
      assert.ok(recordingId !== null || Date.now() < deadline,
        'the call\'s recordings are not listed as complete within 30 s');
      if (recordingId === null)
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.match(await doctorPage.evaluate(() => document.querySelector('li.recording-group').textContent),
      /音频/, 'an audio track listed');

    await clickNamedFirefox(doctorPage, `播放录像 ${recordingId}`);
    const player = await pollFirefox(doctorPage, (id) => {
      const media = document.querySelector(`.recording-player video[data-recording-id="${id}"]`);
      if (!media)
        return null;
      return { currentTime: media.currentTime, videoWidth: media.videoWidth,
        error: media.error ? media.error.code : null };
    }, (value) => value !== null && (value.error !== null || value.currentTime > 1), 20000,
    `recording ${recordingId} to play for more than a second`, recordingId);
    assert.equal(player.error, null, `media error of recording ${recordingId} in Firefox`);
    assert.ok(player.videoWidth > 0, `video width ${player.videoWidth}`);
  }));

  test('Firefox keeps English on reload', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(doctorPage, 'the request test failed');
    await openRouteFirefox(doctorPage, baseUrl, `/consultations/${consultationId}`);
    await doctorPage.locator('#lang-switch').click();
    assert.equal(await doctorPage.evaluate(() => document.documentElement.lang), 'en', 'lang after the switch');
    await doctorPage.reload();
    await pollFirefox(doctorPage, () => document.querySelector('#view h1')?.textContent ?? '',
      (text) => text === `Consultation ${consultationId} · 心血管内科`, 15000, 'the English heading');
    assert.equal(await doctorPage.evaluate(() => document.documentElement.lang), 'en', 'lang after a reload');
    await doctorPage.locator('#lang-switch').click();
    assert.deepEqual(firefoxErrors.map(String), [], 'uncaught errors in Firefox');
  }));

  test('Firefox: other county gets not found', { timeout: 60000 }, recordFailure(state, async () => {
    const context = await firefox.createBrowserContext();
    const page = await context.newPage();
    await signInFirefox(page, baseUrl, story.users.otherDoctor, PASSWORD);
    await openRouteFirefox(page, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await page.evaluate(() => document.querySelector('#view h1').textContent), '未找到');
    assert.doesNotMatch(await page.evaluate(() => document.getElementById('view').textContent),
      /SB-2026-0501|气短|水肿/, 'no detail of the consultation leaks');
    await context.close();
  }));
});
