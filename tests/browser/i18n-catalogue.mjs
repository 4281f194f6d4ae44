// Checks of the message catalogue web/js/i18n.js, without a browser: both
// languages have the same keys and placeholders, every relay error code of
// docs/signalling.md has a message, every value of the scheduler API that
// the app labels has a label, and every key used in web/ exists.
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

// Files below DIR (recursively) whose names end in SUFFIX.
function filesBelow(dir, suffix) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

// Keys named by data-i18n* attributes in web/*.html and by string literals
// of the form 'prefix.name' in web/js/**/*.js, where prefix is the first
// part of some catalogue key. Keys built at run time ('cstatus.' + status)
// are checked by the enumeration test below.
function keysUsedInWeb() {
  const keys = new Set();
  for (const name of readdirSync(webRoot).filter((file) => file.endsWith('.html'))) {
    const html = readFileSync(join(webRoot, name), 'utf8');
    for (const match of html.matchAll(/data-i18n(?:-aria-label|-title|-alt)?="([^"]+)"/g))
      keys.add(match[1]);
  }
  const prefixes = new Set(Object.keys(messages['zh-CN']).map((key) => key.split('.')[0]));
  for (const path of filesBelow(join(webRoot, 'js'), '.js')) {
    const script = readFileSync(path, 'utf8');
    for (const match of script.matchAll(/'([a-z]+)\.([a-z_0-9]+)'/g)) {
      if (prefixes.has(match[1]) && !['html', 'js', 'css', 'svg'].includes(match[2]))
        keys.add(`${match[1]}.${match[2]}`);
    }
  }
  return keys;
}

// Values of the scheduler API (docs/api.md) whose labels the app builds
// from the value, e.g. 'cstatus.' + consultation.status.
const ENUMERATED_LABELS = {
  cstatus: ['requested', 'accepted', 'returned', 'scheduled', 'in_progress', 'completed',
    'cancelled', 'no_show'],
  history: ['request', 'accept', 'return', 'schedule', 'reschedule', 'start', 'complete',
    'cancel', 'no_show'],
  role: ['admin', 'coordinator', 'expert', 'doctor', 'trainee'],
  level: ['district', 'county', 'township', 'city', 'provincial'],
  sex: ['male', 'female', 'other', 'unknown'],
  weekday: ['1', '2', '3', '4', '5', '6', '7'],
  'leave.kind': ['leave', 'training', 'conference', 'other', 'extra_hours'],
  'teaching.kind': ['ward_round', 'surgical_demo', 'lecture'],
  'teaching.occurrence': ['cancelled', 'completed'],
  'rec.kind': ['audio', 'video'],
  'rec.status': ['recording', 'complete', 'failed'],
};

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

test('every API value has a label', () => {
  for (const [prefix, values] of Object.entries(ENUMERATED_LABELS)) {
    const separator = prefix.includes('.') ? '_' : '.';
    for (const value of values) {
      const key = `${prefix}${separator}${value}`;
      assert.ok(messages['zh-CN'][key], `Chinese label ${key}`);
      assert.ok(messages.en[key], `English label ${key}`);
    }
  }
});

test('every key used in web exists', () => {
  const missing = [...keysUsedInWeb()].filter((key) => !(key in messages['zh-CN']));
  assert.deepEqual(missing, [], 'keys used in web/ but missing from the catalogue');
});
