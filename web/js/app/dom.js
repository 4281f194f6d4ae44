// Building DOM elements for the app's pages without innerHTML, so that
// names, summaries and other text from the API are never parsed as markup.
//
// Text that a user reads comes from the catalogue: `text: 'key'` (with
// `params`) sets data-i18n, and `label: 'key'` sets data-i18n-aria-label,
// so that applyTranslations() in i18n.js updates them in place when the
// language changes, and form input stays as the user left it.

import { currentLanguage, t } from '../i18n.js';

// Creates element TAG with OPTIONS and CHILDREN (elements, strings of data,
// or null, which is skipped). Options:
//   text, params     catalogue key and placeholder values of the text
//   label            catalogue key of the accessible name (aria-label)
//   title            catalogue key of the tooltip
//   data             plain text, not translated (from the API)
//   class, id, attrs, on: {event: handler}
//   any other name   set as a property (type, value, href, disabled, ...)
export function el(tag, options = {}, ...children) {
  const element = document.createElement(tag);
  const { text, params, label, title, data, attrs, on, ...properties } = options;
  const paramsJson = params ? JSON.stringify(params) : null;

  if (options.class) {
    element.className = options.class;
    delete properties.class;
  }
  if (text) {
    element.setAttribute('data-i18n', text);
    if (paramsJson)
      element.setAttribute('data-i18n-params', paramsJson);
    element.textContent = t(text, params || {});
  }
  if (label) {
    element.setAttribute('data-i18n-aria-label', label);
    if (paramsJson)
      element.setAttribute('data-i18n-params', paramsJson);
    element.setAttribute('aria-label', t(label, params || {}));
  }
  if (title) {
    element.setAttribute('data-i18n-title', title);
    element.setAttribute('title', t(title, params || {}));
  }
  if (data !== undefined && data !== null)
    element.textContent = String(data);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false)
      element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, value] of Object.entries(properties)) {
    if (value !== undefined)
      element[name] = value;
  }
  for (const [type, handler] of Object.entries(on || {}))
    element.addEventListener(type, handler);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false)
      continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Removes every child of ELEMENT and appends CHILDREN.
export function replaceChildren(element, ...children) {
  element.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

let nextFieldId = 1;

// A labelled form field: <label for=ID>LABEL</label> then CONTROL, in a
// <div class="field">. HINT is an optional catalogue key shown under it
// and linked with aria-describedby.
export function field(labelKey, control, { hint = null, params = null } = {}) {
  if (!control.id)
    control.id = `field-${nextFieldId++}`;
  const label = el('label', { text: labelKey, params, htmlFor: control.id });
  const parts = [label, control];
  if (hint) {
    const hintElement = el('p', { class: 'hint', text: hint, id: `${control.id}-hint` });
    control.setAttribute('aria-describedby', hintElement.id);
    parts.push(hintElement);
  }
  return el('div', { class: 'field' }, parts);
}

// A <select> whose options are [{value, text (key) | data (plain), params}].
export function select(name, choices, selected = null) {
  const element = el('select', { name });
  for (const choice of choices) {
    const option = el('option', { value: String(choice.value), text: choice.text,
      params: choice.params, data: choice.data });
    if (selected !== null && String(choice.value) === String(selected))
      option.selected = true;
    element.append(option);
  }
  return element;
}

// A button of type "button" (or SUBMIT) with catalogue text KEY.
export function button(key, onClick, { kind = '', params = null, label = null, submit = false } = {}) {
  return el('button', {
    type: submit ? 'submit' : 'button', class: kind, text: key, params, label,
    on: onClick ? { click: onClick } : {},
  });
}

// A message box for results and errors of the page's actions. show() takes
// a catalogue key and params, showData() plain text from the API.
export class MessageBox {
  constructor() {
    this.element = el('p', { class: 'message', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.element.hidden = true;
  }

  show(key, params = null, kind = 'notice') {
    this.element.hidden = false;
    this.element.className = `message ${kind}`;
    this.element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.element.setAttribute('data-i18n', key);
    if (params)
      this.element.setAttribute('data-i18n-params', JSON.stringify(params));
    else
      this.element.removeAttribute('data-i18n-params');
    this.element.textContent = t(key, params || {});
  }

  showData(text, kind = 'error') {
    this.element.hidden = false;
    this.element.className = `message ${kind}`;
    this.element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.element.removeAttribute('data-i18n');
    this.element.removeAttribute('data-i18n-params');
    this.element.textContent = text;
  }

  // Shows an ApiError's message from the server, which is already in the
  // language of the request, or a catalogue message for network failures.
  showError(error) {
    if (error?.serverMessage)
      this.showData(error.serverMessage, 'error');
    else if (error?.key)
      this.show(error.key, error.params, 'error');
    else
      this.show('common.error_unexpected', null, 'error');
  }

  clear() {
    this.element.hidden = true;
    this.element.textContent = '';
    this.element.removeAttribute('data-i18n');
  }
}

// A name that the API gives in Chinese and English (organizations): shows
// the one of the page's language and follows language switches through
// refreshBilingual().
export function bilingual(chinese, english) {
  const element = el('span', { class: 'bilingual' });
  element.dataset.zh = chinese ?? '';
  element.dataset.en = english || chinese || '';
  element.textContent = currentLanguage() === 'en' ? element.dataset.en : element.dataset.zh;
  return element;
}

export function refreshBilingual(root = document) {
  for (const element of root.querySelectorAll('.bilingual'))
    element.textContent = currentLanguage() === 'en' ? element.dataset.en : element.dataset.zh;
}

// Gives ELEMENT the accessible name KEY, following language switches.
export function setLabel(element, key, params = null) {
  element.setAttribute('data-i18n-aria-label', key);
  if (params)
    element.setAttribute('data-i18n-params', JSON.stringify(params));
  element.setAttribute('aria-label', t(key, params || {}));
}
