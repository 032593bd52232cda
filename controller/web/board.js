// The wall TV board (/board): the hall as the LED screens show it — the call being made, the
// last calls with their windows, each window's state, the waiting per service, and the notices
// and complaint phone rolling at the foot (R-HALL-2). Live through the controller's public event
// stream, resumed from the last sequence number; the public snapshot and stream carry no
// personal data. Chinese first; ?lang=en for English.
import { apiClient } from './api.js';
import { createStream } from './stream.js';
import { $, el } from './dom.js';
import { startLang, applyLabels } from './i18n.js';
import { EV } from './events.js';

const LANG = startLang();
const T = {
  zh: {
    title: '叫号信息', now: '正在叫号', recent: '最近叫号', windows: '窗口状态', waiting: '等候人数',
    offline: '连接中断，正在重连…', idle: '请留意叫号', call: (n, w) => `请 ${n} 号到 ${w} 号窗口`,
    to: (w) => `${w} 号窗口`, people: (n) => `${n} 人`, complaint: (p) => `投诉电话 ${p}`,
    state: { welcome: '欢迎办理', calling: (n) => `请 ${n} 号`, serving: (n) => `办理中 ${n}`, paused: '暂停服务', closed: '暂停服务' },
    weekdays: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
    sub: { title: 'Now calling', now: 'Now calling', recent: 'Recent calls', windows: 'Windows', waiting: 'Waiting' },
  },
  en: {
    title: 'Now calling', now: 'Now calling', recent: 'Recent calls', windows: 'Windows', waiting: 'Waiting',
    offline: 'Connection lost, reconnecting…', idle: 'Please watch for your number',
    call: (n, w) => `Number ${n}, please go to window ${w}`, to: (w) => `Window ${w}`, people: (n) => `${n}`,
    complaint: (p) => `Complaints: ${p}`,
    state: { welcome: 'Open', calling: (n) => `Calling ${n}`, serving: (n) => `Serving ${n}`, paused: 'Paused', closed: 'Closed' },
    weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
    sub: {},
  },
}[LANG];

let hall = null;
let seq = 0;
let clockBase = null;  // the hall's wall clock at the last snapshot, and when it was read
let latest = null;     // the call on the big panel {number, window}
let refetchTimer = null;
const api = apiClient();  // the public snapshot: no session

// The labels, each with its English line under the Chinese.
function labels() {
  applyLabels(LANG, T);
  for (const e of document.querySelectorAll('[data-t]')) {
    const sub = T.sub[e.dataset.t];
    if (sub) e.append(el('small', {}, sub));
  }
}

function windowState(w) {
  if (w.state === 'paused') return ['paused', T.state.paused];
  const cur = w.current;
  if (cur && cur.number) {
    return cur.state === 'serving' ? ['serving', T.state.serving(cur.number)] : ['calling', T.state.calling(cur.number)];
  }
  if (w.state === 'closed') return ['closed', T.state.closed];
  return ['welcome', T.state.welcome];
}

function render() {
  if (!hall) return;
  $('centre').textContent = hall.centre || '';
  const recent = $('recent');
  recent.replaceChildren(...(hall.recent_calls || []).slice(0, 5).map((c) => {
    return el('li', { 'data-number': c.number },
      el('span', { class: 'num', text: c.number }), el('span', { class: 'win', text: T.to(c.window) }));
  }));
  if (!latest && hall.recent_calls && hall.recent_calls.length) latest = hall.recent_calls[0];
  const now = $('now');
  now.classList.toggle('empty', !latest);
  $('now-text').textContent = latest ? T.call(latest.number, latest.window) : T.idle;
  fit($('now-text'));
  $('windows').tBodies[0].replaceChildren(...(hall.windows || []).map((w) => {
    const [cls, text] = windowState(w);
    return el('tr', { class: cls, 'data-window': w.number },
      el('td', { class: 'no', text: String(w.number) }), el('td', { class: 'name', text: w.name || '' }),
      el('td', { class: 'state', text }));
  }));
  $('waiting').tBodies[0].replaceChildren(...(hall.services || []).map((s) => {
    return el('tr', { 'data-service': s.id },
      el('td', { class: 'no', text: s.prefix }), el('td', { class: 'name', text: s.name }),
      el('td', { class: 'count', text: T.people(s.waiting) }));
  }));
  const parts = [...(hall.notices || [])];
  if (hall.complaint_phone) parts.push(T.complaint(hall.complaint_phone));
  const text = parts.join('　　◆　　');
  const mq = $('marquee-text');
  if (mq.textContent !== text) {
    mq.textContent = text;
    mq.style.animationDuration = `${Math.max(20, text.length * 0.35)}s`;
  }
}

// The call in the biggest type that fits the panel on one line.
function fit(e) {
  let size = 112;
  e.style.fontSize = `${size}px`;
  while (e.scrollWidth > e.clientWidth && size > 40) {
    size -= 4;
    e.style.fontSize = `${size}px`;
  }
}

function tick() {
  if (clockBase) {
    const d = new Date(clockBase.local + (performance.now() - clockBase.at));
    const p = (n) => String(n).padStart(2, '0');
    $('date').textContent = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${T.weekdays[d.getUTCDay()]}`;
    $('time').textContent = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  }
}

async function fetchHall() {
  const h = await api('/api/v1/hall');
  if (h.seq < seq) return;  // older than an event already shown
  hall = h;
  seq = Math.max(seq, h.seq);
  // The hall's own wall clock (the controller's time in the hall's zone).
  const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)/.exec(h.time || '');
  if (m) clockBase = { local: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]), at: performance.now() };
  render();
  tick();
}

function refetchSoon() {
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(() => fetchHall().catch(() => {}), 150);
}

function onEvent(e) {
  if (typeof e.seq === 'number') seq = Math.max(seq, e.seq);
  if ((e.type === EV.TicketCalled || e.type === EV.TicketRecalled) && e.data && e.data.number) {
    latest = { number: e.data.number, window: e.window };
    if (hall && e.type === EV.TicketCalled) {
      // The snapshot may already hold this call: never list it twice.
      hall.recent_calls = [{ number: e.data.number, window: e.window },
        ...(hall.recent_calls || []).filter((c) => !(c.number === e.data.number && c.window === e.window))];
    }
    render();
    const now = $('now');
    now.classList.remove('flash');
    void now.offsetWidth;  // restart the animation
    now.classList.add('flash');
  }
  refetchSoon();
}

// The public event stream from the last seq (stream.js: its back-off and the badge). On each
// (re)connect the snapshot is read again; a resync from the controller starts over from it.
const stream = createStream({
  path: () => `/api/v1/events?since=${seq}`,
  message: onEvent,
  resync: ({ server }) => {
    if (server) {
      seq = 0;
      refetchSoon();
    } else {
      fetchHall().catch(() => {});
    }
  },
});

labels();
setInterval(tick, 1000);
fetchHall().catch(() => {}).finally(() => stream.start());
