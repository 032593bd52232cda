// The clerk console (/counter): a clerk signs in at a window under their own account (R-ACCT-1)
// as its A or B post and works the queue and the case register from here. Everything comes
// from the controller's API (GET /api/v1/windows/{n}/console, /cases, /enquiries) and is
// refreshed from the staff event stream; every action has a key (press ? for the list).
// Chinese first; ?lang=en or the header button for English.
'use strict';

const params = new URLSearchParams(location.search);
let LANG = params.get('lang') === 'en' || localStorage.getItem('hallq.counter.lang') === 'en' ? 'en' : 'zh';

const I18N = {
  zh: {
    title: '窗口工作台', signout: '签退', offline: '与服务器的连接中断，正在重连…', signinTitle: '窗口签到',
    window: '窗口', clerkId: '工号', pin: '密码（PIN）', signin: '签到',
    posts: (a, b) => `A岗 ${a || '—'} · B岗 ${b || '—'}`,
    pausedTitle: '暂停服务', current: '当前号码', held: '挂起的号码', waiting: '等候情况', today: '今日工作量',
    keysHint: '每个操作都有快捷键，按 ? 查看。', unregisteredHint: '以下号码已办结但尚未登记办件，请当天补登（R-CASE-8）。',
    save: '保存', cancel: '取消', close: '关闭', register: '登记', finishOk: '办结',
    finishCase: '登记办件', finishConsultation: '仅咨询，无需登记', finishLater: '稍后登记',
    transferTitle: '转办', transferHint: '不属于本窗口的事项转到正确的服务或窗口，不得推诿（R-FIRST-2）。首问责任人保留。',
    toService: '转到服务', toWindow: '或转到窗口', transferOk: '转办', pauseTitle: '暂停服务',
    pauseOk: '暂停', keysTitle: '快捷键',
    acts: {
      'call-next': '叫下一位', recall: '重呼', skip: '过号', start: '开始办理', finish: '办结', transfer: '转办',
      hold: '挂起', unhold: '恢复挂起', pause: '暂停', resume: '恢复服务', case: '登记办件', enquiry: '咨询登记',
    },
    tabs: { cases: '办件', unregistered: '待登记', enquiries: '咨询登记', handover: '交接记录', appointments: '预约' },
    book: '预约', apPlaceholders: ['预约人姓名', '联系电话'], anyItem: '（不指定事项）', noSlots: '当日无可预约时段',
    slotLabel: (s) => `${s.start}–${s.end} 余${s.free}`,
    apChannels: [['phone', '电话'], ['counter', '窗口'], ['visit', '来访'], ['letter', '信函']],
    apStates: { requested: '待答复', confirmed: '已预约', declined: '不予预约', cancelled: '已取消', checked_in: '已签到', missed: '未到' },
    apCols: ['日期', '时段', '业务', '预约人', '电话', '状态', '预约码', '号码', ''],
    apBooked: (a) => `已预约：${a.day} ${a.slot}–${a.slot_end}，${a.place}，预约码 ${a.code}（签到 ${a.checkin_from}–${a.checkin_until}）`,
    apArrange: '按所选时段安排', apDecline: '不予预约', apDeclineReason: '不予预约的理由（将告知群众）', apCancel: '取消',
    apCancelReason: '取消原因', apDue: (d) => `答复期限 ${d}`,
    state: { called: '已叫号', serving: '办理中', held: '已挂起', waiting: '等候中' },
    none: '—', idle: '空闲', recallsLeft: (n) => `还可重呼 ${n} 次`, noRecalls: '再按重呼将记为过号',
    history: {
      issued: (t, ch) => `${t} 取号（${ch}）`, called: (t, w) => `${t} 在 ${w} 号窗口叫号`,
      transfer: (t, w, c, to) => `${t} 由 ${w} 号窗口 ${c} 转办至 ${to}`, recalls: (n) => `已重呼 ${n} 次`,
      first: (c) => `首问责任人：${c}`, started: (t) => `${t} 开始办理`,
    },
    channels: { kiosk: '取号机', counter: '窗口', phone: '电话', online: '网上', appointment: '预约', button: '按键取号' },
    todayRows: [['called', '叫号'], ['served', '办结'], ['consultations', '其中仅咨询'], ['no_show', '过号'],
      ['transferred', '转办'], ['held', '挂起'], ['cases', '登记办件'], ['unregistered', '待登记'],
      ['enquiries', '咨询登记'], ['average_service_s', '平均办理时长']],
    minutes: (s) => (s ? `${Math.floor(s / 60)} 分 ${s % 60} 秒` : '—'),
    helpCall: (where, m) => `自助取号机求助：${where}，已等 ${m} 分钟`, helpGo: '我去协助', helpTaken: '已接单，请前往自助取号机',
    people: (n) => `${n} 人`, forWindow: '转给本窗口', cover: (b, a) => `B岗 ${b} 正在代 A岗 ${a} 履职，权限与责任同 A岗（R-AB-1）。A岗返回签到后将看到交接记录。`,
    pauseLeft: (t) => `${t} 内返回窗口`, pauseOver: (t) => `已超时 ${t}`,
    pauseAlerted: '已提醒管理员（R-AB-3）', pauseSoon: (m) => `离开超过 ${m} 分钟将提醒管理员（R-AB-3）`,
    pauseReasons: ['临时离岗', '会议', '业务培训', '午间休息', '其他'], pauseHint: (m) => `暂停期间窗口屏显示“暂停服务”。请在 ${m} 分钟内返回，超时将提醒管理员。`,
    caseCols: ['办件编号', '事项', '申请人', '类型', '状态', '承诺期限', '剩余工作日', '经办人'],
    unregCols: ['号码', '服务', '办结时间', '经办人', ''], registerNow: '登记',
    enqCols: ['时间', '方式', '事项', '来电人', '电话', '转交', '登记人'],
    enqPlaceholders: ['咨询事项', '来电人姓名', '电话', '转交给谁'], enqChannels: [['phone', '电话'], ['walk_in', '现场']],
    daysLeft: (n) => (n < 0 ? `超期 ${-n} 天` : `${n} 天`),
    handoverTitle: (name, n) => `${name} 在您离岗期间的 ${n} 项操作：`, handoverNone: '没有需要交接的记录。',
    ev: {
      ClerkSignedIn: '签到', ClerkSignedOut: '签退', TicketCalled: '叫号', TicketRecalled: '重呼', TicketNoShow: '过号',
      ServiceStarted: '开始办理', TicketFinished: '办结', TicketTransferred: '转办', TicketHeld: '挂起号码',
      TicketResumed: '恢复挂起号码', WindowPaused: '暂停服务', WindowResumed: '恢复服务', WindowPauseOverrun: '暂停超时，已提醒管理员',
      ServiceRated: '群众评价', CaseRegistered: '登记办件', CaseMaterialsCompleted: '材料补齐', CaseExtended: '延期',
      CaseSuspended: '挂起办件', CaseResumed: '恢复办件', CaseParticipantReported: '联办窗口回复', CaseReportedUpward: '上报',
      CaseHandlerAssigned: '指定代办人', CaseCompleted: '办结办件', CaseReturned: '退件', CaseNotified: '告知结果',
      CaseFeedback: '代办回访', CaseNoticePrinted: '打印文书', EnquiryLogged: '咨询登记',
    },
    form: {
      item: '办理事项', type: '办件类型', applicant: '申请人姓名', phone: '联系电话（选填）', idNumber: '身份证号（选填）',
      received: '已收材料', missing: '缺少材料（补正材料一次性告知书将列出全部，R-ONCE-2）', limit: '承诺时限（工作日）',
      participants: '联办窗口（R-CASE-4）', reason: '退回理由（书面，R-CASE-5）', note: '备注',
      deadline: (d, p) => `承诺办结日期：${d}${p ? '（超出日历年份，暂定）' : ''}`, afterMaterials: '材料补齐后次日起算时限（R-TIME-1）',
      secondMatter: '同一群众的另一事项（本窗口最近办结的号码）', ticket: '号码', noTicket: '无号码（电话/网上）',
    },
    types: [['immediate', '即办件'], ['promised', '承诺件'], ['escalated', '上报件'], ['joint', '联办件'],
      ['supplement', '补办件'], ['returned', '退回件'], ['agency', '委托代办']],
    detail: {
      fields: [['no', '办件编号'], ['item_name', '事项'], ['type_label', '类型'], ['state_label', '状态'], ['applicant', '申请人'],
        ['phone', '电话'], ['id_number', '身份证号'], ['number', '号码'], ['received', '受理日期'], ['deadline', '承诺期限'],
        ['days_left', '剩余工作日'], ['missing', '缺少材料'], ['handler', '代办人'], ['reason', '理由'], ['clerk_name', '经办人'],
        ['once_failures', '一次性告知未尽（R-ONCE-4）']],
      steps: '办理过程', masked: '（已脱敏：仅本窗口 A/B 岗可见全文）',
      what: { registered: '登记受理', materials_complete: '材料补齐，开始计时', supplement_requested: '再次补正', extended: '延期', suspended: '挂起',
        resumed: '恢复', reported: '联办窗口回复', reported_upward: '上报', assigned: '指定代办人', completed: '办结',
        returned: '退件', notified: '告知结果', feedback: '代办回访', printed: '打印文书' },
      actions: {
        'materials-complete': '材料已补齐', supplement: '再次补正', extend: '延期', suspend: '挂起', resume: '恢复', report: '本窗口回复（联办）',
        'report-upward': '已上报', assign: '指定代办人', complete: '办结', return: '退件', notify: '已告知结果', feedback: '代办回访',
      },
      print: '打印', docs: { acceptance: '受理通知书', supplement: '补正材料一次性告知书', extension: '延期办理告知书', return: '退件通知书', agency_receipt: '代办受理回执', agency_slip: '代办责任单' },
      days: '延长工作日', reasonL: '理由', handler: '代办人工号', channel: '告知方式', noteL: '备注',
      channels: [['phone', '电话'], ['sms', '短信'], ['in_person', '当面'], ['post', '邮寄']], confirm: '确定',
      printed: '已发送到窗口打印机', printing: '正在打开浏览器打印…',
      smsModem: '选择“短信”将由本中心短信设备发送到申请人登记的电话，发送成功后才记录为已告知（R-TIME-4）。',
      smsManual: '本中心未配置短信设备：选择“短信”仅记录已通过其他方式发送短信。',
    },
    toast: { nobody: '暂无等候的群众', done: '已完成', signedOut: '已签退', saved: '已保存' },
    help: [['N', '叫下一位'], ['R', '重呼'], ['X', '过号'], ['S', '开始办理'], ['F', '办结'], ['T', '转办'],
      ['H', '挂起'], ['U', '恢复挂起的号码'], ['P', '暂停 / 恢复服务'], ['C', '登记办件'], ['E', '咨询登记'],
      ['1 – 5', '切换下方标签'], ['Alt+键', '在输入框中也可用'], ['Esc', '关闭对话框'], ['?', '本帮助']],
  },
  en: {
    title: 'Counter', signout: 'Sign out', offline: 'Connection to the controller lost, reconnecting…', signinTitle: 'Sign in at a window',
    window: 'Window', clerkId: 'Clerk ID', pin: 'PIN', signin: 'Sign in',
    posts: (a, b) => `Post A ${a || '—'} · Post B ${b || '—'}`,
    pausedTitle: 'Paused', current: 'Current ticket', held: 'Tickets on hold', waiting: 'Waiting', today: 'Today',
    keysHint: 'Every action has a key; press ? for the list.', unregisteredHint: 'These tickets were finished without a case: register them today (R-CASE-8).',
    save: 'Save', cancel: 'Cancel', close: 'Close', register: 'Register', finishOk: 'Finish',
    finishCase: 'Register a case', finishConsultation: 'Enquiry only, nothing to register', finishLater: 'Register later',
    transferTitle: 'Transfer', transferHint: 'A matter for another service or window is transferred, never refused (R-FIRST-2). The first-contact clerk is kept.',
    toService: 'To service', toWindow: 'or to window', transferOk: 'Transfer', pauseTitle: 'Pause the window',
    pauseOk: 'Pause', keysTitle: 'Keyboard shortcuts',
    acts: {
      'call-next': 'Call next', recall: 'Recall', skip: 'No-show', start: 'Start', finish: 'Finish', transfer: 'Transfer',
      hold: 'Hold', unhold: 'Unhold', pause: 'Pause', resume: 'Resume', case: 'Register case', enquiry: 'Log enquiry',
    },
    tabs: { cases: 'Cases', unregistered: 'To register', enquiries: 'Enquiries', handover: 'Hand-over', appointments: 'Appointments' },
    book: 'Book', apPlaceholders: ["Citizen's name", 'Phone'], anyItem: '(any item)', noSlots: 'No slots that day',
    slotLabel: (s) => `${s.start}–${s.end} ${s.free} free`,
    apChannels: [['phone', 'Phone'], ['counter', 'Counter'], ['visit', 'Visit'], ['letter', 'Letter']],
    apStates: { requested: 'To answer', confirmed: 'Booked', declined: 'Declined', cancelled: 'Cancelled', checked_in: 'Checked in', missed: 'Missed' },
    apCols: ['Day', 'Slot', 'Service', 'Citizen', 'Phone', 'State', 'Code', 'Ticket', ''],
    apBooked: (a) => `Booked: ${a.day} ${a.slot}–${a.slot_end}, ${a.place}, code ${a.code} (check in ${a.checkin_from}–${a.checkin_until})`,
    apArrange: 'Book the chosen slot', apDecline: 'Decline', apDeclineReason: 'Reason for declining (the citizen is told)', apCancel: 'Cancel',
    apCancelReason: 'Reason for cancelling', apDue: (d) => `answer by ${d}`,
    state: { called: 'Called', serving: 'Serving', held: 'On hold', waiting: 'Waiting' },
    none: '—', idle: 'Idle', recallsLeft: (n) => `${n} recall${n === 1 ? '' : 's'} left`, noRecalls: 'Recall again marks a no-show',
    history: {
      issued: (t, ch) => `${t} issued (${ch})`, called: (t, w) => `${t} called at window ${w}`,
      transfer: (t, w, c, to) => `${t} transferred by window ${w} (${c}) to ${to}`, recalls: (n) => `recalled ${n}×`,
      first: (c) => `First-contact clerk: ${c}`, started: (t) => `${t} service started`,
    },
    channels: { kiosk: 'kiosk', counter: 'counter', phone: 'phone', online: 'online', appointment: 'appointment', button: 'button box' },
    todayRows: [['called', 'Called'], ['served', 'Finished'], ['consultations', 'of which enquiries'], ['no_show', 'No-shows'],
      ['transferred', 'Transferred'], ['held', 'Held'], ['cases', 'Cases registered'], ['unregistered', 'To register'],
      ['enquiries', 'Enquiries logged'], ['average_service_s', 'Average service']],
    minutes: (s) => (s ? `${Math.floor(s / 60)} min ${s % 60} s` : '—'),
    helpCall: (where, m) => `A kiosk asks for help: ${where}, waiting ${m} min`, helpGo: "I'll go", helpTaken: 'Taken: please go to the kiosk',
    people: (n) => `${n}`, forWindow: 'Transferred to this window', cover: (b, a) => `Post B ${b} is covering for post A ${a} with A's authority (R-AB-1). A sees the hand-over log on return.`,
    pauseLeft: (t) => `back within ${t}`, pauseOver: (t) => `over by ${t}`,
    pauseAlerted: 'The manager has been alerted (R-AB-3)', pauseSoon: (m) => `Away longer than ${m} min alerts the manager (R-AB-3)`,
    pauseReasons: ['Away briefly', 'Meeting', 'Training', 'Lunch break', 'Other'], pauseHint: (m) => `The window screen shows "paused". Return within ${m} minutes or the manager is alerted.`,
    caseCols: ['Case no.', 'Item', 'Applicant', 'Type', 'State', 'Deadline', 'Working days left', 'Clerk'],
    unregCols: ['Ticket', 'Service', 'Finished', 'Clerk', ''], registerNow: 'Register',
    enqCols: ['Time', 'Channel', 'Subject', 'Caller', 'Phone', 'Forwarded to', 'Clerk'],
    enqPlaceholders: ['Subject', 'Caller name', 'Phone', 'Forwarded to'], enqChannels: [['phone', 'Phone'], ['walk_in', 'Walk-in']],
    daysLeft: (n) => (n < 0 ? `${-n} overdue` : `${n}`),
    handoverTitle: (name, n) => `${name} did ${n} things here while you were away:`, handoverNone: 'Nothing to hand over.',
    ev: {
      ClerkSignedIn: 'signed in', ClerkSignedOut: 'signed out', TicketCalled: 'called', TicketRecalled: 'recalled', TicketNoShow: 'no-show',
      ServiceStarted: 'service started', TicketFinished: 'finished', TicketTransferred: 'transferred', TicketHeld: 'held',
      TicketResumed: 'unheld', WindowPaused: 'paused', WindowResumed: 'resumed', WindowPauseOverrun: 'pause overran, manager alerted',
      ServiceRated: 'rated', CaseRegistered: 'case registered', CaseMaterialsCompleted: 'materials complete', CaseExtended: 'extended',
      CaseSuspended: 'case suspended', CaseResumed: 'case resumed', CaseParticipantReported: 'joint window reported', CaseReportedUpward: 'reported upward',
      CaseHandlerAssigned: 'handler assigned', CaseCompleted: 'case completed', CaseReturned: 'returned', CaseNotified: 'applicant told',
      CaseFeedback: 'agency feedback', CaseNoticePrinted: 'notice printed', EnquiryLogged: 'enquiry logged',
    },
    form: {
      item: 'Item', type: 'Case type', applicant: "Applicant's name", phone: 'Phone (optional)', idNumber: 'ID number (optional)',
      received: 'Materials received', missing: 'Missing materials (the one-time notice lists them all, R-ONCE-2)', limit: 'Time limit (working days)',
      participants: 'Joint windows (R-CASE-4)', reason: 'Reason for return (written, R-CASE-5)', note: 'Note',
      deadline: (d, p) => `Deadline: ${d}${p ? ' (beyond the calendar, provisional)' : ''}`, afterMaterials: 'The clock starts the day after the materials are complete (R-TIME-1)',
      secondMatter: "Another matter of the same citizen (this window's last finished ticket)", ticket: 'Ticket', noTicket: 'No ticket (phone / online)',
    },
    types: [['immediate', 'Immediate'], ['promised', 'Promised'], ['escalated', 'Escalated'], ['joint', 'Joint'],
      ['supplement', 'Supplement'], ['returned', 'Returned'], ['agency', 'Agency']],
    detail: {
      fields: [['no', 'Case no.'], ['item_name', 'Item'], ['type_label', 'Type'], ['state_label', 'State'], ['applicant', 'Applicant'],
        ['phone', 'Phone'], ['id_number', 'ID number'], ['number', 'Ticket'], ['received', 'Received'], ['deadline', 'Deadline'],
        ['days_left', 'Working days left'], ['missing', 'Missing'], ['handler', 'Handler'], ['reason', 'Reason'], ['clerk_name', 'Clerk'],
        ['once_failures', 'Incomplete one-time notices (R-ONCE-4)']],
      steps: 'Steps', masked: '(masked: only the A/B posts of the window see it in clear)',
      what: { registered: 'registered', materials_complete: 'materials complete, clock started', supplement_requested: 'more materials asked for', extended: 'extended',
        suspended: 'suspended', resumed: 'resumed', reported: 'joint window reported', reported_upward: 'reported upward',
        assigned: 'handler assigned', completed: 'completed', returned: 'returned', notified: 'applicant told',
        feedback: 'feedback', printed: 'notice printed' },
      actions: {
        'materials-complete': 'Materials complete', supplement: 'Still missing', extend: 'Extend', suspend: 'Suspend', resume: 'Resume', report: 'Report back (joint)',
        'report-upward': 'Reported upward', assign: 'Assign handler', complete: 'Complete', return: 'Return', notify: 'Applicant told', feedback: 'Feedback',
      },
      print: 'Print', docs: { acceptance: 'Acceptance notice', supplement: 'One-time supplement notice', extension: 'Extension notice', return: 'Return notice', agency_receipt: 'Agency receipt', agency_slip: 'Agency slip' },
      days: 'Working days', reasonL: 'Reason', handler: 'Handler (clerk ID)', channel: 'Channel', noteL: 'Note',
      channels: [['phone', 'Phone'], ['sms', 'SMS'], ['in_person', 'In person'], ['post', 'Post']], confirm: 'Confirm',
      printed: 'Sent to the window printer', printing: 'Opening the browser print dialog…',
      smsModem: "SMS goes out through the hall's modem to the applicant's phone and is recorded only once sent (R-TIME-4).",
      smsManual: 'No SMS modem here: choosing SMS only records that a message was sent some other way.',
    },
    toast: { nobody: 'Nobody is waiting', done: 'Done', signedOut: 'Signed out', saved: 'Saved' },
    help: [['N', 'Call next'], ['R', 'Recall'], ['X', 'No-show'], ['S', 'Start'], ['F', 'Finish'], ['T', 'Transfer'],
      ['H', 'Hold'], ['U', 'Unhold a ticket'], ['P', 'Pause / resume'], ['C', 'Register a case'], ['E', 'Log an enquiry'],
      ['1 – 5', 'Switch the tabs below'], ['Alt+key', 'Also inside a field'], ['Esc', 'Close a dialog'], ['?', 'This help']],
  },
};
let T = I18N[LANG];

const KEYS = { n: 'call-next', r: 'recall', x: 'skip', s: 'start', f: 'finish', t: 'transfer', h: 'hold', u: 'unhold',
  p: 'pause', c: 'case', e: 'enquiry' };
const KEY_OF = Object.fromEntries(Object.entries(KEYS).map(([k, a]) => [a, k.toUpperCase()]));
KEY_OF.resume = 'P';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
};

// ---- state ----
let session = null;     // {token, window}
let hallInfo = null;    // GET /api/v1/hall (centre, windows)
let services = [];      // GET /api/v1/services (items and materials)
let view = null;        // GET /api/v1/windows/{n}/console
let cases = [], unregistered = [], enquiries = [];
let appointments = null;  // null: the hall takes no appointments (the tab is hidden)
let clockBase = null;   // {ms: hall time in ms (its local wall clock as UTC), at: performance.now()}
let ws = null, backoff = 1000, refreshTimer = null, listsTimer = null;
let tab = 'cases';

try { session = JSON.parse(sessionStorage.getItem('hallq.counter') || 'null'); } catch { session = null; }

// ---- API ----
class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super((LANG === 'zh' && e.message_zh) || e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (session && session.token) headers.Authorization = `Bearer ${session.token}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    if (res.status === 401 && session) signedOut();
    throw new ApiError(res.status, json);
  }
  return json;
}

function toast(text, bad = false) {
  const t = $('toast');
  t.textContent = text;
  t.classList.toggle('bad', bad);
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), bad ? 5000 : 2500);
}

// ---- time: the hall's clock, whatever the browser's zone ----
function setClock(rfc) {
  const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?/.exec(rfc || '');
  if (m) clockBase = { ms: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(+m[7] * 1000) : 0), at: performance.now() };
}
function hallNow() { return clockBase ? clockBase.ms + (performance.now() - clockBase.at) : Date.now(); }
// An RFC 3339 time of the hall as the same "local as UTC" milliseconds.
function hallMs(rfc) {
  const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?/.exec(rfc || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(+m[7] * 1000) : 0) : NaN;
}
const hhmm = (rfc) => (rfc ? rfc.slice(11, 16) : '');
const pad = (n) => String(n).padStart(2, '0');
const mmss = (ms) => { const s = Math.max(0, Math.floor(ms / 1000)); return `${Math.floor(s / 60)}:${pad(s % 60)}`; };
function today() {
  const d = new Date(hallNow());
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function tick() {
  if (!clockBase) return;
  const d = new Date(hallNow());
  $('clock').textContent = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  renderPause();
}

// ---- labels ----
function labels() {
  document.documentElement.lang = LANG === 'en' ? 'en' : 'zh-CN';
  document.title = T.title;
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = T[e.dataset.t];
  $('lang').textContent = LANG === 'en' ? '中文' : 'English';
  for (const b of document.querySelectorAll('#actions button')) {
    const a = b.dataset.act;
    b.replaceChildren(T.acts[a], el('kbd', { text: KEY_OF[a] }));
  }
  for (const b of document.querySelectorAll('#tabs button')) b.dataset.label = T.tabs[b.dataset.tab];
  const ph = T.enqPlaceholders;
  ['eq-subject', 'eq-caller', 'eq-phone', 'eq-to'].forEach((id, i) => { $(id).placeholder = ph[i]; });
  ['ap-name', 'ap-phone'].forEach((id, i) => { $(id).placeholder = T.apPlaceholders[i]; });
  $('ap-channel').replaceChildren(...T.apChannels.map(([v, l]) => el('option', { value: v, text: l })));
  fillApServices();
  $('eq-channel').replaceChildren(...T.enqChannels.map(([v, l]) => el('option', { value: v, text: l })));
  $('keys').tBodies[0].replaceChildren(...T.help.map(([k, l]) => el('tr', {}, el('td', { text: k }), el('td', { text: l }))));
  $('pause-reasons').replaceChildren(...T.pauseReasons.map((r, i) => el('label', {},
    el('input', { type: 'radio', name: 'pause-reason', value: String(i), checked: i === 0 }), ` ${r}`)));
  renderSigninWindows();
  render();
}

// ---- sign-in ----
function renderSigninWindows() {
  const sel = $('si-window');
  const keep = sel.value || params.get('window') || (session && String(session.window)) || '';
  sel.replaceChildren(...((hallInfo && hallInfo.windows) || []).map((w) =>
    el('option', { value: String(w.number), text: `${w.number} · ${w.name || ''}` })));
  if (keep) sel.value = keep;
}

async function signIn(ev) {
  ev.preventDefault();
  $('si-error').textContent = '';
  const window = Number($('si-window').value);
  try {
    session = null;
    const r = await api(`/api/v1/windows/${window}/sign-in`, { method: 'POST', body: { clerk: $('si-clerk').value.trim(), pin: $('si-pin').value } });
    session = { token: r.token, window };
    sessionStorage.setItem('hallq.counter', JSON.stringify(session));
    $('si-pin').value = '';
    await enterConsole();
  } catch (e) {
    $('si-error').textContent = e.message;
  }
}

function signedOut() {
  session = null;
  view = null;
  sessionStorage.removeItem('hallq.counter');
  if (ws) { ws.onclose = null; ws.close(); ws = null; }
  document.documentElement.dataset.view = 'signin';
  $('where').textContent = '';
  $('who').textContent = '';
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
}

async function signOut() {
  try {
    await api(`/api/v1/windows/${session.window}/sign-out`, { method: 'POST', body: {} });
    toast(T.toast.signedOut);
    signedOut();
  } catch (e) {
    toast(e.message, true);
  }
}

async function enterConsole() {
  await refresh();
  document.documentElement.dataset.view = 'console';
  connect();
  refreshLists();
}

// ---- loading ----
async function refresh() {
  if (!session) return;
  const v = await api(`/api/v1/windows/${session.window}/console`);
  view = v;
  setClock(v.now);
  render();
  tick();
}

async function refreshLists() {
  if (!session) return;
  try {
    const [c, q] = await Promise.all([api(`/api/v1/cases?window=${session.window}`), api('/api/v1/enquiries')]);
    cases = c.cases || [];
    unregistered = c.unregistered || [];
    enquiries = (q.enquiries || []).filter((e) => e.window === session.window);
    await loadAppointments();
    renderLists();
  } catch (e) {
    if (e.status !== 401) toast(e.message, true);
  }
}

function refreshSoon(lists) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh().catch((e) => { if (e.status !== 401) toast(e.message, true); }), 120);
  if (lists) {
    clearTimeout(listsTimer);
    listsTimer = setTimeout(refreshLists, 150);
  }
}

function connect() {
  if (!session) return;
  if (ws) { ws.onclose = null; ws.close(); }
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/api/v1/events?since=${view ? view.seq : 0}&token=${encodeURIComponent(session.token)}`);
  ws.onopen = () => {
    document.documentElement.dataset.live = 'true';
    backoff = 1000;
    refreshSoon(true);
  };
  ws.onmessage = (m) => {
    let e;
    try { e = JSON.parse(m.data); } catch { return; }
    const lists = e.type === 'resync' || e.type === 'DayRolledOver' || e.type === 'TicketFinished' ||
      (e.type || '').startsWith('Case') || (e.type || '').startsWith('Appointment') || e.type === 'EnquiryLogged';
    refreshSoon(lists);
  };
  ws.onclose = (ev) => {
    document.documentElement.dataset.live = 'false';
    ws = null;
    if (!session) return;
    // 1008: the session ended (signed out elsewhere, expired): the next read says 401 and
    // the console returns to sign-in.
    if (ev.code === 1008) { refreshSoon(true); return; }
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 10000);
  };
}

// ---- rendering ----
function serviceName(id) {
  const s = services.find((x) => x.id === id);
  return s ? (LANG === 'en' && s.name_en ? s.name_en : s.name) : id;
}
function windowName(n) {
  const w = hallInfo && (hallInfo.windows || []).find((x) => x.number === n);
  return w ? `${n} ${w.name || ''}` : String(n);
}

function render() {
  if (hallInfo) $('centre').textContent = hallInfo.centre || '';
  if (!view) return;
  const w = view.window;
  $('where').textContent = `${w.number} · ${w.name || ''}`;
  const me = view.me;
  $('who').replaceChildren(me ? me.name : '', w.post ? el('span', { class: 'post', text: LANG === 'en' ? `Post ${w.post}` : `${w.post}岗` }) : '',
    el('span', { class: 'hint', text: `　${T.posts(view.posts.A && view.posts.A.name, view.posts.B && view.posts.B.name)}` }));
  const cover = $('cover');
  cover.classList.toggle('on', !!view.covering);
  cover.textContent = view.covering ? T.cover(me ? me.name : view.covering.clerk, view.covering.for_name) : '';

  // The current ticket and its history.
  const cur = view.current;
  $('cur-number').textContent = cur ? cur.number : T.none;
  $('cur-service').textContent = cur ? `${cur.service_name || serviceName(cur.service)}` : T.idle;
  const st = $('cur-state');
  st.className = cur ? cur.state : '';
  st.textContent = cur ? `${T.state[cur.state] || cur.state}${cur.state === 'called' ? ` · ${cur.recalls_left > 0 ? T.recallsLeft(cur.recalls_left) : T.noRecalls}` : ''}` : '';
  const hist = [];
  if (cur) {
    hist.push(T.history.issued(hhmm(cur.issued_at), T.channels[cur.channel] || cur.channel));
    for (const t of cur.transfers || [])
      hist.push(T.history.transfer(hhmm(t.at), t.from_window, who(t.from_clerk), t.to_window ? windowName(t.to_window) : serviceName(t.to_service)));
    if (cur.called_at) hist.push(T.history.called(hhmm(cur.called_at), cur.window));
    if (cur.recalls) hist.push(T.history.recalls(cur.recalls));
    if (cur.started_at && cur.state === 'serving') hist.push(T.history.started(hhmm(cur.started_at)));
    if (cur.first_clerk) hist.push(T.history.first(who(cur.first_clerk)));
  }
  $('cur-history').replaceChildren(...hist.map((h) => el('li', { text: h })));

  // What each action may do now (the controller decides; this only avoids pointless clicks).
  const paused = w.state === 'paused';
  const enable = {
    'call-next': !cur && !paused, recall: cur && cur.state === 'called', skip: cur && cur.state === 'called',
    start: cur && cur.state === 'called', finish: !!cur, transfer: !!cur, hold: !!cur,
    unhold: !cur && view.held.length > 0 && !paused, pause: !cur && !paused, resume: paused, case: true, enquiry: true,
  };
  for (const b of document.querySelectorAll('#actions button')) {
    const a = b.dataset.act;
    b.disabled = !enable[a];
    b.hidden = (a === 'pause' && paused) || (a === 'resume' && !paused);
  }

  $('held-panel').classList.toggle('empty', view.held.length === 0);
  $('held').replaceChildren(...view.held.map((t) => el('li', { 'data-ticket': t.id },
    el('strong', { text: t.number }), serviceName(t.service),
    el('button', { type: 'button', text: T.acts.unhold, disabled: !!cur || paused, onclick: () => act('unhold', { ticket: t.id }) }))));

  // Waiting for this window's services.
  const rows = view.waiting.map((s) => el('tr', { 'data-service': s.service },
    el('td', { text: s.prefix }), el('td', { text: LANG === 'en' && s.name_en ? s.name_en : s.name }),
    el('td', { class: 'count', text: T.people(s.waiting) })));
  if (view.waiting_for_window) rows.unshift(el('tr', { 'data-service': '' }, el('td', { text: '→' }), el('td', { text: T.forWindow }),
    el('td', { class: 'count', text: T.people(view.waiting_for_window) })));
  $('waiting').tBodies[0].replaceChildren(...rows);

  // Today's counts for this clerk.
  const dl = $('today');
  dl.replaceChildren();
  for (const [k, label] of T.todayRows) {
    const v = view.today[k] || 0;
    dl.append(el('dt', { text: label }), el('dd', { 'data-k': k, class: k === 'unregistered' && v > 0 ? 'warn' : '',
      text: k === 'average_service_s' ? T.minutes(v) : String(v) }));
  }
  renderPause();
  renderHandover();
  renderTabs();
  renderHelp();
}

// Citizens who pressed "help" at a kiosk (帮办代办, R-HALL-7): every signed-in clerk sees
// them until one answers; the kiosk then tells the citizen someone is coming.
function renderHelp() {
  const open = (view && view.help_requests) || [];
  const box = $('help-banner');
  box.classList.toggle('on', open.length > 0);
  box.replaceChildren(...open.map((h) => {
    const mins = clockBase ? Math.max(0, Math.floor((hallNow() - hallMs(h.at)) / 60000)) : 0;
    return el('div', { class: 'help-call', 'data-help': h.id },
      el('span', { text: T.helpCall(h.location || h.device, mins) }),
      el('button', { type: 'button', class: 'primary', text: T.helpGo, onclick: () => answerHelp(h.id) }));
  }));
}

async function answerHelp(id) {
  try {
    await api(`/api/v1/help-requests/${id}/answer`, { method: 'POST', body: {} });
    toast(T.helpTaken);
  } catch (e) {
    toast(e.message, true);
  }
  refreshSoon(false);
}

function renderPause() {
  const b = $('pause-banner');
  const w = view && view.window;
  const on = !!(w && w.state === 'paused');
  b.classList.toggle('on', on);
  if (!on) return;
  $('pause-reason').textContent = w.pause_reason || '';
  const left = hallMs(w.pause_alert_at) - hallNow();
  const over = left <= 0 || w.pause_alerted;
  b.classList.toggle('over', over);
  $('pause-timer').textContent = over ? `+${mmss(-left)}` : mmss(left);
  $('pause-timer').title = over ? T.pauseOver(mmss(-left)) : T.pauseLeft(mmss(left));
  $('pause-note').textContent = w.pause_alerted ? T.pauseAlerted : T.pauseSoon(view.pause_alert_minutes);
}

function renderHandover() {
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
    const reason = ['WindowPaused', 'CaseSuspended', 'CaseReturned', 'CaseExtended'].includes(e.type) ? d.reason : '';
    const what = [T.ev[e.type] || e.type, d.number || d.no || '', reason || ''].filter(Boolean).join(' ');
    return el('li', { 'data-type': e.type, text: `${hhmm(e.at)} ${what}` });
  }));
}

function renderTabs() {
  const counts = { cases: cases.filter((c) => c.overdue).length, unregistered: unregistered.length, enquiries: 0,
    appointments: (appointments || []).filter((a) => a.state === 'requested').length,
    handover: view && view.handover ? view.handover.events.length : 0 };
  for (const b of document.querySelectorAll('#tabs button')) {
    const k = b.dataset.tab;
    b.replaceChildren(b.dataset.label || T.tabs[k], counts[k] ? el('span', { class: 'count', text: String(counts[k]) }) : '');
    b.classList.toggle('on', k === tab);
    if (k === 'appointments') b.hidden = appointments === null;
  }
  for (const d of document.querySelectorAll('.tab')) d.classList.toggle('on', d.id === `tab-${tab}`);
}

function renderLists() {
  $('cases').tHead.replaceChildren(el('tr', {}, ...T.caseCols.map((c) => el('th', { text: c }))));
  $('cases').tBodies[0].replaceChildren(...cases.map((c) => {
    const soon = c.days_left !== null && c.days_left !== undefined && c.days_left <= 1 && !c.overdue;
    return el('tr', { 'data-case': c.id, class: c.overdue ? 'overdue' : soon ? 'soon' : '', onclick: () => openCase(c.id) },
      el('td', { text: c.no }), el('td', { text: c.item_name }), el('td', { text: c.applicant }),
      el('td', { text: LANG === 'en' ? typeLabel(c.type) : c.type_label }), el('td', { text: LANG === 'en' ? c.state : c.state_label }),
      el('td', { text: c.deadline || T.none }),
      el('td', { class: 'left', text: c.days_left === null || c.days_left === undefined ? T.none : T.daysLeft(c.days_left) }),
      el('td', { text: c.clerk_name || c.clerk }));
  }));
  $('unregistered').tBodies[0].replaceChildren(
    el('tr', {}, ...T.unregCols.map((c) => el('th', { text: c }))),
    ...unregistered.map((u) => el('tr', { 'data-ticket': u.ticket },
      el('td', { text: u.number }), el('td', { text: serviceName(u.service) }), el('td', { text: hhmm(u.finished_at) }),
      el('td', { text: who(u.clerk) }),
      el('td', {}, el('button', { type: 'button', text: T.registerNow, onclick: () => openRegister(u) })))));
  $('enquiries').tBodies[0].replaceChildren(
    el('tr', {}, ...T.enqCols.map((c) => el('th', { text: c }))),
    ...enquiries.slice().reverse().map((q) => el('tr', { 'data-enquiry': q.id },
      el('td', { text: hhmm(q.at) }), el('td', { text: (T.enqChannels.find(([v]) => v === q.channel) || [0, q.channel])[1] }),
      el('td', { text: q.subject }), el('td', { text: q.caller || '' }), el('td', { class: 'phone', text: q.phone || '' }),
      el('td', { text: q.forwarded_to || '' }), el('td', { text: who(q.clerk) }))));
  renderAppointments();
  renderTabs();
}

// A clerk id as the staff know it: the name.
const who = (id) => (view && view.clerks && view.clerks[id]) || id || '';
const typeLabel = (t) => (T.types.find(([v]) => v === t) || [t, t])[1];

// ---- actions ----
async function act(action, body = {}) {
  if (!session) return null;
  try {
    const r = await api(`/api/v1/windows/${session.window}/${action}`, { method: 'POST', body });
    if (action === 'call-next' && r === null) toast(T.toast.nobody);
    await refresh();
    return r;
  } catch (e) {
    toast(e.message, true);
    refreshSoon(false);
    throw e;
  }
}

function run(action) {
  const b = document.querySelector(`#actions button[data-act="${action === 'pause' && view && view.window.state === 'paused' ? 'resume' : action}"]`);
  if (!b || b.disabled) return;
  const a = b.dataset.act;
  if (a === 'finish') return openFinish();
  if (a === 'transfer') return openTransfer();
  if (a === 'pause') return openPause();
  if (a === 'case') return openRegister(null);
  if (a === 'enquiry') {
    tab = 'enquiries';
    renderTabs();
    $('eq-subject').focus();
    return;
  }
  if (a === 'unhold') {
    const first = view.held[0];
    if (first) act('unhold', { ticket: first.id }).catch(() => {});
    return;
  }
  act(a).catch(() => {});
}

// ---- the case form (finish with a case, or register later) ----
function windowItems() {
  const out = [];
  for (const sid of (view && view.window.services) || []) {
    const s = services.find((x) => x.id === sid);
    if (s) for (const it of s.items || []) out.push({ ...it, service: s.id });
  }
  return out;
}

function caseForm(container, preset) {
  const F = T.form;
  const items = windowItems();
  const itemSel = el('select', { id: 'cf-item', required: true }, ...items.map((i) => el('option', { value: i.id, text: i.name })));
  if (preset && preset.service) {
    const first = items.find((i) => i.service === preset.service);
    if (first) itemSel.value = first.id;
  }
  const typeSel = el('select', { id: 'cf-type' }, ...T.types.map(([v, l]) => el('option', { value: v, text: l })));
  const applicant = el('input', { id: 'cf-applicant', required: true, maxlength: 64 });
  const phone = el('input', { id: 'cf-phone', maxlength: 15, inputmode: 'tel', pattern: '[0-9]{7,15}' });
  const idNumber = el('input', { id: 'cf-id', maxlength: 18, pattern: '[0-9]{15}|[0-9]{17}[0-9Xx]' });
  const limit = el('input', { id: 'cf-limit', type: 'number', min: 0, max: 365 });
  const received = el('div', { class: 'checks', id: 'cf-received' });
  const missing = el('div', { class: 'checks', id: 'cf-missing' });
  const parts = el('div', { class: 'choice', id: 'cf-parts' }, ...((hallInfo && hallInfo.windows) || [])
    .filter((w) => !view || w.number !== view.window.number)
    .map((w) => el('label', {}, el('input', { type: 'checkbox', value: String(w.number) }), ` ${w.number} ${w.name || ''}`)));
  const reason = el('textarea', { id: 'cf-reason', rows: 2, maxlength: 500 });
  const note = el('input', { id: 'cf-note', maxlength: 500 });
  const preview = el('p', { id: 'deadline-preview' });
  const boxes = (box, list, name) => box.replaceChildren(...list.map((m, i) =>
    el('label', {}, el('input', { type: 'checkbox', name, value: m, 'data-i': String(i) }), m)));
  const sections = {
    missing: el('fieldset', {}, el('legend', { text: F.missing }), missing),
    parts: el('fieldset', {}, el('legend', { text: F.participants }), parts),
    reason: el('label', {}, F.reason, reason),
    limit: el('label', {}, F.limit, limit),
  };
  const item = () => items.find((i) => i.id === itemSel.value);
  const update = async () => {
    const t = typeSel.value;
    sections.missing.hidden = t !== 'supplement';
    sections.parts.hidden = t !== 'joint';
    sections.reason.hidden = t !== 'returned';
    sections.limit.hidden = !['promised', 'escalated', 'joint', 'supplement', 'agency'].includes(t);
    reason.required = t === 'returned';
    preview.textContent = '';
    if (t === 'supplement') { preview.textContent = F.afterMaterials; return; }
    if (sections.limit.hidden) return;
    const days = Number(limit.value);
    if (!Number.isInteger(days) || days < 0) return;
    try {
      const r = await api(`/api/v1/calendar/deadline?received=${today()}&days=${days}`);
      preview.textContent = F.deadline(r.deadline, false);
    } catch (e) {
      preview.textContent = e.code === 'outside_calendar' ? F.deadline('?', true) : '';
    }
  };
  const onItem = () => {
    const i = item();
    boxes(received, i ? i.materials : [], 'received');
    boxes(missing, i ? i.materials : [], 'missing');
    limit.value = i && i.time_limit_days ? i.time_limit_days : 0;
    typeSel.value = i && i.kind === 'promised' ? 'promised' : 'immediate';
    update();
  };
  // A material ticked as missing is not received, and the other way round.
  const exclusive = (from, to) => from.addEventListener('change', (e) => {
    if (!e.target.checked) return;
    const other = to.querySelector(`input[data-i="${e.target.dataset.i}"]`);
    if (other) other.checked = false;
  });
  exclusive(received, missing);
  exclusive(missing, received);
  itemSel.addEventListener('change', onItem);
  typeSel.addEventListener('change', update);
  limit.addEventListener('input', update);
  container.replaceChildren(
    el('div', { class: 'grid2' }, el('label', {}, F.item, itemSel), el('label', {}, F.type, typeSel)),
    el('div', { class: 'grid3' }, el('label', {}, F.applicant, applicant), el('label', {}, F.phone, phone), el('label', {}, F.idNumber, idNumber)),
    el('fieldset', {}, el('legend', { text: F.received }), received),
    sections.missing, sections.parts, sections.reason,
    el('div', { class: 'grid2' }, sections.limit, el('label', {}, F.note, note)),
    preview);
  onItem();
  return () => {
    const checked = (box) => [...box.querySelectorAll('input:checked')].map((x) => x.value);
    const body = { type: typeSel.value, item: itemSel.value, applicant: applicant.value.trim() };
    if (phone.value.trim()) body.phone = phone.value.trim();
    if (idNumber.value.trim()) body.id_number = idNumber.value.trim();
    body.received = checked(received);
    if (body.type === 'supplement') body.missing = checked(missing);
    if (body.type === 'joint') body.participants = checked(parts).map(Number);
    if (body.type === 'returned') body.reason = reason.value.trim();
    if (!sections.limit.hidden) body.time_limit_days = Number(limit.value);
    if (note.value.trim()) body.note = note.value.trim();
    return body;
  };
}

let readCase = null;
function openFinish() {
  const cur = view.current;
  $('finish-title').textContent = `${T.acts.finish} ${cur ? cur.number : ''}`;
  $('finish-error').textContent = '';
  $('case-body').replaceChildren();  // one case form on the page at a time (ids)
  readCase = caseForm($('fin-case'), cur);
  document.querySelector('input[name="fin-kind"][value="case"]').checked = true;
  $('fin-case').hidden = false;
  $('dlg-finish').showModal();
  $('cf-applicant').focus();
}

async function submitFinish(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const kind = document.querySelector('input[name="fin-kind"]:checked').value;
  const body = kind === 'case' ? { case: readCase() } : kind === 'consultation' ? { consultation: true } : {};
  try {
    const r = await api(`/api/v1/windows/${session.window}/finish`, { method: 'POST', body });
    $('dlg-finish').close();
    toast(T.toast.done);
    await refresh();
    refreshLists();
    if (r && r.case) afterRegister(r.case);
  } catch (e) {
    $('finish-error').textContent = e.message;
  }
}

let registerTicket = 0;
function openRegister(u) {
  // A ticket on the to-register list, a second matter of the window's last citizen, or none.
  registerTicket = u ? u.ticket : 0;
  $('case-title').textContent = u ? `${T.acts.case} · ${T.form.ticket} ${u.number}` : T.acts.case;
  $('case-error').textContent = '';
  $('fin-case').replaceChildren();  // one case form on the page at a time (ids)
  const body = $('case-body');
  const holder = el('div');
  const last = view.last_finished;
  const choice = u ? null : el('div', { class: 'choice' },
    last ? el('label', {}, el('input', { type: 'radio', name: 'cf-ticket', value: String(last.ticket), checked: true }),
      ` ${T.form.secondMatter}: ${last.number}`) : null,
    el('label', {}, el('input', { type: 'radio', name: 'cf-ticket', value: '0', checked: !last }), ` ${T.form.noTicket}`));
  body.replaceChildren(...[choice, holder].filter(Boolean));
  readCase = caseForm(holder, u);
  $('dlg-case').showModal();
  $('cf-applicant').focus();
}

async function submitRegister(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const body = readCase();
  const chosen = document.querySelector('input[name="cf-ticket"]:checked');
  body.ticket = registerTicket || (chosen ? Number(chosen.value) : 0);
  try {
    const r = await api('/api/v1/cases', { method: 'POST', body });
    $('dlg-case').close();
    toast(T.toast.saved);
    await refresh();
    refreshLists();
    if (r) afterRegister(r.case || r);
  } catch (e) {
    $('case-error').textContent = e.message;
  }
}

// The notice a registration prints (as the controller does at a window with a printer).
const REGISTER_NOTICE = { promised: 'acceptance', escalated: 'acceptance', joint: 'acceptance', supplement: 'supplement',
  returned: 'return', agency: 'agency_receipt' };
function afterRegister(c) {
  const doc = REGISTER_NOTICE[c.type];
  if (doc && !view.window.printer) browserPrint(c.id, doc);
}

// ---- transfer and pause ----
async function openTransfer() {
  $('transfer-error').textContent = '';
  try { hallInfo = await api('/api/v1/hall'); } catch { /* the last snapshot will do */ }
  const here = view.window.number;
  $('tr-service').replaceChildren(el('option', { value: '', text: '—' }),
    ...services.map((s) => el('option', { value: s.id, text: `${s.prefix} ${LANG === 'en' && s.name_en ? s.name_en : s.name}` })));
  $('tr-window').replaceChildren(el('option', { value: '', text: '—' }),
    ...((hallInfo && hallInfo.windows) || []).filter((w) => w.number !== here)
      .map((w) => el('option', { value: String(w.number), text: `${w.number} ${w.name || ''}${w.state === 'closed' ? ' ×' : ''}` })));
  $('dlg-transfer').showModal();
  $('tr-service').focus();
}

async function submitTransfer(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const body = {};
  if ($('tr-service').value) body.service = $('tr-service').value;
  if ($('tr-window').value) body.window = Number($('tr-window').value);
  try {
    await api(`/api/v1/windows/${session.window}/transfer`, { method: 'POST', body });
    $('dlg-transfer').close();
    toast(T.toast.done);
    await refresh();
  } catch (e) {
    $('transfer-error').textContent = e.message;
  }
}

function openPause() {
  $('pause-hint').textContent = T.pauseHint(view.pause_alert_minutes);
  $('pause-other').value = '';
  $('dlg-pause').showModal();
}

async function submitPause(ev) {
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const i = Number(document.querySelector('input[name="pause-reason"]:checked').value);
  const other = $('pause-other').value.trim();
  // The reason is recorded in Chinese whatever the page's language: the hall's screens show it.
  const reason = other || I18N.zh.pauseReasons[i];
  try {
    await act('pause', { reason });
    $('dlg-pause').close();
  } catch { /* toast shown */ }
}

// ---- a case's details and its steps ----
async function openCase(id) {
  let c;
  try { c = await api(`/api/v1/cases/${id}`); } catch (e) { toast(e.message, true); return; }
  const D = T.detail;
  $('detail-title').textContent = `${c.no} · ${c.item_name}`;
  $('detail-error').textContent = '';
  $('detail-input').replaceChildren();
  const dl = el('dl');
  for (const [k, label] of D.fields) {
    let v = c[k];
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) || (k === 'once_failures' && !v)) continue;
    if (Array.isArray(v)) v = v.join('、');
    if (k === 'days_left') v = T.daysLeft(v);
    if (k === 'type_label' && LANG === 'en') v = typeLabel(c.type);
    dl.append(el('dt', { text: label }), el('dd', { 'data-k': k, text: String(v) }));
  }
  if (c.personal !== 'clear') dl.append(el('dt', { text: '' }), el('dd', { class: 'hint', text: D.masked }));
  const steps = el('ol', {}, ...(c.steps || []).map((s) => el('li', { 'data-what': s.what,
    text: `${s.at.slice(5, 16).replace('T', ' ')} ${D.what[s.what] || s.what} · ${who(s.by)} ${s.note || ''}` })));
  $('detail-body').replaceChildren(dl, el('h2', { text: D.steps }), steps);

  const acts = [];
  const can = (a) => acts.push(el('button', { type: 'button', 'data-case-act': a, text: D.actions[a], onclick: () => caseStep(c, a) }));
  if (c.state === 'awaiting_materials') { can('materials-complete'); can('supplement'); can('return'); }
  if (c.state === 'open') {
    can('extend'); can('suspend');
    if (c.type !== 'immediate' && c.type !== 'returned') can('supplement');
    if (c.type === 'escalated' && !c.reported_upward_at) can('report-upward');
    if (c.type === 'joint') can('report');
    if (c.type === 'agency' && !c.handler) can('assign');
    can('complete'); can('return');
  }
  if (c.state === 'suspended') can('resume');
  if (c.state === 'done' && c.to_notify) can('notify');
  if (c.state === 'done' && c.type === 'agency' && !c.feedback) can('feedback');
  const docs = [];
  if (c.deadline && c.state !== 'awaiting_materials') docs.push('acceptance');
  if ((c.missing || []).length) docs.push('supplement');
  if ((c.extensions || []).length) docs.push('extension');
  if (c.state === 'returned') docs.push('return');
  if (c.type === 'agency') docs.push('agency_receipt');
  if (c.type === 'agency' && c.handler) docs.push('agency_slip');
  if (c.mine) for (const d of docs)
    acts.push(el('button', { type: 'button', 'data-doc': d, text: `${D.print} ${D.docs[d]}`, onclick: () => printDoc(c, d) }));
  $('detail-actions').replaceChildren(...acts);
  if (!$('dlg-detail').open) $('dlg-detail').showModal();
}

function caseStep(c, action) {
  const D = T.detail;
  const box = $('detail-input');
  const fields = [];
  const input = (key, label, node) => { node.dataset.key = key; fields.push(node); return el('label', {}, label, node); };
  const rows = [];
  if (action === 'extend') {
    rows.push(input('days', D.days, el('input', { type: 'number', min: 1, max: 60, value: 1, required: true })));
    rows.push(input('reason', D.reasonL, el('input', { maxlength: 500, required: true })));
  } else if (['suspend', 'return'].includes(action)) {
    rows.push(input('reason', D.reasonL, el('input', { maxlength: 500, required: true })));
  } else if (action === 'assign') {
    rows.push(input('handler', D.handler, el('input', { maxlength: 64, required: true })));
  } else if (action === 'notify') {
    rows.push(input('channel', D.channel, el('select', {}, ...D.channels.map(([v, l]) => el('option', { value: v, text: l })))));
    rows.push(el('p', { class: 'hint', text: view.sms ? D.smsModem : D.smsManual }));
  } else if (action === 'supplement') {
    // Every material still missing, from the item's list (R-ONCE-2); one the last notice did
    // not ask for is recorded as an incomplete one-time notice (R-ONCE-4).
    const svc = services.find((x) => x.id === c.service);
    const item = svc && (svc.items || []).find((i) => i.id === c.item);
    rows.push(el('fieldset', {}, el('legend', { text: T.form.missing }), el('div', { class: 'checks', id: 'cs-missing' },
      ...((item && item.materials) || []).map((m) =>
        el('label', {}, el('input', { type: 'checkbox', value: m, checked: c.state === 'awaiting_materials' && (c.missing || []).includes(m) }), m)))));
    rows.push(input('note', D.noteL, el('input', { maxlength: 500 })));
  } else if (['feedback', 'report', 'complete'].includes(action)) {
    rows.push(input('note', D.noteL, el('input', { maxlength: 500 })));
  }
  const go = async () => {
    const body = {};
    for (const f of fields) {
      if (f.required && !f.value.trim()) { f.focus(); return; }
      if (f.value.trim()) body[f.dataset.key] = f.dataset.key === 'days' ? Number(f.value) : f.value.trim();
    }
    if (action === 'supplement') body.missing = [...document.querySelectorAll('#cs-missing input:checked')].map((x) => x.value);
    try {
      const r = await api(`/api/v1/cases/${c.id}/${action}`, { method: 'POST', body });
      toast(T.toast.done);
      refreshLists();
      await openCase(c.id);
      // The notice this step prints at a printer window, through the browser here.
      const doc = { 'materials-complete': 'acceptance', supplement: 'supplement', extend: 'extension', return: 'return', assign: 'agency_slip' }[action];
      if (doc && !view.window.printer) browserPrint(c.id, doc);
      return r;
    } catch (e) {
      $('detail-error').textContent = e.message;
    }
    return null;
  };
  box.replaceChildren(...rows, el('button', { type: 'button', class: 'primary', 'data-confirm': action, text: `${D.actions[action]} · ${D.confirm}`, onclick: go }));
  if (fields[0]) fields[0].focus();
}

async function printDoc(c, doc) {
  if (view.window.printer) {
    try {
      await api(`/api/v1/cases/${c.id}/print`, { method: 'POST', body: { doc } });
      toast(T.detail.printed);
    } catch (e) {
      $('detail-error').textContent = e.message;
    }
    return;
  }
  browserPrint(c.id, doc);
}

// A window without a receipt printer prints notices through the browser (A4 or whatever the
// PC's printer takes), laid out from the same document the receipt printer would get.
async function browserPrint(id, doc) {
  let n;
  try { n = await api(`/api/v1/cases/${id}/notice?doc=${doc}`); } catch (e) { toast(e.message, true); return; }
  const area = $('print-area');
  const copies = [];
  let copy = el('div', { class: 'copy' });
  for (const b of n.blocks) {
    if (b.cut) {
      if (copy.childNodes.length) copies.push(copy);
      copy = el('div', { class: 'copy' });
    } else if (b.rule) copy.append(el('hr'));
    else if (b.feed) copy.append(el('p', { text: '\n'.repeat(Math.max(0, b.feed - 1)) }));
    else if (b.qr) copy.append(el('p', { class: 'qr', text: b.qr }));
    else if (b.text !== undefined) {
      const p = el('p', { text: b.text });
      p.style.textAlign = b.align;
      if (b.bold) p.style.fontWeight = '700';
      if (b.height > 1 || b.width > 1) p.style.fontSize = `${Math.max(b.height, b.width) * 12}pt`;
      copy.append(p);
    }
  }
  if (copy.childNodes.length) copies.push(copy);
  area.replaceChildren(...copies);
  area.dataset.doc = doc;
  area.dataset.copies = String(copies.length);
  toast(T.detail.printing);
  setTimeout(() => window.print(), 50);
}

// ---- appointments (R-APPT-1) ----
// The window's services first, then the rest of the hall's (a phone call may be about any).
function apServices() {
  const mine = (view && view.window.services) || [];
  return [...services.filter((s) => mine.includes(s.id)), ...services.filter((s) => !mine.includes(s.id))];
}

function fillApServices() {
  const sel = $('ap-service');
  const keep = sel.value;
  sel.replaceChildren(...apServices().map((s) => el('option', { value: s.id, text: serviceName(s.id) })));
  if (keep) sel.value = keep;
  fillApItems();
}

function fillApItems() {
  const s = services.find((x) => x.id === $('ap-service').value);
  $('ap-item').replaceChildren(el('option', { value: '', text: T.anyItem }),
    ...((s && s.items) || []).map((i) => el('option', { value: i.id, text: i.name })));
}

async function fillApSlots() {
  const sel = $('ap-slot');
  const service = $('ap-service').value, day = $('ap-day').value;
  if (!service || !day || appointments === null) return;
  try {
    const r = await api(`/api/v1/appointments/slots?service=${encodeURIComponent(service)}&day=${day}`);
    const open = r.slots.filter((x) => x.open);
    sel.replaceChildren(...(r.slots.length
      ? r.slots.map((x) => el('option', { value: x.start, disabled: !x.open, text: T.slotLabel(x) }))
      : [el('option', { value: '', disabled: true, text: T.noSlots })]));
    sel.value = open.length ? open[0].start : '';
  } catch (e) {
    toast(e.message, true);
  }
}

async function loadAppointments() {
  try {
    const r = await api('/api/v1/appointments');
    const first = appointments === null;
    appointments = r.appointments || [];
    // The form starts on the hall's day (its clock, not the PC's), once the console view is in.
    if (!$('ap-day').value && view) {
      $('ap-day').value = view.now.slice(0, 10);
      fillApServices();
      fillApSlots();
    } else if (first) {
      fillApServices();
    }
  } catch (e) {
    if (e.code === 'not_offered') appointments = null;
    else if (e.status !== 401) toast(e.message, true);
  }
}

function renderAppointments() {
  const list = appointments || [];
  $('appointments').tBodies[0].replaceChildren(
    el('tr', {}, ...T.apCols.map((c) => el('th', { text: c }))),
    ...list.map((a) => {
      const acts = [];
      if (a.state === 'requested') {
        acts.push(el('button', { type: 'button', text: T.apArrange, onclick: () => answerRequest(a, true) }),
          el('button', { type: 'button', text: T.apDecline, onclick: () => answerRequest(a, false) }));
      } else if (a.state === 'confirmed') {
        acts.push(el('button', { type: 'button', text: T.apCancel, onclick: () => cancelAppointment(a) }));
      }
      return el('tr', { 'data-appointment': a.id, 'data-state': a.state, class: `${a.state}${a.overdue ? ' overdue' : ''}` },
        el('td', { text: a.day || T.apDue(a.due) }), el('td', { text: a.slot ? `${a.slot}–${a.slot_end}` : T.none }),
        el('td', { text: `${serviceName(a.service)}${a.item_name ? ' · ' + a.item_name : ''}` }),
        el('td', { text: a.name }), el('td', { class: 'phone', text: a.phone || '' }),
        el('td', { text: T.apStates[a.state] || a.state }), el('td', { text: a.state === 'confirmed' ? (a.code || '—') : '' }),
        el('td', { text: a.number || '' }), el('td', {}, ...acts));
    }));
}

async function submitAppointment(ev) {
  ev.preventDefault();
  const body = { service: $('ap-service').value, item: $('ap-item').value, day: $('ap-day').value, slot: $('ap-slot').value,
    name: $('ap-name').value.trim(), phone: $('ap-phone').value.trim(), channel: $('ap-channel').value };
  try {
    const a = await api('/api/v1/appointments', { method: 'POST', body });
    // Read back to the citizen: day, slot, place and code. The name and phone leave the screen.
    $('ap-result').textContent = T.apBooked(a);
    $('ap-name').value = '';
    $('ap-phone').value = '';
    await loadAppointments();
    renderLists();
    fillApSlots();
  } catch (e) {
    toast(e.message, true);
  }
}

async function answerRequest(a, accept) {
  let body;
  if (accept) {
    if ($('ap-service').value !== a.service) {
      $('ap-service').value = a.service;
      fillApItems();
      await fillApSlots();
    }
    body = { accept: true, day: $('ap-day').value, slot: $('ap-slot').value };
  } else {
    const reason = window.prompt(T.apDeclineReason);
    if (!reason || !reason.trim()) return;
    body = { accept: false, reason: reason.trim() };
  }
  try {
    const r = await api(`/api/v1/appointments/${a.id}/answer`, { method: 'POST', body });
    if (accept) $('ap-result').textContent = T.apBooked(r);
    else toast(T.toast.saved);
    await loadAppointments();
    renderLists();
    fillApSlots();
  } catch (e) {
    toast(e.message, true);
  }
}

async function cancelAppointment(a) {
  const reason = window.prompt(T.apCancelReason);
  if (!reason || !reason.trim()) return;
  try {
    await api(`/api/v1/appointments/${a.id}/cancel`, { method: 'POST', body: { reason: reason.trim() } });
    toast(T.toast.saved);
    await loadAppointments();
    renderLists();
    fillApSlots();
  } catch (e) {
    toast(e.message, true);
  }
}

// ---- enquiries (R-FIRST-3) ----
async function submitEnquiry(ev) {
  ev.preventDefault();
  const body = { channel: $('eq-channel').value, subject: $('eq-subject').value.trim() };
  for (const [k, id] of [['caller', 'eq-caller'], ['phone', 'eq-phone'], ['forwarded_to', 'eq-to']])
    if ($(id).value.trim()) body[k] = $(id).value.trim();
  try {
    await api('/api/v1/enquiries', { method: 'POST', body });
    // The phone is not kept on screen once logged: the list shows it masked.
    for (const id of ['eq-subject', 'eq-caller', 'eq-phone', 'eq-to']) $(id).value = '';
    toast(T.toast.saved);
    refreshLists();
  } catch (e) {
    toast(e.message, true);
  }
}

// ---- keys ----
function onKey(ev) {
  if (document.documentElement.dataset.view !== 'console') return;
  if (document.querySelector('dialog[open]')) return;  // Esc and Enter belong to the dialog
  const inField = /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName || '');
  if (ev.ctrlKey || ev.metaKey) return;
  if (inField && !ev.altKey) return;
  const k = (ev.key || '').toLowerCase();
  if (k === '?' || (ev.shiftKey && k === '/')) { ev.preventDefault(); $('dlg-keys').showModal(); return; }
  if (!ev.altKey && ['1', '2', '3', '4', '5'].includes(k)) {
    tab = ['cases', 'unregistered', 'enquiries', 'handover', 'appointments'][Number(k) - 1];
    renderTabs();
    ev.preventDefault();
    return;
  }
  const code = (ev.code || '').startsWith('Key') ? ev.code.slice(3).toLowerCase() : k;  // Alt+letter on any layout
  if (KEYS[code]) {
    ev.preventDefault();
    run(KEYS[code]);
  }
}

// ---- start ----
function wire() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('lang').addEventListener('click', () => {
    LANG = LANG === 'en' ? 'zh' : 'en';
    localStorage.setItem('hallq.counter.lang', LANG);
    T = I18N[LANG];
    labels();
    renderLists();
  });
  for (const b of document.querySelectorAll('#actions button')) b.addEventListener('click', () => run(b.dataset.act));
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => { tab = b.dataset.tab; renderTabs(); });
  $('finish-form').addEventListener('submit', submitFinish);
  $('case-form').addEventListener('submit', submitRegister);
  $('transfer-form').addEventListener('submit', submitTransfer);
  $('pause-form').addEventListener('submit', submitPause);
  $('enquiry-form').addEventListener('submit', submitEnquiry);
  $('ap-form').addEventListener('submit', submitAppointment);
  $('ap-service').addEventListener('change', () => { fillApItems(); fillApSlots(); });
  $('ap-day').addEventListener('change', fillApSlots);
  for (const r of document.querySelectorAll('input[name="fin-kind"]'))
    r.addEventListener('change', () => {
      const isCase = document.querySelector('input[name="fin-kind"]:checked').value === 'case';
      $('fin-case').hidden = !isCase;
      for (const i of $('fin-case').querySelectorAll('input, select, textarea')) i.disabled = !isCase;
    });
  document.addEventListener('keydown', onKey);
}

async function start() {
  wire();
  labels();
  try {
    let svc;
    [hallInfo, svc] = await Promise.all([api('/api/v1/hall'), api('/api/v1/services')]);
    services = svc.services || [];
    setClock(hallInfo.time);
  } catch (e) {
    $('si-error').textContent = e.message;
  }
  labels();
  if (session && session.token) {
    try {
      await enterConsole();
      return;
    } catch {
      signedOut();
    }
  }
  document.documentElement.dataset.view = 'signin';
  $('si-clerk').focus();
}

setInterval(tick, 500);
start();
