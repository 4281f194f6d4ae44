// Screenshots of the web app's main pages in Simplified Chinese for
// docs/screenshots/, taken from a real run. The daemons start in a
// temporary directory, and the story's users file, schedule and hold a
// consultation, with a call between two Chromium pages with fake cameras.
// Each role's pages are captured at 1280 × 800, a few also at 360 px.
//
// Not part of the test suite. Run after a build:
//   node tests/browser/screenshots.mjs --scheduler build/scheduler/huizhen-scheduler \
//     --relay build/relay/huizhen-relay [--out docs/screenshots]

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { request } from './lib/api.mjs';
import {
  createStoryUsers, formatChinaTime, openRoute, scheduleConsultation, signIn, waitForView,
} from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage } from './lib/browser.mjs';
import { findFreePort, startDaemons, stopDaemons } from './lib/daemons.mjs';
import { makeSpeechWav } from './lib/media.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };

const OPINION = '考虑不稳定型心绞痛（高原地区，合并高血压）。\n' +
  '1. 阿司匹林 100 mg 每日一次，氯吡格雷 75 mg 每日一次；阿托伐他汀 20 mg 每晚一次。\n' +
  '2. 控制血压，目标 <130/80 mmHg。\n' +
  '3. 两周内转上级医院行冠状动脉造影；如静息胸痛超过 20 分钟，立即转诊。';

function readOptions() {
  const { values } = parseArgs({
    options: {
      scheduler: { type: 'string' },
      relay: { type: 'string' },
      'web-root': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const source = fileURLToPath(new URL('../..', import.meta.url));
  const build = process.env.HUIZHEN_BUILD_ROOT ?? join(source, 'build');
  const options = {
    scheduler: values.scheduler ?? join(build, 'scheduler', 'huizhen-scheduler'),
    relay: values.relay ?? join(build, 'relay', 'huizhen-relay'),
    webRoot: values['web-root'] ?? join(source, 'web'),
    out: values.out ?? join(source, 'docs', 'screenshots'),
  };
  for (const name of ['scheduler', 'relay', 'webRoot']) {
    if (!existsSync(options[name]))
      throw new Error(`${name} not found at ${options[name]}; build it or pass its path`);
  }
  return options;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Files the consultations and the teaching round that the pages show, in
// the story's hospitals. Resolves to {call, queued} consultation ids.
async function fileConsultations(baseUrl, story) {
  const { doctor, otherDoctor, coordinator, expert } = story.users;
  const file = (user, body) => request(baseUrl, 'POST', '/consultations', user.key, body, 201);

  const call = await file(doctor, {
    specialty: '心血管内科', target_org_id: story.district.id,
    patient: { ref: 'SB-2026-0318', age: 58, sex: 'male',
      summary: '近两周活动后胸闷、气短，休息数分钟可缓解；血压 150/95 mmHg，心电图示 V4–V6 导联 ST 段压低 0.1 mV。' },
    question: '是否考虑不稳定型心绞痛？请给出药物治疗建议，并评估是否需要转上级医院行冠状动脉造影。',
  });
  const queued = await file(otherDoctor, {
    specialty: '心血管内科',
    patient: { ref: 'LZ-2026-1102', age: 67, sex: 'female',
      summary: '反复心悸一个月，动态心电图示阵发性心房颤动；高血压病史十年。' },
    question: '是否需要抗凝治疗？请评估出血风险并给出用药方案。',
  });
  await file(doctor, {
    specialty: '心血管内科', requested_expert_id: expert.id,
    patient: { ref: 'SB-2026-0330', age: 45, sex: 'male', summary: '体检发现血脂异常，低密度脂蛋白 4.9 mmol/L。' },
    question: '请评估是否需要他汀治疗及目标值。',
  });
  const nextWeek = new Date(Date.now() + 7 * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  await file(otherDoctor, {
    specialty: '心血管内科', urgency: 'urgent',
    patient: { ref: 'LZ-2026-1130', age: 72, sex: 'male', summary: '反复胸痛三天，肌钙蛋白轻度升高。' },
    question: '是否考虑非 ST 段抬高型心肌梗死？是否需要转院？',
    preferred_times: [{ start: `${nextWeek}T09:00:00+08:00`, end: `${nextWeek}T11:00:00+08:00` }],
  });

  // The call starts now, lasts an hour and is recorded, for the library.
  const start = new Date(Math.floor(Date.now() / 60000) * 60000);
  await scheduleConsultation(baseUrl, coordinator.key, call.id, {
    expert_id: expert.id, start: formatChinaTime(start),
    end: formatChinaTime(new Date(start.getTime() + 3600000)), recording: true });
  return { call: call.id, queued: queued.id };
}

// Gives the expert office hours, a conference and a teaching round once
// the call is booked, as a hospital would have them.
async function fillAvailability(baseUrl, story) {
  const { expert } = story.users;
  const hours = [];
  for (let weekday = 1; weekday <= 5; weekday++)
    hours.push({ weekday, start: '08:00', end: '12:00' }, { weekday, start: '13:30', end: '17:30' });
  await request(baseUrl, 'PUT', `/experts/${expert.id}/working-hours`, expert.key, { hours }, 200);
  await request(baseUrl, 'PUT', `/experts/${expert.id}/booking-rules`, expert.key,
    { min_notice_minutes: 60, buffer_minutes: 10 }, 200);

  const inDays = (days, clock) => {
    const date = new Date(Date.now() + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);
    return new Date(`${date}T${clock}:00+08:00`);
  };
  await request(baseUrl, 'POST', `/experts/${expert.id}/leave`, expert.key, {
    kind: 'conference', start: formatChinaTime(inDays(2, '08:00')), end: formatChinaTime(inDays(2, '12:00')),
    reason: '中华医学会心血管病学分会年会' }, 201);
  const roundStart = inDays(1, '14:00');
  await request(baseUrl, 'POST', '/teaching-sessions', expert.key, {
    presenter_id: expert.id, title: '急性胸痛的鉴别诊断与转诊时机', kind: 'ward_round', capacity: 30,
    description: '结合两例高原地区患者，讨论急性冠脉综合征、主动脉夹层和肺栓塞的鉴别要点。',
    audience_org_ids: [story.county.id, story.otherCounty.id], recording: true,
    start: formatChinaTime(roundStart), end: formatChinaTime(new Date(roundStart.getTime() + 3600000)),
    series: { frequency: 'weekly', count: 4 } }, 201);
}

async function main() {
  const options = readOptions();
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-screenshots-'));
  mkdirSync(options.out, { recursive: true });
  let daemons = null;
  let browser = null;
  try {
    const wav = await makeSpeechWav(dir);
    daemons = await startDaemons(dir, options, { relayPort: await findFreePort() });
    const baseUrl = daemons.schedulerUrl;
    const story = await createStoryUsers(baseUrl, daemons.adminKey);
    const ids = await fileConsultations(baseUrl, story);
    browser = await launchChromium(wav);

    const pages = {};
    const open = async (userKey, viewport = DESKTOP) => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN' });
      const page = await context.newPage();
      if (userKey)
        await signIn(page, baseUrl, story.users[userKey]);
      pages[userKey ?? 'anonymous'] = page;
      return page;
    };
    const shot = async (page, name, fullPage = false) => {
      await page.evaluate(() => document.activeElement?.blur());
      const path = join(options.out, `${name}.png`);
      await page.screenshot({ path, fullPage });
      console.log(`wrote ${path}`);
    };

    const login = await open(null);
    await login.goto(`${baseUrl}/`);
    await login.locator('form.login-form').waitFor();
    await shot(login, 'login');

    const doctor = await open('doctor');
    await shot(doctor, 'doctor-requests');
    await openRoute(doctor, baseUrl, '/consultations/new');
    await shot(doctor, 'doctor-new-request', true);

    const coordinator = await open('coordinator');
    await shot(coordinator, 'coordinator-queue', true);
    await openRoute(coordinator, baseUrl, `/consultations/${ids.queued}/schedule`);
    await coordinator.locator('form.slot-search button[type="submit"]').click();
    await coordinator.locator('button.slot').first().waitFor({ timeout: 10000 });
    await coordinator.locator('button.slot').nth(2).click();
    await shot(coordinator, 'coordinator-scheduling');

    // The call: doctor and expert join from the consultation page.
    const expert = await open('expert');
    for (const page of [doctor, expert]) {
      await keepLoopbackCandidates(page, daemons.relayUrl, { fromPage: 0, fromRelay: 0 },
        join(dir, `websocket-${page === doctor ? 'doctor' : 'expert'}.log`));
      await openRoute(page, baseUrl, `/consultations/${ids.call}`);
      await page.getByRole('button', { name: '进入视频会诊' }).click();
      await page.waitForURL(/\/join\.html/, { timeout: 10000 });
      await pollPage(page, () => window.huizhen?.state(), null, (value) => value?.phase === 'joined',
        20000, 'the page to join');
    }
    const other = String(story.users.expert.id);
    await pollPage(doctor, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[other]?.framesDecoded > 30, 30000, 'the expert\'s video');
    // The connection-quality indicator appears after its second sample.
    await doctor.locator('#call-quality').waitFor({ timeout: 10000 });
    await sleep(1000);
    await shot(doctor, 'call');
    for (const page of [doctor, expert]) {
      await page.locator('#leave-button').click();
      await pollPage(page, () => window.huizhen.state().phase, null, (phase) => phase === 'left', 5000, 'leaving');
    }

    await fillAvailability(baseUrl, story);
    await openRoute(expert, baseUrl, '/calendar');
    await shot(expert, 'expert-calendar', true);
    await openRoute(expert, baseUrl, '/availability');
    await shot(expert, 'expert-availability', true);
    await openRoute(expert, baseUrl, `/consultations/${ids.call}`);
    await expert.locator('textarea[name="opinion"]').fill(OPINION);
    await expert.getByRole('button', { name: '保存草稿' }).click();
    await expert.locator('.opinion-form .message').waitFor();
    await expert.locator('.opinion-panel').scrollIntoViewIfNeeded();
    await shot(expert, 'expert-opinion');
    await expert.getByRole('button', { name: '签署意见' }).click();
    await expert.getByRole('button', { name: '确认签署' }).click();
    await expert.locator('.signed-opinion').waitFor();

    await openRoute(doctor, baseUrl, `/consultations/${ids.call}`);
    await shot(doctor, 'doctor-opinion', true);

    const trainee = await open('trainee');
    await trainee.locator('.teaching-card').first().waitFor();
    await trainee.getByRole('button', { name: /^报名/ }).first().click();
    await trainee.locator('.registration.registered').waitFor();
    await shot(trainee, 'trainee-teaching', true);

    // The relay reports the finished recordings shortly after the call.
    await sleep(2000);
    await openRoute(doctor, baseUrl, '/recordings');
    // One video recording playing, a second into it.
    const videoItem = doctor.locator('li.recording').filter({ hasText: '视频' }).first();
    await videoItem.getByRole('button', { name: /^播放录像/ }).click();
    await doctor.waitForFunction(() => document.querySelector('.recording-player video')?.currentTime > 1,
      null, { timeout: 15000 });
    await doctor.evaluate(() => document.querySelector('.recording-player video').pause());
    await shot(doctor, 'recordings');

    const phone = await open('doctor', PHONE);
    await openRoute(phone, baseUrl, `/consultations/${ids.call}`);
    await shot(phone, 'phone-consultation');
    await openRoute(phone, baseUrl, '/consultations');
    await shot(phone, 'phone-requests');

    const admin = await request(baseUrl, 'GET', '/me', daemons.adminKey, undefined, 200);
    await request(baseUrl, 'POST', `/users/${admin.id}/password`, daemons.adminKey,
      { login: 'admin', password: 'screenshot-admin-password' }, 200);
    const adminPage = await open(null);
    await signIn(adminPage, baseUrl, { login: 'admin', name: admin.name }, 'screenshot-admin-password');
    await openRoute(adminPage, baseUrl, '/admin/users');
    await waitForView(adminPage);
    await shot(adminPage, 'admin-users');
  } finally {
    await browser?.close().catch(() => {});
    await stopDaemons(daemons);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
