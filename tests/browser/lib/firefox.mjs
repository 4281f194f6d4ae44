// Headless Firefox (Debian's /usr/bin/firefox-esr) driven by puppeteer-core
// over WebDriver BiDi, with fake camera and microphone.

async function importPuppeteer() {
  try {
    return (await import('puppeteer-core')).default;
  } catch (error) {
    throw new Error(`puppeteer-core is not installed (${error.code ?? error.message}): ` +
      'run "npm ci --prefix tests/browser" in the source tree');
  }
}

const puppeteer = await importPuppeteer();

export const FIREFOX_PATH = process.env.HUIZHEN_FIREFOX || '/usr/bin/firefox-esr';

// Preferences of the test profile. Firefox's fake devices replace camera
// and microphone without a permission prompt; ICE gathers on the loopback
// interface only and announces plain addresses instead of mDNS names,
// which libnice on the relay does not resolve.
const TEST_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.force_interface': 'lo',
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Chinese, as the hospitals' browsers are.
  'intl.accept_languages': 'zh-CN, zh',
  // No update checks, telemetry or other traffic to the internet.
  'app.update.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

export function launchFirefox() {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    timeout: 60000,
    extraPrefsFirefox: TEST_PREFS,
  });
}

// Evaluates PROBE(ARG) in PAGE every 250 ms until ACCEPT(value) is true and
// resolves to that value. Rejects after TIMEOUT_MS with EXPECTED and the
// last value seen.
export async function pollFirefox(page, probe, accept, timeoutMs, expected, arg = null) {
  const intervalMs = 250;
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await page.evaluate(probe, arg);
    } catch (error) {
      // A navigation replaced the page's context; try again.
      last = `evaluate failed: ${error.message}`;
    }
    if (accept(last))
      return last;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${expected}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Logs PAGE in as USER through the app's login form at BASE_URL.
export async function signInFirefox(page, baseUrl, user, password) {
  await page.goto(`${baseUrl}/`, { timeout: 20000 });
  await page.locator('input[name="login"]').fill(user.login);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form.login-form button[type="submit"]').click();
  await pollFirefox(page, () => document.getElementById('user-name')?.textContent ?? '',
    (text) => typeof text === 'string' && text.includes(user.name), 10000, `${user.name} to be logged in`);
}

// Opens the app's route PATH and waits until its heading is there.
export async function openRouteFirefox(page, baseUrl, path) {
  const url = `${baseUrl}/#${path}`;
  if (page.url() === url)
    await page.reload({ timeout: 20000 });
  else
    await page.goto(url, { timeout: 20000 });
  await pollFirefox(page, () => {
    const view = document.getElementById('view');
    return Boolean(view && !view.hasAttribute('aria-busy') && view.querySelector('h1'));
  }, (ready) => ready === true, 15000, `the page of ${path}`);
}

// Sets the form control SELECTOR of PAGE to VALUE (for a checkbox, checks
// it when VALUE is true), then fires the input and change events that
// typing would. Setting the value needs no keyboard emulation, also for
// selects and for date and time inputs.
export async function setFieldFirefox(page, selector, value) {
  await pollFirefox(page, (s) => Boolean(document.querySelector(s)), (found) => found === true, 10000,
    `the field ${selector}`, selector);
  await page.evaluate((s, v) => {
    const element = document.querySelector(s);
    if (element.type === 'checkbox')
      element.checked = Boolean(v);
    else
      element.value = String(v);
    element.dispatchEvent(new Event('input', { bubbles: true }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
  }, selector, value);
}

// Clicks the button or link of PAGE whose accessible name (aria-label, or
// else its text) is NAME, once there is one.
export async function clickNamedFirefox(page, name, timeoutMs = 15000) {
  await pollFirefox(page, (wanted) => {
    const named = (element) => (element.getAttribute('aria-label') || element.textContent).trim() === wanted;
    const element = [...document.querySelectorAll('button, a, [role="button"]')].find(named);
    if (!element)
      return false;
    element.click();
    return true;
  }, (clicked) => clicked === true, timeoutMs, `a control named "${name}"`, name);
}
