// Checks of the message catalogue web/js/i18n.js, without a browser: both
// languages have the same keys and placeholders, every relay error code of
// docs/signalling.md has a message, and every key used in web/ exists.
//
// Usage: node i18n-catalogue.mjs [--source-root DIR]; the default is
// $HUIZHEN_SOURCE_ROOT, as meson sets it, or the directory two levels up.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'source-root': { type: 'string' } } });
const sourceRoot = values['source-root'] ?? process.env.HUIZHEN_SOURCE_ROOT ??
  fileURLToPath(new URL('../..', import.meta.url));
const webRoot = join(sourceRoot, 'web');
const { RELAY_ERROR_CODES, messages } = await import(pathToFileURL(join(webRoot, 'js', 'i18n.js')).href);

function placeholders(text) {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
}

// Error codes from the table under "## Error codes" in docs/signalling.md.
function documentedErrorCodes() {
  const text = readFileSync(join(sourceRoot, 'docs', 'signalling.md'), 'utf8');
  const section = text.split('## Error codes')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
}

// Keys named by data-i18n* attributes in web/*.html and by string literals
// passed to t() and setText() in web/js/*.js.
function keysUsedInWeb() {
  const keys = new Set();
  for (const name of readdirSync(webRoot).filter((file) => file.endsWith('.html'))) {
    const html = readFileSync(join(webRoot, name), 'utf8');
    for (const match of html.matchAll(/data-i18n(?:-aria-label|-title|-alt)?="([^"]+)"/g))
      keys.add(match[1]);
  }
  const scriptDir = join(webRoot, 'js');
  for (const name of readdirSync(scriptDir).filter((file) => file.endsWith('.js'))) {
    const script = readFileSync(join(scriptDir, name), 'utf8');
    for (const match of script.matchAll(/'((?:app|lang|index|join|control|status|notice|reason|error)\.[a-z_0-9]+)'/g))
      keys.add(match[1]);
  }
  return keys;
}

test('languages have the same keys', () => {
  const chinese = Object.keys(messages['zh-CN']).sort();
  const english = Object.keys(messages.en).sort();
  assert.deepEqual(english.filter((key) => !chinese.includes(key)), [], 'keys only in English');
  assert.deepEqual(chinese.filter((key) => !english.includes(key)), [], 'keys only in Chinese');
});

test('languages have the same placeholders', () => {
  for (const [key, text] of Object.entries(messages['zh-CN']))
    assert.deepEqual(placeholders(messages.en[key] ?? ''), placeholders(text), `placeholders of ${key}`);
});

test('every relay error code has a message', () => {
  const documented = documentedErrorCodes();
  assert.ok(documented.length >= 14, `found only ${documented.length} error codes in docs/signalling.md`);
  assert.deepEqual([...RELAY_ERROR_CODES].sort(), [...documented].sort(),
    'RELAY_ERROR_CODES in web/js/i18n.js against docs/signalling.md');
  for (const code of documented) {
    assert.ok(messages['zh-CN'][`error.${code}`], `Chinese message for ${code}`);
    assert.ok(messages.en[`error.${code}`], `English message for ${code}`);
  }
  assert.equal(messages['zh-CN']['error.token_expired'], '入会链接已过期，请向会诊中心重新获取。');
});

test('every key used in web exists', () => {
  const missing = [...keysUsedInWeb()].filter((key) => !(key in messages['zh-CN']));
  assert.deepEqual(missing, [], 'keys used in web/ but missing from the catalogue');
});
