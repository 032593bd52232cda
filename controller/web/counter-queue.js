// The clerk console's queue, above the tabs: the window and who is at it, the current ticket
// and its history, the actions (each with a key), the tickets on hold, the waiting, the day's
// counts, the pause banner and its timer (R-AB-3), kiosk calls for help (R-HALL-7), and the
// transfer and pause dialogs.
import { $, el, toast } from './dom.js';
import { localName } from './i18n.js';
import { I18N, LANG, T } from './counter-text.js';
import {
  api, act, view, hallInfo, services, session, setHallInfo, setTab, refresh, refreshSoon, renderTabs,
  serviceName, windowName, who, hhmm, mmss, hallNow, hallMs, hasClock,
} from './counter-core.js';
import { openFinish, openRegister } from './counter-cases.js';
import { renderHandover } from './counter-handover.js';

export function render() {
  if (hallInfo) $('centre').textContent = hallInfo.centre || '';
  if (!view) return;
  const w = view.window;
  $('where').textContent = `${w.number} · ${w.name || ''}`;
  const me = view.me;
  $('who').replaceChildren(me ? me.name : '', w.post ? el('span', { class: 'post', text: LANG === 'en' ? `Post ${w.post}` : `${w.post}岗` }) : '',
    el('span', { class: 'hint', text: `　${T.posts(view.posts.A && view.posts.A.name, view.posts.B && view.posts.B.name)}` }));
  const cover = $('cover');
  cover.classList.toggle('on', !!view.covering);
  cover.textContent = view.covering ? T.cover(me ? me.name : view.covering.clerk, view.covering.for_name) : '';

  // The current ticket and its history.
  const cur = view.current;
  $('cur-number').textContent = cur ? cur.number : T.none;
  $('cur-service').textContent = cur ? `${cur.service_name || serviceName(cur.service)}` : T.idle;
  const st = $('cur-state');
  st.className = cur ? cur.state : '';
  st.textContent = cur ? `${T.state[cur.state] || cur.state}${cur.state === 'called' ? ` · ${cur.recalls_left > 0 ? T.recallsLeft(cur.recalls_left) : T.noRecalls}` : ''}` : '';
  const hist = [];
  if (cur) {
    hist.push(T.history.issued(hhmm(cur.issued_at), T.channels[cur.channel] || cur.channel));
    for (const t of cur.transfers || [])
      hist.push(T.history.transfer(hhmm(t.at), t.from_window, who(t.from_clerk), t.to_window ? windowName(t.to_window) : serviceName(t.to_service)));
    if (cur.called_at) hist.push(T.history.called(hhmm(cur.called_at), cur.window));
    if (cur.recalls) hist.push(T.history.recalls(cur.recalls));
    if (cur.started_at && cur.state === 'serving') hist.push(T.history.started(hhmm(cur.started_at)));
    if (cur.first_clerk) hist.push(T.history.first(who(cur.first_clerk)));
  }
  $('cur-history').replaceChildren(...hist.map((h) => el('li', { text: h })));

  // What each action may do now (the controller decides; this only avoids pointless clicks).
  const paused = w.state === 'paused';
  const enable = {
    'call-next': !cur && !paused, recall: cur && cur.state === 'called', skip: cur && cur.state === 'called',
    start: cur && cur.state === 'called', finish: !!cur, transfer: !!cur, hold: !!cur,
    unhold: !cur && view.held.length > 0 && !paused, pause: !cur && !paused, resume: paused, case: true, enquiry: true,
  };
  for (const b of document.querySelectorAll('#actions button')) {
    const a = b.dataset.act;
    b.disabled = !enable[a];
    b.hidden = (a === 'pause' && paused) || (a === 'resume' && !paused);
  }

  $('held-panel').classList.toggle('empty', view.held.length === 0);
  $('held').replaceChildren(...view.held.map((t) => el('li', { 'data-ticket': t.id },
    el('strong', { text: t.number }), serviceName(t.service),
    el('button', { type: 'button', text: T.acts.unhold, disabled: !!cur || paused, onclick: () => act('unhold', { ticket: t.id }) }))));

  // Waiting for this window's services.
  const rows = view.waiting.map((s) => el('tr', { 'data-service': s.service },
    el('td', { text: s.prefix }), el('td', { text: localName(s, LANG) }),
    el('td', { class: 'count', text: T.people(s.waiting) })));
  if (view.waiting_for_window) rows.unshift(el('tr', { 'data-service': '' }, el('td', { text: '→' }), el('td', { text: T.forWindow }),
    el('td', { class: 'count', text: T.people(view.waiting_for_window) })));
  $('waiting').tBodies[0].replaceChildren(...rows);

  // Today's counts for this clerk.
  const dl = $('today');
  dl.replaceChildren();
  for (const [k, label] of T.todayRows) {
    const v = view.today[k] || 0;
    dl.append(el('dt', { text: label }), el('dd', { 'data-k': k, class: k === 'unregistered' && v > 0 ? 'warn' : '',
      text: k === 'average_service_s' ? T.minutes(v) : String(v) }));
  }
  renderPause();
  renderHandover();
  renderTabs();
  renderHelp();
}

// Citizens who pressed "help" at a kiosk (帮办代办, R-HALL-7): every signed-in clerk sees
// them until one answers; the kiosk then tells the citizen someone is coming.
function renderHelp() {
  const open = (view && view.help_requests) || [];
  const box = $('help-banner');
  box.classList.toggle('on', open.length > 0);
  box.replaceChildren(...open.map((h) => {
    const mins = hasClock() ? Math.max(0, Math.floor((hallNow() - hallMs(h.at)) / 60000)) : 0;
    return el('div', { class: 'help-call', 'data-help': h.id },
      el('span', { text: T.helpCall(h.location || h.device, mins) }),
      el('button', { type: 'button', class: 'primary', text: T.helpGo, onclick: () => answerHelp(h.id) }));
  }));
}

async function answerHelp(id) {
  try {
    await api(`/api/v1/help-requests/${id}/answer`, { method: 'POST', body: {} });
    toast(T.helpTaken);
  } catch (e) {
    toast(e.message, true);
  }
  refreshSoon(false);
}

export function renderPause() {
  const b = $('pause-banner');
  const w = view && view.window;
  const on = !!(w && w.state === 'paused');
  b.classList.toggle('on', on);
  if (!on) return;
  $('pause-reason').textContent = w.pause_reason || '';
  const left = hallMs(w.pause_alert_at) - hallNow();
  const over = left <= 0 || w.pause_alerted;
  b.classList.toggle('over', over);
  $('pause-timer').textContent = over ? `+${mmss(-left)}` : mmss(left);
  $('pause-timer').title = over ? T.pauseOver(mmss(-left)) : T.pauseLeft(mmss(left));
  $('pause-note').textContent = w.pause_alerted ? T.pauseAlerted : T.pauseSoon(view.pause_alert_minutes);
}

export function run(action) {
  const b = document.querySelector(`#actions button[data-act="${action === 'pause' && view && view.window.state === 'paused' ? 'resume' : action}"]`);
  if (!b || b.disabled) return;
  const a = b.dataset.act;
  if (a === 'finish') return openFinish();
  if (a === 'transfer') return openTransfer();
  if (a === 'pause') return openPause();
  if (a === 'case') return openRegister(null);
  if (a === 'enquiry') {
    setTab('enquiries');
    renderTabs();
    $('eq-subject').focus();
    return;
  }
  if (a === 'unhold') {
    const first = view.held[0];
    if (first) act('unhold', { ticket: first.id }).catch(() => {});
    return;
  }
  act(a).catch(() => {});
}

// ---- transfer and pause ----
async function openTransfer() {
  $('transfer-error').textContent = '';
  try { setHallInfo(await api('/api/v1/hall')); } catch { /* the last snapshot will do */ }
  const here = view.window.number;
  $('tr-service').replaceChildren(el('option', { value: '', text: '—' }),
    ...services.map((s) => el('option', { value: s.id, text: `${s.prefix} ${localName(s, LANG)}` })));
  $('tr-window').replaceChildren(el('option', { value: '', text: '—' }),
    ...((hallInfo && hallInfo.windows) || []).filter((w) => w.number !== here)
      .map((w) => el('option', { value: String(w.number), text: `${w.number} ${w.name || ''}${w.state === 'closed' ? ' ×' : ''}` })));
  $('dlg-transfer').showModal();
  $('tr-service').focus();
}

export async function submitTransfer(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const body = {};
  if ($('tr-service').value) body.service = $('tr-service').value;
  if ($('tr-window').value) body.window = Number($('tr-window').value);
  try {
    await api(`/api/v1/windows/${session.window}/transfer`, { method: 'POST', body });
    $('dlg-transfer').close();
    toast(T.toast.done);
    await refresh();
  } catch (e) {
    $('transfer-error').textContent = e.message;
  }
}

function openPause() {
  $('pause-hint').textContent = T.pauseHint(view.pause_alert_minutes);
  $('pause-other').value = '';
  $('dlg-pause').showModal();
}

export async function submitPause(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const i = Number(document.querySelector('input[name="pause-reason"]:checked').value);
  const other = $('pause-other').value.trim();
  // The reason is recorded in Chinese whatever the page's language: the hall's screens show it.
  const reason = other || I18N.zh.pauseReasons[i];
  try {
    await act('pause', { reason });
    $('dlg-pause').close();
  } catch { /* toast shown */ }
}
