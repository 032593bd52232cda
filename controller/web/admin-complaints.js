// The manager's page's 投诉与差评 (complaints and reviews) tab: the open complaints with their
// due dates (answered within 5 working days, R-COMP-1) and the bad reviews to follow up
// (R-EVAL-1), each answered in a dialog: the finding, the clerk at fault, the answer.
import { $, esc, toast } from './dom.js';
import { T } from './admin-text.js';
import { api, state, cell, refresh } from './admin-core.js';

export function renderComplaints() {
  const t = T();
  const rows = state.complaints;
  $('complaints').innerHTML = `<thead><tr>${t.complaintCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (rows.length ? rows.map((c) => `<tr data-complaint="${c.id}" class="${c.overdue ? 'neg' : ''}">${cell('#' + c.id)}${cell(c.received)}` +
      `${cell(c.due + (c.overdue ? ' !' : c.due_today ? ' ⏰' : ''))}${cell(c.window || t.none)}${cell(state.names[c.clerk] || c.clerk || t.none)}` +
      `${cell(t.channels[c.channel] || c.channel)}${cell(c.content)}${cell([c.name, c.phone].filter(Boolean).join(' '))}` +
      `<td><button type="button" data-answer="${c.id}">${esc(t.answer)}</button></td></tr>`).join('')
      : `<tr><td colspan="9" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  $('followups').innerHTML = `<thead><tr>${t.followCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (state.followups.length ? state.followups.map((f) => `<tr data-rating="${f.rating}">${cell(f.at.slice(0, 16).replace('T', ' '))}` +
      `${cell(f.window)}${cell(state.names[f.clerk] || f.clerk)}${cell(f.number)}${cell(f.label)}` +
      `<td><button type="button" data-review="${f.rating}">${esc(t.review)}</button></td></tr>`).join('')
      : `<tr><td colspan="6" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  const badge = document.querySelector('[data-badge="complaints"]');
  const n = rows.length + state.followups.length;
  if (badge) { badge.hidden = !n; badge.textContent = n; }
}

export async function loadComplaints() {
  const [c, f] = await Promise.all([api('/api/v1/complaints'), api('/api/v1/follow-ups')]);
  state.complaints = c.open;
  state.followups = f.open;
  renderComplaints();
}

function openAnswer(kind, id) {
  const t = T();
  const form = $('answer-form');
  form.reset();
  $('answer-error').textContent = '';
  const clerks = Object.entries(state.names);
  if (kind === 'complaint') {
    const c = state.complaints.find((x) => x.id === id);
    $('answer-title').textContent = t.answerTitle(id);
    $('answer-content').textContent = c.content || (c.categories || []).join('、');
    $('answer-text-label').textContent = t.answerText;
    $('answer-clerk-label').hidden = false;
    $('answer-clerk').innerHTML = `<option value="">${esc(t.none)}</option>` +
      clerks.map(([k, v]) => `<option value="${esc(k)}" ${k === c.clerk ? 'selected' : ''}>${esc(v)}（${esc(k)}）</option>`).join('');
  } else {
    const f = state.followups.find((x) => x.rating === id);
    $('answer-title').textContent = t.reviewTitle(f.window, f.label);
    $('answer-content').textContent = `${f.number} · ${state.names[f.clerk] || f.clerk}`;
    $('answer-text-label').textContent = t.reviewText;
    $('answer-clerk-label').hidden = true;
  }
  const dlg = $('answer-dialog');
  dlg.dataset.kind = kind;
  dlg.dataset.id = id;
  dlg.showModal();
}

async function submitAnswer(ev) {
  const dlg = $('answer-dialog');
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const outcome = new FormData($('answer-form')).get('outcome');
  const text = $('answer-text').value.trim();
  try {
    if (dlg.dataset.kind === 'complaint')
      await api(`/api/v1/complaints/${dlg.dataset.id}/answer`, { method: 'POST', body: { outcome, answer: text, clerk: $('answer-clerk').value } });
    else
      await api(`/api/v1/follow-ups/${dlg.dataset.id}/review`, { method: 'POST', body: { outcome, note: text } });
    dlg.close();
    toast(T().saved);
    refresh();
  } catch (e) {
    $('answer-error').textContent = e.message;
  }
}

// The tab's controls.
export function wireComplaints() {
  $('complaints').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-answer]');
    if (b) openAnswer('complaint', Number(b.dataset.answer));
  });
  $('followups').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-review]');
    if (b) openAnswer('review', Number(b.dataset.review));
  });
  $('answer-form').addEventListener('submit', submitAnswer);
}
