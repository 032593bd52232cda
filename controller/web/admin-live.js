// The manager's page's 大厅实况 (hall) tab: the alerts, most urgent first (with unlock for an
// account whose PIN is being guessed at: admin-security.js), the windows as the board shows
// them with the clerk and post, and the waiting per service. It follows the event stream.
import { $, esc } from './dom.js';
import { LANG, T } from './admin-text.js';
import { api, state } from './admin-core.js';
import { SEC_T } from './admin-security.js';

export function renderLive() {
  const t = T();
  const a = state.alerts;
  $('alerts').innerHTML = a.length
    ? a.map((x) => `<li class="${x.severity}" data-kind="${x.kind}">${esc(LANG === 'zh' ? x.message : x.message_en)}` +
      `${x.kind === 'sign_in_guessing' && x.user ? ` <button type="button" data-unlock="${esc(x.user)}">${esc(SEC_T().unlock)}</button>` : ''}</li>`).join('')
    : `<li class="none">${esc(t.noAlerts)}</li>`;
  const h = state.hall;
  if (!h) return;
  const alarmed = new Set(a.filter((x) => x.window && x.severity === 'alarm').map((x) => x.window));
  $('windows').innerHTML = h.windows.map((w) => {
    const cls = ['win', w.state, alarmed.has(w.number) ? 'alarm' : ''].join(' ');
    const cur = w.current ? `<div class="num">${esc(w.current.number)}</div>` : '';
    const who = w.clerk ? `${esc(state.names[w.clerk] || w.clerk)} · ${esc(w.post || '')}岗` : t.none;
    return `<div class="${cls}" data-window="${w.number}"><div class="n">${w.number} · ${esc(w.name)}</div>` +
      `<div>${esc(t.wstate[w.state] || w.state)}</div>` +
      `<div class="hint">${who}</div>${cur}</div>`;
  }).join('');
  $('waiting').innerHTML = `<thead><tr>${t.waitCols.map((c, i) => `<th class="${i ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    h.services.map((s) => `<tr data-service="${esc(s.id)}"><td>${esc(LANG === 'en' && s.name_en ? s.name_en : s.name)}</td>` +
      `<td class="num">${s.waiting}</td></tr>`).join('') + '</tbody>';
  const badge = document.querySelector('[data-badge="live"]');
  const alarms = a.filter((x) => x.severity === 'alarm').length;
  if (badge) { badge.hidden = !alarms; badge.textContent = alarms; }
}

export async function loadLive() {
  const [h, al] = await Promise.all([api('/api/v1/hall'), api('/api/v1/alerts')]);
  state.hall = h;
  state.alerts = al.alerts;
  state.now = al.now;
  state.skew = Date.parse(al.now) - Date.now();  // the hall's clock, which a demo or test may set
  $('centre').textContent = h.centre;
  renderLive();
}
