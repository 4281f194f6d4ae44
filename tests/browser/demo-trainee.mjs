// Browser test of the demo dataset's trainee: huizhen-scheduler --demo on
// loopback, and the trainee puwenjing in headless Chromium, who logs in
// with the demo password, registers for the demo's teaching round and
// tries to join it before its window opens.
//
// Usage: node demo-trainee.mjs --scheduler PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { openRoute, readAppPaths, signIn } from './lib/app.mjs';
import { launchChromium, recordPageLog } from './lib/browser.mjs';
import { makeSpeechWav } from './lib/media.mjs';
import { Child } from './lib/processes.mjs';

// The password of every demo user (scheduler/demo.c).
const DEMO_PASSWORD = 'huizhen-demo';
const TRAINEE = { login: 'puwenjing', name: '普文静' };
const ROUND_TITLE = '急性缺血性脑卒中的早期识别与溶栓评估';
// A join token is valid from this long before the start (docs/api.md).
const TOKEN_EARLY_MS = 15 * 60 * 1000;

// "HH:MM" of DATE in Beijing time (UTC+08:00, no daylight saving).
function beijingClock(date) {
  return new Date(date.getTime() + 8 * 3600000).toISOString().slice(11, 16);
}

describe('demo trainee', { timeout: 120000 }, () => {
  const paths = readAppPaths(['scheduler', 'webRoot']);
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-demo-trainee-'));
  let scheduler = null;
  let baseUrl = null;
  let browser = null;
  let page = null;
  let pageErrors = [];

  before(async () => {
    const configPath = join(dir, 'huizhen.conf');
    writeFileSync(configPath, [
      '[scheduler]',
      'listen = 127.0.0.1:0',
      `database = ${join(dir, 'huizhen.db')}`,
      `web-root = ${paths.webRoot}`,
      `token-secret-file = ${join(dir, 'token.secret')}`,
      `recordings-dir = ${join(dir, 'recordings')}`,
      '',
    ].join('\n'));
    // --demo prints every demo user's API key, so its output goes nowhere.
    scheduler = new Child('huizhen-scheduler', paths.scheduler, ['--config', configPath, '--demo'], '/dev/null');
    const prefix = 'huizhen-scheduler: listening on ';
    baseUrl = await scheduler.waitForLine(
      (line) => (line.startsWith(prefix) ? line.slice(prefix.length).trim() : undefined),
      15000, `its "${prefix}URL" line`);
    browser = await launchChromium(await makeSpeechWav(dir, 1));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    pageErrors = recordPageLog(page, join(dir, 'page-trainee.log'));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await scheduler?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('trainee registers for demo round', { timeout: 60000 }, async () => {
    await signIn(page, baseUrl, TRAINEE, DEMO_PASSWORD);
    assert.match(page.url(), /#\/teaching$/, 'a trainee starts at the teaching rounds');
    const navigation = await page.locator('nav a').allTextContents();
    assert.ok(navigation.includes('教学查房'), `navigation: ${navigation}`);
    assert.ok(navigation.includes('录像资料'), `navigation: ${navigation}`);

    const card = page.locator('.teaching-card').filter({ hasText: ROUND_TITLE });
    assert.equal(await card.count(), 1, 'the demo round listed');
    assert.match(await card.textContent(), /主讲：林雪梅/, 'presenter named');
    assert.match(await card.textContent(), /教学查房/, 'kind shown');
    assert.equal(await card.locator('.occurrences li').count(), 4, 'four weekly occurrences');

    await card.getByRole('button', { name: `报名“${ROUND_TITLE}”` }).click();
    await card.locator('.registration.registered').waitFor({ timeout: 10000 });
    assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');
  });

  test('early join names opening time', { timeout: 30000 }, async () => {
    const card = page.locator('.teaching-card').filter({ hasText: ROUND_TITLE });
    const rounds = await page.evaluate(async () =>
      (await (await fetch('/api/v1/teaching-sessions')).json()).teaching_sessions);
    const firstStart = new Date(rounds[0].occurrences[0].start);
    assert.ok(firstStart.getTime() - Date.now() > TOKEN_EARLY_MS,
      `the first occurrence starts more than 15 minutes from now: ${rounds[0].occurrences[0].start}`);

    // The join button shows within the hour before the start, and the
    // token opens 15 minutes before it.
    await card.locator('.occurrences li').first().getByRole('button').click();
    const message = card.locator('.occurrences li').first().locator('.message');
    await message.waitFor({ state: 'visible', timeout: 10000 });
    const text = await message.textContent();
    assert.match(text, /北京时间/, `message names Beijing time: ${text}`);
    const opens = beijingClock(new Date(firstStart.getTime() - TOKEN_EARLY_MS));
    assert.match(text, new RegExp(opens), `message names the opening time ${opens}: ${text}`);
    assert.match(page.url(), /#\/teaching$/, 'the page stays in the app');
  });

  test('trainee library starts empty', { timeout: 30000 }, async () => {
    await openRoute(page, baseUrl, '/recordings');
    assert.equal(await page.locator('.empty').textContent(), '暂无您可以查看的录像。', 'empty library');
    assert.deepEqual(pageErrors.map(String), [], 'uncaught page errors');
  });
});
