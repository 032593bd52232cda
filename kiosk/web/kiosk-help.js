// The kiosk's help screen (帮办代办, R-HALL-7): the citizen called for staff; the screen says the
// call is being sent, sent, or answered (someone is coming).
import { el } from './dom.js';
import { state, t, button, header, actions } from './kiosk-core.js';

export function helpTool() {
  return button('tool help', ['help', ''], t('call_staff'));
}

export function renderHelp() {
  const r = state.flow.result || {};
  const st = r.state || 'sending';
  return [
    header(),
    el('div', { class: `content center-box help-screen help-${st}` },
      st === 'sending'
        ? el('div', { class: 'spinner big', 'aria-hidden': 'true' })
        : el('div', { class: 'help-mark', 'aria-hidden': 'true' }, st === 'answered' ? '✓' : '…'),
      el('p', { class: 'working', role: 'status' },
        st === 'sending' ? t('help_sending') : st === 'answered' ? t('help_answered') : t('help_open')),
      st !== 'sending' && el('p', { class: 'note' }, t('help_open_sub')),
      el('p', { class: 'countdown js-countdown' })),
    actions(true, button('btn primary wide', ['home', ''], t('done'))),
  ];
}
