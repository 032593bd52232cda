// The kiosk's ticket screens, the citizen's main path: the start screen (the hall's services,
// the notices rolling, the tools), the services, an item, its materials told at once
// (一次性告知), the ticket type, printing, the ticket, and what went wrong.
import { el } from './dom.js';
import { TEXT } from './kiosk-text.js';
import {
  app, state, lang, t, local, button, header, toggles, kioskProblem, banner, crumb, actions,
  findService, findItem, kindText, limitText, serviceTile,
} from './kiosk-core.js';
import { helpTool } from './kiosk-help.js';
import { lookupTool } from './kiosk-lookup.js';
import { appointmentTool } from './kiosk-appointment.js';

const NOTICE_MS = 8000;  // each start-screen notice stays this long
let noticeIndex = 0;
let noticeShownAt = 0;

export function renderIdle() {
  const other = lang() === 'en' ? 'zh' : 'en';
  const problem = kioskProblem();
  const notices = state.notices || [];
  const k = state.kiosk || {};
  return [
    el('div', { class: 'idle-top' },
      el('div', { class: 'idle-brand' },
        el('h1', { class: 'centre' }, state.centre),
        el('div', { class: 'clock' }, el('span', { class: 'js-time' }), el('span', { class: 'js-date' }))),
      el('div', { class: 'bar-tools' }, helpTool(), appointmentTool(), lookupTool(), toggles())),
    problem
      ? el('div', { class: 'banner big', role: 'alert' },
        el('span', null, problem),
        el('span', { class: 'banner-other', lang: other === 'en' ? 'en' : 'zh-CN' }, kioskProblem(other)))
      : el('div', { class: 'cta' },
        el('span', { class: 'pulse', 'aria-hidden': 'true' }),
        el('span', { class: 'cta-main' }, t('touch')),
        el('span', { class: 'cta-other', lang: other === 'en' ? 'en' : 'zh-CN' }, TEXT[other].touch),
        el('span', { class: 'cta-sub' }, t('touch_sub'))),
    el('h2', { class: 'section-title' }, t('services_here')),
    el('div', { class: 'grid services idle-services' },
      (state.services || []).map((s) => serviceTile(s, { disableClosed: false, dim: !!problem }))),
    notices.length > 0 && el('div', { class: 'notice' },
      el('span', { class: 'notice-tag' }, t('notice')),
      el('span', { class: 'notice-text js-notice' }, notices[noticeIndex % notices.length])),
    el('footer', { class: 'idle-foot' },
      k.help_open && el('span', { class: 'help-strip', role: 'status' }, t('help_waiting')),
      k.scanner && el('span', { class: 'scan-hint' }, t('scan_hint')),
      button('tool complaint', ['open', 'complaint'],
        t('complaint_open'), state.complaint_phone && el('span', { class: 'tool-sub' }, state.complaint_phone)),
      k.id && el('span', { class: 'kiosk-id' }, `${t('kiosk')} ${k.id}`)),
  ];
}

export function renderServices() {
  const problem = kioskProblem();
  return [
    header(),
    el('div', { class: 'content scroll' },
      banner(),
      el('h1', { class: 'title' }, t('choose_service')),
      el('div', { class: 'grid services' },
        (state.services || []).map((s) => serviceTile(s, { disableClosed: true, dim: !!problem })))),
    actions(true, button('btn secondary appt-btn', ['open', 'appointment'], t('appt_open')),
      button('btn secondary lookup-btn', ['open', 'lookup'], t('lookup_open'))),
  ];
}

export function renderItems() {
  const svc = findService(state.flow.service && state.flow.service.id);
  return [
    header(),
    el('div', { class: 'content scroll' },
      banner(),
      crumb({ withItem: false }),  // the daemon may still hold an item when coming back here
      el('h1', { class: 'title' }, t('choose_item')),
      el('div', { class: 'list' },
        ((svc && svc.items) || []).map((item) =>
          button('tile item', ['item', item.id],
            el('span', { class: 'item-name' }, local(item)),
            el('span', { class: `kind ${item.kind === 'immediate' ? 'immediate' : 'promised'}` },
              [kindText(item), item.kind !== 'immediate' && limitText(item)].filter(Boolean).join(' · ')))),
        button('tile item other', ['item', ''],
          el('span', { class: 'item-name' }, t('other')),
          el('span', { class: 'kind' }, t('other_sub'))))),
    actions(true),
  ];
}

export function renderMaterials() {
  const f = state.flow;
  const svc = findService(f.service && f.service.id);
  const item = findItem(svc, f.item && f.item.id) || { name: f.item ? f.item.name : '' };
  const materials = item.materials || [];
  const facts = [
    [t('time_limit'), limitText(item)],
    [t('fee'), item.fee],
    [t('phone'), item.phone],
    [t('conditions'), item.conditions],
    [t('procedure'), item.procedure],
    [t('legal'), item.legal_basis],
  ].filter(([, v]) => v);
  return [
    header(),
    el('div', { class: 'content scroll' },
      banner(),
      el('p', { class: 'eyebrow' }, t('once')),
      el('h1', { class: 'title item-title' }, local(item)),
      item.kind && el('p', { class: 'tags' },
        el('span', { class: `kind ${item.kind === 'immediate' ? 'immediate' : 'promised'}` }, kindText(item)),
        limitText(item) && el('span', { class: 'kind plain' }, limitText(item))),
      el('h2', { class: 'section-title' }, materials.length ? t('materials')(materials.length) : t('no_materials')),
      materials.length > 0 && el('ol', { class: 'materials' }, materials.map((m) => el('li', null, m))),
      el('dl', { class: 'facts' }, facts.map(([k, v]) => el('div', { class: 'fact' }, el('dt', null, k), el('dd', null, v)))),
      item.guide_url && f.service && el('figure', { class: 'guide-qr' },
        el('img', { src: `/api/qr.svg?service=${encodeURIComponent(f.service.id)}&item=${encodeURIComponent(item.id)}`,
          alt: '', width: 200, height: 200 }),
        el('figcaption', null, t('guide_scan'))),
      el('p', { class: 'note' }, t('printed_note'), item.guide_url && ` ${t('guide_note')}`)),
    el('div', { class: 'more js-more', hidden: true, 'aria-hidden': 'true' }, el('span', null, t('more'))),
    actions(true, button('btn primary wide', ['ok', ''], t('ok'))),
  ];
}

export function renderPriority() {
  const choice = (value, sub) =>
    button(`tile prio prio-${value}`, ['priority', value],
      el('span', { class: 'prio-name' }, t(value)), sub && el('span', { class: 'prio-sub' }, sub));
  return [
    header(),
    el('div', { class: 'content scroll' },
      banner(),
      crumb(),
      el('h1', { class: 'title' }, t('choose_priority')),
      el('div', { class: 'grid prios' },
        choice('normal'), choice('elderly', t('elderly_sub')), choice('disabled'), choice('pregnant')),
      el('p', { class: 'note center' }, t('help'))),
    actions(true, button('btn secondary', ['help', ''], t('call_staff'))),
  ];
}

export function renderWorking() {
  return [
    header({ tools: false }),
    el('div', { class: 'content center-box' },
      el('div', { class: 'spinner big', 'aria-hidden': 'true' }),
      el('p', { class: 'working' }, t('working'))),
  ];
}

export function renderDone() {
  const r = state.flow.result || {};
  const svc = state.flow.service && findService(state.flow.service.id);
  const serviceName = svc ? local(svc) : r.service_name;
  const ahead = Number(r.ahead) || 0;
  const minutes = Number(r.wait_minutes) || 0;
  const priority = r.priority && r.priority !== 'normal' && TEXT[lang()][r.priority];
  const reprint = r.result === 'reprinted' && (lang() === 'en' ? r.message_en || r.message_zh : r.message_zh);
  return [
    header(),
    el('div', { class: 'content scroll done' },
      el('div', { class: 'ticket' },
        el('p', { class: 'ticket-label' }, t('your_number')),
        el('p', { class: 'number' }, r.number || ''),
        serviceName && el('p', { class: 'ticket-service' }, serviceName),
        r.item_name && el('p', { class: 'ticket-item' }, r.item_name),
        priority && el('p', { class: 'ticket-priority' }, priority)),
      el('div', { class: 'ticket-info' },
        el('p', { class: 'ahead' }, ahead > 0 ? t('ahead')(ahead) : t('next')),
        minutes > 0 && el('p', { class: 'wait' }, t('wait')(minutes)),
        reprint && el('p', { class: 'warn', role: 'alert' }, reprint),
        el('p', { class: 'take' }, t('take')),
        el('p', { class: 'listen' }, t('listen')),
        el('p', { class: 'countdown js-countdown' }))),
    actions(false, button('btn primary wide', ['home', ''], t('done'))),
  ];
}

export function renderError() {
  const r = state.flow.result || {};
  const message = (lang() === 'en' ? r.message_en || r.message_zh : r.message_zh || r.message_en) || kioskProblem() || '';
  return [
    header(),
    el('div', { class: 'content center-box error' },
      el('div', { class: 'error-mark', 'aria-hidden': 'true' }, '!'),
      el('p', { class: 'error-message', role: 'alert' }, message),
      el('p', { class: 'countdown js-countdown' })),
    // A refused check-in (too early, unknown code): 返回 leads to the number pad again; a
    // rating not taken: 返回 leads to the rating screen again (no answer) or the start.
    actions(!!state.flow.check_in || !!state.flow.rating,
      state.kiosk && state.kiosk.online !== false && button('btn secondary', ['help', ''], t('call_staff')),
      button('btn primary wide', ['home', ''], t('home'))),
  ];
}

// A new screen: the start screen's notice shows its full time again.
export function noticeShown() {
  noticeShownAt = performance.now();
}

// Once a second: the next notice on the start screen once this one has had its time.
export function rollNotice() {
  const notices = state.notices || [];
  const notice = app.querySelector('.js-notice');
  if (notice && notices.length > 1 && performance.now() - noticeShownAt >= NOTICE_MS) {
    noticeIndex = (noticeIndex + 1) % notices.length;
    noticeShownAt = performance.now();
    notice.textContent = notices[noticeIndex];
    notice.classList.remove('roll');
    void notice.offsetWidth;  // restart the fade-in animation
    notice.classList.add('roll');
  }
}
