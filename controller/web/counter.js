// The clerk console (/counter): a clerk signs in at a window under their own account (R-ACCT-1)
// as its A or B post and works the queue and the case register from here. Everything comes
// from the controller's API (GET /api/v1/windows/{n}/console, /cases, /enquiries) and is
// refreshed from the staff event stream; every action has a key (press ? for the list).
// Chinese first; ?lang=en or the header button for English.
//
// This module signs in and out, wires the page and its keys, and starts it. The rest:
//   counter-text.js          the texts (zh, en)
//   counter-core.js          session, state, clock, API, event stream, the tab bar
//   counter-queue.js         the queue above the tabs, the transfer and pause dialogs
//   counter-cases.js         办件 and 待登记: the case form, a case's details, notices
//   counter-enquiries.js     咨询登记
//   counter-handover.js      交接记录
//   counter-appointments.js  预约
// and the modules every page shares: api.js, stream.js, i18n.js, dom.js.
import { $, el, toast } from './dom.js';
import { applyLabels } from './i18n.js';
import { LANG, T, switchLang } from './counter-text.js';
import {
  api, session, hallInfo, stream, setSession, setHallInfo, setServices, setClock, setTab,
  signedOut, refresh, refreshLists, renderTabs, renderLists, tick,
} from './counter-core.js';
import { render, run, submitTransfer, submitPause } from './counter-queue.js';
import { submitFinish, submitRegister } from './counter-cases.js';
import { submitEnquiry } from './counter-enquiries.js';
import {
  fillApServices, fillApItems, fillApSlots, submitAppointment,
} from './counter-appointments.js';

const params = new URLSearchParams(location.search);

const KEYS = { n: 'call-next', r: 'recall', x: 'skip', s: 'start', f: 'finish', t: 'transfer', h: 'hold', u: 'unhold',
  p: 'pause', c: 'case', e: 'enquiry' };
const KEY_OF = Object.fromEntries(Object.entries(KEYS).map(([k, a]) => [a, k.toUpperCase()]));
KEY_OF.resume = 'P';

// ---- labels ----
function labels() {
  applyLabels(LANG, T);
  document.title = T.title;
  $('lang').textContent = LANG === 'en' ? '中文' : 'English';
  for (const b of document.querySelectorAll('#actions button')) {
    const a = b.dataset.act;
    b.replaceChildren(T.acts[a], el('kbd', { text: KEY_OF[a] }));
  }
  for (const b of document.querySelectorAll('#tabs button')) b.dataset.label = T.tabs[b.dataset.tab];
  const ph = T.enqPlaceholders;
  ['eq-subject', 'eq-caller', 'eq-phone', 'eq-to'].forEach((id, i) => { $(id).placeholder = ph[i]; });
  ['ap-name', 'ap-phone'].forEach((id, i) => { $(id).placeholder = T.apPlaceholders[i]; });
  $('ap-channel').replaceChildren(...T.apChannels.map(([v, l]) => el('option', { value: v, text: l })));
  fillApServices();
  $('eq-channel').replaceChildren(...T.enqChannels.map(([v, l]) => el('option', { value: v, text: l })));
  $('keys').tBodies[0].replaceChildren(...T.help.map(([k, l]) => el('tr', {}, el('td', { text: k }), el('td', { text: l }))));
  $('pause-reasons').replaceChildren(...T.pauseReasons.map((r, i) => el('label', {},
    el('input', { type: 'radio', name: 'pause-reason', value: String(i), checked: i === 0 }), ` ${r}`)));
  renderSigninWindows();
  render();
}

// ---- sign-in ----
function renderSigninWindows() {
  const sel = $('si-window');
  const keep = sel.value || params.get('window') || (session && String(session.window)) || '';
  sel.replaceChildren(...((hallInfo && hallInfo.windows) || []).map((w) =>
    el('option', { value: String(w.number), text: `${w.number} · ${w.name || ''}` })));
  if (keep) sel.value = keep;
}

async function signIn(ev) {
  ev.preventDefault();
  $('si-error').textContent = '';
  const window = Number($('si-window').value);
  try {
    setSession(null);
    const r = await api(`/api/v1/windows/${window}/sign-in`, { method: 'POST', body: { clerk: $('si-clerk').value.trim(), pin: $('si-pin').value } });
    setSession({ token: r.token, window });
    $('si-pin').value = '';
    await enterConsole();
  } catch (e) {
    $('si-error').textContent = e.message;
  }
}

async function signOut() {
  try {
    await api(`/api/v1/windows/${session.window}/sign-out`, { method: 'POST', body: {} });
    toast(T.toast.signedOut);
    signedOut();
  } catch (e) {
    toast(e.message, true);
  }
}

async function enterConsole() {
  await refresh();
  document.documentElement.dataset.view = 'console';
  stream.start();
  refreshLists();
}

// ---- keys ----
function onKey(ev) {
  if (document.documentElement.dataset.view !== 'console') return;
  if (document.querySelector('dialog[open]')) return;  // Esc and Enter belong to the dialog
  const inField = /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName || '');
  if (ev.ctrlKey || ev.metaKey) return;
  if (inField && !ev.altKey) return;
  const k = (ev.key || '').toLowerCase();
  if (k === '?' || (ev.shiftKey && k === '/')) { ev.preventDefault(); $('dlg-keys').showModal(); return; }
  if (!ev.altKey && ['1', '2', '3', '4', '5'].includes(k)) {
    setTab(['cases', 'unregistered', 'enquiries', 'handover', 'appointments'][Number(k) - 1]);
    renderTabs();
    ev.preventDefault();
    return;
  }
  const code = (ev.code || '').startsWith('Key') ? ev.code.slice(3).toLowerCase() : k;  // Alt+letter on any layout
  if (KEYS[code]) {
    ev.preventDefault();
    run(KEYS[code]);
  }
}

// ---- start ----
function wire() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('lang').addEventListener('click', () => {
    switchLang();
    labels();
    renderLists();
  });
  for (const b of document.querySelectorAll('#actions button')) b.addEventListener('click', () => run(b.dataset.act));
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => { setTab(b.dataset.tab); renderTabs(); });
  $('finish-form').addEventListener('submit', submitFinish);
  $('case-form').addEventListener('submit', submitRegister);
  $('transfer-form').addEventListener('submit', submitTransfer);
  $('pause-form').addEventListener('submit', submitPause);
  $('enquiry-form').addEventListener('submit', submitEnquiry);
  $('ap-form').addEventListener('submit', submitAppointment);
  $('ap-service').addEventListener('change', () => { fillApItems(); fillApSlots(); });
  $('ap-day').addEventListener('change', fillApSlots);
  for (const r of document.querySelectorAll('input[name="fin-kind"]'))
    r.addEventListener('change', () => {
      const isCase = document.querySelector('input[name="fin-kind"]:checked').value === 'case';
      $('fin-case').hidden = !isCase;
      for (const i of $('fin-case').querySelectorAll('input, select, textarea')) i.disabled = !isCase;
    });
  document.addEventListener('keydown', onKey);
}

async function start() {
  wire();
  labels();
  try {
    const [h, svc] = await Promise.all([api('/api/v1/hall'), api('/api/v1/services')]);
    setHallInfo(h);
    setServices(svc.services || []);
    setClock(h.time);
  } catch (e) {
    $('si-error').textContent = e.message;
  }
  labels();
  if (session && session.token) {
    try {
      await enterConsole();
      return;
    } catch {
      signedOut();
    }
  }
  document.documentElement.dataset.view = 'signin';
  $('si-clerk').focus();
}

setInterval(tick, 500);
start();
