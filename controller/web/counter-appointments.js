// The clerk console's 预约 (appointments, R-APPT-1) tab: book a citizen on the phone or at the
// window into a free slot (the window's services first), answer kiosk requests with a slot or
// a reason, cancel a booking. Hidden where the hall takes no appointments.
import { $, el, toast } from './dom.js';
import { T } from './counter-text.js';
import { api, view, services, appointments, setAppointments, renderLists, serviceName } from './counter-core.js';

// The window's services first, then the rest of the hall's (a phone call may be about any).
function apServices() {
  const mine = (view && view.window.services) || [];
  return [...services.filter((s) => mine.includes(s.id)), ...services.filter((s) => !mine.includes(s.id))];
}

export function fillApServices() {
  const sel = $('ap-service');
  const keep = sel.value;
  sel.replaceChildren(...apServices().map((s) => el('option', { value: s.id, text: serviceName(s.id) })));
  if (keep) sel.value = keep;
  fillApItems();
}

export function fillApItems() {
  const s = services.find((x) => x.id === $('ap-service').value);
  $('ap-item').replaceChildren(el('option', { value: '', text: T.anyItem }),
    ...((s && s.items) || []).map((i) => el('option', { value: i.id, text: i.name })));
}

export async function fillApSlots() {
  const sel = $('ap-slot');
  const service = $('ap-service').value, day = $('ap-day').value;
  if (!service || !day || appointments === null) return;
  try {
    const r = await api(`/api/v1/appointments/slots?service=${encodeURIComponent(service)}&day=${day}`);
    const open = r.slots.filter((x) => x.open);
    sel.replaceChildren(...(r.slots.length
      ? r.slots.map((x) => el('option', { value: x.start, disabled: !x.open, text: T.slotLabel(x) }))
      : [el('option', { value: '', disabled: true, text: T.noSlots })]));
    sel.value = open.length ? open[0].start : '';
  } catch (e) {
    toast(e.message, true);
  }
}

export async function loadAppointments() {
  try {
    const r = await api('/api/v1/appointments');
    const first = appointments === null;
    setAppointments(r.appointments || []);
    // The form starts on the hall's day (its clock, not the PC's), once the console view is in.
    if (!$('ap-day').value && view) {
      $('ap-day').value = view.now.slice(0, 10);
      fillApServices();
      fillApSlots();
    } else if (first) {
      fillApServices();
    }
  } catch (e) {
    if (e.code === 'not_offered') setAppointments(null);
    else if (e.status !== 401) toast(e.message, true);
  }
}

export function renderAppointments() {
  const list = appointments || [];
  $('appointments').tBodies[0].replaceChildren(
    el('tr', {}, ...T.apCols.map((c) => el('th', { text: c }))),
    ...list.map((a) => {
      const acts = [];
      if (a.state === 'requested') {
        acts.push(el('button', { type: 'button', text: T.apArrange, onclick: () => answerRequest(a, true) }),
          el('button', { type: 'button', text: T.apDecline, onclick: () => answerRequest(a, false) }));
      } else if (a.state === 'confirmed') {
        acts.push(el('button', { type: 'button', text: T.apCancel, onclick: () => cancelAppointment(a) }));
      }
      return el('tr', { 'data-appointment': a.id, 'data-state': a.state, class: `${a.state}${a.overdue ? ' overdue' : ''}` },
        el('td', { text: a.day || T.apDue(a.due) }), el('td', { text: a.slot ? `${a.slot}–${a.slot_end}` : T.none }),
        el('td', { text: `${serviceName(a.service)}${a.item_name ? ' · ' + a.item_name : ''}` }),
        el('td', { text: a.name }), el('td', { class: 'phone', text: a.phone || '' }),
        el('td', { text: T.apStates[a.state] || a.state }), el('td', { text: a.state === 'confirmed' ? (a.code || '—') : '' }),
        el('td', { text: a.number || '' }), el('td', {}, ...acts));
    }));
}

export async function submitAppointment(ev) {
  ev.preventDefault();
  const body = { service: $('ap-service').value, item: $('ap-item').value, day: $('ap-day').value, slot: $('ap-slot').value,
    name: $('ap-name').value.trim(), phone: $('ap-phone').value.trim(), channel: $('ap-channel').value };
  try {
    const a = await api('/api/v1/appointments', { method: 'POST', body });
    // Read back to the citizen: day, slot, place and code. The name and phone leave the screen.
    $('ap-result').textContent = T.apBooked(a);
    $('ap-name').value = '';
    $('ap-phone').value = '';
    await loadAppointments();
    renderLists();
    fillApSlots();
  } catch (e) {
    toast(e.message, true);
  }
}

async function answerRequest(a, accept) {
  let body;
  if (accept) {
    if ($('ap-service').value !== a.service) {
      $('ap-service').value = a.service;
      fillApItems();
      await fillApSlots();
    }
    body = { accept: true, day: $('ap-day').value, slot: $('ap-slot').value };
  } else {
    const reason = window.prompt(T.apDeclineReason);
    if (!reason || !reason.trim()) return;
    body = { accept: false, reason: reason.trim() };
  }
  try {
    const r = await api(`/api/v1/appointments/${a.id}/answer`, { method: 'POST', body });
    if (accept) $('ap-result').textContent = T.apBooked(r);
    else toast(T.toast.saved);
    await loadAppointments();
    renderLists();
    fillApSlots();
  } catch (e) {
    toast(e.message, true);
  }
}

async function cancelAppointment(a) {
  const reason = window.prompt(T.apCancelReason);
  if (!reason || !reason.trim()) return;
  try {
    await api(`/api/v1/appointments/${a.id}/cancel`, { method: 'POST', body: { reason: reason.trim() } });
    toast(T.toast.saved);
    await loadAppointments();
    renderLists();
    fillApSlots();
  } catch (e) {
    toast(e.message, true);
  }
}
