// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core.

import { createWriteStream } from 'node:fs';

async function importPlaywright() {
  try {
    return (await import('playwright-core')).chromium;
  } catch (error) {
    throw new Error(`playwright-core is not installed (${error.code ?? error.message}): ` +
      'run "npm ci --prefix tests/browser" in the source tree');
  }
}

const chromium = await importPlaywright();

export const CHROMIUM_PATH = process.env.HUIZHEN_CHROMIUM || '/usr/bin/chromium';

// Launches Chromium with fake camera and microphone; FAKE_AUDIO_WAV is what
// the microphone plays. With GRANT_ALL false, pages get only the
// permissions that their browser context grants, and other getUserMedia
// requests fail with NotAllowedError, as when a user denies them.
// FAKE_DEVICES configures the fake devices: "device-count=3" gives three
// cameras, "device-count=0" none (Chromium lists three fake microphones
// either way). The second fake camera delivers Y16 frames, which WebRTC
// does not encode, so a test that sends video avoids it. EXTRA_ARGS are
// further command-line switches.
export function launchChromium(fakeAudioWav, { grantAll = true, fakeDevices = null, extraArgs = [] } = {}) {
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // ICE: gather on the loopback interface, and announce plain
    // addresses instead of random .local mDNS names, which libnice on the
    // relay does not resolve.
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    fakeDevices ? `--use-fake-device-for-media-stream=${fakeDevices}` : '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${fakeAudioWav}`,
  ];
  if (grantAll)
    args.push('--use-fake-ui-for-media-stream');
  args.push(...extraArgs);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: 30000,
    args,
  });
}

// Returns the address of an ICE candidate line ("candidate:F C udp P ADDR
// PORT typ ..."), or null for the empty end-of-candidates marker.
function candidateAddress(candidate) {
  const fields = candidate.trim().split(/\s+/);
  return fields.length >= 5 ? fields[4] : null;
}

function isLoopback(address) {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

// Routes the page's WebSocket to RELAY_URL through the test and drops ICE
// candidates that are not loopback addresses, in both directions. Chromium
// gathers on every interface of the machine, and without the filter the
// relay would send connectivity checks to those addresses too. COUNTS gets
// the number of dropped candidates: {fromPage, fromRelay}. Every message
// that passes is written to LOG_PATH, with the join token replaced.
// With OPTIONS.routes, each WebSocketRoute is appended to that array, for
// dropPageSide().
export async function keepLoopbackCandidates(page, relayUrl, counts, logPath, options = {}) {
  const log = createWriteStream(logPath);
  const keep = (message, direction) => {
    if (typeof message !== 'string')
      return true;
    let parsed;
    try {
      parsed = JSON.parse(message);
    } catch {
      return true;
    }
    if (parsed?.type === 'candidate' && typeof parsed.candidate === 'string' && parsed.candidate !== '') {
      const address = candidateAddress(parsed.candidate);
      if (!address || !isLoopback(address)) {
        counts[direction] += 1;
        return false;
      }
    }
    const logged = parsed?.type === 'join' ? { ...parsed, token: '(not logged)' } : parsed;
    log.write(`${new Date().toISOString()} ${direction}: ${JSON.stringify(logged)}\n`);
    return true;
  };

  await page.routeWebSocket((url) => url.href === relayUrl, (route) => {
    const server = route.connectToServer();
    route.onMessage((message) => {
      if (keep(message, 'fromPage'))
        server.send(message);
    });
    server.onMessage((message) => {
      if (!keep(message, 'fromRelay'))
        return;
      try {
        route.send(message);
      } catch (error) {
        log.write(`${new Date().toISOString()} not delivered to the page: ${error.message}\n`);
      }
    });
    if (options.routes) {
      options.routes.push(route);
      route.onClose((code, reason) => {
        if (!route.droppedByTest)
          server.close({ code, reason }).catch(() => {});
      });
      server.onClose((code, reason) => {
        // Only 1000 and 3000-4999 may be passed on.
        const passable = code === 1000 || (code >= 3000 && code <= 4999);
        route.close(passable ? { code, reason } : {}).catch(() => {});
      });
    }
  });
}

// Closes the page's side of ROUTE, a WebSocketRoute that
// keepLoopbackCandidates() collected, and leaves the relay's side open, as
// a network drop does: the page gets a close event, the relay gets no
// close frame.
export async function dropPageSide(route) {
  route.droppedByTest = true;
  await route.close({ code: 4000, reason: 'test: network drop' });
}

// Copies the page's console and uncaught errors to LOG_PATH and collects
// the uncaught errors in the returned array.
export function recordPageLog(page, logPath) {
  const log = createWriteStream(logPath);
  const pageErrors = [];
  page.on('console', (message) => log.write(`console.${message.type()}: ${message.text()}\n`));
  page.on('pageerror', (error) => {
    pageErrors.push(error);
    log.write(`uncaught: ${error.stack || error.message}\n`);
  });
  return pageErrors;
}

// Evaluates PROBE in the page every INTERVAL_MS until ACCEPT(value) is true
// and resolves to that value. Rejects after TIMEOUT_MS with EXPECTED and the
// last value seen.
export async function pollPage(page, probe, arg, accept, timeoutMs, expected, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await page.evaluate(probe, arg);
    if (accept(last))
      return last;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${expected}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
