// stream.js — the live link every page keeps to its daemon: one WebSocket, and one rule for
// losing it. Copied flat next to each page's own files at build time.
//
// The rule, the same on every page: after a drop (or a failed attempt) try again in 1 s, then
// 2, 4, 8 and every 10 s; back to 1 s once a socket opens. Events may have been missed while
// the link was down, so each open calls `resync` (the page reads its snapshot again), and so
// does a {"type":"resync"} message (the controller's word that a client fell too far behind).
// Close code 1008 (policy: the session behind the token ended) is final: no new attempt;
// `ended` is called, and the page's next read finds the session gone.

export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 10000;

// The page's data-live attribute, which the styles use to show the offline badge.
export function liveAttribute(on) {
  document.documentElement.dataset.live = on ? 'true' : 'false';
}

// `path()`: the path (and query) to open now, e.g. with the last sequence number seen; null
// when the page has nothing to follow (signed out). `message(m)`: every parsed JSON object but
// a resync. `resync({server})`: on each open (server false) and on a resync message (server
// true). `live(on)`: told of every open (true) and every close (false).
export function createStream({ path, message, resync = () => {}, ended = () => {}, live = liveAttribute }) {
  let ws = null;
  let timer = null;
  let wanted = false;
  let backoff = BACKOFF_MIN_MS;

  function retry() {
    clearTimeout(timer);
    timer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }

  function connect() {
    timer = null;
    const p = wanted ? path() : null;
    if (!p) return;
    let sock;
    try {
      sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${p}`);
    } catch {
      retry();
      return;
    }
    ws = sock;
    sock.onopen = () => {
      backoff = BACKOFF_MIN_MS;
      live(true);
      resync({ server: false });
    };
    sock.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch { return; }
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'resync') resync({ server: true });
      else message(msg);
    };
    sock.onclose = (ev) => {
      if (ws !== sock) return;  // replaced or stopped
      ws = null;
      live(false);
      if (ev.code === 1008) {
        wanted = false;
        ended();
        return;
      }
      retry();
    };
  }

  // Closes the link for good (until the next start).
  function stop() {
    wanted = false;
    clearTimeout(timer);
    timer = null;
    if (ws) {
      const s = ws;
      ws = null;
      s.close();
    }
  }

  // (Re)opens the link now, dropping the current one.
  function start() {
    stop();
    wanted = true;
    connect();
  }

  return { start, stop };
}
