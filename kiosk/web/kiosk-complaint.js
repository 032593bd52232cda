// The kiosk's complaint form (投诉建议, R-COMP-1): categories, the window concerned and a phone
// for the answer, the page's own until 提交; then the wait while it is sent, and the complaint's
// number and due date.
import { el } from './dom.js';
import { app, state, t, button, digitPad, header, actions } from './kiosk-core.js';

// The form: chosen categories, window (0: not sure), phone digits.
const complaint = { cats: new Set(), window: 0, phone: '' };
const CATEGORIES = ['attitude', 'waiting', 'efficiency', 'materials', 'fees', 'rules', 'other'];

export function resetComplaint() { Object.assign(complaint, { cats: new Set(), window: 0, phone: '' }); }

// R-COMP-1: categories, the window concerned, a phone for the answer. No free text: a kiosk
// has no Chinese input; the note says where to leave a name or details.
export function renderComplaint() {
  const chip = (cls, on, data, label) => {
    const b = el('button', { type: 'button', class: `chip ${cls}${on ? ' on' : ''}`, ...data }, label);
    b.setAttribute('aria-pressed', String(on));
    return b;
  };
  return [
    header(),
    el('div', { class: 'content scroll complaint-screen' },
      el('h1', { class: 'title' }, t('complaint_title')),
      el('h2', { class: 'section-title' }, t('complaint_what')),
      el('div', { class: 'chips' },
        CATEGORIES.map((c) => chip('cat', complaint.cats.has(c), { 'data-cat': c }, t(`cat_${c}`)))),
      el('h2', { class: 'section-title' }, t('complaint_window')),
      el('div', { class: 'chips' },
        chip('win', complaint.window === 0, { 'data-win': '0' }, t('complaint_unsure')),
        (state.windows || []).map((w) =>
          chip('win', complaint.window === w.number, { 'data-win': String(w.number) }, t('window_name')(w.number, w.name)))),
      el('h2', { class: 'section-title' }, t('complaint_phone')),
      el('div', { class: 'phone-row' },
        el('output', { class: 'lookup-display phone-display js-phone', 'aria-live': 'polite' }, complaint.phone),
        digitPad('phone', 'phone-pad')),
      el('p', { class: 'note' }, t('complaint_note')(state.complaint_phone))),
    actions(true, el('button', { type: 'button', class: 'btn primary wide js-complaint-go', 'data-complaint': '1' },
      t('complaint_send'))),
  ];
}

export function complaintValid() {
  return complaint.cats.size > 0 && (complaint.phone === '' || /^[0-9]{7,15}$/.test(complaint.phone));
}

export function updateComplaint() {
  for (const b of app.querySelectorAll('.chip.cat')) {
    const on = complaint.cats.has(b.dataset.cat);
    b.classList.toggle('on', on);
    b.setAttribute('aria-pressed', String(on));
  }
  for (const b of app.querySelectorAll('.chip.win')) {
    const on = Number(b.dataset.win) === complaint.window;
    b.classList.toggle('on', on);
    b.setAttribute('aria-pressed', String(on));
  }
  for (const e of app.querySelectorAll('.js-phone')) e.textContent = complaint.phone;
  for (const e of app.querySelectorAll('.js-complaint-go')) e.disabled = !complaintValid();
}

// Taps on the form (data-cat, data-win, data-phone).
export function toggleCategory(c) {
  if (complaint.cats.has(c)) complaint.cats.delete(c);
  else complaint.cats.add(c);
  updateComplaint();
}

export function chooseWindow(n) {
  complaint.window = n;
  updateComplaint();
}

export function pressPhone(k) {
  if (k === 'del') complaint.phone = complaint.phone.slice(0, -1);
  else if (k === 'clear') complaint.phone = '';
  else if (/^[0-9]$/.test(k) && complaint.phone.length < 15) complaint.phone += k;
  updateComplaint();
}

// What 提交 sends: the categories in their order, the phone, the window if one was chosen.
export function complaintForm() {
  const form = { categories: CATEGORIES.filter((c) => complaint.cats.has(c)), phone: complaint.phone };
  if (complaint.window) form.window = complaint.window;
  return JSON.stringify(form);
}

export function renderSending() {
  return [
    header({ tools: false }),
    el('div', { class: 'content center-box' },
      el('div', { class: 'spinner big', 'aria-hidden': 'true' }),
      el('p', { class: 'working' }, t('sending'))),
  ];
}

export function renderFiled() {
  const r = state.flow.result || {};
  return [
    header(),
    el('div', { class: 'content center-box' },
      el('div', { class: 'help-mark filed-mark', 'aria-hidden': 'true' }, '✓'),
      el('p', { class: 'working' }, t('filed')),
      r.id != null && el('p', { class: 'filed-no' }, t('filed_no')(r.id)),
      r.due && el('p', { class: 'wait' }, t('filed_due')(r.due)),
      el('p', { class: 'note' }, r.phone ? t('filed_phone')(r.phone) : t('filed_nophone')),
      el('p', { class: 'listen' }, t('thanks')),
      el('p', { class: 'countdown js-countdown' })),
    actions(false, button('btn primary wide', ['home', ''], t('done'))),
  ];
}
