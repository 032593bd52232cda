// The manager's page's 考评 (scores) tab: the month's scores under the centre's rulebook as a
// bar chart and a table (R-SCORE-*), a clerk's lines, both to CSV and print, and the quarter:
// 工作标兵, 流动红旗窗口 and each clerk's months.
import { $, esc, toast } from './dom.js';
import { LANG, T } from './admin-text.js';
import { api, state, cell, signed, csv, download } from './admin-core.js';

function chart(scores) {
  const svg = $('scores-chart');
  const W = svg.clientWidth || 900, H = 180, top = 14, bottom = 28;
  const min = Math.min(80, ...scores.map((s) => s.score)), max = Math.max(100, ...scores.map((s) => s.score));
  const bw = Math.max(8, Math.min(60, (W - 40) / Math.max(1, scores.length) - 8));
  const y = (v) => top + (H - top - bottom) * (1 - (v - min) / (max - min || 1));
  let out = `<line class="axis" x1="30" x2="${W}" y1="${y(100)}" y2="${y(100)}"/><text x="0" y="${y(100) + 4}">100</text>`;
  scores.forEach((s, i) => {
    const x = 40 + i * (bw + 8);
    out += `<rect class="bar${s.score < 95 ? ' low' : ''}" data-clerk="${esc(s.clerk)}" x="${x}" y="${y(s.score)}" width="${bw}" height="${H - bottom - y(s.score)}"><title>${esc(s.name)} ${s.score}</title></rect>` +
      `<text x="${x + bw / 2}" y="${y(s.score) - 3}" text-anchor="middle">${s.score}</text>` +
      `<text x="${x + bw / 2}" y="${H - 10}" text-anchor="middle">${esc(s.name.slice(0, 3))}</text>`;
  });
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = out;
}

export function renderScores() {
  const t = T();
  const s = state.scores;
  $('scores').innerHTML = `<thead><tr>${t.scoreCols.map((c, i) => `<th class="${i > 1 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    s.map((e) => `<tr data-clerk="${esc(e.clerk)}" class="${e.clerk === state.selected ? 'sel' : ''}">${cell(e.clerk)}${cell(e.name)}` +
      `${cell(e.score, 'num')}${cell(e.deducted, 'num neg')}${cell(signed(e.added), 'num pos')}${cell(e.pending || '', 'num pending')}` +
      `${cell(e.satisfaction_rate == null ? t.none : e.satisfaction_rate + '%', 'num')}${cell(e.ratings, 'num')}</tr>`).join('') + '</tbody>';
  chart(s);
  if (state.rulebook) $('rulebook').textContent = t.rulebook(state.rulebook.preset, state.rulebook.source);
  renderLines();
}

function renderLines() {
  const t = T();
  const e = state.scores.find((x) => x.clerk === state.selected);
  $('lines-panel').hidden = !e;
  if (!e) return;
  $('lines-title').textContent = t.linesTitle(e.name, e.month, e.score);
  $('lines').innerHTML = `<thead><tr>${t.lineCols.map((c, i) => `<th class="${i === 2 || i === 6 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    e.lines.map((l) => `<tr data-rule="${esc(l.rule)}" class="${l.pending ? 'pending' : ''}">${cell(l.date)}` +
      `${cell(LANG === 'zh' ? l.label : l.label_en)}` +
      `${cell(l.pending ? t.pendingMark : signed(l.points), 'num ' + (l.points < 0 ? 'neg' : l.points > 0 ? 'pos' : ''))}` +
      `${cell(l.window || '')}${cell(l.ref)}${cell(LANG === 'zh' ? l.detail : l.detail_en)}${cell(l.event || '', 'num')}</tr>`).join('') + '</tbody>';
}

export async function loadScores() {
  const month = $('month').value;
  if (!month) return;
  state.month = month;
  state.scores = await api(`/api/v1/reports/scores?month=${month}`);
  for (const e of state.scores) state.names[e.clerk] = e.name;
  renderScores();
}

export async function loadSummary() {
  const q = $('quarter').value;
  if (!q) return;
  const t = T();
  const s = await api(`/api/v1/reports/scores/summary?quarter=${q}`);
  const list = (rows, f) => `<ol>${rows.map((r) => `<li>${f(r)}</li>`).join('')}</ol>`;
  $('summary').innerHTML =
    `<div><h2>${esc(t.topClerks)}</h2>${list(s.top_clerks, (r) => `${esc(r.name)}（${esc(r.clerk)}）${r.score}`)}` +
    `<h2>${esc(t.topWindows)}</h2>${list(s.top_windows, (r) => `${r.window} · ${esc(r.name)} ${r.score}`)}</div>` +
    `<div><h2>${esc(t.perMonth)}</h2><table><thead><tr><th></th>${s.months.map((m) => `<th class="num">${m}</th>`).join('')}<th class="num">${q}</th></tr></thead><tbody>` +
    s.clerks.map((c) => `<tr><td>${esc(c.name)}</td>${c.months.map((m) => `<td class="num">${m.score}</td>`).join('')}<td class="num"><b>${c.score}</b></td></tr>`).join('') +
    '</tbody></table></div>';
}

// The tab's controls.
export function wireScores() {
  $('month').addEventListener('change', () => loadScores().catch((e) => toast(e.message, true)));
  $('quarter').addEventListener('change', () => loadSummary().catch((e) => toast(e.message, true)));
  $('scores').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-clerk]');
    if (!tr) return;
    state.selected = tr.dataset.clerk;
    renderScores();
    $('lines-panel').scrollIntoView({ block: 'nearest' });
  });
  $('scores-csv').addEventListener('click', () => {
    const t = T();
    download(`scores-${state.month}.csv`, csv([t.scoreCols, ...state.scores.map((e) =>
      [e.clerk, e.name, e.score, e.deducted, e.added, e.pending, e.satisfaction_rate ?? '', e.ratings])]));
  });
  $('lines-csv').addEventListener('click', () => {
    const e = state.scores.find((x) => x.clerk === state.selected);
    if (!e) return;
    download(`score-lines-${e.clerk}-${e.month}.csv`, csv([T().lineCols, ...e.lines.map((l) =>
      [l.date, LANG === 'zh' ? l.label : l.label_en, l.pending ? T().pendingMark : l.points, l.window || '', l.ref,
        LANG === 'zh' ? l.detail : l.detail_en, l.event])]));
  });
  $('scores-print').addEventListener('click', () => window.print());
}
