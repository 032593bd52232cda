// api.js — how every page talks HTTP to its daemon: JSON in and out, never from a cache, and
// one error shape. Copied flat next to each page's own files at build time.
//
//   request(path, options)  the plain call: resolves {ok, status, body, text} whatever the
//                           status; rejects only when the daemon cannot be reached (or the
//                           time-out, if one is given, passes first).
//   apiClient(hooks)        the staff pages' api(path, {method, body}): the session's bearer
//                           token, the JSON body of a 2xx answer, an ApiError for any other.

// An answer that is not 2xx. The message is the daemon's own, in Chinese where it gave one
// (`message_zh`) and the page is in Chinese; `code` is the daemon's error code.
export class ApiError extends Error {
  constructor(status, body, lang = 'zh') {
    const e = (body && body.error) || {};
    super((lang === 'zh' && e.message_zh) || e.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e.code;
  }
}

// One HTTP call. `body` is sent as JSON (with its Content-Type); `token` as
// "Authorization: Bearer"; `timeoutMs` (0: none) aborts a call the daemon does not answer.
export async function request(path, { method = 'GET', body, token, timeoutMs = 0 } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const abort = timeoutMs > 0 ? new AbortController() : null;
  const timer = abort ? setTimeout(() => abort.abort(), timeoutMs) : null;
  try {
    const res = await fetch(path, {
      method, headers, cache: 'no-store', signal: abort ? abort.signal : undefined,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { ok: res.ok, status: res.status, body: json, text };
  } finally {
    clearTimeout(timer);
  }
}

// The staff pages' api(). `token()` is the session's token (null: none yet); `lang()` the
// page's language for the error message; `unauthorized()` is called when a call made with a
// token is answered 401 (the session ended: the page goes back to its sign-in).
export function apiClient({ token = () => null, lang = () => 'zh', unauthorized = () => {} } = {}) {
  return async function api(path, { method = 'GET', body } = {}) {
    const tk = token();
    const r = await request(path, { method, body, token: tk });
    if (!r.ok) {
      if (r.status === 401 && tk) unauthorized();
      throw new ApiError(r.status, r.body, lang());
    }
    return r.body;
  };
}
