// The manager's page's 登记簿 (registers) tab: the two books the county checks, for any days up
// to a year. The 办件登记簿 lists every case, classified by type or service item with a
// subtotal per class; the 统计簿 has a line per day or month, the cases by type, and a table
// per service item. Both export to CSV and print on A4 landscape with lines for signatures.
import { $, esc, toast } from './dom.js';
import { LANG, T } from './admin-text.js';
import { api, state, cell, csv, download } from './admin-core.js';

export function fillRegisterSelects() {
  const t = T();
  const kind = $('reg-kind');
  const keep = kind.value || 'book';
  kind.innerHTML = Object.entries(t.regKinds).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
  kind.value = keep;
  const mode = $('reg-mode');
  const keepMode = mode.value;
  const opts = keep === 'book' ? t.classifies : t.regBys;
  mode.innerHTML = Object.entries(opts).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
  if (keepMode in opts) mode.value = keepMode;
  $('reg-mode-label').textContent = keep === 'book' ? t.classify : t.regBy;
}

const pct = (v) => (v == null ? '—' : `${v}%`);
const typeCounts = (t, reg) => Object.entries(reg).filter(([, n]) => n).map(([k, n]) => `${t.caseTypes[k] || k} ${n}`).join('，');

function signBlock(t) {
  const now = (state.now || '').slice(0, 16).replace('T', ' ');
  return `<div class="sign"><span>${esc(t.signLine[0])}__________</span><span>${esc(t.signLine[1])}__________</span>` +
    `<span>${esc(t.signLine[2])}${esc(now)}</span></div>`;
}

export function renderRegister() {
  const t = T();
  const r = state.register;
  const sheet = $('reg-sheet');
  if (!r) { sheet.innerHTML = ''; return; }
  const title = `${esc(r.centre)} ${esc(t.regKinds[r.kind])}`;
  if (r.kind === 'book') {
    const body = r.groups.map((g) => `<tr class="group" data-group="${esc(g.key)}"><th colspan="14">${esc(t.groupHead(LANG === 'zh' ? g.label : g.label_en, g.count))}</th></tr>` +
      g.cases.map((c) => `<tr data-case="${c.id}">${cell(c.n, 'num')}${cell(c.no)}${cell(c.received)}${cell(c.time)}${cell(c.window)}` +
        `${cell(c.clerk_name)}${cell(c.item_name)}${cell(t.caseTypes[c.type] || c.type)}${cell(c.applicant)}${cell(c.phone)}` +
        `${cell(c.type === 'returned' ? t.none : t.daysLimit(c.type === 'immediate' ? 0 : c.time_limit_days))}${cell(c.deadline)}${cell(c.done)}` +
        `${cell(LANG === 'zh' ? c.result : c.result_en, c.overdue_days ? 'late' : '')}</tr>`).join('') +
      `<tr class="subtotal"><td colspan="14">${esc(t.subtotal(g))}</td></tr>`).join('');
    sheet.innerHTML = `<h1>${title}</h1><p class="sub">${esc(t.bookSub(r.from, r.to, r.total))}${r.truncated ? esc(t.truncated(r.total, r.listed)) : ''}</p>` +
      `<table id="reg-table"><thead><tr>${t.bookCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
      (body || `<tr><td colspan="14" class="hint">${esc(t.noRows)}</td></tr>`) + `</tbody></table>${signBlock(t)}`;
    return;
  }
  const head = t.ledgerCols.map((c, i) => (i === 0 && r.by === 'month' ? t.monthCol : c)).filter((c, i) => !(i === 1 && r.by === 'month'));
  const line = (x) => `${cell(x.issued, 'num')}${cell(x.served, 'num')}${cell(x.consultations, 'num')}${cell(x.no_show, 'num')}` +
    `<td class="num" title="${esc(typeCounts(t, x.registered))}">${x.registered_total}</td>${cell(x.completed, 'num')}${cell(x.on_time, 'num')}` +
    `${cell(x.late, 'num ' + (x.late ? 'late' : ''))}${cell(x.returned, 'num')}${cell(x.ratings, 'num')}${cell(pct(x.satisfaction_rate), 'num')}${cell(x.complaints, 'num')}`;
  const rows = r.rows.map((x) => `<tr data-period="${esc(x.period)}" class="${x.weekday >= 5 ? 'weekend' : ''}">${cell(x.period)}` +
    `${r.by === 'day' ? cell(t.weekdays[x.weekday]) : ''}${line(x)}</tr>`).join('');
  const items = r.items.map((i) => `<tr data-item="${esc(i.item)}">${cell(i.name)}${cell(i.service_name)}` +
    `<td class="num" title="${esc(typeCounts(t, i.registered))}">${i.registered_total}</td>${cell(i.done, 'num')}${cell(i.on_time, 'num')}` +
    `${cell(i.late, 'num ' + (i.late ? 'late' : ''))}${cell(pct(i.on_time_rate), 'num')}${cell(i.returned, 'num')}${cell(i.open, 'num')}</tr>`).join('');
  // Cases registered by type over the period, as the county's form asks (分类汇总).
  const types = t.byType + r.types.map((x) => `${LANG === 'zh' ? x.label : x.label_en} ${r.totals.registered[x.type]}`).join('　');
  sheet.innerHTML = `<h1>${title}</h1><p class="sub">${esc(t.ledgerSub(r.from, r.to))}</p>` +
    `<table id="reg-table"><thead><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}` +
    `<tr class="total"><td colspan="${r.by === 'day' ? 2 : 1}"><b>${esc(t.totalRow)}</b></td>${line(r.totals)}</tr></tbody></table>` +
    `<p class="sub" id="reg-types">${esc(types)}</p>` +
    `<h2>${esc(t.itemsTitle)}</h2><table id="reg-items"><thead><tr>${t.itemCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>` +
    `<tbody>${items || `<tr><td colspan="9" class="hint">${esc(t.noRows)}</td></tr>`}</tbody></table>${signBlock(t)}`;
}

export async function loadRegister() {
  const kind = $('reg-kind').value || 'book';
  const q = new URLSearchParams({ from: $('reg-from').value, to: $('reg-to').value });
  q.set(kind === 'book' ? 'classify' : 'by', $('reg-mode').value);
  const r = await api(`/api/v1/reports/${kind === 'book' ? 'register' : 'ledger'}?${q}`);
  r.kind = kind;
  state.register = r;
  renderRegister();
}

function registerCsv() {
  const r = state.register;
  if (!r) return;
  const t = T();
  if (r.kind === 'book') {
    const rows = [[t.classify, ...t.bookCols]];
    for (const g of r.groups)
      for (const c of g.cases)
        rows.push([LANG === 'zh' ? g.label : g.label_en, c.n, c.no, c.received, c.time, c.window, c.clerk_name, c.item_name,
          t.caseTypes[c.type] || c.type, c.applicant, c.phone, c.type === 'immediate' ? 0 : c.time_limit_days, c.deadline, c.done,
          LANG === 'zh' ? c.result : c.result_en]);
    download(`case-register-${r.from}-${r.to}.csv`, csv(rows));
    return;
  }
  const typeHead = r.types.map((x) => (LANG === 'zh' ? x.label : x.label_en));
  const head = [r.by === 'month' ? t.monthCol : t.ledgerCols[0], ...t.ledgerCols.slice(2, 7), ...typeHead, ...t.ledgerCols.slice(7)];
  const vals = (x) => [x.issued, x.served, x.consultations, x.no_show, x.registered_total, ...r.types.map((y) => x.registered[y.type]),
    x.completed, x.on_time, x.late, x.returned, x.ratings, x.satisfaction_rate ?? '', x.complaints];
  const rows = [head, ...r.rows.map((x) => [x.period, ...vals(x)]), [t.totalRow, ...vals(r.totals)], [],
    [t.itemCols[0], t.itemCols[1], t.itemCols[2], ...typeHead, ...t.itemCols.slice(3)],
    ...r.items.map((i) => [i.name, i.service_name, i.registered_total, ...r.types.map((y) => i.registered[y.type]), i.done, i.on_time,
      i.late, i.on_time_rate ?? '', i.returned, i.open])];
  download(`ledger-${r.from}-${r.to}-${r.by}.csv`, csv(rows));
}

// The tab's controls.
export function wireRegisters() {
  $('reg-kind').addEventListener('change', () => {
    fillRegisterSelects();
    loadRegister().catch((e) => toast(e.message, true));
  });
  $('reg-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadRegister().catch((e) => toast(e.message, true));
  });
  $('reg-csv').addEventListener('click', registerCsv);
  $('reg-print').addEventListener('click', () => window.print());
}
