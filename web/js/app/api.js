// Requests to the scheduler's JSON API (docs/api.md) with the session
// cookie that POST /api/v1/login sets. Errors become ApiError, whose
// message comes from the server in the page's language.

import { currentLanguage } from '../i18n.js';

const API_PREFIX = '/api/v1';
const REQUEST_TIMEOUT_MS = 20000;

export class ApiError extends Error {
  // STATUS is the HTTP status (0 when the request failed before a
  // response), CODE the API's error code, BODY the parsed error object.
  constructor(status, code, serverMessage, body = null, key = null) {
    super(serverMessage || code || key || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.body = body;
    this.key = key;          // catalogue key when there is no server message
  }
}

// Listeners of a 401 on any request other than login: the session has
// ended, so the app shows the login page.
const unauthorizedListeners = new Set();

export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

// Sends METHOD PATH (below /api/v1) with BODY as JSON and resolves to the
// parsed response, or null for 204. Rejects with ApiError.
export async function api(method, path, body = undefined) {
  const headers = { 'Accept-Language': currentLanguage() === 'en' ? 'en' : 'zh-CN' };
  if (body !== undefined)
    headers['Content-Type'] = 'application/json';

  let response;
  try {
    response = await fetch(API_PREFIX + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const key = error?.name === 'TimeoutError' ? 'common.error_timeout' : 'common.error_network';
    throw new ApiError(0, null, null, null, key);
  }

  if (response.status === 204)
    return null;
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  if (response.ok)
    return parsed;

  if (response.status === 401 && path !== '/login') {
    for (const listener of unauthorizedListeners)
      listener();
  }
  throw new ApiError(response.status, parsed?.code ?? null, parsed?.message ?? null, parsed,
    parsed ? null : 'common.error_unexpected');
}

// Encodes VALUES as a query string, skipping null and undefined.
export function query(values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== null && value !== undefined && value !== '')
      params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
