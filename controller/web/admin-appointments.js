// The manager's page's 预约 (appointments, R-APPT-1) tab: requests to answer within a working
// day (answered with a slot or declined with a reason), the booking form for phone, visit and
// letter, a booking's slip (code, QR, time, place, materials) to print, and the bookings of
// any day with cancel and CSV.
import { request } from './api.js';
import { $, esc, toast } from './dom.js';
import { localName } from './i18n.js';
import { LANG, T } from './admin-text.js';
import { api, session, state, cell, csv, download } from './admin-core.js';

const serviceName = (id) => { const sv = state.services.find((x) => x.id === id); return sv ? localName(sv, LANG) : id; };

export function fillBookSelects() {
  const t = T();
  const sv = $('bk-service');
  const keep = sv.value;
  sv.innerHTML = state.services.map((x) => `<option value="${esc(x.id)}">${esc(localName(x, LANG))}</option>`).join('');
  if (keep) sv.value = keep;
  fillItems();
  const ch = $('bk-channel');
  const keepCh = ch.value;
  ch.innerHTML = ['phone', 'visit', 'letter', 'counter'].map((k) => `<option value="${k}">${esc(t.apptChannels[k])}</option>`).join('');
  if (keepCh) ch.value = keepCh;
}

function fillItems() {
  const sv = state.services.find((x) => x.id === $('bk-service').value);
  $('bk-item').innerHTML = `<option value="">${esc(T().anyItem)}</option>` +
    (sv ? sv.items.map((i) => `<option value="${esc(i.id)}">${esc(i.name)}</option>`).join('') : '');
}

// The free slots of a service's day into a select (full and begun slots shown but disabled).
export async function fillSlots(select, service, day) {
  select.innerHTML = '';
  if (!service || !day) return;
  const r = await api(`/api/v1/appointments/slots?service=${encodeURIComponent(service)}&day=${day}`);
  const open = r.slots.filter((s) => s.open);
  select.innerHTML = r.slots.length
    ? r.slots.map((s) => `<option value="${s.start}" ${s.open ? '' : 'disabled'}>${esc(T().slotLabel(s))}</option>`).join('')
    : `<option value="" disabled>${esc(T().noSlots)}</option>`;
  select.value = open.length ? open[0].start : '';
}

export function renderAppointments() {
  const t = T();
  $('appt-requests').innerHTML = `<thead><tr>${t.reqCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (state.requests.length ? state.requests.map((a) => `<tr data-appointment="${a.id}" class="${a.overdue ? 'overdue' : ''}">${cell('#' + a.id)}` +
      `${cell(a.received)}${cell(a.due + (a.overdue ? ' !' : ''))}${cell(serviceName(a.service))}${cell(a.item_name || t.none)}` +
      `${cell(a.name)}${cell(a.phone || t.none)}${cell(t.apptChannels[a.channel] || a.channel)}${cell(a.note)}` +
      `<td><button type="button" data-arrange="${a.id}">${esc(t.arrange)}</button></td></tr>`).join('')
      : `<tr><td colspan="10" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  const list = state.appts.filter((a) => a.day);
  $('appt-count').textContent = t.apptCount(list.filter((a) => a.state !== 'cancelled').length);
  $('appt-list').innerHTML = `<thead><tr>${t.apptCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (list.length ? list.map((a) => `<tr data-appointment="${a.id}" data-state="${a.state}" class="${a.state}">${cell(`${a.slot}–${a.slot_end}`)}` +
      `${cell(serviceName(a.service))}${cell(a.item_name || t.none)}${cell(a.name)}${cell(a.phone || t.none)}` +
      `${cell(t.apptChannels[a.channel] || a.channel)}${cell(t.apptStates[a.state] || a.state)}${cell(a.number || '')}` +
      `${cell(a.state === 'confirmed' ? a.code : '')}${cell(state.names[a.booked_by] || a.booked_by)}` +
      `<td>${a.state === 'confirmed' ? `<button type="button" data-slip="${a.id}">${esc(t.slipPrint)}</button> <button type="button" data-cancel="${a.id}">${esc(t.cancelAppt)}</button>` : ''}</td></tr>`).join('')
      : `<tr><td colspan="11" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  const badge = document.querySelector('[data-badge="appointments"]');
  if (badge) { badge.hidden = !state.requests.length; badge.textContent = state.requests.length; }
}

export async function loadAppointments() {
  if (!state.apptOn) return;
  const day = $('appt-day').value;
  let open;
  try {
    open = await api('/api/v1/appointments');
  } catch (e) {
    // A hall without [appointments]: the tab says so and stays quiet.
    state.apptOn = false;
    $('appt-requests').innerHTML = `<tbody><tr><td class="hint">${esc(e.message)}</td></tr></tbody>`;
    return;
  }
  const [dayList] = await Promise.all([api(`/api/v1/appointments?day=${day}`)]);
  state.requests = open.appointments.filter((a) => a.state === 'requested');
  state.appts = dayList.appointments;
  renderAppointments();
}

// The booking slip the citizen takes home: code, time, place, check-in window and materials.
function showSlip(a) {
  const t = T();
  const el = $('appt-slip');
  el.hidden = false;
  el.innerHTML = `<h1>${esc(state.hall ? state.hall.centre : '')} ${esc(t.slipTitle)}</h1>` +
    `<div class="code" id="slip-code">${esc(a.code)}</div><div class="qr" id="slip-qr"></div>` +
    `<dl><dt>${esc(t.apptName)}</dt><dd>${esc(a.name)}</dd>` +
    `<dt>${esc(t.slipService)}</dt><dd>${esc(serviceName(a.service))}${a.item_name ? ' · ' + esc(a.item_name) : ''}</dd>` +
    `<dt>${esc(t.slipWhen)}</dt><dd>${esc(a.day)} ${esc(a.weekday || '')} ${esc(a.slot)}–${esc(a.slot_end)}</dd>` +
    `<dt>${esc(t.slipCheckin)}</dt><dd>${esc(a.checkin_from)}–${esc(a.checkin_until)}</dd>` +
    `<dt>${esc(t.slipPlace)}</dt><dd>${esc(a.place)}</dd>` +
    (a.materials && a.materials.length ? `<dt>${esc(t.slipMaterials)}</dt><dd><ol>${a.materials.map((m) => `<li>${esc(m)}</li>`).join('')}</ol></dd>` : '') +
    `</dl><p class="hint">${esc(t.slipHint)}</p>` +
    `<div class="buttons"><button type="button" id="slip-print">${esc(t.slipPrint)}</button></div>`;
  // The booking's QR (HQA:<code>) for the kiosk's scanner, drawn by the controller.
  request(`/api/v1/appointments/${a.id}/qr.svg`, { token: session.token })
    .then((r) => (r.ok ? r.text : '')).then((svg) => { if (svg.startsWith('<svg')) $('slip-qr').innerHTML = svg; }).catch(() => {});
  $('slip-print').addEventListener('click', () => {
    document.documentElement.dataset.print = 'slip';
    window.print();
    delete document.documentElement.dataset.print;
  });
  el.scrollIntoView({ block: 'nearest' });
}

async function submitBooking(ev) {
  ev.preventDefault();
  const body = { service: $('bk-service').value, item: $('bk-item').value, day: $('bk-day').value, slot: $('bk-slot').value,
    name: $('bk-name').value.trim(), phone: $('bk-phone').value.trim(), channel: $('bk-channel').value, note: $('bk-note').value.trim() };
  try {
    const a = await api('/api/v1/appointments', { method: 'POST', body });
    for (const id of ['bk-name', 'bk-phone', 'bk-note']) $(id).value = '';
    toast(T().booked(a.code));
    showSlip(a);
    $('appt-day').value = a.day;
    await loadAppointments();
    fillSlots($('bk-slot'), body.service, body.day).catch(() => {});
  } catch (e) { toast(e.message, true); }
}

function openArrange(id) {
  const t = T();
  const a = state.requests.find((x) => x.id === id);
  if (!a) return;
  $('appt-form').reset();
  $('appt-error').textContent = '';
  $('appt-title').textContent = t.apptTitle(id, a.name);
  $('appt-content').textContent = [serviceName(a.service), a.item_name, a.phone, a.note].filter(Boolean).join(' · ');
  $('ap-day').value = $('bk-day').value;
  $('appt-accept-fields').hidden = false;
  $('appt-reason-label').hidden = true;
  const dlg = $('appt-dialog');
  dlg.dataset.id = id;
  dlg.dataset.service = a.service;
  fillSlots($('ap-slot'), a.service, $('ap-day').value).catch((e) => { $('appt-error').textContent = e.message; });
  dlg.showModal();
}

async function submitArrange(ev) {
  const dlg = $('appt-dialog');
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const accept = new FormData($('appt-form')).get('accept') === 'yes';
  const body = accept ? { accept, day: $('ap-day').value, slot: $('ap-slot').value } : { accept, reason: $('ap-reason').value.trim() };
  try {
    const a = await api(`/api/v1/appointments/${dlg.dataset.id}/answer`, { method: 'POST', body });
    dlg.close();
    toast(accept ? T().booked(a.code) : T().saved);
    if (accept) showSlip(a);
    await loadAppointments();
  } catch (e) {
    $('appt-error').textContent = e.message;
  }
}

// The tab's controls.
export function wireAppointments() {
  $('book-form').addEventListener('submit', submitBooking);
  for (const id of ['bk-service', 'bk-day']) $(id).addEventListener('change', () => {
    if (id === 'bk-service') fillItems();
    fillSlots($('bk-slot'), $('bk-service').value, $('bk-day').value).catch((e) => toast(e.message, true));
  });
  $('appt-day').addEventListener('change', () => loadAppointments().catch((e) => toast(e.message, true)));
  $('appt-requests').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-arrange]');
    if (b) openArrange(Number(b.dataset.arrange));
  });
  $('appt-list').addEventListener('click', async (ev) => {
    const slip = ev.target.closest('button[data-slip]');
    if (slip) { showSlip(state.appts.find((x) => x.id === Number(slip.dataset.slip))); return; }
    const b = ev.target.closest('button[data-cancel]');
    if (!b) return;
    const reason = window.prompt(T().cancelReason);
    if (!reason || !reason.trim()) return;
    try {
      await api(`/api/v1/appointments/${b.dataset.cancel}/cancel`, { method: 'POST', body: { reason: reason.trim() } });
      toast(T().saved);
      await loadAppointments();
    } catch (e) { toast(e.message, true); }
  });
  $('appt-form').addEventListener('change', (ev) => {
    if (ev.target.name === 'accept') {
      const accept = ev.target.value === 'yes';
      $('appt-accept-fields').hidden = !accept;
      $('appt-reason-label').hidden = accept;
      $('ap-reason').required = !accept;
    }
    if (ev.target.id === 'ap-day') fillSlots($('ap-slot'), $('appt-dialog').dataset.service, $('ap-day').value).catch((e) => { $('appt-error').textContent = e.message; });
  });
  $('appt-form').addEventListener('submit', submitArrange);
  $('appt-csv').addEventListener('click', () => {
    const t = T();
    download(`appointments-${$('appt-day').value}.csv`, csv([t.apptCols.slice(0, 10), ...state.appts.filter((a) => a.day).map((a) =>
      [`${a.slot}-${a.slot_end}`, serviceName(a.service), a.item_name, a.name, a.phone, t.apptChannels[a.channel] || a.channel,
        t.apptStates[a.state] || a.state, a.number || '', a.state === 'confirmed' ? a.code : '', a.booked_by])]));
  });
}
