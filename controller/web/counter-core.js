// The clerk console's core: the signed-in session and what the controller said last (the hall,
// its services, the window's console view and its lists), the hall's clock, the API, the staff
// event stream, and the tab bar. The other modules read these as live bindings and change
// them only through the setters here. The modules import one another's functions; nothing but
// definitions runs when they load, and counter.js starts the page.
import { apiClient } from './api.js';
import { createStream } from './stream.js';
import { $, el, toast } from './dom.js';
import { localName } from './i18n.js';
import { EV } from './events.js';
import { LANG, T } from './counter-text.js';
import { render, renderPause } from './counter-queue.js';
import { renderCases, renderUnregistered } from './counter-cases.js';
import { renderEnquiries } from './counter-enquiries.js';
import { renderAppointments, loadAppointments } from './counter-appointments.js';

// ---- state ----
export let session = null;     // {token, window}
export let hallInfo = null;    // GET /api/v1/hall (centre, windows)
export let services = [];      // GET /api/v1/services (items and materials)
export let view = null;        // GET /api/v1/windows/{n}/console
export let cases = [], unregistered = [], enquiries = [];
export let appointments = null;  // null: the hall takes no appointments (the tab is hidden)
export let tab = 'cases';
let clockBase = null;   // {ms: hall time in ms (its local wall clock as UTC), at: performance.now()}
let refreshTimer = null, listsTimer = null;

try { session = JSON.parse(sessionStorage.getItem('hallq.counter') || 'null'); } catch { session = null; }

export function setSession(s) {
  session = s;
  if (s) sessionStorage.setItem('hallq.counter', JSON.stringify(s));
}
export function setHallInfo(h) { hallInfo = h; }
export function setServices(list) { services = list; }
export function setAppointments(list) { appointments = list; }
export function setTab(t) { tab = t; }

// ---- API ----
export const api = apiClient({
  token: () => session && session.token,
  lang: () => LANG,
  unauthorized: () => { if (session) signedOut(); },
});

// ---- time: the hall's clock, whatever the browser's zone ----
export function setClock(rfc) {
  const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?/.exec(rfc || '');
  if (m) clockBase = { ms: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(+m[7] * 1000) : 0), at: performance.now() };
}
export function hallNow() { return clockBase ? clockBase.ms + (performance.now() - clockBase.at) : Date.now(); }
export const hasClock = () => clockBase !== null;
// An RFC 3339 time of the hall as the same "local as UTC" milliseconds.
export function hallMs(rfc) {
  const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?/.exec(rfc || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(+m[7] * 1000) : 0) : NaN;
}
export const hhmm = (rfc) => (rfc ? rfc.slice(11, 16) : '');
const pad = (n) => String(n).padStart(2, '0');
export const mmss = (ms) => { const s = Math.max(0, Math.floor(ms / 1000)); return `${Math.floor(s / 60)}:${pad(s % 60)}`; };
export function today() {
  const d = new Date(hallNow());
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function tick() {
  if (!clockBase) return;
  const d = new Date(hallNow());
  $('clock').textContent = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  renderPause();
}

// ---- names ----
export function serviceName(id) {
  const s = services.find((x) => x.id === id);
  return s ? localName(s, LANG) : id;
}
export function windowName(n) {
  const w = hallInfo && (hallInfo.windows || []).find((x) => x.number === n);
  return w ? `${n} ${w.name || ''}` : String(n);
}
// A clerk id as the staff know it: the name.
export const who = (id) => (view && view.clerks && view.clerks[id]) || id || '';
export const typeLabel = (t) => (T.types.find(([v]) => v === t) || [t, t])[1];

// ---- session ----
export function signedOut() {
  session = null;
  view = null;
  sessionStorage.removeItem('hallq.counter');
  stream.stop();
  document.documentElement.dataset.view = 'signin';
  $('where').textContent = '';
  $('who').textContent = '';
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
}

// ---- loading ----
export async function refresh() {
  if (!session) return;
  const v = await api(`/api/v1/windows/${session.window}/console`);
  view = v;
  setClock(v.now);
  render();
  tick();
}

export async function refreshLists() {
  if (!session) return;
  try {
    const [c, q] = await Promise.all([api(`/api/v1/cases?window=${session.window}`), api('/api/v1/enquiries')]);
    cases = c.cases || [];
    unregistered = c.unregistered || [];
    enquiries = (q.enquiries || []).filter((e) => e.window === session.window);
    await loadAppointments();
    renderLists();
  } catch (e) {
    if (e.status !== 401) toast(e.message, true);
  }
}

export function refreshSoon(lists) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh().catch((e) => { if (e.status !== 401) toast(e.message, true); }), 120);
  if (lists) {
    clearTimeout(listsTimer);
    listsTimer = setTimeout(refreshLists, 150);
  }
}

// The staff event stream from the console's seq. An event refreshes the view (and the lists
// when it touches them); (re)connecting or a resync refreshes both. 1008: the session ended
// (signed out elsewhere, expired): the next read says 401 and the console returns to sign-in.
export const stream = createStream({
  path: () => (session ? `/api/v1/events?since=${view ? view.seq : 0}&token=${encodeURIComponent(session.token)}` : null),
  message: (e) => {
    const type = e.type || '';
    refreshSoon(type === EV.DayRolledOver || type === EV.TicketFinished || type.startsWith('Case') ||
      type.startsWith('Appointment') || type === EV.EnquiryLogged);
  },
  resync: () => refreshSoon(true),
  ended: () => refreshSoon(true),
});

// ---- the tabs below the queue ----
export function renderTabs() {
  const counts = { cases: cases.filter((c) => c.overdue).length, unregistered: unregistered.length, enquiries: 0,
    appointments: (appointments || []).filter((a) => a.state === 'requested').length,
    handover: view && view.handover ? view.handover.events.length : 0 };
  for (const b of document.querySelectorAll('#tabs button')) {
    const k = b.dataset.tab;
    b.replaceChildren(b.dataset.label || T.tabs[k], counts[k] ? el('span', { class: 'count', text: String(counts[k]) }) : '');
    b.classList.toggle('on', k === tab);
    if (k === 'appointments') b.hidden = appointments === null;
  }
  for (const d of document.querySelectorAll('.tab')) d.classList.toggle('on', d.id === `tab-${tab}`);
}

export function renderLists() {
  renderCases();
  renderUnregistered();
  renderEnquiries();
  renderAppointments();
  renderTabs();
}

// ---- actions ----
export async function act(action, body = {}) {
  if (!session) return null;
  try {
    const r = await api(`/api/v1/windows/${session.window}/${action}`, { method: 'POST', body });
    if (action === 'call-next' && r === null) toast(T.toast.nobody);
    await refresh();
    return r;
  } catch (e) {
    toast(e.message, true);
    refreshSoon(false);
    throw e;
  }
}
