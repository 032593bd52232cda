// HallQ ticket kiosk: the touch page.
//
// A thin view of hallq-kiosk's citizen flow. The daemon owns every rule and every screen
// change; this page only renders the state it receives and posts the citizen's taps as events.
//   state in:  WebSocket /api/stream (full state on connect and on every change; stream.js
//              reconnects); while the socket is down, GET /api/state every 2 s; if that fails
//              too, a "please wait" overlay.
//   events out: POST /api/event {"type","value"}; the answer is the new state (4xx: ignored).
// Data from the daemon is only ever inserted as text (textContent / Text nodes), never as markup.
//
// This module renders the current screen, keeps the state, and takes the taps. The screens:
//   kiosk-ticket.js       start, services, items, materials, ticket type, printing, ticket, error
//   kiosk-lookup.js       ticket lookup and progress     kiosk-rating.js     rating, thanks
//   kiosk-complaint.js    complaint form, sent           kiosk-help.js       call for staff
//   kiosk-appointment.js  appointment check-in
// with kiosk-core.js (state, language, shared parts), kiosk-text.js (zh, en) and the modules
// every page shares: api.js, stream.js, i18n.js, dom.js.
import { request } from './api.js';
import { createStream } from './stream.js';
import { htmlLang } from './i18n.js';
import { app, state, setState, lang, t } from './kiosk-core.js';
import {
  renderIdle, renderServices, renderItems, renderMaterials, renderPriority, renderWorking, renderDone, renderError,
  noticeShown, rollNotice,
} from './kiosk-ticket.js';
import {
  renderLookup, renderSearching, renderProgress, lookupInput, lookupValid, updateLookup, pressKey, resetLookup,
} from './kiosk-lookup.js';
import { renderAppointment, codeInput, codeComplete, updateCode, pressCode, resetCode } from './kiosk-appointment.js';
import {
  renderComplaint, renderSending, renderFiled, complaintValid, complaintForm, updateComplaint, toggleCategory,
  chooseWindow, pressPhone, resetComplaint,
} from './kiosk-complaint.js';
import { renderRating, renderRated } from './kiosk-rating.js';
import { renderHelp } from './kiosk-help.js';

const POLL_MS = 2000;          // GET /api/state while the WebSocket is down
const FETCH_TIMEOUT_MS = 4000;
const KEEPALIVE_MS = 5000;     // at most one keep-alive "touch" per 5 s
const TAP_GUARD_MS = 1500;     // after an event, ignore taps until the answer (or this long)
const SETTLE_MS = 400;         // after the screen changes, ignore taps meant for the old one
const HINT_BELOW_S = 15;       // the header shows the countdown below this many seconds

// ---------------------------------------------------------------------------------------------
// Page state
// ---------------------------------------------------------------------------------------------
let renderedKey = '';    // what the DOM shows, minus the clock fields
let receivedAt = 0;      // performance.now() when `state` arrived
let seq = 0;             // ordering of requests and socket messages (see apply)
let appliedSeq = 0;
let tapGuardUntil = 0;   // taps are ignored until the answer to the last event
let settledAt = 0;       // taps are ignored until then: the screen (or its language or size) just changed
let lastActivity = -Infinity;  // last event sent, for the keep-alive touch

const waitOverlay = document.getElementById('wait');

const SCREENS = {
  idle: renderIdle,
  services: renderServices,
  items: renderItems,
  materials: renderMaterials,
  priority: renderPriority,
  working: renderWorking,
  done: renderDone,
  error: renderError,
  lookup: renderLookup,
  searching: renderSearching,
  progress: renderProgress,
  help: renderHelp,
  complaint: renderComplaint,
  sending: renderSending,
  filed: renderFiled,
  appointment: renderAppointment,
  rating: renderRating,
  rated: renderRated,
};

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

// The state without the fields that only move the clocks: equal keys need no new DOM.
function renderKey(s) {
  const { time, ...rest } = s;
  const { timeout_s, ...flow } = s.flow || {};
  return JSON.stringify({ ...rest, flow });
}

function render(force = false) {
  if (!state || !state.flow) return;
  const key = renderKey(state);
  if (force || key !== renderedKey) {
    const screen = SCREENS[state.flow.screen] ? state.flow.screen : 'idle';
    const root = document.documentElement;
    const sameScreen = root.dataset.screen === screen;
    const oldScroll = app.querySelector('.scroll');
    const scrollTop = sameScreen && oldScroll ? oldScroll.scrollTop : 0;

    if (!sameScreen) noticeShown();
    if (!sameScreen && screen === 'lookup') resetLookup();  // each visit starts empty
    if (!sameScreen && screen === 'appointment') resetCode();
    if (!sameScreen && screen === 'complaint') resetComplaint();
    const layout = `${screen}/${lang()}/${!!state.flow.elderly_mode}`;
    if (layout !== root.dataset.layout) settledAt = performance.now() + SETTLE_MS;
    root.dataset.layout = layout;
    root.lang = htmlLang(lang());
    root.dataset.screen = screen;
    root.classList.toggle('elderly', !!state.flow.elderly_mode);
    app.className = `screen screen-${screen}`;
    app.replaceChildren(...SCREENS[screen]().flat().filter(Boolean));

    const scroll = app.querySelector('.scroll');
    if (scroll) {
      scroll.scrollTop = scrollTop;
      scroll.addEventListener('scroll', updateMoreHint, { passive: true });
    }
    renderedKey = key;
  }
  updateLookup();
  updateCode();
  updateComplaint();
  updateMoreHint();
  tick();
}

// Materials lists can be longer than the screen: say so until the citizen reaches the end.
function updateMoreHint() {
  const more = app.querySelector('.js-more');
  const scroll = app.querySelector('.scroll');
  if (!more || !scroll) return;
  more.hidden = scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - 8;
}

// Once a second: the clock, the countdowns and the rolling notice.
function tick() {
  if (!state) return;
  const elapsed = (performance.now() - receivedAt) / 1000;

  const clock = hallClock(state.time, elapsed);
  if (clock) {
    for (const e of app.querySelectorAll('.js-time')) e.textContent = clock.time;
    for (const e of app.querySelectorAll('.js-date')) e.textContent = clock.date;
  }

  const timeout = state.flow && state.flow.timeout_s;
  const left = typeof timeout === 'number' ? Math.max(0, Math.ceil(timeout - elapsed)) : null;
  for (const e of app.querySelectorAll('.js-countdown')) e.textContent = left == null ? '' : t('back_in')(left);
  for (const e of app.querySelectorAll('.js-hint')) {
    const show = left != null && left < HINT_BELOW_S && !app.querySelector('.js-countdown');
    e.hidden = !show;
    if (show) e.textContent = t('back_in')(left);
  }

  rollNotice();
}

// The hall's local time from the daemon's ISO time (with its offset), moved on by `elapsed` s,
// so the kiosk shows the hall's clock whatever the browser's time zone.
function hallClock(iso, elapsed) {
  const ms = Date.parse(iso || '');
  if (Number.isNaN(ms)) return null;
  const m = /([+-])(\d\d):?(\d\d)$/.exec(iso);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(ms + elapsed * 1000 + offsetMin * 60000);
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const date = t('date')(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), t('weekdays')[d.getUTCDay()]);
  return { time, date };
}

// ---------------------------------------------------------------------------------------------
// State from the daemon
// ---------------------------------------------------------------------------------------------

// Applies a state unless something that started later was already applied: a slow POST answer
// or poll must not undo a newer socket message (and the other way round).
function apply(s, startedSeq) {
  if (!s || typeof s !== 'object' || !s.flow || startedSeq < appliedSeq) return;
  appliedSeq = startedSeq;
  setState(s);
  receivedAt = performance.now();
  waitOverlay.hidden = true;
  render();
}

async function poll() {
  const mine = ++seq;
  try {
    const r = await request('/api/state', { timeoutMs: FETCH_TIMEOUT_MS });
    if (r.ok) apply(r.body, mine);
    else throw new Error(`HTTP ${r.status}`);
  } catch {
    if (!socketOpen) waitOverlay.hidden = false;  // the daemon is away (restarting?)
  }
}

async function send(type, value = '') {
  const mine = ++seq;
  lastActivity = performance.now();
  try {
    const r = await request('/api/event', { method: 'POST', body: { type, value }, timeoutMs: FETCH_TIMEOUT_MS });
    if (r.ok) apply(r.body, mine);
    else render(true);  // refused: show the last state again, nothing else
  } catch {
    render(true);
    poll();
  } finally {
    tapGuardUntil = 0;
  }
}

// The WebSocket (stream.js: one back-off rule for every page); polling covers the gaps. The
// daemon sends the whole state on connect, so a reconnect needs no resync of its own.
let socketOpen = false;
const stream = createStream({
  path: () => '/api/stream',
  message: (s) => apply(s, ++seq),
  live: (on) => {
    if (!on && socketOpen) poll();  // catch up at once, then every POLL_MS until the socket is back
    socketOpen = on;
  },
});

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------
app.addEventListener('click', (e) => {
  if (!state) return;
  const now = performance.now();
  // A double tap must not also press whatever the next screen has in the same place.
  if (now < tapGuardUntil || now < settledAt) return;
  const target = e.target instanceof Element ? e.target.closest('button') : null;
  if (target && target.dataset.key) {
    pressKey(target.dataset.key);  // typing is the page's own: no guard, no event
    return;
  }
  if (target && target.dataset.code) {
    pressCode(target.dataset.code);
    return;
  }
  if (target && target.dataset.appointment) {
    if (!codeComplete()) return;
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send('appointment', codeInput);
    return;
  }
  if (target && target.dataset.cat) {
    toggleCategory(target.dataset.cat);
    return;
  }
  if (target && target.dataset.win) {
    chooseWindow(Number(target.dataset.win));
    return;
  }
  if (target && target.dataset.phone) {
    pressPhone(target.dataset.phone);
    return;
  }
  if (target && target.dataset.complaint) {
    if (!complaintValid()) return;
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send('complaint', complaintForm());
    return;
  }
  if (target && target.dataset.lookup) {
    if (!lookupValid(lookupInput)) return;
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send('lookup', lookupInput);
    return;
  }
  if (target && target.dataset.event) {
    const [type, value] = JSON.parse(target.dataset.event);
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send(type, value);
  } else if (state.flow.screen === 'idle') {
    tapGuardUntil = now + TAP_GUARD_MS;
    send('touch');  // anywhere on the attract screen wakes the kiosk
  }
});

// Any other tap (or scrolling a list) keeps the screen from timing out.
document.addEventListener('pointerdown', (e) => {
  if (!state || ['idle', 'working', 'searching', 'sending'].includes(state.flow.screen)) return;
  const onButton = e.target instanceof Element && e.target.closest('button[data-event], button[data-lookup], button[data-complaint], button[data-appointment]');
  if (onButton || performance.now() - lastActivity < KEEPALIVE_MS) return;
  lastActivity = performance.now();
  request('/api/event', { method: 'POST', body: { type: 'touch', value: '' }, timeoutMs: FETCH_TIMEOUT_MS })
    .catch(() => {});  // its answer only moves the time-out: the socket or the poll brings it
}, { capture: true, passive: true });

// A kiosk, not a browser: no context menu, no selection, no drag, no zoom.
for (const type of ['contextmenu', 'selectstart', 'dragstart', 'gesturestart']) {
  document.addEventListener(type, (e) => e.preventDefault());
}
document.addEventListener('touchmove', (e) => {
  if (e.touches.length > 1) e.preventDefault();  // pinch
}, { passive: false });
document.addEventListener('wheel', (e) => {
  if (e.ctrlKey) e.preventDefault();  // touchpad pinch arrives as ctrl+wheel
}, { passive: false });

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------
setInterval(tick, 1000);
setInterval(() => {
  if (!socketOpen) poll();
}, POLL_MS);
poll();
stream.start();
