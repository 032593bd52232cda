// The kiosk's ticket lookup (查询进度): the number pad (this hall's service letters and digits,
// the page's own until 查询), the wait while the controller is asked, and the ticket's progress
// (also reached by scanning the ticket's QR code).
import { el } from './dom.js';
import { app, state, lang, t, button, digitPad, header, actions } from './kiosk-core.js';

export let lookupInput = '';  // the number being typed (the page's own)
export function resetLookup() { lookupInput = ''; }

export function lookupTool() {
  return button('tool lookup', ['open', 'lookup'], t('lookup_open'));
}

// The number pad: the service letters of this hall, digits, delete and clear. Keys are the
// page's own (data-key): nothing is sent until 查询.
export function renderLookup() {
  const letters = [...new Set((state.services || []).map((s) => s.prefix).filter(Boolean))];
  const key = (k, label = k, cls = '') => el('button', { type: 'button', class: `key ${cls}`, 'data-key': k }, label);
  return [
    header(),
    el('div', { class: 'content scroll lookup-screen' },
      el('h1', { class: 'title' }, t('lookup_title')),
      el('p', { class: 'note' }, t('lookup_prompt')),
      el('output', { class: 'lookup-display js-lookup', 'aria-live': 'polite' }, lookupInput),
      el('div', { class: 'keypad letters' }, letters.map((l) => key(l, l, 'letter'))),
      digitPad('key'),
      state.kiosk && state.kiosk.scanner && el('p', { class: 'note center' }, t('lookup_scan'))),
    actions(true, el('button', { type: 'button', class: 'btn primary wide js-lookup-go', 'data-lookup': '1' }, t('lookup_go'))),
  ];
}

export function lookupValid(v) {
  return /^[A-Z]{1,2}[0-9]{1,4}$/.test(v);
}

export function updateLookup() {
  for (const e of app.querySelectorAll('.js-lookup')) e.textContent = lookupInput;
  for (const e of app.querySelectorAll('.js-lookup-go')) e.disabled = !lookupValid(lookupInput);
}

export function pressKey(k) {
  if (k === 'del') lookupInput = lookupInput.slice(0, -1);
  else if (k === 'clear') lookupInput = '';
  else if (/^[A-Z]$/.test(k)) {
    if (/^[A-Z]?$/.test(lookupInput)) lookupInput += k;  // one or two letters, before the digits
  }
  else if (/^[0-9]$/.test(k) && /^[A-Z]{1,2}[0-9]{0,3}$/.test(lookupInput)) lookupInput += k;
  updateLookup();
}

export function renderSearching() {
  return [
    header({ tools: false }),
    el('div', { class: 'content center-box' },
      el('div', { class: 'spinner big', 'aria-hidden': 'true' }),
      el('p', { class: 'working' }, t('searching'))),
  ];
}

function stateText(r) {
  const w = r.window || r.target_window;
  switch (r.state) {
    case 'waiting': return r.target_window ? t('to_window')(r.target_window) : t('st_waiting');
    case 'called': return t('st_called')(w);
    case 'serving': return t('st_serving')(w);
    default: return t(`st_${r.state}`) || r.state || '';
  }
}

export function renderProgress() {
  const r = state.flow.result || {};
  if (!r.found) {
    const message = (lang() === 'en' ? r.message_en || r.message_zh : r.message_zh) || '';
    return [
      header(),
      el('div', { class: 'content center-box error' },
        el('div', { class: 'error-mark', 'aria-hidden': 'true' }, '?'),
        el('p', { class: 'error-message', role: 'alert' }, message),
        el('p', { class: 'countdown js-countdown' })),
      actions(true, button('btn primary wide', ['home', ''], t('done'))),
    ];
  }
  const ahead = Number(r.ahead) || 0;
  const minutes = Number(r.wait_minutes) || 0;
  const waiting = r.state === 'waiting' && r.today !== false;
  const issued = typeof r.issued_at === 'string' && r.issued_at.length >= 16
    ? `${r.issued_at.slice(0, 10)} ${r.issued_at.slice(11, 16)}` : '';
  return [
    header(),
    el('div', { class: 'content scroll done progress' },
      el('div', { class: 'ticket' },
        el('p', { class: 'ticket-label' }, t('progress_title')),
        el('p', { class: 'number' }, r.number || ''),
        r.service_name && el('p', { class: 'ticket-service' }, r.service_name),
        issued && el('p', { class: 'ticket-item' }, t('issued')(issued))),
      el('div', { class: 'ticket-info' },
        r.today === false && el('p', { class: 'warn', role: 'alert' }, t('other_day')),
        el('p', { class: `progress-state st-${r.state}` }, stateText(r)),
        r.rating === 'rated' && el('p', { class: 'rated-note' }, t('rated_already')),
        r.rating === 'closed' && el('p', { class: 'rated-note' }, t('rating_closed')),
        waiting && el('p', { class: 'ahead' }, ahead > 0 ? t('ahead')(ahead) : t('next')),
        waiting && minutes > 0 && el('p', { class: 'wait' }, t('wait')(minutes)),
        waiting && el('p', { class: 'listen' }, t('listen')),
        el('p', { class: 'countdown js-countdown' }))),
    actions(true, button('btn primary wide', ['home', ''], t('done'))),
  ];
}
