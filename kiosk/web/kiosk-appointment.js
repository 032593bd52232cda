// The kiosk's appointment check-in (预约签到, R-APPT-1): the 6-digit booking code on a digit pad
// (the page's own until 签到取号), or the booking's QR code at the scanner.
import { el } from './dom.js';
import { app, state, t, button, digitPad, header, actions } from './kiosk-core.js';

export let codeInput = '';  // the booking code being typed (the page's own)
export function resetCode() { codeInput = ''; }

// R-APPT-1: a booking is always shown (the hall snapshot says nothing of appointments); a hall
// that takes none answers the check-in with its own message.
export function appointmentTool() {
  return button('tool appt', ['open', 'appointment'], t('appt_open'));
}

// The booking code: six digits on the number pad (the page's own, data-code) until 签到取号.
export function renderAppointment() {
  return [
    header(),
    el('div', { class: 'content scroll lookup-screen appt-screen' },
      el('h1', { class: 'title' }, t('appt_title')),
      el('p', { class: 'note' }, t('appt_prompt')),
      el('output', { class: 'lookup-display appt-display js-code', 'aria-live': 'polite' }, codeInput),
      digitPad('code'),
      state.kiosk && state.kiosk.scanner && el('p', { class: 'note center' }, t('appt_scan'))),
    actions(true, el('button', { type: 'button', class: 'btn primary wide js-code-go', 'data-appointment': '1' }, t('appt_go'))),
  ];
}

export const codeComplete = () => /^[0-9]{6}$/.test(codeInput);

export function updateCode() {
  for (const e of app.querySelectorAll('.js-code')) e.textContent = codeInput;
  for (const e of app.querySelectorAll('.js-code-go')) e.disabled = !codeComplete();
}

export function pressCode(k) {
  if (k === 'del') codeInput = codeInput.slice(0, -1);
  else if (k === 'clear') codeInput = '';
  else if (/^[0-9]$/.test(k) && codeInput.length < 6) codeInput += k;
  updateCode();
}
