// HallQ ticket kiosk: the touch page.
//
// A thin view of hallq-kiosk's citizen flow. The daemon owns every rule and every screen
// change; this page only renders the state it receives and posts the citizen's taps as events.
//   state in:  WebSocket /api/stream (full state on connect and on every change); while the
//              socket is down, GET /api/state every 2 s; if that fails too, a "please wait" overlay.
//   events out: POST /api/event {"type","value"}; the answer is the new state (4xx: ignored).
// Data from the daemon is only ever inserted as text (textContent / Text nodes), never as markup.

const POLL_MS = 2000;          // GET /api/state while the WebSocket is down
const WS_BACKOFF_MIN_MS = 500;
const WS_BACKOFF_MAX_MS = 5000;
const FETCH_TIMEOUT_MS = 4000;
const KEEPALIVE_MS = 5000;     // at most one keep-alive "touch" per 5 s
const TAP_GUARD_MS = 1500;     // after an event, ignore taps until the answer (or this long)
const SETTLE_MS = 400;         // after the screen changes, ignore taps meant for the old one
const NOTICE_MS = 8000;        // each idle-screen notice stays this long
const HINT_BELOW_S = 15;       // the header shows the countdown below this many seconds

// ---------------------------------------------------------------------------------------------
// Static labels. Data (service and item names, messages) comes from the daemon.
// ---------------------------------------------------------------------------------------------
const TEXT = {
  zh: {
    touch: '点击屏幕取号',
    touch_sub: '也可直接点击下方业务',
    services_here: '可办理业务',
    waiting: (n) => `等候 ${n} 人`,
    paused: '暂停取号',
    complaint: '投诉电话',
    kiosk: '取号机',
    notice: '公告',
    banner_offline: '暂停取号，请到咨询台',
    banner_paper: '取号机打印纸已用完，请到咨询台',
    banner_fault: '取号机故障，请到咨询台',
    home: '返回首页',
    back: '返回',
    other_lang: 'English',
    large: '大字模式',
    on: '开',
    off: '关',
    choose_service: '请选择要办理的业务',
    choose_item: '请选择要办理的事项',
    other: '其他事项',
    other_sub: '不选择具体事项',
    immediate: '即办件',
    promised: '承诺件',
    days: (n) => `${n} 个工作日`,
    immediate_limit: '即时办结',
    once: '一次性告知',
    materials: (n) => `需提交的材料（共 ${n} 项）`,
    no_materials: '本事项无需提交材料。',
    time_limit: '办理时限',
    fee: '收费标准',
    phone: '咨询电话',
    conditions: '申请条件',
    procedure: '办理流程',
    legal: '设定依据',
    printed_note: '以上材料清单将同时打印在号票上，请妥善保管。',
    guide_note: '扫描号票上的二维码可查看完整办事指南。',
    guide_scan: '用手机扫码，查看并保存完整办事指南',
    ok: '我已了解，取号',
    more: '向上滑动查看更多',
    choose_priority: '请选择取号类型',
    normal: '普通取号',
    elderly: '老年人优先',
    elderly_sub: '60 岁以上',
    disabled: '残疾人优先',
    pregnant: '孕妇优先',
    help: '如需帮办代办，请呼叫工作人员',
    working: '正在出票，请稍候…',
    your_number: '您的号码',
    ahead: (n) => `前面还有 ${n} 人`,
    next: '您是下一位',
    wait: (m) => `预计等候约 ${m} 分钟`,
    take: '请取走号票',
    listen: '请留意屏幕和语音叫号',
    done: '完成',
    back_in: (s) => `${s} 秒后返回首页`,
    weekdays: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
    date: (y, m, d, w) => `${y}年${m}月${d}日 ${w}`,
    lookup_open: '查询进度',
    lookup_title: '查询号票进度',
    lookup_prompt: '请输入号票上的号码',
    lookup_scan: '或将号票二维码对准下方扫码口',
    lookup_go: '查询',
    del: '删除',
    clear: '清空',
    searching: '正在查询，请稍候…',
    scan_hint: '扫描号票二维码，查询进度或评价服务',
    progress_title: '号票进度',
    st_waiting: '排队等候中',
    st_called: (w) => `已叫号，请到 ${w} 号窗口`,
    st_serving: (w) => `正在 ${w} 号窗口办理`,
    st_held: '暂缓办理，请留意叫号',
    st_done: '已办理完毕',
    st_no_show: '已过号，如需办理请到咨询台',
    st_cancelled: '已取消',
    st_voided: '已作废，请到咨询台',
    st_closed: '已结束',
    to_window: (w) => `请到 ${w} 号窗口等候`,
    other_day: '这不是今天的号票',
    issued: (d) => `取号时间 ${d}`,
    call_staff: '呼叫工作人员',
    help_sending: '正在呼叫工作人员…',
    help_open: '已通知工作人员，请在此稍候',
    help_open_sub: '工作人员会到取号机旁为您帮办代办。',
    help_answered: '工作人员马上就到',
    help_waiting: '已呼叫工作人员，请稍候',
    complaint_open: '投诉建议',
    complaint_title: '投诉建议',
    complaint_what: '您遇到了什么问题？（可多选）',
    complaint_window: '涉及哪个窗口？（可不选）',
    complaint_unsure: '不确定',
    complaint_phone: '联系电话（选填，用于答复您）',
    complaint_note: (phone) => `我们将在 5 个工作日内答复。如需留下姓名或详细说明，请到咨询台${phone ? `或拨打投诉电话 ${phone}` : ''}。`,
    complaint_send: '提交',
    cat_attitude: '服务态度差',
    cat_waiting: '等候时间长',
    cat_efficiency: '办事效率低',
    cat_materials: '材料要求反复、不一致',
    cat_fees: '乱收费',
    cat_rules: '不按规定办理',
    cat_other: '其他问题',
    window_name: (n, name) => `${n} 号窗口 ${name}`,
    sending: '正在提交，请稍候…',
    filed: '您的投诉已记录',
    filed_no: (id) => `投诉编号 ${id}`,
    filed_due: (d) => `我们将在 ${d} 前答复您`,
    filed_phone: (p) => `答复将致电 ${p}`,
    filed_nophone: '您未留电话，可凭投诉编号到咨询台查询答复',
    thanks: '感谢您的监督',
    appointment: '预约',
    appt_open: '预约签到',
    appt_title: '预约签到',
    appt_prompt: '请输入 6 位预约码',
    appt_scan: '或将预约二维码对准下方扫码口',
    appt_go: '签到取号',
    rate_ticket: '服务评价',
    rate_window: (w) => `${w} 号窗口`,
    rate_title: '请对本次服务作出评价',
    rate_note: '一次一评，提交后不能修改；评价不记名',
    levels: { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' },
    rated_title: '感谢您的评价',
    rated_number: (n) => `号码 ${n}`,
    rated_level: (l) => `您的评价：${l}`,
    rated_recorded: '您的评价已记录',
    rated_sub: '我们将根据您的评价改进服务',
    rated_already: '本次服务已评价',
    rating_closed: '已超过评价期限',
  },
  en: {
    touch: 'Touch to take a ticket',
    touch_sub: 'or tap a service below',
    services_here: 'Services',
    waiting: (n) => `${n} waiting`,
    paused: 'Not taking tickets',
    complaint: 'Complaints',
    kiosk: 'Kiosk',
    notice: 'Notice',
    banner_offline: 'Tickets are not available now. Please go to the help desk.',
    banner_paper: 'The ticket printer is out of paper. Please go to the help desk.',
    banner_fault: 'This kiosk is out of order. Please go to the help desk.',
    home: 'Home',
    back: 'Back',
    other_lang: '中文',
    large: 'Large text',
    on: 'On',
    off: 'Off',
    choose_service: 'Choose a service',
    choose_item: 'What do you need to do?',
    other: 'Other matters',
    other_sub: 'No specific item',
    immediate: 'Handled on the spot',
    promised: 'Promised time limit',
    days: (n) => `${n} working day${n === 1 ? '' : 's'}`,
    immediate_limit: 'Done on the spot',
    once: 'Everything you need, told at once',
    materials: (n) => `Materials to bring (${n})`,
    no_materials: 'No materials are needed for this item.',
    time_limit: 'Time limit',
    fee: 'Fee',
    phone: 'Phone',
    conditions: 'Who may apply',
    procedure: 'Procedure',
    legal: 'Legal basis',
    printed_note: 'This list is also printed on your ticket.',
    guide_note: 'Scan the QR code on the ticket for the full service guide.',
    guide_scan: 'Scan with your phone to keep the full service guide',
    ok: 'I understand, take a ticket',
    more: 'Swipe up to see more',
    choose_priority: 'Choose your ticket type',
    normal: 'Regular ticket',
    elderly: 'Senior priority',
    elderly_sub: 'aged 60 or over',
    disabled: 'Disability priority',
    pregnant: 'Pregnancy priority',
    help: 'Need a hand? Call a staff member',
    working: 'Printing your ticket…',
    your_number: 'Your number',
    ahead: (n) => `${n} ${n === 1 ? 'person' : 'people'} ahead of you`,
    next: 'You are next',
    wait: (m) => `About ${m} minute${m === 1 ? '' : 's'} to wait`,
    take: 'Please take your ticket',
    listen: 'Watch the screen and listen for your number',
    done: 'Done',
    back_in: (s) => `Back to start in ${s} s`,
    weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
    date: (y, m, d, w) =>
      `${w} ${d} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1]} ${y}`,
    lookup_open: 'My ticket',
    lookup_title: 'Check your ticket',
    lookup_prompt: 'Type the number on your ticket',
    lookup_scan: 'or hold the ticket\'s QR code under the scanner',
    lookup_go: 'Check',
    del: 'Delete',
    clear: 'Clear',
    searching: 'Looking it up…',
    scan_hint: 'Scan the QR code on your ticket to see its progress or rate the service',
    progress_title: 'Your ticket',
    st_waiting: 'Waiting',
    st_called: (w) => `Called: please go to window ${w}`,
    st_serving: (w) => `Being served at window ${w}`,
    st_held: 'On hold: listen for your number',
    st_done: 'Done',
    st_no_show: 'Missed: please go to the help desk',
    st_cancelled: 'Cancelled',
    st_voided: 'Void: please go to the help desk',
    st_closed: 'Closed',
    to_window: (w) => `Please wait for window ${w}`,
    other_day: 'This ticket is not from today',
    issued: (d) => `Taken at ${d}`,
    call_staff: 'Call staff',
    help_sending: 'Calling a staff member…',
    help_open: 'A staff member has been called. Please wait here.',
    help_open_sub: 'They will come to this kiosk to help you.',
    help_answered: 'A staff member is on the way',
    help_waiting: 'A staff member has been called',
    complaint_open: 'Complaints',
    complaint_title: 'Complaints and suggestions',
    complaint_what: 'What went wrong? (choose any)',
    complaint_window: 'Which window? (optional)',
    complaint_unsure: 'Not sure',
    complaint_phone: 'Phone (optional, for our answer)',
    complaint_note: (phone) => `We answer within 5 working days. To leave your name or details, go to the help desk${phone ? ` or call ${phone}` : ''}.`,
    complaint_send: 'Send',
    cat_attitude: 'Unfriendly staff',
    cat_waiting: 'Long wait',
    cat_efficiency: 'Slow service',
    cat_materials: 'Documents asked for again',
    cat_fees: 'Improper fees',
    cat_rules: 'Rules not followed',
    cat_other: 'Something else',
    window_name: (n, name) => `Window ${n} ${name}`,
    sending: 'Sending…',
    filed: 'Your complaint is recorded',
    filed_no: (id) => `Complaint no. ${id}`,
    filed_due: (d) => `We will answer by ${d}`,
    filed_phone: (p) => `We will call ${p}`,
    filed_nophone: 'No phone given: ask at the help desk with your complaint number',
    thanks: 'Thank you for telling us',
    appointment: 'Appointment',
    appt_open: 'Appointment check-in',
    appt_title: 'Appointment check-in',
    appt_prompt: 'Type your 6-digit booking code',
    appt_scan: 'or hold the booking\'s QR code under the scanner',
    appt_go: 'Check in',
    rate_ticket: 'Rate our service',
    rate_window: (w) => `Window ${w}`,
    rate_title: 'How was the service?',
    rate_note: 'One rating per service; it cannot be changed once sent. Ratings are anonymous.',
    levels: { 5: 'Very satisfied', 4: 'Satisfied', 3: 'Fairly satisfied', 2: 'Dissatisfied', 1: 'Very dissatisfied' },
    rated_title: 'Thank you for your rating',
    rated_number: (n) => `Ticket ${n}`,
    rated_level: (l) => `Your rating: ${l}`,
    rated_recorded: 'Your rating is recorded',
    rated_sub: 'We use ratings to improve our service',
    rated_already: 'This service has already been rated',
    rating_closed: 'The time for rating this service is over',
  },
};

// ---------------------------------------------------------------------------------------------
// Page state
// ---------------------------------------------------------------------------------------------
let state = null;        // the last state applied
let renderedKey = '';    // what the DOM shows, minus the clock fields
let receivedAt = 0;      // performance.now() when `state` arrived
let seq = 0;             // ordering of requests and socket messages (see apply)
let appliedSeq = 0;
let tapGuardUntil = 0;   // taps are ignored until the answer to the last event
let settledAt = 0;       // taps are ignored until then: the screen (or its language or size) just changed
let lastActivity = -Infinity;  // last event sent, for the keep-alive touch
let noticeIndex = 0;
let noticeShownAt = 0;
let lookupInput = '';    // the number being typed on the lookup screen (the page's own)
let codeInput = '';      // the booking code being typed on the check-in screen (likewise)
// The complaint form, the page's own until 提交: chosen categories, window, phone digits.
const complaint = { cats: new Set(), window: 0, phone: '' };
const CATEGORIES = ['attitude', 'waiting', 'efficiency', 'materials', 'fees', 'rules', 'other'];

const app = document.getElementById('app');
const waitOverlay = document.getElementById('wait');

const lang = () => (state && state.flow && state.flow.lang === 'en' ? 'en' : 'zh');
const t = (key) => TEXT[lang()][key] ?? TEXT.zh[key];
// A data field in the page's language: name_en in English mode when present, else the Chinese.
const local = (obj, field = 'name') =>
  (lang() === 'en' && obj && obj[`${field}_en`]) || (obj && obj[field]) || '';

// ---------------------------------------------------------------------------------------------
// DOM helpers: children that are not Nodes become Text nodes, so data can never become markup.
// ---------------------------------------------------------------------------------------------
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'event') e.dataset.event = JSON.stringify(v);  // [type, value] sent on tap
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false || c === '') continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// A button that sends [type, value] when tapped.
const button = (cls, event, ...children) => el('button', { type: 'button', class: cls, event }, ...children);

// ---------------------------------------------------------------------------------------------
// Shared parts
// ---------------------------------------------------------------------------------------------
function toggles() {
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
function header({ tools = true } = {}) {
  return el('header', { class: 'bar' },
    el('div', { class: 'bar-title' }, state.centre),
    el('div', { class: 'bar-tools' },
      el('span', { class: 'hint js-hint', hidden: true }),
      tools && toggles(),
      tools && button('tool home', ['home', ''], t('home'))));
}

// Why this kiosk cannot issue tickets now (in `lang`, default the page's), or null.
function kioskProblem(lang_ = lang()) {
  const k = state.kiosk || {};
  const text = TEXT[lang_];
  if (k.online === false) return text.banner_offline;
  if (k.accepting === false) return k.printer === 'paper_out' ? text.banner_paper : text.banner_fault;
  return null;
}

function banner() {
  const problem = kioskProblem();
  return problem && el('div', { class: 'banner', role: 'alert' }, problem);
}

// The service (and item) chosen so far, as one line.
function crumb({ withItem = true } = {}) {
  const f = state.flow;
  const svc = f.service && findService(f.service.id);
  const item = withItem && f.item && (local(findItem(svc, f.item.id)) || f.item.name);
  const parts = [svc ? local(svc) : f.service && f.service.name, item];
  const text = parts.filter(Boolean).join(' · ');
  return text && el('p', { class: 'crumb' }, text);
}

// The bottom row of big buttons; `back` adds 返回 on the left.
function actions(back, ...buttons) {
  return el('footer', { class: 'actions' }, back && button('btn secondary', ['back', ''], t('back')), buttons);
}

function findService(id) {
  return (state.services || []).find((s) => s.id === id) || null;
}
function findItem(svc, id) {
  return ((svc && svc.items) || []).find((i) => i.id === id) || null;
}

function kindText(item) {
  return item.kind === 'immediate' ? t('immediate') : t('promised');
}
function limitText(item) {
  if (item.kind === 'immediate') return t('immediate_limit');
  return item.time_limit_days ? t('days')(item.time_limit_days) : '';
}

// One service: prefix letter, name, waiting count, or why it is closed.
function serviceTile(svc, { disableClosed, dim }) {
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

// ---------------------------------------------------------------------------------------------
// Screens: one function each, returning the children of #app.
// ---------------------------------------------------------------------------------------------
function renderIdle() {
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

function renderServices() {
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

function helpTool() {
  return button('tool help', ['help', ''], t('call_staff'));
}

function renderHelp() {
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

function lookupTool() {
  return button('tool lookup', ['open', 'lookup'], t('lookup_open'));
}

// The number pad: the service letters of this hall, digits, delete and clear. Keys are the
// page's own (data-key): nothing is sent until 查询.
function renderLookup() {
  const letters = [...new Set((state.services || []).map((s) => s.prefix).filter(Boolean))];
  const key = (k, label = k, cls = '') => el('button', { type: 'button', class: `key ${cls}`, 'data-key': k }, label);
  return [
    header(),
    el('div', { class: 'content scroll lookup-screen' },
      el('h1', { class: 'title' }, t('lookup_title')),
      el('p', { class: 'note' }, t('lookup_prompt')),
      el('output', { class: 'lookup-display js-lookup', 'aria-live': 'polite' }, lookupInput),
      el('div', { class: 'keypad letters' }, letters.map((l) => key(l, l, 'letter'))),
      el('div', { class: 'keypad digits' },
        ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d)),
        key('clear', t('clear'), 'fn'), key('0'), key('del', t('del'), 'fn')),
      state.kiosk && state.kiosk.scanner && el('p', { class: 'note center' }, t('lookup_scan'))),
    actions(true, el('button', { type: 'button', class: 'btn primary wide js-lookup-go', 'data-lookup': '1' }, t('lookup_go'))),
  ];
}

// R-APPT-1: a booking is always shown (the hall snapshot says nothing of appointments); a hall
// that takes none answers the check-in with its own message.
function appointmentTool() {
  return button('tool appt', ['open', 'appointment'], t('appt_open'));
}

// The booking code: six digits on the number pad (the page's own, data-code) until 签到取号.
function renderAppointment() {
  const key = (k, label = k, cls = '') => el('button', { type: 'button', class: `key ${cls}`, 'data-code': k }, label);
  return [
    header(),
    el('div', { class: 'content scroll lookup-screen appt-screen' },
      el('h1', { class: 'title' }, t('appt_title')),
      el('p', { class: 'note' }, t('appt_prompt')),
      el('output', { class: 'lookup-display appt-display js-code', 'aria-live': 'polite' }, codeInput),
      el('div', { class: 'keypad digits' },
        ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d)),
        key('clear', t('clear'), 'fn'), key('0'), key('del', t('del'), 'fn')),
      state.kiosk && state.kiosk.scanner && el('p', { class: 'note center' }, t('appt_scan'))),
    actions(true, el('button', { type: 'button', class: 'btn primary wide js-code-go', 'data-appointment': '1' }, t('appt_go'))),
  ];
}

function updateCode() {
  for (const e of app.querySelectorAll('.js-code')) e.textContent = codeInput;
  for (const e of app.querySelectorAll('.js-code-go')) e.disabled = !/^[0-9]{6}$/.test(codeInput);
}

function lookupValid(v) {
  return /^[A-Z]{1,2}[0-9]{1,4}$/.test(v);
}

function updateLookup() {
  for (const e of app.querySelectorAll('.js-lookup')) e.textContent = lookupInput;
  for (const e of app.querySelectorAll('.js-lookup-go')) e.disabled = !lookupValid(lookupInput);
}

function pressKey(k) {
  if (k === 'del') lookupInput = lookupInput.slice(0, -1);
  else if (k === 'clear') lookupInput = '';
  else if (/^[A-Z]$/.test(k)) {
    if (/^[A-Z]?$/.test(lookupInput)) lookupInput += k;  // one or two letters, before the digits
  }
  else if (/^[0-9]$/.test(k) && /^[A-Z]{1,2}[0-9]{0,3}$/.test(lookupInput)) lookupInput += k;
  updateLookup();
}

// R-COMP-1: categories, the window concerned, a phone for the answer. No free text: a kiosk
// has no Chinese input; the note says where to leave a name or details.
function renderComplaint() {
  const chip = (cls, on, data, label) => {
    const b = el('button', { type: 'button', class: `chip ${cls}${on ? ' on' : ''}`, ...data }, label);
    b.setAttribute('aria-pressed', String(on));
    return b;
  };
  const key = (k, label = k, cls = '') => el('button', { type: 'button', class: `key ${cls}`, 'data-phone': k }, label);
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
        el('div', { class: 'keypad digits phone-pad' },
          ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d)),
          key('clear', t('clear'), 'fn'), key('0'), key('del', t('del'), 'fn'))),
      el('p', { class: 'note' }, t('complaint_note')(state.complaint_phone))),
    actions(true, el('button', { type: 'button', class: 'btn primary wide js-complaint-go', 'data-complaint': '1' },
      t('complaint_send'))),
  ];
}

function complaintValid() {
  return complaint.cats.size > 0 && (complaint.phone === '' || /^[0-9]{7,15}$/.test(complaint.phone));
}

function updateComplaint() {
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

function renderSending() {
  return [
    header({ tools: false }),
    el('div', { class: 'content center-box' },
      el('div', { class: 'spinner big', 'aria-hidden': 'true' }),
      el('p', { class: 'working' }, t('sending'))),
  ];
}

function renderFiled() {
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

function renderSearching() {
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

function renderProgress() {
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

// R-EVAL-1 (GB/T 39734 一次一评): a finished service rated afterwards, its ticket's QR scanned
// (the daemon has checked it is done, not rated and within its period). Five large buttons, best
// first, each sent once as ["rate", level]; the daemon sends it to the controller and shows thanks.
function renderRating() {
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

function renderRated() {
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

function renderItems() {
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

function renderMaterials() {
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

function renderPriority() {
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

function renderWorking() {
  return [
    header({ tools: false }),
    el('div', { class: 'content center-box' },
      el('div', { class: 'spinner big', 'aria-hidden': 'true' }),
      el('p', { class: 'working' }, t('working'))),
  ];
}

function renderDone() {
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

function renderError() {
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

const SCREENS = {
  idle: renderIdle,
  services: renderServices,
  items: renderItems,
  materials: renderMaterials,
  priority: renderPriority,
  working: renderWorking,
  done: renderDone,
  error: renderError,
  lookup: renderLookup,
  searching: renderSearching,
  progress: renderProgress,
  help: renderHelp,
  complaint: renderComplaint,
  sending: renderSending,
  filed: renderFiled,
  appointment: renderAppointment,
  rating: renderRating,
  rated: renderRated,
};

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

// The state without the fields that only move the clocks: equal keys need no new DOM.
function renderKey(s) {
  const { time, ...rest } = s;
  const { timeout_s, ...flow } = s.flow || {};
  return JSON.stringify({ ...rest, flow });
}

function render(force = false) {
  if (!state || !state.flow) return;
  const key = renderKey(state);
  if (force || key !== renderedKey) {
    const screen = SCREENS[state.flow.screen] ? state.flow.screen : 'idle';
    const root = document.documentElement;
    const sameScreen = root.dataset.screen === screen;
    const oldScroll = app.querySelector('.scroll');
    const scrollTop = sameScreen && oldScroll ? oldScroll.scrollTop : 0;

    if (!sameScreen) noticeShownAt = performance.now();
    if (!sameScreen && screen === 'lookup') lookupInput = '';  // each visit starts empty
    if (!sameScreen && screen === 'appointment') codeInput = '';
    if (!sameScreen && screen === 'complaint') Object.assign(complaint, { cats: new Set(), window: 0, phone: '' });
    const layout = `${screen}/${lang()}/${!!state.flow.elderly_mode}`;
    if (layout !== root.dataset.layout) settledAt = performance.now() + SETTLE_MS;
    root.dataset.layout = layout;
    root.lang = lang() === 'en' ? 'en' : 'zh-CN';
    root.dataset.screen = screen;
    root.classList.toggle('elderly', !!state.flow.elderly_mode);
    app.className = `screen screen-${screen}`;
    app.replaceChildren(...SCREENS[screen]().flat().filter(Boolean));

    const scroll = app.querySelector('.scroll');
    if (scroll) {
      scroll.scrollTop = scrollTop;
      scroll.addEventListener('scroll', updateMoreHint, { passive: true });
    }
    renderedKey = key;
  }
  updateLookup();
  updateCode();
  updateComplaint();
  updateMoreHint();
  tick();
}

// Materials lists can be longer than the screen: say so until the citizen reaches the end.
function updateMoreHint() {
  const more = app.querySelector('.js-more');
  const scroll = app.querySelector('.scroll');
  if (!more || !scroll) return;
  more.hidden = scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - 8;
}

// Once a second: the clock, the countdowns and the rolling notice.
function tick() {
  if (!state) return;
  const elapsed = (performance.now() - receivedAt) / 1000;

  const clock = hallClock(state.time, elapsed);
  if (clock) {
    for (const e of app.querySelectorAll('.js-time')) e.textContent = clock.time;
    for (const e of app.querySelectorAll('.js-date')) e.textContent = clock.date;
  }

  const timeout = state.flow && state.flow.timeout_s;
  const left = typeof timeout === 'number' ? Math.max(0, Math.ceil(timeout - elapsed)) : null;
  for (const e of app.querySelectorAll('.js-countdown')) e.textContent = left == null ? '' : t('back_in')(left);
  for (const e of app.querySelectorAll('.js-hint')) {
    const show = left != null && left < HINT_BELOW_S && !app.querySelector('.js-countdown');
    e.hidden = !show;
    if (show) e.textContent = t('back_in')(left);
  }

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

// The hall's local time from the daemon's ISO time (with its offset), moved on by `elapsed` s,
// so the kiosk shows the hall's clock whatever the browser's time zone.
function hallClock(iso, elapsed) {
  const ms = Date.parse(iso || '');
  if (Number.isNaN(ms)) return null;
  const m = /([+-])(\d\d):?(\d\d)$/.exec(iso);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(ms + elapsed * 1000 + offsetMin * 60000);
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const date = t('date')(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), t('weekdays')[d.getUTCDay()]);
  return { time, date };
}

// ---------------------------------------------------------------------------------------------
// State from the daemon
// ---------------------------------------------------------------------------------------------

// Applies a state unless something that started later was already applied: a slow POST answer
// or poll must not undo a newer socket message (and the other way round).
function apply(s, startedSeq) {
  if (!s || typeof s !== 'object' || !s.flow || startedSeq < appliedSeq) return;
  appliedSeq = startedSeq;
  state = s;
  receivedAt = performance.now();
  waitOverlay.hidden = true;
  render();
}

async function fetchJson(url, options = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
  try {
    const res = await fetch(url, { cache: 'no-store', ...options, signal: abort.signal });
    const body = await res.json().catch(() => null);
    return { ok: res.ok, status: res.status, body };
  } finally {
    clearTimeout(timer);
  }
}

async function poll() {
  const mine = ++seq;
  try {
    const r = await fetchJson('/api/state');
    if (r.ok) apply(r.body, mine);
    else throw new Error(`HTTP ${r.status}`);
  } catch {
    if (!socketOpen) waitOverlay.hidden = false;  // the daemon is away (restarting?)
  }
}

async function send(type, value = '') {
  const mine = ++seq;
  lastActivity = performance.now();
  try {
    const r = await fetchJson('/api/event', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type, value }),
    });
    if (r.ok) apply(r.body, mine);
    else render(true);  // refused: show the last state again, nothing else
  } catch {
    render(true);
    poll();
  } finally {
    tapGuardUntil = 0;
  }
}

// WebSocket with back-off; polling covers the gaps.
let socketOpen = false;
let backoff = WS_BACKOFF_MIN_MS;

function connect() {
  let ws;
  try {
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/stream`);
  } catch {
    setTimeout(connect, nextBackoff());
    return;
  }
  ws.onopen = () => {
    socketOpen = true;
    backoff = WS_BACKOFF_MIN_MS;
  };
  ws.onmessage = (m) => {
    let s;
    try {
      s = JSON.parse(m.data);
    } catch {
      return;
    }
    apply(s, ++seq);
  };
  ws.onclose = () => {
    if (socketOpen) poll();  // catch up at once, then every POLL_MS until the socket is back
    socketOpen = false;
    setTimeout(connect, nextBackoff());
  };
}

function nextBackoff() {
  const d = backoff;
  backoff = Math.min(backoff * 2, WS_BACKOFF_MAX_MS);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------
app.addEventListener('click', (e) => {
  if (!state) return;
  const now = performance.now();
  // A double tap must not also press whatever the next screen has in the same place.
  if (now < tapGuardUntil || now < settledAt) return;
  const target = e.target instanceof Element ? e.target.closest('button') : null;
  if (target && target.dataset.key) {
    pressKey(target.dataset.key);  // typing is the page's own: no guard, no event
    return;
  }
  if (target && target.dataset.code) {
    const k = target.dataset.code;
    if (k === 'del') codeInput = codeInput.slice(0, -1);
    else if (k === 'clear') codeInput = '';
    else if (/^[0-9]$/.test(k) && codeInput.length < 6) codeInput += k;
    updateCode();
    return;
  }
  if (target && target.dataset.appointment) {
    if (!/^[0-9]{6}$/.test(codeInput)) return;
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send('appointment', codeInput);
    return;
  }
  if (target && target.dataset.cat) {
    if (complaint.cats.has(target.dataset.cat)) complaint.cats.delete(target.dataset.cat);
    else complaint.cats.add(target.dataset.cat);
    updateComplaint();
    return;
  }
  if (target && target.dataset.win) {
    complaint.window = Number(target.dataset.win);
    updateComplaint();
    return;
  }
  if (target && target.dataset.phone) {
    const k = target.dataset.phone;
    if (k === 'del') complaint.phone = complaint.phone.slice(0, -1);
    else if (k === 'clear') complaint.phone = '';
    else if (/^[0-9]$/.test(k) && complaint.phone.length < 15) complaint.phone += k;
    updateComplaint();
    return;
  }
  if (target && target.dataset.complaint) {
    if (!complaintValid()) return;
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    const form = { categories: CATEGORIES.filter((c) => complaint.cats.has(c)), phone: complaint.phone };
    if (complaint.window) form.window = complaint.window;
    send('complaint', JSON.stringify(form));
    return;
  }
  if (target && target.dataset.lookup) {
    if (!lookupValid(lookupInput)) return;
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send('lookup', lookupInput);
    return;
  }
  if (target && target.dataset.event) {
    const [type, value] = JSON.parse(target.dataset.event);
    tapGuardUntil = now + TAP_GUARD_MS;
    target.classList.add('pressed');
    send(type, value);
  } else if (state.flow.screen === 'idle') {
    tapGuardUntil = now + TAP_GUARD_MS;
    send('touch');  // anywhere on the attract screen wakes the kiosk
  }
});

// Any other tap (or scrolling a list) keeps the screen from timing out.
document.addEventListener('pointerdown', (e) => {
  if (!state || ['idle', 'working', 'searching', 'sending'].includes(state.flow.screen)) return;
  const onButton = e.target instanceof Element && e.target.closest('button[data-event], button[data-lookup], button[data-complaint], button[data-appointment]');
  if (onButton || performance.now() - lastActivity < KEEPALIVE_MS) return;
  lastActivity = performance.now();
  fetchJson('/api/event', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'touch', value: '' }),
  }).catch(() => {});  // its answer only moves the time-out: the socket or the poll brings it
}, { capture: true, passive: true });

// A kiosk, not a browser: no context menu, no selection, no drag, no zoom.
for (const type of ['contextmenu', 'selectstart', 'dragstart', 'gesturestart']) {
  document.addEventListener(type, (e) => e.preventDefault());
}
document.addEventListener('touchmove', (e) => {
  if (e.touches.length > 1) e.preventDefault();  // pinch
}, { passive: false });
document.addEventListener('wheel', (e) => {
  if (e.ctrlKey) e.preventDefault();  // touchpad pinch arrives as ctrl+wheel
}, { passive: false });

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------
setInterval(tick, 1000);
setInterval(() => {
  if (!socketOpen) poll();
}, POLL_MS);
poll();
connect();
