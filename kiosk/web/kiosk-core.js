// The kiosk page's core: the state last received from the daemon, the language, and the parts
// the screens share (header, toggles, banner, the bottom row of buttons, service tiles, the
// digit pad). The screens read `state` as a live binding; app.js sets it.
import { el } from './dom.js';
import { text, localName } from './i18n.js';
import { TEXT } from './kiosk-text.js';

export let state = null;   // the last state applied
export function setState(s) { state = s; }

export const app = document.getElementById('app');

export const lang = () => (state && state.flow && state.flow.lang === 'en' ? 'en' : 'zh');
export const t = (key) => text(TEXT, lang(), key);
// A data field in the page's language: name_en in English mode when present, else the Chinese.
export const local = (obj, field = 'name') => localName(obj, lang(), field);

// A button that sends [type, value] when tapped (null: a button that sends nothing).
// Data from the daemon is only ever inserted as text (dom.js el()), never as markup.
export const button = (cls, event, ...children) =>
  el('button', { type: 'button', class: cls, 'data-event': event && JSON.stringify(event) }, ...children);

// A digit pad: 1–9, then 清空 0 删除, each key a button with data-<attr>="<key>". Typing is the
// page's own: nothing is sent until the screen's main button.
export function digitPad(attr, cls = '') {
  const key = (k, label = k, kc = '') => el('button', { type: 'button', class: `key ${kc}`, [`data-${attr}`]: k }, label);
  return el('div', { class: `keypad digits${cls ? ` ${cls}` : ''}` },
    ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d)),
    key('clear', t('clear'), 'fn'), key('0'), key('del', t('del'), 'fn'));
}

// ---------------------------------------------------------------------------------------------
// Shared parts
// ---------------------------------------------------------------------------------------------
export function toggles() {
  const large = !!state.flow.elderly_mode;
  const other = lang() === 'en' ? 'zh' : 'en';
  const largeButton = button(`tool large${large ? ' on' : ''}`, ['elderly', large ? 'off' : 'on'],
    el('span', null, t('large')),
    el('span', { class: 'switch', 'aria-hidden': 'true' }, large ? t('on') : t('off')));
  largeButton.setAttribute('aria-pressed', String(large));
  return [
    button('tool lang', ['lang', other], el('span', { lang: other === 'en' ? 'en' : 'zh-CN' }, t('other_lang'))),
    largeButton,
  ];
}

// Header of every screen but idle.
export function header({ tools = true } = {}) {
  return el('header', { class: 'bar' },
    el('div', { class: 'bar-title' }, state.centre),
    el('div', { class: 'bar-tools' },
      el('span', { class: 'hint js-hint', hidden: true }),
      tools && toggles(),
      tools && button('tool home', ['home', ''], t('home'))));
}

// Why this kiosk cannot issue tickets now (in `lang`, default the page's), or null.
export function kioskProblem(lang_ = lang()) {
  const k = state.kiosk || {};
  const text = TEXT[lang_];
  if (k.online === false) return text.banner_offline;
  if (k.accepting === false) return k.printer === 'paper_out' ? text.banner_paper : text.banner_fault;
  return null;
}

export function banner() {
  const problem = kioskProblem();
  return problem && el('div', { class: 'banner', role: 'alert' }, problem);
}

// The service (and item) chosen so far, as one line.
export function crumb({ withItem = true } = {}) {
  const f = state.flow;
  const svc = f.service && findService(f.service.id);
  const item = withItem && f.item && (local(findItem(svc, f.item.id)) || f.item.name);
  const parts = [svc ? local(svc) : f.service && f.service.name, item];
  const text = parts.filter(Boolean).join(' · ');
  return text && el('p', { class: 'crumb' }, text);
}

// The bottom row of big buttons; `back` adds 返回 on the left.
export function actions(back, ...buttons) {
  return el('footer', { class: 'actions' }, back && button('btn secondary', ['back', ''], t('back')), buttons);
}

export function findService(id) {
  return (state.services || []).find((s) => s.id === id) || null;
}
export function findItem(svc, id) {
  return ((svc && svc.items) || []).find((i) => i.id === id) || null;
}

export function kindText(item) {
  return item.kind === 'immediate' ? t('immediate') : t('promised');
}
export function limitText(item) {
  if (item.kind === 'immediate') return t('immediate_limit');
  return item.time_limit_days ? t('days')(item.time_limit_days) : '';
}

// One service: prefix letter, name, waiting count, or why it is closed.
export function serviceTile(svc, { disableClosed, dim }) {
  const closed = svc.issuing === false;
  const b = button(`tile svc${closed ? ' closed' : ''}${dim ? ' dim' : ''}`, closed && disableClosed ? null : ['service', svc.id],
    el('span', { class: 'prefix', 'aria-hidden': 'true' }, svc.prefix),
    el('span', { class: 'svc-body' },
      el('span', { class: 'svc-name' }, local(svc)),
      lang() === 'en' && svc.name_en && el('span', { class: 'svc-alt', lang: 'zh-CN' }, svc.name),
      closed
        ? el('span', { class: 'svc-state' }, t('paused'), svc.closed_reason && el('span', { class: 'svc-reason' }, svc.closed_reason))
        : el('span', { class: 'svc-state' }, t('waiting')(svc.waiting ?? 0))));
  if (closed && disableClosed) b.setAttribute('aria-disabled', 'true');
  return b;
}
