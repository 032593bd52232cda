// The manager's page's core: the session, the tab shown, what the controller said last (one
// `state` object the tabs fill in), the API, the staff event stream, sign-out, and the helpers
// the tabs' tables share (cells, CSV). The modules import one another's functions; nothing but
// definitions runs when they load, and admin.js starts the page.
import { apiClient } from './api.js';
import { createStream } from './stream.js';
import { esc, toast } from './dom.js';
import { LANG } from './admin-text.js';
import { loadLive } from './admin-live.js';
import { loadScores, loadSummary } from './admin-scores.js';
import { loadStats } from './admin-stats.js';
import { loadRegister } from './admin-registers.js';
import { loadAppointments, renderAppointments } from './admin-appointments.js';
import { loadComplaints, renderComplaints } from './admin-complaints.js';
import { loadRecords } from './admin-records.js';

export let session = JSON.parse(sessionStorage.getItem('hallq.admin') || 'null');
export let page = sessionStorage.getItem('hallq.admin.page') || 'live';
export const state = { hall: null, alerts: [], now: null, rulebook: null, scores: [], month: null, selected: null,
  complaints: [], followups: [], leave: [], names: {}, services: [], requests: [], appts: [], apptOn: true };

export function setSession(s) {
  session = s;
  sessionStorage.setItem('hallq.admin', JSON.stringify(s));
}

export function setPage(p) {
  page = p;
  sessionStorage.setItem('hallq.admin.page', p);
}

export const api = apiClient({
  token: () => session && session.token,
  lang: () => LANG,
  unauthorized: () => { if (session) signOut(false); },
});

// ---- table cells and CSV (UTF-8 with a BOM, for Excel) ----

export const cell = (v, cls = '') => `<td class="${cls}">${esc(v)}</td>`;
export const signed = (n) => (n > 0 ? `+${n}` : String(n));

export function csv(rows) {
  return '\ufeff' + rows.map((r) => r.map((v) => {
    const s = String(v ?? '');
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')).join('\r\n') + '\r\n';
}
export function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// ---- session, refresh, stream ----

// The live tab and the tab shown, read again; the other tabs' badges on the side.
export async function refresh() {
  if (!session) return;
  try {
    await loadLive();
    if (page === 'scores') await Promise.all([loadScores(), loadSummary()]);
    if (page === 'stats' && !state.stats) await loadStats();
    if (page === 'registers' && !state.register) await loadRegister();
    if (page === 'appointments') await loadAppointments();
    else if (state.apptOn) api('/api/v1/appointments').then((r) => {
      state.requests = r.appointments.filter((a) => a.state === 'requested'); renderAppointments();
    }).catch(() => { state.apptOn = false; });
    if (page === 'complaints') await loadComplaints();
    else api('/api/v1/complaints').then((c) => api('/api/v1/follow-ups').then((f) => {
      state.complaints = c.open; state.followups = f.open; renderComplaints();
    })).catch(() => {});
    if (page === 'records') await loadRecords();
  } catch (e) {
    toast(e.message, true);
  }
}

// The staff event stream from the hall's seq: each event (and each reconnect or resync) reads
// the page again, at most every 300 ms. 1008: the session ended elsewhere; the next read says
// 401 and the page signs out.
let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => (page === 'live' ? loadLive().catch(() => {}) : refresh()), 300);
}
export const stream = createStream({
  path: () => (session ? `/api/v1/events?since=${state.hall ? state.hall.seq : 0}&token=${encodeURIComponent(session.token)}` : null),
  message: refreshSoon,
  resync: refreshSoon,
  ended: () => { loadLive().catch(() => {}); },
});

export function signOut(callServer = true) {
  if (callServer && session) api('/api/v1/sessions', { method: 'DELETE' }).catch(() => {});
  session = null;
  sessionStorage.removeItem('hallq.admin');
  stream.stop();
  document.documentElement.dataset.view = 'signin';
}
