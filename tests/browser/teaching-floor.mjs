// Browser test of floor control in a teaching round: the presenter and a
// trainee join from their join links in headless Chromium, against the real
// scheduler and relay. The trainee raises a hand, the hand appears on the
// presenter's page, and the presenter lets the trainee speak. The trainee's
// microphone reaches the presenter, and after the presenter ends the turn
// the trainee sends nothing.
//
// Usage: node teaching-floor.mjs --scheduler PATH --relay PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { request, requestJoinToken } from './lib/api.mjs';
import { createStoryUsers, formatChinaTime, readAppPaths } from './lib/app.mjs';
import { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } from './lib/browser.mjs';
import { findFreePort, startDaemons, stopDaemons } from './lib/daemons.mjs';
import { makeSpeechWav } from './lib/media.mjs';

describe('teaching floor', { timeout: 180000 }, () => {
  const paths = readAppPaths();
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-floor-'));
  const state = { failed: false };
  const pageErrors = [];
  let daemons = null;
  let browser = null;

  before(async () => {
    console.log(`# test directory: ${dir}`);
    const wavPath = await makeSpeechWav(dir);
    daemons = await startDaemons(dir, paths, { relayPort: await findFreePort() });
    browser = await launchChromium(wavPath);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopDaemons(daemons);
    if (state.failed || process.env.HUIZHEN_KEEP_TEST_DIR) {
      console.log(`# logs and database are kept in ${dir}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // Opens JOIN_URL in a new page and waits until it has joined.
  async function openJoinPage(joinUrl, logName) {
    const page = await browser.newPage();
    pageErrors.push(recordPageLog(page, join(dir, `page-${logName}.log`)));
    await keepLoopbackCandidates(page, daemons.relayUrl, { fromPage: 0, fromRelay: 0 },
      join(dir, `websocket-${logName}.log`));
    await page.goto(joinUrl, { timeout: 15000 });
    await pollPage(page, () => window.huizhen?.state(), null, (value) => value?.phase === 'joined',
      20000, `${logName} to join`);
    return page;
  }

  test('trainee raises a hand and speaks', { timeout: 150000 }, async () => {
    try {
      const story = await createStoryUsers(daemons.schedulerUrl, daemons.adminKey);
      const { expert, trainee } = story.users;
      const start = new Date(Math.floor(Date.now() / 60000) * 60000);
      const series = await request(daemons.schedulerUrl, 'POST', '/teaching-sessions', expert.key, {
        presenter_id: expert.id, title: '胸痛的鉴别诊断', kind: 'ward_round', capacity: 5,
        audience_org_ids: [story.county.id], recording: false,
        start: formatChinaTime(start), end: formatChinaTime(new Date(start.getTime() + 3600000)),
      }, 201);
      await request(daemons.schedulerUrl, 'POST', `/teaching-sessions/${series.id}/registrations`,
        trainee.key, {}, 201);
      const sessionId = (await request(daemons.schedulerUrl, 'GET', `/teaching-sessions/${series.id}`,
        expert.key, undefined, 200)).occurrences[0].session_id;
      const presenterJoin = await requestJoinToken(daemons.schedulerUrl, sessionId, expert.key);
      const traineeJoin = await requestJoinToken(daemons.schedulerUrl, sessionId, trainee.key);
      const traineeId = String(trainee.id);

      const presenter = await openJoinPage(presenterJoin.join_url, 'presenter');
      const viewer = await openJoinPage(traineeJoin.join_url, 'trainee');
      assert.equal((await viewer.evaluate(() => window.huizhen.state())).role, 'view', 'the trainee views');
      assert.equal(await presenter.locator('#hand-button').isVisible(), false, 'no hand button for the presenter');

      const hand = viewer.locator('#hand-button');
      assert.equal(await hand.textContent(), '举手发言', 'hand button text');
      await hand.click();
      assert.equal(await hand.textContent(), '放下手', 'hand button while raised');
      const grant = presenter.getByRole('button', { name: `允许${trainee.name}发言` });
      await grant.waitFor({ timeout: 10000 });
      assert.match(await presenter.locator('#hands').textContent(), new RegExp(trainee.name), 'the hand listed');

      await grant.click();
      await pollPage(viewer, () => window.huizhen.floor().state, null, (value) => value === 'granted',
        10000, 'the trainee to get the floor');
      assert.equal(await hand.textContent(), '结束发言', 'hand button with the floor');
      const sending = await pollPage(viewer, () => window.huizhen.sending(), null,
        (value) => Boolean(value?.audio?.sentId), 15000, 'the trainee to send audio');
      assert.ok(!sending.video, 'a grant without video sends no video');
      await pollPage(presenter, () => window.huizhen.remoteVideoStats(), null,
        (stats) => stats[traineeId]?.audio === true, 20000, 'the presenter to receive the trainee\'s audio');

      await presenter.getByRole('button', { name: `结束${trainee.name}的发言` }).click();
      await pollPage(viewer, () => window.huizhen.floor().state, null, (value) => value === 'idle',
        10000, 'the trainee\'s floor to end');
      await pollPage(viewer, () => window.huizhen.sending(), null, (value) => !value?.audio && !value?.video,
        10000, 'the trainee to stop sending');
      assert.equal(await hand.textContent(), '举手发言', 'hand button after the turn');
      assert.equal(await presenter.locator('#hands').isVisible(), false, 'no hands listed');
      assert.deepEqual(pageErrors.flat().map(String), [], 'uncaught page errors');
    } catch (error) {
      state.failed = true;
      throw error;
    }
  });
});
