// Browser test of the web app (web/index.html) against the real scheduler
// and relay: the whole consultation story in headless Chromium, each user
// in their own browser context with their own session cookie.
//
// A county doctor files an urgent request with a preferred time through
// the form, and a doctor of another county cannot open it by its URL. The
// queue marks it urgent for the coordinator, who accepts it,
// finds free times and schedules it. Joining another consultation before
// its window shows the opening time in Beijing time. Doctor and expert
// join the call from the app and each plays the other's video. The expert
// signs the opinion, the doctor reads it, and the recording appears in the
// library. The coordinator reschedules and cancels another consultation. A
// trainee registers for a teaching round and a doctor lands on its
// waitlist. The expert edits working hours and leave, and an admin adds a
// hospital, pairs the district hospital with the county one, and adds a
// user, who can log in. English survives a reload, and the
// main pages fit a 360 px screen with a name on every control.
//
// Usage: node app-story.mjs --scheduler PATH --relay PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { request } from './lib/api.mjs';
import {
  PASSWORD, createStoryUsers, formatChinaTime, horizontalOverflow, openRoute, readAppPaths, scheduleConsultation,
  signIn, unnamedControls, waitForView,
} from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { findFreePort, startDaemons, stopDaemons } from './lib/daemons.mjs';
import { makeSpeechWav } from './lib/media.mjs';

// Decoded frames by which a playing video must grow within the poll's
// timeout; a stalled stream grows by none.
const FRAMES_GROWTH = 15;

const OPINION = '考虑不稳定型心绞痛。建议双联抗血小板、他汀强化治疗，两周内转上级医院行冠状动脉造影。';

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

// The wall clock in Asia/Shanghai (UTC+08:00, no daylight saving) as
// {date: YYYY-MM-DD, clock: HH:MM, month, day}.
function chinaWallClock(date) {
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
  const text = shifted.toISOString();
  return { date: text.slice(0, 10), clock: text.slice(11, 16),
    month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

describe('web app story', { timeout: 300000 }, () => {
  const paths = readAppPaths();
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-app-'));
  const state = { failed: false };
  const pageErrors = [];
  let daemons = null;
  let story = null;
  let browser = null;
  let baseUrl = null;
  const pages = {};
  // Filled in as the story goes on.
  let consultationId = null;
  let sessionId = null;
  let callFinished = false;
  let laterId = null;

  // A browser context and page for USER_KEY of story.users, logged in.
  async function pageFor(userKey, viewport = { width: 1280, height: 900 }) {
    // Chinese, as the hospitals' browsers are; it sets the format of date inputs.
    const context = await browser.newContext({ viewport, locale: 'zh-CN' });
    const page = await context.newPage();
    pageErrors.push(recordPageLog(page, join(dir, `page-${userKey}.log`)));
    await signIn(page, baseUrl, story.users[userKey]);
    pages[userKey] = page;
    return page;
  }

  before(recordFailure(state, async () => {
    console.log(`# test directory: ${dir}`);
    const wavPath = await makeSpeechWav(dir);
    daemons = await startDaemons(dir, paths, { relayPort: await findFreePort() });
    baseUrl = daemons.schedulerUrl;
    story = await createStoryUsers(baseUrl, daemons.adminKey);
    browser = await launchChromium(wavPath);
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
    for (const name of ['token.secret', 'huizhen.db', 'huizhen.db-wal', 'huizhen.db-shm',
      'huizhen.conf', 'recordings', 'speech.wav', 'speech-espeak.wav'])
      rmSync(join(dir, name), { recursive: true, force: true });
  });

  test('doctor files a request', { timeout: 60000 }, recordFailure(state, async () => {
    const page = await pageFor('doctor');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'default language');
    assert.match(page.url(), /#\/consultations$/, 'a doctor starts at their requests');

    await openRoute(page, baseUrl, '/consultations/new');
    assert.equal(await page.locator('h1').textContent(), '新建会诊申请');
    await page.locator('select[name="target_org_id"]').selectOption(String(story.district.id));
    await page.locator('input[name="specialty"]').fill('心血管内科');
    await page.locator('input[name="patient_ref"]').fill('SB-2026-0042');
    await page.locator('input[name="patient_age"]').fill('61');
    await page.locator('select[name="patient_sex"]').selectOption('male');
    await page.locator('textarea[name="patient_summary"]').fill('胸闷三天，活动后加重，心电图示 V4–V6 导联 ST 段压低。');
    await page.locator('textarea[name="question"]').fill('是否考虑不稳定型心绞痛？是否需要转院行冠状动脉造影？');
    await page.locator('select[name="urgency"]').selectOption('urgent');
    const tomorrow = chinaWallClock(new Date(Date.now() + 86400000));
    await page.locator('input[name="preferred_date_1"]').fill(tomorrow.date);
    await page.locator('input[name="preferred_from_1"]').fill('09:00');
    await page.locator('input[name="preferred_to_1"]').fill('11:00');
    assert.deepEqual(await unnamedControls(page), [], 'controls without a name on the request form');
    await page.getByRole('button', { name: '提交申请' }).click();

    await page.waitForURL(/#\/consultations\/\d+$/, { timeout: 20000 });
    await waitForView(page);
    consultationId = Number(page.url().match(/#\/consultations\/(\d+)$/)[1]);
    assert.equal(await page.locator('h1').textContent(), `会诊 ${consultationId} · 心血管内科`);
    assert.equal(await page.locator('.details .badge').textContent(), '待受理', 'status after filing');
    assert.match(await page.locator('.consultation-page').textContent(), /SB-2026-0042/, 'record number shown');
    assert.equal(await page.locator('.details .urgency').textContent(), '加急', 'urgency shown');
    assert.match(await page.locator('.details .preferred-times').textContent(),
      new RegExp(`${tomorrow.month}月${tomorrow.day}日.*09:00.*11:00`), 'preferred time shown');
    const stored = await request(baseUrl, 'GET', `/consultations/${consultationId}`, story.users.doctor.key,
      undefined, 200);
    assert.deepEqual(stored.preferred_times, [{ start: `${tomorrow.date}T09:00:00+08:00`,
      end: `${tomorrow.date}T11:00:00+08:00` }], 'preferred time stored in Beijing time');
  }));

  test('other county cannot open it', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(consultationId, 'the request test failed, so there is no consultation');
    const page = await pageFor('otherDoctor');
    await openRoute(page, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await page.locator('h1').textContent(), '未找到', 'heading for a consultation of another county');
    const text = await page.locator('#view').textContent();
    assert.doesNotMatch(text, /SB-2026-0042|胸闷三天|心血管内科/, 'no detail of the consultation leaks');

    await openRoute(page, baseUrl, '/consultations');
    assert.equal(await page.locator(`a[href="#/consultations/${consultationId}"]`).count(), 0,
      'the request is not in the other doctor\'s list');

    // The API gives the same 404 as for a number that does not exist.
    const status = await page.evaluate(async (id) => (await fetch(`/api/v1/consultations/${id}`)).status,
      consultationId);
    assert.equal(status, 404, 'API status for the other county\'s consultation');
  }));

  test('coordinator accepts and schedules', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(consultationId, 'the request test failed, so there is no consultation');
    const page = await pageFor('coordinator');
    assert.match(page.url(), /#\/queue$/, 'a coordinator starts at the queue');
    const requested = page.locator('section[data-status="requested"]');
    await requested.locator(`a[href="#/consultations/${consultationId}"]`).waitFor({ timeout: 20000 });
    const card = requested.locator('li.consultation-card', { has: page.locator(`a[href="#/consultations/${consultationId}"]`) });
    assert.equal(await card.locator('.badge.urgency-urgent').textContent(), '加急', 'urgency on the queue card');
    assert.deepEqual(await unnamedControls(page), [], 'controls without a name on the queue');

    await page.getByRole('button', { name: `受理 ${consultationId} 号会诊` }).click();
    const accepted = page.locator('section[data-status="accepted"]');
    await accepted.locator(`a[href="#/consultations/${consultationId}"]`).waitFor({ timeout: 20000 });
    await page.getByRole('link', { name: `为 ${consultationId} 号会诊安排时间` }).click();
    await page.waitForURL(/\/schedule$/, { timeout: 20000 });
    await waitForView(page);

    // The slot search offers the expert, who has no working hours.
    await page.locator('form.slot-search button[type="submit"]').click();
    await page.locator('button.slot').first().waitFor({ timeout: 20000 });
    assert.equal(await page.locator('button.slot .slot-expert').first().textContent(), story.users.expert.name,
      'expert of the first free slot');

    // The call must start now, which a time entered by hand allows.
    const now = chinaWallClock(new Date());
    await page.locator('select[name="manual_expert_id"]').selectOption(String(story.users.expert.id));
    await page.locator('input[name="manual_date"]').fill(now.date);
    await page.locator('input[name="manual_time"]').fill(now.clock);
    await page.getByRole('button', { name: '使用此时间' }).click();
    // The call's recording appears in the library below, so it is booked
    // with recording, which needs the box checked.
    await page.getByLabel('录像：参会各方已同意录制本次会诊').check();
    await page.getByRole('button', { name: '确认安排' }).click();
    await page.waitForURL(new RegExp(`#/consultations/${consultationId}$`), { timeout: 20000 });
    await waitForView(page);
    assert.equal(await page.locator('.details .badge').textContent(), '已排期', 'status after scheduling');
    assert.match(await page.locator('.details').textContent(), /北京时间/, 'time shown with its zone');

    const consultation = await request(baseUrl, 'GET', `/consultations/${consultationId}`,
      story.users.coordinator.key, undefined, 200);
    assert.equal(consultation.expert_id, story.users.expert.id, 'expert booked');
    sessionId = consultation.session_id;
  }));

  test('early join shows opening time', { timeout: 60000 }, recordFailure(state, async () => {
    const { doctor, coordinator, expert } = story.users;
    const created = await request(baseUrl, 'POST', '/consultations', doctor.key, {
      specialty: '心血管内科', target_org_id: story.district.id,
      patient: { ref: 'SB-2026-0043', age: 47, sex: 'female', summary: '心悸一周' }, question: '复诊',
    }, 201);
    laterId = created.id;
    // Two days ahead at 10:00 Beijing time; the window opens at 09:45.
    const day = chinaWallClock(new Date(Date.now() + 2 * 86400000));
    const start = new Date(`${day.date}T10:00:00+08:00`);
    await scheduleConsultation(baseUrl, coordinator.key, created.id, {
      expert_id: expert.id, start: formatChinaTime(start),
      end: formatChinaTime(new Date(start.getTime() + 30 * 60000)) });

    const page = pages.doctor;
    await openRoute(page, baseUrl, `/consultations/${created.id}`);
    await page.getByRole('button', { name: '进入视频会诊' }).click();
    const message = page.locator('.call-panel .message');
    await message.waitFor({ state: 'visible', timeout: 10000 });
    const text = await message.textContent();
    assert.match(text, /北京时间/, `message names Beijing time: ${text}`);
    assert.match(text, new RegExp(`${day.month}月${day.day}日`), `message names the day: ${text}`);
    assert.match(text, /09:45/, `message names the opening time: ${text}`);
    assert.match(page.url(), /index\.html|\/#\//, 'the page stays in the app');
  }));

  test('coordinator reschedules and cancels', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(laterId, 'the early join test failed, so there is no second consultation');
    const page = pages.coordinator;
    const path = `/consultations/${laterId}`;
    const before = await request(baseUrl, 'GET', path, story.users.coordinator.key, undefined, 200);

    await openRoute(page, baseUrl, '/queue');
    await page.getByRole('link', { name: `为 ${laterId} 号会诊改期` }).click();
    await page.waitForURL(/\/schedule$/, { timeout: 20000 });
    // The URL changes before the router marks the view busy, so the queue's
    // heading can still be there: wait for the schedule page's own.
    await page.locator('h1', { hasText: `为 ${laterId} 号会诊改期` }).waitFor({ timeout: 20000 });
    await waitForView(page);
    assert.equal(await page.locator('h1').textContent(), `为 ${laterId} 号会诊改期`);
    await page.locator('form.slot-search input[value="expert"]').check();
    await page.locator('form.slot-search button[type="submit"]').click();
    await page.locator('button.slot').nth(3).waitFor({ timeout: 20000 });
    await page.locator('button.slot').nth(3).click();
    await page.locator('textarea[name="reason"]').fill('专家临时手术');
    await page.getByRole('button', { name: '确认改期' }).click();
    await page.waitForURL(new RegExp(`#${path}$`), { timeout: 20000 });
    await waitForView(page);

    const moved = await request(baseUrl, 'GET', path, story.users.coordinator.key, undefined, 200);
    assert.equal(moved.status, 'scheduled', 'status after rescheduling');
    assert.notEqual(moved.start, before.start, 'start moved');
    assert.equal(moved.session_id, before.session_id, 'session kept');
    assert.match(await page.locator('.history').textContent(), /改期.*原因：专家临时手术/, 'history row');

    await page.getByRole('button', { name: '取消会诊' }).click();
    await page.locator('textarea[name="reason"]').fill('患者已转上级医院');
    await page.getByRole('button', { name: '确认取消会诊' }).click();
    await page.locator('.details .badge', { hasText: '已取消' }).waitFor({ timeout: 20000 });
    assert.match(await page.locator('.details').textContent(), /患者已转上级医院/, 'cancel reason shown');
    assert.equal(await page.getByRole('button', { name: '取消会诊' }).count(), 0, 'no second cancel');
  }));

  // Opens the call from PAGE's consultation page and waits until the join
  // page has joined.
  async function joinFromApp(page, userKey) {
    await keepLoopbackCandidates(page, daemons.relayUrl, { fromPage: 0, fromRelay: 0 },
      join(dir, `websocket-${userKey}.log`));
    await openRoute(page, baseUrl, `/consultations/${consultationId}`);
    await page.getByRole('button', { name: '进入视频会诊' }).click();
    await page.waitForURL(/\/join\.html/, { timeout: 20000 });
    const joined = await pollPage(page, () => window.huizhen?.state(), null,
      (value) => value?.phase === 'joined', 20000, `${userKey} to join`);
    assert.equal(joined.participantId, String(story.users[userKey].id), `participant id of ${userKey}`);
  }

  // Waits until PAGE plays the video of OTHER and then until framesDecoded
  // has grown by FRAMES_GROWTH, which a loaded machine may take a while for.
  async function assertVideoPlays(page, other) {
    const id = String(story.users[other].id);
    const first = await pollPage(page, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[id]?.playing && stats[id].framesDecoded > 0, 30000, `video of ${other} to play`);
    await pollPage(page, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[id]?.framesDecoded >= first[id].framesDecoded + FRAMES_GROWTH, 15000,
      `framesDecoded of ${other}'s video to grow from ${first[id].framesDecoded} by ${FRAMES_GROWTH}`);
  }

  test('doctor and expert see each other', { timeout: 90000 }, recordFailure(state, async () => {
    assert.ok(sessionId, 'the scheduling test failed, so there is no session');
    const expertPage = await pageFor('expert');
    assert.match(expertPage.url(), /#\/calendar$/, 'an expert starts at the week');
    await expertPage.locator(`.week a[href="#/consultations/${consultationId}"]`).waitFor({ timeout: 20000 });

    await joinFromApp(pages.doctor, 'doctor');
    await joinFromApp(expertPage, 'expert');
    await assertVideoPlays(pages.doctor, 'expert');
    await assertVideoPlays(expertPage, 'doctor');

    // A few seconds of recording, then both leave.
    await sleep(3000);
    for (const page of [pages.doctor, expertPage]) {
      await page.locator('#leave-button').click();
      await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'left',
        5000, 'the page to leave');
    }
    callFinished = true;
  }));

  test('expert signs, doctor reads it', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(callFinished, 'the call test failed, so the opinion cannot be signed');
    const expertPage = pages.expert;
    await openRoute(expertPage, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await expertPage.locator('.details .badge').textContent(), '会诊中', 'status after the call');
    await expertPage.locator('textarea[name="opinion"]').fill(OPINION);
    await expertPage.getByRole('button', { name: '保存草稿' }).click();
    await expertPage.locator('.opinion-form .message', { hasText: '草稿已保存。' }).waitFor({ timeout: 20000 });

    // Before signing, the doctor sees no draft.
    await openRoute(pages.doctor, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await pages.doctor.locator('.opinion-panel .empty').textContent(), '专家尚未签署会诊意见。');
    assert.doesNotMatch(await pages.doctor.locator('#view').textContent(), /双联抗血小板/, 'draft hidden from the doctor');

    await expertPage.getByRole('button', { name: '签署意见' }).click();
    await expertPage.getByRole('button', { name: '确认签署' }).click();
    await expertPage.locator('.signed-opinion').waitFor({ timeout: 20000 });
    assert.equal(await expertPage.locator('.details .badge').textContent(), '已完成', 'status after signing');

    await openRoute(pages.doctor, baseUrl, `/consultations/${consultationId}`);
    assert.equal(await pages.doctor.locator('.signed-opinion .opinion-text').textContent(), OPINION, 'opinion text');
    assert.match(await pages.doctor.locator('.signed-opinion').textContent(),
      new RegExp(`${story.users.expert.name} 签署于`), 'signer named');
  }));

  test('recording appears in library and plays', { timeout: 60000 }, recordFailure(state, async () => {
    assert.ok(callFinished, 'the call test failed, so there is no recording');
    const page = pages.doctor;
    const group = page.locator(`li.recording-group[data-session-id="${sessionId}"]`);
    const deadline = Date.now() + 30000;
    for (;;) {
      await openRoute(page, baseUrl, '/recordings');
      if (await group.count() > 0 && await group.locator('.rec-complete').count() >= 2)
        break;
      assert.ok(Date.now() < deadline, 'the call\'s recordings are not listed as complete within 30 s');
      await sleep(1000);
    }
    assert.match(await group.textContent(), /视频/, 'a video track listed');
    assert.match(await group.textContent(), /音频/, 'an audio track listed');

    // The doctor plays one of the call's video tracks in the page.
    const item = group.locator('li.recording', { hasText: '视频' }).first();
    const recordingId = await item.getAttribute('data-recording-id');
    await item.getByRole('button', { name: `播放录像 ${recordingId}` }).click();
    const player = await pollPage(page, (id) => {
      const media = document.querySelector(`.recording-player video[data-recording-id="${id}"]`);
      if (!media)
        return null;
      return {
        currentTime: media.currentTime,
        videoWidth: media.videoWidth,
        error: media.error ? media.error.code : null,
      };
    }, recordingId, (state) => state?.error !== null || state?.currentTime > 1, 20000,
    `recording ${recordingId} to play for more than a second`);
    assert.equal(player.error, null, `media error of recording ${recordingId}`);
    assert.ok(player.videoWidth > 0, `video width ${player.videoWidth}`);
  }));

  test('trainee registers, doctor waits', { timeout: 60000 }, recordFailure(state, async () => {
    const { expert } = story.users;
    const day = chinaWallClock(new Date(Date.now() + 3 * 86400000));
    const start = new Date(`${day.date}T14:00:00+08:00`);
    await request(baseUrl, 'POST', '/teaching-sessions', expert.key, {
      presenter_id: expert.id, title: '胸痛的鉴别诊断', kind: 'ward_round', capacity: 1,
      audience_org_ids: [story.county.id], recording: true,
      start: formatChinaTime(start), end: formatChinaTime(new Date(start.getTime() + 3600000)),
      series: { frequency: 'weekly', count: 2 },
    }, 201);

    const trainee = await pageFor('trainee');
    assert.match(trainee.url(), /#\/teaching$/, 'a trainee starts at the teaching rounds');
    await trainee.getByRole('button', { name: '报名“胸痛的鉴别诊断”' }).click();
    await trainee.locator('.registration.registered').waitFor({ timeout: 20000 });
    assert.match(await trainee.locator('.teaching-card').textContent(), new RegExp(`主讲：${expert.name}`),
      'presenter named for a trainee');

    await openRoute(pages.doctor, baseUrl, '/teaching');
    await pages.doctor.getByRole('button', { name: '报名“胸痛的鉴别诊断”' }).click();
    await pages.doctor.locator('.registration.waitlisted').waitFor({ timeout: 20000 });
    assert.equal(await pages.doctor.locator('.registration.waitlisted').textContent(),
      '您在候补名单第 1 位，有人退出时自动递补。');
  }));

  test('expert edits hours and leave', { timeout: 60000 }, recordFailure(state, async () => {
    const page = pages.expert;
    const { expert } = story.users;
    await openRoute(page, baseUrl, '/availability');
    assert.equal(await page.locator('.hours-row').count(), 0, 'no weekly hours at first');

    for (const [weekday, start, end] of [['1', '08:00', '12:00'], ['3', '13:30', '17:30']]) {
      await page.getByRole('button', { name: '添加时间段' }).click();
      const row = page.locator('.hours-row').last();
      await row.locator('select').selectOption(weekday);
      await row.locator('input[name="start"]').fill(start);
      await row.locator('input[name="end"]').fill(end);
    }
    await page.getByRole('button', { name: '保存出诊时间' }).click();
    await page.locator('.message', { hasText: '出诊时间已保存。' }).waitFor({ timeout: 20000 });
    const saved = await request(baseUrl, 'GET', `/experts/${expert.id}/working-hours`, expert.key, undefined, 200);
    assert.deepEqual(saved.hours, [{ weekday: 1, start: '08:00', end: '12:00' },
      { weekday: 3, start: '13:30', end: '17:30' }], 'weekly hours stored');

    const day = chinaWallClock(new Date(Date.now() + 10 * 86400000));
    await page.locator('select[name="kind"]').selectOption('conference');
    await page.locator('input[name="start_date"]').fill(day.date);
    await page.locator('input[name="start_time"]').fill('08:00');
    await page.locator('input[name="end_date"]').fill(day.date);
    await page.locator('input[name="end_time"]').fill('12:00');
    await page.locator('input[name="reason"]').fill('学术会议');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    const item = page.locator('.exceptions li.conference');
    await item.waitFor({ timeout: 20000 });
    assert.match(await item.textContent(), /会议.*08:00–12:00.*学术会议/, 'leave listed');

    const exceptions = await request(baseUrl, 'GET', `/experts/${expert.id}/exceptions`, expert.key, undefined, 200);
    assert.equal(exceptions.exceptions.length, 1, 'one exception stored');
    assert.equal(exceptions.exceptions[0].start, `${day.date}T08:00:00+08:00`, 'leave start in Beijing time');

    await item.getByRole('button', { name: '删除这条请假或加诊' }).click();
    await page.locator('.exceptions li.empty').waitFor({ timeout: 20000 });
  }));

  test('admin adds hospital and user', { timeout: 60000 }, recordFailure(state, async () => {
    const adminMe = await request(baseUrl, 'GET', '/me', daemons.adminKey, undefined, 200);
    const admin = { login: 'admin', name: adminMe.name };
    await request(baseUrl, 'POST', `/users/${adminMe.id}/password`, daemons.adminKey,
      { login: admin.login, password: 'admin-test-password' }, 200);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    pageErrors.push(recordPageLog(page, join(dir, 'page-admin.log')));
    await signIn(page, baseUrl, admin, 'admin-test-password');
    pages.admin = page;
    assert.match(page.url(), /#\/admin\/organizations$/, 'an admin starts at the organizations');

    await page.locator('input[name="name"]').fill('湄潭县人民医院');
    await page.locator('input[name="name_en"]').fill('Meitan County People\'s Hospital');
    await page.locator('select[name="level"]').selectOption('county');
    await page.getByRole('button', { name: '新增机构' }).click();
    await page.locator('td', { hasText: '湄潭县人民医院' }).waitFor({ timeout: 20000 });
    const { organizations } = await request(baseUrl, 'GET', '/organizations', daemons.adminKey, undefined, 200);
    const meitan = organizations.find((org) => org.name === '湄潭县人民医院');
    assert.equal(meitan?.timezone, 'Asia/Shanghai', 'new organization with the default zone');

    // The district hospital supports the story's county hospital.
    const partnerForm = page.locator('form.partner-form');
    await partnerForm.locator('select[name="consulting_org_id"]').selectOption(String(story.district.id));
    await partnerForm.getByLabel(story.county.name, { exact: true }).check();
    await partnerForm.getByRole('button', { name: '保存结对关系' }).click();
    await page.locator(`tr[data-org-id="${story.district.id}"] td.partners`, { hasText: story.county.name })
      .waitFor({ timeout: 20000 });
    const paired = (await request(baseUrl, 'GET', '/organizations', daemons.adminKey, undefined, 200))
      .organizations.find((org) => org.id === story.district.id);
    assert.deepEqual(paired.partner_org_ids, [story.county.id], 'partner link stored');

    await openRoute(page, baseUrl, '/admin/users');
    await page.locator('select[name="org_id"]').selectOption(String(meitan.id));
    await page.locator('input[name="name"]').fill('杨光荣');
    await page.locator('select[name="role"]').selectOption('doctor');
    await page.locator('input[name="login"]').fill('yangguangrong');
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: '新增人员' }).click();
    await page.locator('.key-box .api-key').waitFor({ timeout: 20000 });
    assert.match(await page.locator('.key-box .api-key').textContent(), /^hz_[A-Za-z0-9_-]{43}$/, 'API key shown once');
    assert.deepEqual(await unnamedControls(page), [], 'controls without a name on the users page');

    const newcomer = await browser.newContext({ locale: 'zh-CN' });
    const newPage = await newcomer.newPage();
    await signIn(newPage, baseUrl, { login: 'yangguangrong', name: '杨光荣' });
    assert.match(newPage.url(), /#\/consultations$/, 'the new doctor starts at the requests');
    await newcomer.close();
  }));

  test('English survives a reload', { timeout: 30000 }, recordFailure(state, async () => {
    const page = pages.doctor;
    await openRoute(page, baseUrl, `/consultations/${consultationId}`);
    await page.locator('#lang-switch').click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'lang after the switch');
    assert.equal(await page.locator('h1').textContent(), `Consultation ${consultationId} · 心血管内科`);

    await page.reload();
    await waitForView(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'lang after a reload');
    assert.equal(await page.locator('h1').textContent(), `Consultation ${consultationId} · 心血管内科`);
    assert.equal(await page.locator('.details .badge').textContent(), 'Completed', 'status in English');
    assert.equal(await page.locator('#lang-switch').textContent(), '中文', 'switch offers Chinese');
    assert.match(await page.locator('.details').textContent(), /Beijing time/, 'zone in English');

    await page.locator('#lang-switch').click();
    assert.equal(await page.locator('h1').textContent(), `会诊 ${consultationId} · 心血管内科`, 'back in Chinese');
  }));

  test('pages fit 360 px, controls named', { timeout: 90000 }, recordFailure(state, async () => {
    const routes = {
      doctor: ['/consultations', '/consultations/new', `/consultations/${consultationId}`, '/teaching', '/recordings'],
      coordinator: ['/queue', '/consultations', `/consultations/${consultationId}`, '/admin/users'],
      expert: ['/calendar', '/availability', `/consultations/${consultationId}`],
      trainee: ['/teaching', '/recordings'],
      admin: ['/admin/organizations', '/admin/users'],
    };
    for (const [userKey, list] of Object.entries(routes)) {
      const page = pages[userKey];
      await page.setViewportSize({ width: 360, height: 740 });
      for (const path of list) {
        await openRoute(page, baseUrl, path);
        assert.ok(await horizontalOverflow(page) <= 0, `${userKey} ${path} is wider than 360 px`);
        assert.deepEqual(await unnamedControls(page), [], `${userKey} ${path}: controls without a name`);
      }
    }
    const errors = pageErrors.flat().map(String);
    assert.deepEqual(errors, [], 'uncaught page errors');
  }));
});
