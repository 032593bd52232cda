// The manager's page's 统计 (statistics) tab: for any days up to a year, by day/week/month and
// per service, window or clerk: the table, an SVG chart of issued against served, a weekday ×
// hour heat map of calls, cases by type, and where the ratings came from (admin-security.js).
// Export to CSV, or print.
import { $, esc, toast } from './dom.js';
import { T } from './admin-text.js';
import { api, state, cell, csv, download } from './admin-core.js';
import { loadRatingSources } from './admin-security.js';

function statCells(t, r) {
  return `${cell(r.issued, 'num')}${cell(r.served, 'num')}${cell(r.consultations, 'num')}${cell(r.no_show, 'num')}` +
    `${cell(r.cancelled, 'num')}${cell(t.mins(r.wait_p50_s), 'num')}${cell(t.mins(r.wait_p90_s), 'num')}` +
    `${cell(t.mins(r.service_p50_s), 'num')}${cell(t.mins(r.service_p90_s), 'num')}` +
    `${cell(r.satisfaction_rate == null ? t.none : r.satisfaction_rate + '%', 'num')}${cell(r.ratings, 'num')}`;
}

function statsChart(rows) {
  // Issued and served per period (all groups together), a pair of bars each.
  const svg = $('stats-chart');
  const per = new Map();
  for (const r of rows) {
    const p = per.get(r.period) || { issued: 0, served: 0 };
    p.issued += r.issued;
    p.served += r.served;
    per.set(r.period, p);
  }
  const list = [...per.entries()].slice(-40);
  const W = svg.clientWidth || 900, H = 200, top = 16, bottom = 30;
  const max = Math.max(1, ...list.map(([, p]) => p.issued));
  const slot = (W - 20) / Math.max(1, list.length), bw = Math.max(3, Math.min(24, slot / 2 - 2));
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  let out = '';
  list.forEach(([period, p], i) => {
    const x = 10 + i * slot;
    out += `<rect class="issued" x="${x}" y="${y(p.issued)}" width="${bw}" height="${H - bottom - y(p.issued)}"><title>${esc(period)} ${p.issued}</title></rect>` +
      `<rect class="served" x="${x + bw + 1}" y="${y(p.served)}" width="${bw}" height="${H - bottom - y(p.served)}"><title>${esc(period)} ${p.served}</title></rect>`;
    if (list.length <= 14 || i % Math.ceil(list.length / 14) === 0)
      out += `<text x="${x}" y="${H - 12}">${esc(period.length > 7 ? period.slice(5) : period)}</text>`;
  });
  const lg = T().legend;
  out += `<rect class="issued" x="${W - 150}" y="2" width="10" height="10"/><text x="${W - 136}" y="11">${esc(lg[0])}</text>` +
    `<rect class="served" x="${W - 80}" y="2" width="10" height="10"/><text x="${W - 66}" y="11">${esc(lg[1])}</text>`;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = out;
}

export function renderStats() {
  const t = T();
  const s = state.stats;
  if (!s) return;
  $('stats').innerHTML = `<thead><tr>${t.statCols.map((c, i) => `<th class="${i > 1 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    s.rows.map((r) => `<tr data-period="${esc(r.period)}" data-key="${esc(r.key)}">${cell(r.period === 'all' ? t.bys.all : r.period)}${cell(r.name)}${statCells(t, r)}</tr>`).join('') +
    `<tr class="total"><td><b>${esc(t.totalRow)}</b></td><td></td>${statCells(t, s.totals)}</tr></tbody>`;
  // R-EVAL-1: where the ratings came from (the window, or later at a kiosk or on a phone).
  const ch = s.totals.ratings_by_channel;
  $('rating-channels').textContent = ch ? t.ratingChannels(ch) : '';
  statsChart(s.rows);
  // Calls per weekday and hour, the opening hours and around them.
  const hours = [];
  for (let h = 7; h <= 19; h++) hours.push(h);
  const max = Math.max(1, ...s.calls_by_weekday_hour.flat());
  $('heat').innerHTML = `<thead><tr><th></th>${hours.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    s.calls_by_weekday_hour.map((day, i) => `<tr><th>${esc(t.weekdays[i])}</th>${hours.map((h) => {
      const n = day[h];
      const a = n ? 0.12 + 0.88 * n / max : 0;
      return `<td data-a="${a.toFixed(2)}">${n || ''}</td>`;
    }).join('')}</tr>`).join('') + '</tbody>';
  // Colours through the CSS object model: the page's Content-Security-Policy takes no inline styles.
  $('heat').querySelectorAll('td[data-a]').forEach((td) => {
    const a = Number(td.dataset.a);
    td.style.background = `rgba(29,91,191,${a})`;
    td.style.color = a > 0.55 ? '#fff' : '#1c2733';
  });
  const types = Object.entries(s.cases);
  $('cases-by-type').innerHTML = `<thead><tr>${t.caseCols.map((c, i) => `<th class="${i ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (types.length ? types.map(([k, c]) => `<tr data-type="${esc(k)}">${cell(t.caseTypes[k] || k)}${cell(c.registered, 'num')}${cell(c.done, 'num')}` +
      `${cell(c.on_time, 'num')}${cell(c.late, 'num ' + (c.late ? 'neg' : ''))}${cell(c.open, 'num')}` +
      `${cell(c.open_overdue, 'num ' + (c.open_overdue ? 'neg' : ''))}${cell(c.returned, 'num')}</tr>`).join('')
      : `<tr><td colspan="8" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
}

export async function loadStats() {
  const q = new URLSearchParams({ from: $('st-from').value, to: $('st-to').value, by: $('st-by').value, group: $('st-group').value });
  state.stats = await api(`/api/v1/reports/stats?${q}`);
  renderStats();
  await loadRatingSources($('st-from').value, $('st-to').value);
}

export function fillStatsSelects() {
  const t = T();
  for (const [id, opts] of [['st-by', t.bys], ['st-group', t.groups]]) {
    const sel = $(id);
    const keep = sel.value;
    sel.innerHTML = Object.entries(opts).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
    if (keep) sel.value = keep;
  }
}

// The tab's controls.
export function wireStats() {
  $('stats-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadStats().catch((e) => toast(e.message, true));
  });
  $('stats-print').addEventListener('click', () => window.print());
  $('stats-csv').addEventListener('click', () => {
    const s = state.stats;
    if (!s) return;
    const t = T();
    const vals = (r) => [r.issued, r.served, r.consultations, r.no_show, r.cancelled, r.wait_p50_s ?? '', r.wait_p90_s ?? '',
      r.service_p50_s ?? '', r.service_p90_s ?? '', r.satisfaction_rate ?? '', r.ratings];
    const head = t.statCols.map((c, i) => (i >= 7 && i <= 10 ? `${c} (s)` : c));
    download(`stats-${s.from}-${s.to}-${s.by}-${s.group}.csv`,
      csv([head, ...s.rows.map((r) => [r.period, r.name, ...vals(r)]), [t.totalRow, '', ...vals(s.totals)]]));
  });
}
