// The shared page modules of common/web (issue 28) under node, with a fake WebSocket, timers
// and fetch: stream.js' one reconnect rule for every page, and api.js' error shape. No browser.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = process.env.HALLQ_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
// As the browser loads them: plain ES modules (these import nothing).
const load = (name) => import(`data:text/javascript,${encodeURIComponent(readFileSync(join(SOURCE, 'common/web', name), 'utf8'))}`);
const { createStream } = await load('stream.js');
const { apiClient, ApiError } = await load('api.js');

let sockets, timers;
beforeEach(() => {
  sockets = [];
  timers = [];
  globalThis.location = { protocol: 'http:', host: '127.0.0.1:8080' };
  globalThis.WebSocket = class {
    constructor(url) { this.url = url; sockets.push(this); }
    close() { this.closed = true; }
  };
  globalThis.setTimeout = (fn, ms) => timers.push({ fn, ms });
  globalThis.clearTimeout = (id) => { if (timers[id - 1]) timers[id - 1].fn = null; };
});
const nextTimer = () => {
  const t = timers.filter((x) => x.fn).at(-1);
  assert.ok(t, 'a reconnect is scheduled');
  const { fn, ms } = t;
  t.fn = null;
  fn();
  return ms;
};

test('stream: 1 s doubling to 10 s after drops, back to 1 s once a socket opens', () => {
  const seen = [];
  const s = createStream({ path: () => '/api/v1/events?since=7', message: (m) => seen.push(['message', m.type]),
    resync: (r) => seen.push(['resync', r.server]), live: (on) => seen.push(['live', on]) });
  s.start();
  assert.equal(sockets[0].url, 'ws://127.0.0.1:8080/api/v1/events?since=7');
  const delays = [];
  for (let i = 0; i < 6; i++) {
    sockets.at(-1).onclose({ code: 1006 });
    delays.push(nextTimer());
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 10000, 10000]);
  sockets.at(-1).onopen();
  sockets.at(-1).onmessage({ data: '{"type":"TicketCalled","seq":8}' });
  sockets.at(-1).onmessage({ data: '{"type":"resync","seq":9}' });
  sockets.at(-1).onmessage({ data: 'not json' });
  assert.deepEqual(seen.slice(-4), [['live', true], ['resync', false], ['message', 'TicketCalled'], ['resync', true]]);
  sockets.at(-1).onclose({ code: 1006 });
  assert.equal(nextTimer(), 1000);
});

test('stream: close 1008 (the session ended) is final; stop() and a null path open nothing more', () => {
  let ended = 0;
  let path = '/api/v1/events?since=0&token=t';
  const s = createStream({ path: () => path, message: () => {}, ended: () => ended++, live: () => {} });
  s.start();
  sockets[0].onclose({ code: 1008 });
  assert.equal(ended, 1);
  assert.equal(timers.filter((x) => x.fn).length, 0);
  s.start();
  s.stop();
  assert.equal(sockets[1].closed, true);
  assert.equal(timers.filter((x) => x.fn).length, 0);
  s.start();
  path = null;  // signed out meanwhile
  sockets[2].onclose({ code: 1006 });
  nextTimer();
  assert.equal(sockets.length, 3);
});

test('api: the daemon\'s message in the page\'s language, its code and status; 401 with a token signs out', async () => {
  const answers = [
    [401, { error: { code: 'unauthorized', message: 'the credential is unknown', message_zh: '凭证无效' } }],
    [200, { ok: true }],
    [404, null],
  ];
  const sent = [];
  globalThis.fetch = async (path, init) => {
    sent.push({ path, init });
    const [status, body] = answers.shift();
    return { ok: status < 300, status, text: async () => (body ? JSON.stringify(body) : '') };
  };
  let lang = 'zh', out = 0;
  const api = apiClient({ token: () => 'tok', lang: () => lang, unauthorized: () => out++ });
  await assert.rejects(api('/api/v1/hall'), (e) => e instanceof ApiError && e.message === '凭证无效' &&
    e.status === 401 && e.code === 'unauthorized');
  assert.equal(out, 1);
  assert.deepEqual(await api('/api/v1/x', { method: 'POST', body: { a: 1 } }), { ok: true });
  assert.equal(sent[1].init.headers.Authorization, 'Bearer tok');
  assert.equal(sent[1].init.headers['Content-Type'], 'application/json');
  assert.equal(sent[1].init.body, '{"a":1}');
  assert.equal(sent[1].init.cache, 'no-store');
  lang = 'en';
  await assert.rejects(api('/nope'), (e) => e.message === 'HTTP 404' && e.status === 404);
  assert.equal(out, 1);
});

test('events: EV names the controller\'s types; a misspelt one throws where it is read', async () => {
  const { EV } = await import(`data:text/javascript,${encodeURIComponent(readFileSync(join(SOURCE, 'controller/web/events.js'), 'utf8'))}`);
  assert.equal(EV.TicketCalled, 'TicketCalled');
  assert.equal(EV.AppointmentMissed, 'AppointmentMissed');
  assert.throws(() => EV.TicketCaled, /unknown event type TicketCaled/);
  assert.throws(() => { EV.TicketCalled = 'x'; }, TypeError);  // frozen
  assert.equal(EV.TicketCalled, 'TicketCalled');
});
