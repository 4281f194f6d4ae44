// Browser test of the web app in Firefox: a county doctor in headless
// Firefox (puppeteer-core over WebDriver BiDi) and the expert in headless
// Chromium (playwright-core) hold a consultation from the app's pages, and
// each plays the other's video. The doctor's Firefox also keeps English
// across a reload, and a doctor of another county gets "not found" for
// the consultation's URL.
//
// Usage: node app-firefox.mjs --scheduler PATH --relay PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { request } from './lib/api.mjs';
import {
  PASSWORD, createStoryUsers, formatChinaTime, openRoute, scheduleConsultation, signIn,
} from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { findFreePort, startDaemons, stopDaemons } from './lib/daemons.mjs';
import { launchFirefox, openRouteFirefox, pollFirefox, signInFirefox } from './lib/firefox.mjs';
import { makeSpeechWav } from './lib/media.mjs';

function readPaths() {
  const { values } = parseArgs({
    options: {
      scheduler: { type: 'string' },
      relay: { type: 'string' },
      'web-root': { type: 'string' },
    },
  });
  const build = process.env.HUIZHEN_BUILD_ROOT ?? '';
  const source = process.env.HUIZHEN_SOURCE_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
  const paths = {
    scheduler: values.scheduler ?? join(build, 'scheduler', 'huizhen-scheduler'),
    relay: values.relay ?? join(build, 'relay', 'huizhen-relay'),
    webRoot: values['web-root'] ?? join(source, 'web'),
  };
  for (const [name, path] of Object.entries(paths))
    assert.ok(existsSync(path), `${name} not found at ${path}; build it or pass its path`);
  return paths;
}

// Decoded frames by which a playing video must grow within the poll's
// timeout; a stalled stream grows by none.
const FRAMES_GROWTH = 15;

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

describe('web app in Firefox', { timeout: 240000 }, () => {
  const paths = readPaths();
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-firefox-'));
  const state = { failed: false };
  let daemons = null;
  let story = null;
  let firefox = null;
  let chromium = null;
  let baseUrl = null;
  let consultationId = null;
  let doctorPage = null;
  let firefoxErrors = [];

  before(recordFailure(state, async () => {
    console.log(`# test directory: ${dir}`);
    const wavPath = await makeSpeechWav(dir);
    daemons = await startDaemons(dir, paths, { relayPort: await findFreePort() });
    baseUrl = daemons.schedulerUrl;
    story = await createStoryUsers(baseUrl, daemons.adminKey);

    const { doctor, coordinator, expert } = story.users;
    const created = await request(baseUrl, 'POST', '/consultations', doctor.key, {
      specialty: '心血管内科', target_org_id: story.district.id,
      patient: { ref: 'SB-2026-0501', age: 66, sex: 'female', summary: '活动后气短一月' },
      question: '是否需要调整利尿剂？',
    }, 201);
    consultationId = created.id;
    const start = new Date(Math.floor(Date.now() / 60000) * 60000);
    await scheduleConsultation(baseUrl, coordinator.key, consultationId, {
      expert_id: expert.id, start: formatChinaTime(start),
      end: formatChinaTime(new Date(start.getTime() + 30 * 60000)) });

    firefox = await launchFirefox();
    chromium = await launchChromium(wavPath);
  }));

  after(async () => {
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

  test('Firefox doctor logs in', { timeout: 60000 }, recordFailure(state, async () => {
    doctorPage = await firefox.newPage();
    firefoxErrors = recordFirefoxLog(doctorPage, join(dir, 'page-firefox-doctor.log'));
    await doctorPage.setViewport({ width: 1280, height: 900 });
    await signInFirefox(doctorPage, baseUrl, story.users.doctor, PASSWORD);
    assert.equal(await doctorPage.evaluate(() => document.documentElement.lang), 'zh-CN', 'default language');
    await openRouteFirefox(doctorPage, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await doctorPage.evaluate(() => document.querySelector('h1').textContent),
      `会诊 ${consultationId} · 心血管内科`);
    assert.match(await doctorPage.evaluate(() => document.querySelector('.details').textContent),
      /北京时间/, 'times named in Beijing time');
  }));

  test('Firefox and Chromium see each other', { timeout: 120000 }, recordFailure(state, async () => {
    assert.ok(doctorPage, 'the login test failed');
    const doctorId = String(story.users.doctor.id);
    const expertId = String(story.users.expert.id);

    await doctorPage.locator('button.call-button').click();
    await pollFirefox(doctorPage, () => window.huizhen?.state()?.phase, (phase) => phase === 'joined',
      30000, 'Firefox to join');

    const context = await chromium.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const expertPage = await context.newPage();
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

    for (const leave of [() => doctorPage.evaluate(() => window.huizhen.leave()),
      () => expertPage.evaluate(() => window.huizhen.leave())])
      await leave();
    assert.deepEqual(chromiumErrors.map(String), [], 'uncaught errors in Chromium');
    await context.close();
  }));

  test('Firefox keeps English on reload', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(doctorPage, 'the login test failed');
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
      /SB-2026-0501|气短/, 'no detail of the consultation leaks');
    await context.close();
  }));
});
