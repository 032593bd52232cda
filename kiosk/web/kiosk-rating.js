// The kiosk's rating screens (R-EVAL-1): a finished service rated afterwards from its ticket's
// QR code, then the thanks.
import { el } from './dom.js';
import { TEXT } from './kiosk-text.js';
import { state, lang, t, local, button, header, actions, findService } from './kiosk-core.js';

// R-EVAL-1 (GB/T 39734 一次一评): a finished service rated afterwards, its ticket's QR scanned
// (the daemon has checked it is done, not rated and within its period). Five large buttons, best
// first, each sent once as ["rate", level]; the daemon sends it to the controller and shows thanks.
export function renderRating() {
  const r = state.flow.result || {};
  const svc = r.service && findService(r.service);
  const serviceName = svc ? local(svc) : r.service_name;
  const level = (n) => button(`tile rate rate-${n}`, ['rate', String(n)],
    el('span', { class: 'rate-stars', 'aria-hidden': 'true' }, '★'.repeat(n)),
    el('span', { class: 'rate-name' }, t('levels')[n]),
    lang() === 'en' && el('span', { class: 'rate-alt', lang: 'zh-CN' }, TEXT.zh.levels[n]));
  return [
    header(),
    el('div', { class: 'content scroll rating-screen' },
      el('div', { class: 'rate-ticket' },
        el('p', { class: 'ticket-label' }, t('rate_ticket')),
        el('p', { class: 'rate-number' }, r.number || ''),
        el('p', { class: 'ticket-service' },
          [serviceName, r.window && t('rate_window')(r.window)].filter(Boolean).join(' · '))),
      el('h1', { class: 'title center' }, t('rate_title')),
      el('div', { class: 'rates' }, [5, 4, 3, 2, 1].map(level)),
      el('p', { class: 'note center rate-note' }, t('rate_note'))),
    actions(true),
  ];
}

export function renderRated() {
  const r = state.flow.result || {};
  const label = r.level && t('levels')[r.level];
  return [
    header(),
    el('div', { class: 'content center-box rated' },
      el('div', { class: 'help-mark filed-mark', 'aria-hidden': 'true' }, '✓'),
      el('p', { class: 'working' }, t('rated_title')),
      r.number && el('p', { class: 'filed-no' }, t('rated_number')(r.number)),
      el('p', { class: 'wait' }, label ? t('rated_level')(label) : t('rated_recorded')),
      el('p', { class: 'listen' }, t('rated_sub')),
      el('p', { class: 'countdown js-countdown' })),
    actions(false, button('btn primary wide', ['home', ''], t('done'))),
  ];
}
