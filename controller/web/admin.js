// The manager's page (/admin): the hall live with what needs the manager now (alerts), the
// month's staff scores under the centre's rulebook line by line (R-SCORE-*), complaints to
// answer (R-COMP-1), bad reviews to follow up (R-EVAL-1), manual score items and leave.
// Everything comes from the controller's API with a manager session; the live parts follow
// the staff event stream. Chinese first; ?lang=en or the header button for English.
//
// This module signs in, switches tabs and languages, and starts the page. The rest, a module
// per tab:
//   admin-text.js          the texts (zh, en)
//   admin-core.js          session, state, API, event stream, refresh, CSV
//   admin-live.js          大厅实况          admin-stats.js         统计
//   admin-scores.js        考评              admin-registers.js     登记簿
//   admin-appointments.js  预约              admin-complaints.js    投诉与差评
//   admin-records.js       加减分与请假       admin-security.js      rating sources, unlock
// and the modules every page shares: api.js, stream.js, i18n.js, dom.js.
import { $, esc } from './dom.js';
import { applyLabels } from './i18n.js';
import { LANG, T, switchLang } from './admin-text.js';
import { api, session, page, state, stream, setSession, setPage, refresh, signOut } from './admin-core.js';
import { renderLive, loadLive } from './admin-live.js';
import { renderScores, loadScores, loadSummary, wireScores } from './admin-scores.js';
import { renderStats, fillStatsSelects, wireStats } from './admin-stats.js';
import { renderRegister, fillRegisterSelects, wireRegisters } from './admin-registers.js';
import { renderAppointments, fillBookSelects, fillSlots, wireAppointments } from './admin-appointments.js';
import { renderComplaints, wireComplaints } from './admin-complaints.js';
import { renderRecords, wireRecords } from './admin-records.js';
import { wireSecurity } from './admin-security.js';

function applyText() {
  applyLabels(LANG, T());
  document.title = T().title;
  $('lang').textContent = T().lang;
  $('tabs').innerHTML = Object.entries(T().tabs).map(([k, v]) =>
    `<button role="tab" data-page="${k}" aria-selected="${k === page}">${esc(v)}<span class="badge" data-badge="${k}" hidden></span></button>`).join('');
  const kinds = $('lv-kind');
  kinds.innerHTML = Object.entries(T().kinds).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
  fillStatsSelects();
  fillRegisterSelects();
  fillBookSelects();
}

function showPage(p) {
  setPage(p);
  document.querySelectorAll('.page').forEach((el) => el.classList.toggle('on', el.dataset.page === p));
  document.querySelectorAll('#tabs button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.page === p)));
  refresh();
}

async function start() {
  document.documentElement.dataset.view = 'pages';
  $('who').textContent = session.name ? `${session.name}（${session.user}）` : session.user;
  state.rulebook = await api('/api/v1/scoring/rulebook');
  await loadLive();
  // The hall's date, not the PC's: the month and quarter the review starts on.
  const day = (state.now || new Date().toISOString()).slice(0, 10);
  const month = day.slice(0, 7);
  if (!$('month').value) $('month').value = month;
  if (!$('adj-month').value) $('adj-month').value = month;
  if (!$('lv-from').value) { $('lv-from').value = day; $('lv-to').value = day; }
  if (!$('st-from').value) { $('st-from').value = `${month}-01`; $('st-to').value = day; }
  if (!$('reg-from').value) { $('reg-from').value = `${month}-01`; $('reg-to').value = day; }
  if (!$('appt-day').value) { $('appt-day').value = day; $('bk-day').value = day; }
  state.services = (await api('/api/v1/services')).services;
  fillBookSelects();
  fillSlots($('bk-slot'), $('bk-service').value, $('bk-day').value).catch(() => {});
  const y = Number(day.slice(0, 4)), q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
  const quarters = [];
  for (let i = 0; i < 4; i++) {
    const qq = ((q - 1 - i + 8) % 4) + 1, yy = y - (q - 1 - i < 0 ? 1 : 0);
    quarters.push(`${yy}-Q${qq}`);
  }
  $('quarter').innerHTML = quarters.map((x) => `<option>${x}</option>`).join('');
  await loadScores();
  renderRecords();
  showPage(page);
  stream.start();
  setInterval(() => { if (page === 'live') loadLive().catch(() => {}); }, 10000);
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('si-error').textContent = '';
  try {
    const r = await api('/api/v1/sessions', { method: 'POST', body: { user: $('si-user').value.trim(), password: $('si-password').value } });
    setSession({ token: r.token, role: r.role, user: r.user, name: r.name });
    $('si-password').value = '';
    await start();
  } catch (e) {
    $('si-error').textContent = e.message;
  }
});
$('signout').addEventListener('click', () => signOut());
$('lang').addEventListener('click', () => {
  switchLang();
  applyText();
  renderLive();
  renderScores();
  renderComplaints();
  renderRecords();
  renderStats();
  renderRegister();
  renderAppointments();
  if (session) loadSummary().catch(() => {});
});
$('tabs').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-page]');
  if (b) showPage(b.dataset.page);
});
wireSecurity();
wireScores();
wireStats();
wireRegisters();
wireAppointments();
wireComplaints();
wireRecords();
// The hall's time in the hall's zone (the offset its timestamps carry), whatever the PC's.
setInterval(() => {
  if (!state.now) return;
  const m = /([+-])(\d\d):(\d\d)$/.exec(state.now);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(Date.now() + (state.skew || 0) + offset * 60000);
  $('clock').textContent = `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}, 1000);

applyText();
if (session) start().catch(() => signOut(false));
