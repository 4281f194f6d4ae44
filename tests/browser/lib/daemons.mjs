// huizhen-scheduler and huizhen-relay on 127.0.0.1 port 0 in a temporary
// directory, each with its own config file, database, secret and
// recordings directory.

import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { Child, run } from './processes.mjs';

const STARTUP_TIMEOUT_MS = 15000;

function writeConfig(path, settings) {
  const lines = [
    '[scheduler]',
    'listen = 127.0.0.1:0',
    `database = ${settings.database}`,
    `web-root = ${settings.webRoot}`,
    `token-secret-file = ${settings.secretFile}`,
    // The scheduler serves the relay's files for the recordings library.
    `recordings-dir = ${settings.recordingsDir}`,
  ];
  // With TLS both daemons serve the same certificate, and the relay
  // trusts it as the scheduler's CA.
  const tls = settings.tls;
  if (tls)
    lines.push(`tls-certificate = ${tls.certificate}`, `tls-key = ${tls.key}`);
  lines.push('', '[relay]',
    `listen = 127.0.0.1:${settings.relayPort ?? 0}`,
    `recordings-dir = ${settings.recordingsDir}`);
  if (tls) {
    lines.push(`tls-certificate = ${tls.certificate}`, `tls-key = ${tls.key}`,
      `scheduler-ca-file = ${tls.certificate}`);
  }
  // With a known port, the scheduler's join_url and relay_url name the
  // relay that really runs.
  if (settings.relayPort)
    lines.push(`public-url = ${tls ? 'wss' : 'ws'}://127.0.0.1:${settings.relayPort}/ws`);
  // The relay reports recordings to the scheduler, whose port is known
  // only once the scheduler runs.
  if (settings.schedulerUrl)
    lines.push(`scheduler-url = ${settings.schedulerUrl}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

// Resolves to the URL of the daemon's "NAME: listening on URL" line.
function waitForListening(child, name) {
  const prefix = `${name}: listening on `;
  return child.waitForLine(
    (line) => (line.startsWith(prefix) ? line.slice(prefix.length).trim() : undefined),
    STARTUP_TIMEOUT_MS, `its "${prefix}URL" line`);
}

// Returns the folder for the daemons' logs: under $HUIZHEN_LOG_DIR/browser
// when meson sets it, so that the hardening suite's log search reads them
// (tests/hardening/test-log-secrets.c), else DIR.
function logFolder(dir) {
  const root = process.env.HUIZHEN_LOG_DIR;
  if (!root)
    return dir;
  mkdirSync(join(root, 'browser'), { recursive: true, mode: 0o700 });
  return mkdtempSync(join(root, 'browser', 'run-'));
}

// Copies the token secret where the log search looks for it.
function saveSecret(secretFile, runFolder) {
  const root = process.env.HUIZHEN_LOG_DIR;
  if (!root)
    return;
  const secrets = join(root, 'secrets');
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  const copy = join(secrets, `browser-${runFolder.split('-').pop()}.secret`);
  copyFileSync(secretFile, copy);
  chmodSync(copy, 0o600);
}

// Resolves to a TCP port on 127.0.0.1 that was free a moment ago. Another
// program may take it before the relay binds it; the relay then fails to
// start with an error in its log.
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts the scheduler, then the relay pointed at the scheduler's port.
// PATHS: {scheduler, relay, webRoot}. With OPTIONS.relayPort the relay
// listens on that port and the scheduler hands out its URL in join links;
// without it the relay takes any free port, which join links do not know.
// With OPTIONS.tls, {certificate, key} (PEM files), both daemons serve TLS
// with them.
// Resolves to {scheduler, relay, schedulerUrl, relayUrl, adminKey,
// recordingsDir}; the Child members are
// stopped by stopDaemons() or, on a crash of the test, by the exit handler
// of processes.mjs.
export async function startDaemons(dir, paths, options = {}) {
  const settings = {
    relayPort: options.relayPort ?? null,
    tls: options.tls ?? null,
    database: join(dir, 'huizhen.db'),
    webRoot: paths.webRoot,
    secretFile: join(dir, 'token.secret'),
    recordingsDir: join(dir, 'recordings'),
    schedulerUrl: null,
  };
  const configPath = join(dir, 'huizhen.conf');
  const logs = logFolder(dir);
  writeConfig(configPath, settings);

  const admin = await run(paths.scheduler,
    ['--config', configPath, '--create-admin', 'Browser Test Admin'], STARTUP_TIMEOUT_MS);
  writeFileSync(join(logs, 'create-admin.log'), admin.stderr);
  const adminKey = admin.stdout.trim().split('\n')[0]?.trim();
  if (admin.code !== 0 || !adminKey)
    throw new Error(`huizhen-scheduler --create-admin failed (exit status ${admin.code}): ${admin.stderr.trim()}`);

  const daemons = { adminKey, recordingsDir: settings.recordingsDir, scheduler: null, relay: null,
    configPath, logs, relayStarts: 1 };
  daemons.scheduler = new Child('huizhen-scheduler', paths.scheduler,
    ['--config', configPath], join(logs, 'scheduler.log'));
  try {
    daemons.schedulerUrl = await waitForListening(daemons.scheduler, 'huizhen-scheduler');
    // The scheduler creates the secret when it starts.
    saveSecret(settings.secretFile, logs);

    settings.schedulerUrl = daemons.schedulerUrl;
    writeConfig(configPath, settings);
    daemons.relay = new Child('huizhen-relay', paths.relay,
      ['--config', configPath], join(logs, 'relay.log'));
    daemons.relayUrl = await waitForListening(daemons.relay, 'huizhen-relay');
  } catch (error) {
    await stopDaemons(daemons);
    throw error;
  }
  return daemons;
}

// Starts the daemons like startDaemons() with the relay on a port picked
// beforehand, so that the scheduler's join links, GET /api/v1/client-config
// and Content-Security-Policy name the relay that really runs. Another
// program may take the port between the pick and the relay's bind, and
// then the relay fails to start. The daemons then start again on another
// port, at most ATTEMPTS times in all. OPTIONS.tls is that of startDaemons().
export async function startDaemonsWithRelayPort(dir, paths, attempts = 3, options = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDaemons(dir, paths, { ...options, relayPort: await findFreePort() });
    } catch (error) {
      if (attempt >= attempts)
        throw error;
      console.log(`# starting the daemons failed (${error.message}); trying another relay port`);
    }
  }
}

// Stops the relay, waits PAUSE_MS and starts it again on the same
// configuration, port included, as after a crash and a restart by the
// service manager. Resolves once the new relay listens.
export async function restartRelay(daemons, relayPath, pauseMs) {
  await daemons.relay.stop();
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  daemons.relayStarts += 1;
  daemons.relay = new Child('huizhen-relay', relayPath, ['--config', daemons.configPath],
    join(daemons.logs, `relay-${daemons.relayStarts}.log`));
  const url = await waitForListening(daemons.relay, 'huizhen-relay');
  if (url !== daemons.relayUrl)
    throw new Error(`the restarted relay listens on ${url}, not on ${daemons.relayUrl}`);
}

// Stops the relay first, so that it can still report its last recordings.
export async function stopDaemons(daemons) {
  if (daemons?.relay)
    await daemons.relay.stop();
  if (daemons?.scheduler)
    await daemons.scheduler.stop();
}
