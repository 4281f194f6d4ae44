// Browser test of a call over HTTPS and WSS. Both daemons serve a
// self-signed certificate that this test generates with the openssl CLI.
// Two headless Chromium pages, the county doctor and the expert, join the
// call from their join links and play each other's video.
//
// Chromium trusts the certificate by its public key only
// (--ignore-certificate-errors-spki-list with the base64 SHA-256 of its
// SubjectPublicKeyInfo), not by a blanket ignore, and a second Chromium
// without that switch must fail to open the page. Node's own API calls
// trust it through NODE_EXTRA_CA_CERTS, which Node.js reads only at
// startup, so the test generates the certificate and then runs itself
// again as a child process with the variable set.
//
// Usage: node tls-call.mjs --scheduler PATH --relay PATH [--web-root DIR]
// Without the options the paths default to $HUIZHEN_BUILD_ROOT and
// $HUIZHEN_SOURCE_ROOT, as meson sets them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

// The folder of the certificate, set for the second run of this script.
const CERTIFICATE_DIR_VARIABLE = 'HUIZHEN_TLS_TEST_DIR';

// Generates DIR/server.crt and DIR/server.key: an EC P-256 key and a
// self-signed certificate for localhost and 127.0.0.1, valid for two days.
function generateCertificate(dir) {
  const certificate = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec',
    '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', certificate],
  { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`openssl req failed (exit status ${result.status}): ${result.stderr ?? result.error}`);
  return { certificate, key };
}

// First run: make the certificate, then run this script again with Node.js
// trusting it, and exit with the second run's status.
if (!process.env[CERTIFICATE_DIR_VARIABLE]) {
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-tls-'));
  const { certificate } = generateCertificate(dir);
  const run = spawnSync(process.execPath, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate, [CERTIFICATE_DIR_VARIABLE]: dir },
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(run.status ?? 1);
}

const { bookConsultation, requestJoinToken } = await import('./lib/api.mjs');
const { readAppPaths } = await import('./lib/app.mjs');
const { keepLoopbackCandidates, launchChromium, pollPage, recordPageLog } =
  await import('./lib/browser.mjs');
const { startDaemonsWithRelayPort, stopDaemons } = await import('./lib/daemons.mjs');
const { makeSpeechWav } = await import('./lib/media.mjs');

const HSTS_VALUE = 'max-age=31536000';

// Returns the base64 SHA-256 of the certificate's SubjectPublicKeyInfo, the
// form that --ignore-certificate-errors-spki-list takes.
function spkiHash(certificatePath) {
  const certificate = new X509Certificate(readFileSync(certificatePath));
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('call over TLS', { timeout: 200000 }, () => {
  const paths = readAppPaths();
  const certificateDir = process.env[CERTIFICATE_DIR_VARIABLE];
  const tls = { certificate: join(certificateDir, 'server.crt'), key: join(certificateDir, 'server.key') };
  const dir = mkdtempSync(join(tmpdir(), 'huizhen-browser-tls-'));
  const droppedCandidates = { fromPage: 0, fromRelay: 0 };
  const state = { failed: false };
  let daemons = null;
  let booking = null;
  let browser = null;
  let wavPath = null;

  before(async () => {
    console.log(`# test directory: ${dir}`);
    wavPath = await makeSpeechWav(dir);
    daemons = await startDaemonsWithRelayPort(dir, paths, 3, { tls });
    booking = await bookConsultation(daemons.schedulerUrl, daemons.adminKey);
    browser = await launchChromium(wavPath,
      { extraArgs: [`--ignore-certificate-errors-spki-list=${spkiHash(tls.certificate)}`] });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopDaemons(daemons);
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

  // Opens the join link of the participant with KEY in a new page and
  // waits until the page has joined. Returns {page, response, pageErrors}.
  async function openJoinPage(key, logName) {
    const joinLink = await requestJoinToken(daemons.schedulerUrl, booking.sessionId, key);
    assert.match(joinLink.join_url, /^https:\/\/127\.0\.0\.1:\d+\/join\.html#/, 'join_url is https');
    assert.equal(joinLink.relay_url, daemons.relayUrl, 'the scheduler names the running relay');
    assert.match(joinLink.relay_url, /^wss:\/\//, 'relay_url is wss');

    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    const pageErrors = recordPageLog(page, join(dir, `page-${logName}.log`));
    await keepLoopbackCandidates(page, daemons.relayUrl, droppedCandidates,
      join(dir, `websocket-${logName}.log`));
    const response = await page.goto(joinLink.join_url, { timeout: 15000 });
    await pollPage(page, () => window.huizhen?.state(), null,
      (value) => value?.phase === 'joined', 20000, `the ${logName} page to join`);
    return { page, response, pageErrors };
  }

  // Checks that the video of PARTICIPANT_ID plays on PAGE and that its
  // framesDecoded grows over 2 s.
  async function assertVideoPlays(page, participantId) {
    const first = await pollPage(page, () => window.huizhen.remoteVideoStats(), null,
      (stats) => stats[participantId]?.playing && stats[participantId].framesDecoded > 0,
      30000, `video of participant ${participantId} to play`);
    await sleep(2000);
    const second = await page.evaluate(() => window.huizhen.remoteVideoStats());
    assert.ok(second[participantId].framesDecoded > first[participantId].framesDecoded,
      `framesDecoded of participant ${participantId} did not grow over 2 s: ` +
      `${first[participantId].framesDecoded} -> ${second[participantId].framesDecoded}`);
  }

  test('doctor and expert call over HTTPS and WSS', { timeout: 120000 }, async () => {
    try {
      assert.match(daemons.schedulerUrl, /^https:\/\//, 'the scheduler listens with TLS');
      assert.match(daemons.relayUrl, /^wss:\/\//, 'the relay listens with TLS');

      const doctor = await openJoinPage(booking.doctor.key, 'doctor');
      const expert = await openJoinPage(booking.expert.key, 'expert');
      for (const side of [doctor, expert]) {
        assert.equal(side.response.status(), 200, 'join page status');
        assert.equal(side.response.headers()['strict-transport-security'], HSTS_VALUE, 'HSTS header');
        assert.equal(await side.page.evaluate(() => window.isSecureContext), true, 'secure context');
      }

      await assertVideoPlays(doctor.page, booking.expert.id);
      await assertVideoPlays(expert.page, booking.doctor.id);
      assert.deepEqual(doctor.pageErrors.map(String), [], 'uncaught errors on the doctor page');
      assert.deepEqual(expert.pageErrors.map(String), [], 'uncaught errors on the expert page');
    } catch (error) {
      state.failed = true;
      throw error;
    }
  });

  // Without the switch, Chromium rejects the self-signed certificate: the
  // trust above comes from the SPKI hash alone.
  test('Chromium without the SPKI switch rejects the page', { timeout: 60000 }, async () => {
    const untrusting = await launchChromium(wavPath);
    try {
      const page = await untrusting.newPage();
      await assert.rejects(page.goto(`${daemons.schedulerUrl}/join.html`, { timeout: 15000 }),
        /ERR_CERT_AUTHORITY_INVALID/, 'loading the page without trusting the certificate');
    } catch (error) {
      state.failed = true;
      throw error;
    } finally {
      await untrusting.close().catch(() => {});
    }
  });
});
