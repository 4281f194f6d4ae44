// The web app (web/index.html) in tests: the hospitals and users of the
// story, logging in through the login form, and page checks that every
// app test repeats.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { request } from './api.mjs';

export const PASSWORD = 'browser-test-password';

// Each path a test can ask for: its command-line option, and where it is
// under the build or source tree.
const APP_PATHS = {
  scheduler: ['scheduler', 'build', 'scheduler/huizhen-scheduler'],
  relay: ['relay', 'build', 'relay/huizhen-relay'],
  testPeer: ['test-peer', 'build', 'tests/tools/hz-test-peer'],
  mediaCheck: ['media-check', 'build', 'tests/tools/hz-media-check'],
  webRoot: ['web-root', 'source', 'web'],
};

// Returns the paths of names (by default scheduler, relay and webRoot), each
// from its option or else under $HUIZHEN_BUILD_ROOT or $HUIZHEN_SOURCE_ROOT
// as meson sets them. Fails when a path does not exist.
export function readAppPaths(names = ['scheduler', 'relay', 'webRoot']) {
  const options = {};
  for (const [option] of Object.values(APP_PATHS))
    options[option] = { type: 'string' };
  const { values } = parseArgs({ options });
  const roots = {
    build: process.env.HUIZHEN_BUILD_ROOT ?? '',
    source: process.env.HUIZHEN_SOURCE_ROOT ?? fileURLToPath(new URL('../../..', import.meta.url)),
  };
  const paths = {};
  for (const name of names) {
    const [option, root, relative] = APP_PATHS[name];
    paths[name] = values[option] ?? join(roots[root], relative);
    assert.ok(existsSync(paths[name]), `${name} not found at ${paths[name]}; build it or pass its path`);
  }
  return paths;
}

// RFC 3339 in China Standard Time (UTC+08:00), the zone of the hospitals.
export function formatChinaTime(date) {
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

// Creates a district hospital with a coordinator and an expert (without
// working hours, so any time can be booked), two county hospitals with a
// doctor each, and a trainee of the first county. Every user has a login
// name and PASSWORD. Resolves to {district, county, otherCounty, users},
// where users maps coordinator, expert, doctor, otherDoctor and trainee to
// {id, name, login, key}.
export async function createStoryUsers(baseUrl, adminKey) {
  const org = (body) => request(baseUrl, 'POST', '/organizations', adminKey, body, 201);
  const district = await org({ name: '杨浦区中心医院', name_en: 'Yangpu District Central Hospital', level: 'district' });
  const county = await org({ name: '双柏县人民医院', name_en: 'Shuangbai County People\'s Hospital', level: 'county' });
  const otherCounty = await org({ name: '拉孜县人民医院', name_en: 'Lhazê County People\'s Hospital', level: 'county' });

  const people = [
    ['coordinator', district, '王丽萍', 'coordinator', null, '协调员', 'wangliping'],
    ['expert', district, '陈国栋', 'expert', '心血管内科', '主任医师', 'chenguodong'],
    ['doctor', county, '李春明', 'doctor', '内科', '主治医师', 'lichunming'],
    ['otherDoctor', otherCounty, '次仁多吉', 'doctor', '全科', '主治医师', 'cirenduoji'],
    ['trainee', county, '杨学员', 'trainee', null, null, 'yangxueyuan'],
  ];
  const users = {};
  for (const [key, organization, name, role, specialty, title, login] of people) {
    const body = { org_id: organization.id, name, role, login, password: PASSWORD };
    if (specialty)
      body.specialty = specialty;
    if (title)
      body.title = title;
    const created = await request(baseUrl, 'POST', '/users', adminKey, body, 201);
    users[key] = { id: created.id, name, login, key: created.api_key };
  }
  return { district, county, otherCounty, users };
}

// Logs PAGE in as USER through the login form of BASE_URL and waits for
// the user's name in the header.
export async function signIn(page, baseUrl, user, password = PASSWORD) {
  await page.goto(`${baseUrl}/`, { timeout: 15000 });
  await page.locator('input[name="login"]').fill(user.login);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form.login-form button[type="submit"]').click();
  await page.locator('#user-name').filter({ hasText: user.name }).waitFor({ timeout: 10000 });
}

// Opens the app's route PATH (e.g. /consultations/3) and waits until the
// page has rendered its heading.
export async function openRoute(page, baseUrl, path) {
  const url = `${baseUrl}/#${path}`;
  // A goto to the URL that the page already shows changes nothing.
  if (page.url() === url)
    await page.reload({ timeout: 15000 });
  else
    await page.goto(url, { timeout: 15000 });
  await waitForView(page);
}

export async function waitForView(page) {
  await page.waitForFunction(() => {
    const view = document.getElementById('view');
    return view && !view.hasAttribute('aria-busy') && view.querySelector('h1');
  }, null, { timeout: 15000 });
}

// Returns a description of every visible control of PAGE without an
// accessible name: buttons and links without text or aria-label, and form
// fields without a <label>, aria-label or aria-labelledby.
export function unnamedControls(page) {
  return page.evaluate(() => {
    const visible = (element) => element.getClientRects().length > 0;
    const problems = [];
    for (const element of document.querySelectorAll('button, a[href]')) {
      if (visible(element) && !(element.getAttribute('aria-label') || element.textContent.trim()))
        problems.push(element.outerHTML.slice(0, 120));
    }
    for (const element of document.querySelectorAll('input, select, textarea')) {
      if (!visible(element) || element.type === 'hidden')
        continue;
      const labelled = element.labels?.length > 0 || element.getAttribute('aria-label') ||
        element.getAttribute('aria-labelledby');
      if (!labelled)
        problems.push(element.outerHTML.slice(0, 120));
    }
    return problems;
  });
}

// Returns how many CSS pixels PAGE's content is wider than its window.
export function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

// Books consultation ID with KEY (a coordinator's) through the API:
// BODY is {expert_id, start, end}. Resolves to the consultation.
export async function scheduleConsultation(baseUrl, key, id, body) {
  // NOTE: scheduling answers 201 since it creates the session (docs/api.md);
  // builds from before that change answer 200, which passes too.
  try {
    return await request(baseUrl, 'POST', `/consultations/${id}/schedule`, key, body, 201);
  } catch (error) {
    if (!/ returned 200,/.test(error.message))
      throw error;
    return request(baseUrl, 'GET', `/consultations/${id}`, key, undefined, 200);
  }
}
