// The clerk console's 交接记录 (hand-over, R-AB-1) tab: what the other post of the window did
// here while this clerk was away, from the console view.
import { $, el } from './dom.js';
import { T } from './counter-text.js';
import { EV } from './events.js';
import { view, hhmm } from './counter-core.js';

export function renderHandover() {
  const h = view && view.handover;
  const list = $('handover');
  if (!h) {
    $('handover-title').textContent = T.handoverNone;
    list.replaceChildren();
    return;
  }
  $('handover-title').textContent = T.handoverTitle(h.from ? h.from.name : '', h.events.length);
  list.replaceChildren(...h.events.map((e) => {
    const d = e.data || {};
    // A written reason is worth reading; a reason code (sign_out, recall_limit) is not.
    const reason = [EV.WindowPaused, EV.CaseSuspended, EV.CaseReturned, EV.CaseExtended].includes(e.type) ? d.reason : '';
    const what = [T.ev[e.type] || e.type, d.number || d.no || '', reason || ''].filter(Boolean).join(' ');
    return el('li', { 'data-type': e.type, text: `${hhmm(e.at)} ${what}` });
  }));
}
