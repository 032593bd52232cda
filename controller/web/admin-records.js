// The manager's page's 加减分与请假 (items and leave) tab: manual score items from the
// rulebook's list (or "other" with points), always with a reason; leave with its kind, and the
// leave recorded so far.
import { $, esc, toast } from './dom.js';
import { LANG, T } from './admin-text.js';
import { api, state, cell, signed } from './admin-core.js';

export function renderRecords() {
  const t = T();
  const clerks = Object.entries(state.names);
  for (const id of ['adj-clerk', 'lv-clerk']) {
    const sel = $(id);
    const keep = sel.value;
    sel.innerHTML = clerks.map(([k, v]) => `<option value="${esc(k)}">${esc(v)}（${esc(k)}）</option>`).join('');
    if (keep) sel.value = keep;
  }
  if (state.rulebook) {
    const sel = $('adj-rule');
    const keep = sel.value;
    sel.innerHTML = state.rulebook.rules.filter((r) => r.manual).map((r) =>
      `<option value="${esc(r.id)}" data-points="${r.points}">${esc(LANG === 'zh' ? r.label : r.label_en)}${r.id === 'other' ? '' : ' ' + signed(r.points)}</option>`).join('');
    if (keep) sel.value = keep;
    $('adj-points-label').hidden = sel.value !== 'other';
  }
  $('leave').innerHTML = `<thead><tr>${t.leaveCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (state.leave.length ? state.leave.slice().reverse().map((l) => `<tr>${cell(state.names[l.clerk] || l.clerk)}${cell(l.from)}${cell(l.to)}` +
      `${cell(t.kinds[l.kind] || l.kind)}${cell(l.reason)}${cell(l.by)}</tr>`).join('')
      : `<tr><td colspan="6" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
}

export async function loadRecords() {
  state.leave = (await api('/api/v1/leave')).leave;
  renderRecords();
}

async function submitAdjust(ev) {
  ev.preventDefault();
  const body = { clerk: $('adj-clerk').value, rule: $('adj-rule').value, month: $('adj-month').value, reason: $('adj-reason').value.trim() };
  if (body.rule === 'other') body.points = Number($('adj-points').value);
  try {
    await api('/api/v1/scores/adjustments', { method: 'POST', body });
    $('adj-reason').value = '';
    toast(T().saved);
  } catch (e) { toast(e.message, true); }
}

async function submitLeave(ev) {
  ev.preventDefault();
  const body = { clerk: $('lv-clerk').value, from: $('lv-from').value, to: $('lv-to').value, kind: $('lv-kind').value, reason: $('lv-reason').value.trim() };
  try {
    await api('/api/v1/leave', { method: 'POST', body });
    $('lv-reason').value = '';
    toast(T().saved);
    loadRecords();
  } catch (e) { toast(e.message, true); }
}

// The tab's controls.
export function wireRecords() {
  $('adj-rule').addEventListener('change', () => { $('adj-points-label').hidden = $('adj-rule').value !== 'other'; });
  $('adjust-form').addEventListener('submit', submitAdjust);
  $('leave-form').addEventListener('submit', submitLeave);
}
