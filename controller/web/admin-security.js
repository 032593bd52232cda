// The manager's view of what someone on the hall LAN might be doing (issue 26, README
// "Security"): where the citizens' ratings came from (on the statistics tab), and unlocking an
// account whose PIN was guessed at (from the hall tab's alert).
import { esc, toast } from './dom.js';
import { LANG } from './admin-text.js';
import { api } from './admin-core.js';
import { loadLive } from './admin-live.js';

const SEC_I18N = {
  zh: {
    unlock: '解锁', unlocked: (u) => `账号 ${u} 已解锁`,
    title: '评价来源',
    hint: '每一条评价从哪里来：窗口评价器、自助机扫码，或手机扫码（手机的网络地址）。同一来源评价多次、集中于同一窗口或多为差评的，请核实。',
    cols: ['渠道', '来源', '评价数', '差评', '窗口', '最早', '最近'],
    channels: { evaluator: '窗口评价器', kiosk: '自助机扫码', phone: '手机扫码' },
    none: '本期没有评价',
    window: (n) => `${n} 号窗口`,
  },
  en: {
    unlock: 'Unlock', unlocked: (u) => `Account ${u} unlocked`,
    title: 'Where ratings came from',
    hint: 'Each rating by its source: a window evaluator, a kiosk that scanned the ticket, or a phone (its network address). Check sources that rate many times, one window only, or mostly badly.',
    cols: ['Channel', 'Source', 'Ratings', 'Bad', 'Windows', 'First', 'Last'],
    channels: { evaluator: 'Window evaluator', kiosk: 'Kiosk scan', phone: 'Phone scan' },
    none: 'No ratings in this period',
    window: (n) => `Window ${n}`,
  },
};
export const SEC_T = () => SEC_I18N[LANG];
// A phone address or kiosk with this many ratings in the period is marked for a look.
const SEC_MANY = 5;

export async function loadRatingSources(from, to) {
  const t = SEC_T();
  document.getElementById('rs-title').textContent = t.title;
  document.getElementById('rs-hint').textContent = t.hint;
  const r = await api(`/api/v1/reports/ratings?${new URLSearchParams({ from, to })}`);
  const when = (s) => (s ? s.slice(0, 16).replace('T', ' ') : '');
  const rows = r.sources.map((s) => {
    const odd = s.channel !== 'evaluator' && s.ratings >= SEC_MANY;
    return `<tr class="${odd ? 'neg' : ''}" data-source="${esc(s.from)}"><td>${esc(t.channels[s.channel] || s.channel)}</td>` +
      `<td>${esc(s.channel === 'evaluator' ? t.window(s.windows[0]) : s.from)}</td><td class="num">${s.ratings}</td><td class="num">${s.bad}</td>` +
      `<td>${esc(s.windows.join(', '))}</td><td>${esc(when(s.first))}</td><td>${esc(when(s.last))}</td></tr>`;
  });
  document.getElementById('rating-sources').innerHTML =
    `<thead><tr>${t.cols.map((c, i) => `<th class="${i >= 2 && i <= 3 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.length ? rows.join('') : `<tr><td colspan="7" class="hint">${esc(t.none)}</td></tr>`}</tbody>`;
}

// Unlock, in the alert of an account locked after PIN guessing.
export function wireSecurity() {
  document.getElementById('alerts').addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-unlock]');
    if (!b) return;
    b.disabled = true;
    try {
      await api(`/api/v1/accounts/${encodeURIComponent(b.dataset.unlock)}/unlock`, { method: 'POST', body: {} });
      toast(SEC_T().unlocked(b.dataset.unlock));
      await loadLive();
    } catch (e) {
      toast(e.message, true);
      b.disabled = false;
    }
  });
}
