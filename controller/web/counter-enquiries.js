// The clerk console's 咨询登记 (enquiries, R-FIRST-3) tab: the window's enquiries of the day
// and the form that logs one (subject, caller, phone, who it was forwarded to).
import { $, el, toast } from './dom.js';
import { T } from './counter-text.js';
import { api, enquiries, refreshLists, who, hhmm } from './counter-core.js';

export function renderEnquiries() {
  $('enquiries').tBodies[0].replaceChildren(
    el('tr', {}, ...T.enqCols.map((c) => el('th', { text: c }))),
    ...enquiries.slice().reverse().map((q) => el('tr', { 'data-enquiry': q.id },
      el('td', { text: hhmm(q.at) }), el('td', { text: (T.enqChannels.find(([v]) => v === q.channel) || [0, q.channel])[1] }),
      el('td', { text: q.subject }), el('td', { text: q.caller || '' }), el('td', { class: 'phone', text: q.phone || '' }),
      el('td', { text: q.forwarded_to || '' }), el('td', { text: who(q.clerk) }))));
}

export async function submitEnquiry(ev) {
  ev.preventDefault();
  const body = { channel: $('eq-channel').value, subject: $('eq-subject').value.trim() };
  for (const [k, id] of [['caller', 'eq-caller'], ['phone', 'eq-phone'], ['forwarded_to', 'eq-to']])
    if ($(id).value.trim()) body[k] = $(id).value.trim();
  try {
    await api('/api/v1/enquiries', { method: 'POST', body });
    // The phone is not kept on screen once logged: the list shows it masked.
    for (const id of ['eq-subject', 'eq-caller', 'eq-phone', 'eq-to']) $(id).value = '';
    toast(T.toast.saved);
    refreshLists();
  } catch (e) {
    toast(e.message, true);
  }
}
