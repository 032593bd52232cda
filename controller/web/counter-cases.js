// The clerk console's 办件 (cases) and 待登记 (to register, R-CASE-8) tabs: the window's cases and
// the tickets finished without one; the case form (finishing a ticket with a case, or
// registering one later); a case's details, its steps and the actions its state allows; and
// its notices, printed at the window's printer or through the browser.
import { $, el, toast } from './dom.js';
import { LANG, T } from './counter-text.js';
import {
  api, view, hallInfo, services, session, cases, unregistered, refresh, refreshLists,
  serviceName, who, typeLabel, hhmm, today,
} from './counter-core.js';

export function renderCases() {
  $('cases').tHead.replaceChildren(el('tr', {}, ...T.caseCols.map((c) => el('th', { text: c }))));
  $('cases').tBodies[0].replaceChildren(...cases.map((c) => {
    const soon = c.days_left !== null && c.days_left !== undefined && c.days_left <= 1 && !c.overdue;
    return el('tr', { 'data-case': c.id, class: c.overdue ? 'overdue' : soon ? 'soon' : '', onclick: () => openCase(c.id) },
      el('td', { text: c.no }), el('td', { text: c.item_name }), el('td', { text: c.applicant }),
      el('td', { text: LANG === 'en' ? typeLabel(c.type) : c.type_label }), el('td', { text: LANG === 'en' ? c.state : c.state_label }),
      el('td', { text: c.deadline || T.none }),
      el('td', { class: 'left', text: c.days_left === null || c.days_left === undefined ? T.none : T.daysLeft(c.days_left) }),
      el('td', { text: c.clerk_name || c.clerk }));
  }));
}

export function renderUnregistered() {
  $('unregistered').tBodies[0].replaceChildren(
    el('tr', {}, ...T.unregCols.map((c) => el('th', { text: c }))),
    ...unregistered.map((u) => el('tr', { 'data-ticket': u.ticket },
      el('td', { text: u.number }), el('td', { text: serviceName(u.service) }), el('td', { text: hhmm(u.finished_at) }),
      el('td', { text: who(u.clerk) }),
      el('td', {}, el('button', { type: 'button', text: T.registerNow, onclick: () => openRegister(u) })))));
}

// ---- the case form (finish with a case, or register later) ----
function windowItems() {
  const out = [];
  for (const sid of (view && view.window.services) || []) {
    const s = services.find((x) => x.id === sid);
    if (s) for (const it of s.items || []) out.push({ ...it, service: s.id });
  }
  return out;
}

function caseForm(container, preset) {
  const F = T.form;
  const items = windowItems();
  const itemSel = el('select', { id: 'cf-item', required: true }, ...items.map((i) => el('option', { value: i.id, text: i.name })));
  if (preset && preset.service) {
    const first = items.find((i) => i.service === preset.service);
    if (first) itemSel.value = first.id;
  }
  const typeSel = el('select', { id: 'cf-type' }, ...T.types.map(([v, l]) => el('option', { value: v, text: l })));
  const applicant = el('input', { id: 'cf-applicant', required: true, maxlength: 64 });
  const phone = el('input', { id: 'cf-phone', maxlength: 15, inputmode: 'tel', pattern: '[0-9]{7,15}' });
  const idNumber = el('input', { id: 'cf-id', maxlength: 18, pattern: '[0-9]{15}|[0-9]{17}[0-9Xx]' });
  const limit = el('input', { id: 'cf-limit', type: 'number', min: 0, max: 365 });
  const received = el('div', { class: 'checks', id: 'cf-received' });
  const missing = el('div', { class: 'checks', id: 'cf-missing' });
  const parts = el('div', { class: 'choice', id: 'cf-parts' }, ...((hallInfo && hallInfo.windows) || [])
    .filter((w) => !view || w.number !== view.window.number)
    .map((w) => el('label', {}, el('input', { type: 'checkbox', value: String(w.number) }), ` ${w.number} ${w.name || ''}`)));
  const reason = el('textarea', { id: 'cf-reason', rows: 2, maxlength: 500 });
  const note = el('input', { id: 'cf-note', maxlength: 500 });
  const preview = el('p', { id: 'deadline-preview' });
  const boxes = (box, list, name) => box.replaceChildren(...list.map((m, i) =>
    el('label', {}, el('input', { type: 'checkbox', name, value: m, 'data-i': String(i) }), m)));
  const sections = {
    missing: el('fieldset', {}, el('legend', { text: F.missing }), missing),
    parts: el('fieldset', {}, el('legend', { text: F.participants }), parts),
    reason: el('label', {}, F.reason, reason),
    limit: el('label', {}, F.limit, limit),
  };
  const item = () => items.find((i) => i.id === itemSel.value);
  // Each change starts a new preview; an older one still waiting for its deadline must not
  // overwrite it (a promised item picked, then 补办件 chosen before the answer came).
  let previewGen = 0;
  const update = async () => {
    const gen = ++previewGen;
    const t = typeSel.value;
    sections.missing.hidden = t !== 'supplement';
    sections.parts.hidden = t !== 'joint';
    sections.reason.hidden = t !== 'returned';
    sections.limit.hidden = !['promised', 'escalated', 'joint', 'supplement', 'agency'].includes(t);
    reason.required = t === 'returned';
    preview.textContent = '';
    if (t === 'supplement') { preview.textContent = F.afterMaterials; return; }
    if (sections.limit.hidden) return;
    const days = Number(limit.value);
    if (!Number.isInteger(days) || days < 0) return;
    try {
      const r = await api(`/api/v1/calendar/deadline?received=${today()}&days=${days}`);
      if (gen === previewGen) preview.textContent = F.deadline(r.deadline, false);
    } catch (e) {
      if (gen === previewGen) preview.textContent = e.code === 'outside_calendar' ? F.deadline('?', true) : '';
    }
  };
  const onItem = () => {
    const i = item();
    boxes(received, i ? i.materials : [], 'received');
    boxes(missing, i ? i.materials : [], 'missing');
    limit.value = i && i.time_limit_days ? i.time_limit_days : 0;
    typeSel.value = i && i.kind === 'promised' ? 'promised' : 'immediate';
    update();
  };
  // A material ticked as missing is not received, and the other way round.
  const exclusive = (from, to) => from.addEventListener('change', (e) => {
    if (!e.target.checked) return;
    const other = to.querySelector(`input[data-i="${e.target.dataset.i}"]`);
    if (other) other.checked = false;
  });
  exclusive(received, missing);
  exclusive(missing, received);
  itemSel.addEventListener('change', onItem);
  typeSel.addEventListener('change', update);
  limit.addEventListener('input', update);
  container.replaceChildren(
    el('div', { class: 'grid2' }, el('label', {}, F.item, itemSel), el('label', {}, F.type, typeSel)),
    el('div', { class: 'grid3' }, el('label', {}, F.applicant, applicant), el('label', {}, F.phone, phone), el('label', {}, F.idNumber, idNumber)),
    el('fieldset', {}, el('legend', { text: F.received }), received),
    sections.missing, sections.parts, sections.reason,
    el('div', { class: 'grid2' }, sections.limit, el('label', {}, F.note, note)),
    preview);
  onItem();
  return () => {
    const checked = (box) => [...box.querySelectorAll('input:checked')].map((x) => x.value);
    const body = { type: typeSel.value, item: itemSel.value, applicant: applicant.value.trim() };
    if (phone.value.trim()) body.phone = phone.value.trim();
    if (idNumber.value.trim()) body.id_number = idNumber.value.trim();
    body.received = checked(received);
    if (body.type === 'supplement') body.missing = checked(missing);
    if (body.type === 'joint') body.participants = checked(parts).map(Number);
    if (body.type === 'returned') body.reason = reason.value.trim();
    if (!sections.limit.hidden) body.time_limit_days = Number(limit.value);
    if (note.value.trim()) body.note = note.value.trim();
    return body;
  };
}

let readCase = null;
export function openFinish() {
  const cur = view.current;
  $('finish-title').textContent = `${T.acts.finish} ${cur ? cur.number : ''}`;
  $('finish-error').textContent = '';
  $('case-body').replaceChildren();  // one case form on the page at a time (ids)
  readCase = caseForm($('fin-case'), cur);
  document.querySelector('input[name="fin-kind"][value="case"]').checked = true;
  $('fin-case').hidden = false;
  $('dlg-finish').showModal();
  $('cf-applicant').focus();
}

export async function submitFinish(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const kind = document.querySelector('input[name="fin-kind"]:checked').value;
  const body = kind === 'case' ? { case: readCase() } : kind === 'consultation' ? { consultation: true } : {};
  try {
    const r = await api(`/api/v1/windows/${session.window}/finish`, { method: 'POST', body });
    $('dlg-finish').close();
    toast(T.toast.done);
    await refresh();
    refreshLists();
    if (r && r.case) afterRegister(r.case);
  } catch (e) {
    $('finish-error').textContent = e.message;
  }
}

let registerTicket = 0;
export function openRegister(u) {
  // A ticket on the to-register list, a second matter of the window's last citizen, or none.
  registerTicket = u ? u.ticket : 0;
  $('case-title').textContent = u ? `${T.acts.case} · ${T.form.ticket} ${u.number}` : T.acts.case;
  $('case-error').textContent = '';
  $('fin-case').replaceChildren();  // one case form on the page at a time (ids)
  const body = $('case-body');
  const holder = el('div');
  const last = view.last_finished;
  const choice = u ? null : el('div', { class: 'choice' },
    last ? el('label', {}, el('input', { type: 'radio', name: 'cf-ticket', value: String(last.ticket), checked: true }),
      ` ${T.form.secondMatter}: ${last.number}`) : null,
    el('label', {}, el('input', { type: 'radio', name: 'cf-ticket', value: '0', checked: !last }), ` ${T.form.noTicket}`));
  body.replaceChildren(...[choice, holder].filter(Boolean));
  readCase = caseForm(holder, u);
  $('dlg-case').showModal();
  $('cf-applicant').focus();
}

export async function submitRegister(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const body = readCase();
  const chosen = document.querySelector('input[name="cf-ticket"]:checked');
  body.ticket = registerTicket || (chosen ? Number(chosen.value) : 0);
  try {
    const r = await api('/api/v1/cases', { method: 'POST', body });
    $('dlg-case').close();
    toast(T.toast.saved);
    await refresh();
    refreshLists();
    if (r) afterRegister(r.case || r);
  } catch (e) {
    $('case-error').textContent = e.message;
  }
}

// The notice a registration prints (as the controller does at a window with a printer).
const REGISTER_NOTICE = { promised: 'acceptance', escalated: 'acceptance', joint: 'acceptance', supplement: 'supplement',
  returned: 'return', agency: 'agency_receipt' };
export function afterRegister(c) {
  const doc = REGISTER_NOTICE[c.type];
  if (doc && !view.window.printer) browserPrint(c.id, doc);
}

// ---- a case's details and its steps ----
export async function openCase(id) {
  let c;
  try { c = await api(`/api/v1/cases/${id}`); } catch (e) { toast(e.message, true); return; }
  const D = T.detail;
  $('detail-title').textContent = `${c.no} · ${c.item_name}`;
  $('detail-error').textContent = '';
  $('detail-input').replaceChildren();
  const dl = el('dl');
  for (const [k, label] of D.fields) {
    let v = c[k];
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) || (k === 'once_failures' && !v)) continue;
    if (Array.isArray(v)) v = v.join('、');
    if (k === 'days_left') v = T.daysLeft(v);
    if (k === 'type_label' && LANG === 'en') v = typeLabel(c.type);
    dl.append(el('dt', { text: label }), el('dd', { 'data-k': k, text: String(v) }));
  }
  if (c.personal !== 'clear') dl.append(el('dt', { text: '' }), el('dd', { class: 'hint', text: D.masked }));
  const steps = el('ol', {}, ...(c.steps || []).map((s) => el('li', { 'data-what': s.what,
    text: `${s.at.slice(5, 16).replace('T', ' ')} ${D.what[s.what] || s.what} · ${who(s.by)} ${s.note || ''}` })));
  $('detail-body').replaceChildren(dl, el('h2', { text: D.steps }), steps);

  const acts = [];
  const can = (a) => acts.push(el('button', { type: 'button', 'data-case-act': a, text: D.actions[a], onclick: () => caseStep(c, a) }));
  if (c.state === 'awaiting_materials') { can('materials-complete'); can('supplement'); can('return'); }
  if (c.state === 'open') {
    can('extend'); can('suspend');
    if (c.type !== 'immediate' && c.type !== 'returned') can('supplement');
    if (c.type === 'escalated' && !c.reported_upward_at) can('report-upward');
    if (c.type === 'joint') can('report');
    if (c.type === 'agency' && !c.handler) can('assign');
    can('complete'); can('return');
  }
  if (c.state === 'suspended') can('resume');
  if (c.state === 'done' && c.to_notify) can('notify');
  if (c.state === 'done' && c.type === 'agency' && !c.feedback) can('feedback');
  const docs = [];
  if (c.deadline && c.state !== 'awaiting_materials') docs.push('acceptance');
  if ((c.missing || []).length) docs.push('supplement');
  if ((c.extensions || []).length) docs.push('extension');
  if (c.state === 'returned') docs.push('return');
  if (c.type === 'agency') docs.push('agency_receipt');
  if (c.type === 'agency' && c.handler) docs.push('agency_slip');
  if (c.mine) for (const d of docs)
    acts.push(el('button', { type: 'button', 'data-doc': d, text: `${D.print} ${D.docs[d]}`, onclick: () => printDoc(c, d) }));
  $('detail-actions').replaceChildren(...acts);
  if (!$('dlg-detail').open) $('dlg-detail').showModal();
}

function caseStep(c, action) {
  const D = T.detail;
  const box = $('detail-input');
  const fields = [];
  const input = (key, label, node) => { node.dataset.key = key; fields.push(node); return el('label', {}, label, node); };
  const rows = [];
  if (action === 'extend') {
    rows.push(input('days', D.days, el('input', { type: 'number', min: 1, max: 60, value: 1, required: true })));
    rows.push(input('reason', D.reasonL, el('input', { maxlength: 500, required: true })));
  } else if (['suspend', 'return'].includes(action)) {
    rows.push(input('reason', D.reasonL, el('input', { maxlength: 500, required: true })));
  } else if (action === 'assign') {
    rows.push(input('handler', D.handler, el('input', { maxlength: 64, required: true })));
  } else if (action === 'notify') {
    rows.push(input('channel', D.channel, el('select', {}, ...D.channels.map(([v, l]) => el('option', { value: v, text: l })))));
    rows.push(el('p', { class: 'hint', text: view.sms ? D.smsModem : D.smsManual }));
  } else if (action === 'supplement') {
    // Every material still missing, from the item's list (R-ONCE-2); one the last notice did
    // not ask for is recorded as an incomplete one-time notice (R-ONCE-4).
    const svc = services.find((x) => x.id === c.service);
    const item = svc && (svc.items || []).find((i) => i.id === c.item);
    rows.push(el('fieldset', {}, el('legend', { text: T.form.missing }), el('div', { class: 'checks', id: 'cs-missing' },
      ...((item && item.materials) || []).map((m) =>
        el('label', {}, el('input', { type: 'checkbox', value: m, checked: c.state === 'awaiting_materials' && (c.missing || []).includes(m) }), m)))));
    rows.push(input('note', D.noteL, el('input', { maxlength: 500 })));
  } else if (['feedback', 'report', 'complete'].includes(action)) {
    rows.push(input('note', D.noteL, el('input', { maxlength: 500 })));
  }
  const go = async () => {
    const body = {};
    for (const f of fields) {
      if (f.required && !f.value.trim()) { f.focus(); return; }
      if (f.value.trim()) body[f.dataset.key] = f.dataset.key === 'days' ? Number(f.value) : f.value.trim();
    }
    if (action === 'supplement') body.missing = [...document.querySelectorAll('#cs-missing input:checked')].map((x) => x.value);
    try {
      const r = await api(`/api/v1/cases/${c.id}/${action}`, { method: 'POST', body });
      toast(T.toast.done);
      refreshLists();
      await openCase(c.id);
      // The notice this step prints at a printer window, through the browser here.
      const doc = { 'materials-complete': 'acceptance', supplement: 'supplement', extend: 'extension', return: 'return', assign: 'agency_slip' }[action];
      if (doc && !view.window.printer) browserPrint(c.id, doc);
      return r;
    } catch (e) {
      $('detail-error').textContent = e.message;
    }
    return null;
  };
  box.replaceChildren(...rows, el('button', { type: 'button', class: 'primary', 'data-confirm': action, text: `${D.actions[action]} · ${D.confirm}`, onclick: go }));
  if (fields[0]) fields[0].focus();
}

async function printDoc(c, doc) {
  if (view.window.printer) {
    try {
      await api(`/api/v1/cases/${c.id}/print`, { method: 'POST', body: { doc } });
      toast(T.detail.printed);
    } catch (e) {
      $('detail-error').textContent = e.message;
    }
    return;
  }
  browserPrint(c.id, doc);
}

// A window without a receipt printer prints notices through the browser (A4 or whatever the
// PC's printer takes), laid out from the same document the receipt printer would get.
export async function browserPrint(id, doc) {
  let n;
  try { n = await api(`/api/v1/cases/${id}/notice?doc=${doc}`); } catch (e) { toast(e.message, true); return; }
  const area = $('print-area');
  const copies = [];
  let copy = el('div', { class: 'copy' });
  for (const b of n.blocks) {
    if (b.cut) {
      if (copy.childNodes.length) copies.push(copy);
      copy = el('div', { class: 'copy' });
    } else if (b.rule) copy.append(el('hr'));
    else if (b.feed) copy.append(el('p', { text: '\n'.repeat(Math.max(0, b.feed - 1)) }));
    else if (b.qr) copy.append(el('p', { class: 'qr', text: b.qr }));
    else if (b.text !== undefined) {
      const p = el('p', { text: b.text });
      p.style.textAlign = b.align;
      if (b.bold) p.style.fontWeight = '700';
      if (b.height > 1 || b.width > 1) p.style.fontSize = `${Math.max(b.height, b.width) * 12}pt`;
      copy.append(p);
    }
  }
  if (copy.childNodes.length) copies.push(copy);
  area.replaceChildren(...copies);
  area.dataset.doc = doc;
  area.dataset.copies = String(copies.length);
  toast(T.detail.printing);
  setTimeout(() => window.print(), 50);
}
