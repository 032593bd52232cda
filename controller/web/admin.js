// The manager's page (/admin): the hall live with what needs the manager now (alerts), the
// month's staff scores under the centre's rulebook line by line (R-SCORE-*), complaints to
// answer (R-COMP-1), bad reviews to follow up (R-EVAL-1), manual score items and leave.
// Everything comes from the controller's API with a manager session; the live parts follow
// the staff event stream. Chinese first; ?lang=en or the header button for English.
'use strict';

const params = new URLSearchParams(location.search);
let LANG = params.get('lang') === 'en' || localStorage.getItem('hallq.admin.lang') === 'en' ? 'en' : 'zh';

const I18N = {
  zh: {
    title: '中心管理', signout: '退出', offline: '与服务器的连接中断，正在重连…', signinTitle: '中心管理登录',
    user: '账号', password: '密码', signin: '登录', lang: 'English',
    tabs: { live: '大厅实况', stats: '统计', scores: '考评', registers: '登记簿', appointments: '预约', complaints: '投诉与差评', records: '加减分与请假' },
    apptRequestsTitle: '待答复预约申请（1 个工作日内答复）', bookTitle: '登记预约（电话、来访、信函）', apptDayTitle: '预约一览',
    service: '业务', item: '事项', day: '日期', slot: '时段', apptName: '预约人姓名', phone: '联系电话', channel: '方式', note: '备注', book: '预约',
    anyItem: '（不指定事项）', slotLabel: (s) => `${s.start}–${s.end}　余 ${s.free}/${s.capacity}`, noSlots: '当日无可预约时段',
    apptChannels: { visit: '来访', phone: '电话', letter: '信函', kiosk: '取号机', online: '网上', counter: '窗口' },
    apptStates: { requested: '待答复', confirmed: '已预约', declined: '不予预约', cancelled: '已取消', checked_in: '已签到', missed: '未到' },
    reqCols: ['编号', '收到', '答复期限', '业务', '事项', '预约人', '电话', '方式', '说明', ''],
    apptCols: ['时段', '业务', '事项', '预约人', '电话', '方式', '状态', '号码', '预约码', '登记人', ''],
    arrange: '答复', cancelAppt: '取消预约', cancelReason: '取消原因（如：群众来电改期）', apptAnswer: '答复',
    apptAccept: '安排预约', apptDecline: '不予预约', declineReason: '不予预约的理由（将告知群众）',
    apptTitle: (id, name) => `答复预约申请 #${id}（${name}）`, apptCount: (n) => `共 ${n} 个预约`,
    slipTitle: '预约凭证', slipCode: '预约码', slipWhen: '预约时间', slipPlace: '办理地点', slipCheckin: '签到时间',
    slipService: '办理事项', slipMaterials: '请携带材料', slipHint: '请在签到时间内到大厅取号机点击“预约签到”输入预约码，或将二维码对准扫码口，即可取号；预约号优先叫号。',
    slipPrint: '打印凭证', booked: (code) => `已预约，预约码 ${code}`,
    register: '簿册', regKinds: { book: '办件登记簿', ledger: '统计簿' }, classify: '分类', regBy: '统计周期',
    classifies: { type: '按办件类型', item: '按服务事项' }, regBys: { day: '按日', month: '按月' },
    bookCols: ['序号', '受理编号', '受理日期', '时间', '窗口', '受理人', '服务事项', '类型', '申请人', '联系电话', '承诺时限', '办结期限', '办结日期', '办理结果'],
    bookSub: (f, t, n) => `${f} 至 ${t}　共 ${n} 件`, truncated: (n, m) => `（仅列出前 ${m} 件，共 ${n} 件）`,
    subtotal: (g) => `小计：${g.count} 件；办结 ${g.done} 件（按时 ${g.on_time}，超期 ${g.late}）；在办 ${g.open} 件（超期 ${g.open_overdue}）；退回 ${g.returned} 件`,
    groupHead: (label, n) => `${label}（${n} 件）`, daysLimit: (n) => (n ? `${n} 个工作日` : '即办'),
    ledgerCols: ['日期', '星期', '取号', '办结', '其中咨询', '过号', '受理办件', '办结件', '其中按时', '超期', '受理后退回', '评价', '满意率', '投诉'],
    monthCol: '月份', itemsTitle: '分事项汇总', itemCols: ['服务事项', '所属业务', '受理', '办结', '其中按时', '超期', '按时办结率', '退回', '在办'],
    signLine: ['登记人：', '审核人：', '打印时间：'], byType: '受理办件按类型：', ledgerSub: (f, t) => `${f} 至 ${t}`,
    by: '按', group: '分组', query: '查询', heatTitle: '各时段叫号量（星期 × 小时）', casesTitle: '办件（按类型）',
    bys: { day: '日', week: '周', month: '月', all: '合计' }, groups: { service: '业务', window: '窗口', clerk: '工作人员', none: '不分组' },
    statCols: ['时段', '分组', '取号', '办结', '其中咨询', '过号', '取消', '等候中位', '等候90%', '办理中位', '办理90%', '满意率', '评价数'],
    totalRow: '合计', weekdays: ['一', '二', '三', '四', '五', '六', '日'],
    ratingChannels: (c) => `评价来源：窗口评价器 ${c.evaluator} · 自助机扫码 ${c.kiosk} · 手机扫码 ${c.phone}`,
    caseCols: ['类型', '登记', '办结', '按时', '超期办结', '在办', '在办超期', '退回'],
    caseTypes: { immediate: '即办件', promised: '承诺件', escalated: '上报件', joint: '联办件', supplement: '补办件', returned: '退回件', agency: '委托代办' },
    mins: (s) => (s == null ? '—' : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`),
    legend: ['取号', '办结'],
    alertsTitle: '需要处理', noAlerts: '一切正常', windowsTitle: '窗口', waitingTitle: '等候情况',
    wstate: { closed: '未开放', open: '空闲', paused: '暂停', serving: '办理中' },
    waitCols: ['业务', '等候'],
    month: '月份', csv: '导出 CSV', print: '打印', quarterTitle: '季度汇总',
    scoreCols: ['工号', '姓名', '得分', '扣分', '加分', '待核实', '满意率', '评价数'],
    lineCols: ['日期', '项目', '分值', '窗口', '关联', '说明', '事件'],
    linesTitle: (name, month, score) => `${name} · ${month} 考评明细（${score} 分）`,
    pendingMark: '待核实', rulebook: (p, s) => `考评细则：${p}（${s}）`,
    topClerks: '工作标兵（前三名）', topWindows: '流动红旗窗口（前三名）', perMonth: '各月得分',
    complaintsTitle: '待答复投诉（5 个工作日内答复）', followupsTitle: '差评跟进',
    complaintCols: ['编号', '受理日期', '答复期限', '窗口', '被投诉人', '来源', '内容', '投诉人', ''],
    followCols: ['时间', '窗口', '工作人员', '号码', '评价', ''],
    answer: '答复', review: '核实', outcome: '核实结果', verified: '属实', notVerified: '不属实',
    clerkAtFault: '责任人', answerText: '答复内容', reviewText: '核实情况',
    answerTitle: (id) => `答复投诉 #${id}`, reviewTitle: (w, l) => `${w} 号窗口差评（${l}）跟进`,
    none: '—', noRows: '没有记录', save: '保存', cancel: '取消', saved: '已保存',
    adjustTitle: '手工加减分（须写明理由，记入审计）', leaveTitle: '登记请假', leaveList: '请假记录',
    clerk: '工作人员', rule: '考评项目', points: '分值', reason: '理由', from: '开始', to: '结束', kind: '类别',
    kinds: { personal: '事假', sick: '病假', annual: '年休假', maternity: '产假', official: '公出', other: '其他' },
    leaveCols: ['工作人员', '开始', '结束', '类别', '理由', '登记人'],
    channels: { kiosk: '取号机', counter: '窗口', admin: '管理' },
    days: (n) => (n === 0 ? '今日' : `${n} 天前`),
  },
  en: {
    title: 'Centre management', signout: 'Sign out', offline: 'Connection lost, reconnecting…', signinTitle: 'Manager sign-in',
    user: 'User', password: 'Password', signin: 'Sign in', lang: '中文',
    tabs: { live: 'Hall', stats: 'Statistics', scores: 'Scores', registers: 'Registers', appointments: 'Appointments', complaints: 'Complaints & reviews', records: 'Items & leave' },
    apptRequestsTitle: 'Requests to answer (within 1 working day)', bookTitle: 'Book (phone, visit, letter)', apptDayTitle: 'Bookings',
    service: 'Service', item: 'Item', day: 'Day', slot: 'Slot', apptName: "Citizen's name", phone: 'Phone', channel: 'Channel', note: 'Note', book: 'Book',
    anyItem: '(any item)', slotLabel: (s) => `${s.start}–${s.end}  ${s.free}/${s.capacity} free`, noSlots: 'No slots that day',
    apptChannels: { visit: 'Visit', phone: 'Phone', letter: 'Letter', kiosk: 'Kiosk', online: 'Online', counter: 'Counter' },
    apptStates: { requested: 'To answer', confirmed: 'Booked', declined: 'Declined', cancelled: 'Cancelled', checked_in: 'Checked in', missed: 'Missed' },
    reqCols: ['No.', 'Received', 'Answer by', 'Service', 'Item', 'Citizen', 'Phone', 'Channel', 'Note', ''],
    apptCols: ['Slot', 'Service', 'Item', 'Citizen', 'Phone', 'Channel', 'State', 'Ticket', 'Code', 'Booked by', ''],
    arrange: 'Answer', cancelAppt: 'Cancel', cancelReason: 'Reason for cancelling', apptAnswer: 'Answer',
    apptAccept: 'Book a slot', apptDecline: 'Decline', declineReason: 'Reason for declining (the citizen is told)',
    apptTitle: (id, name) => `Answer request #${id} (${name})`, apptCount: (n) => `${n} bookings`,
    slipTitle: 'Appointment slip', slipCode: 'Code', slipWhen: 'When', slipPlace: 'Where', slipCheckin: 'Check in',
    slipService: 'Item', slipMaterials: 'Bring', slipHint: 'Within the check-in time, press "预约签到" on a kiosk in the hall and type the code, or hold the QR to its scanner; appointments are called first.',
    slipPrint: 'Print slip', booked: (code) => `Booked, code ${code}`,
    register: 'Register', regKinds: { book: 'Case register', ledger: 'Statistics ledger' }, classify: 'Classify', regBy: 'Period',
    classifies: { type: 'By case type', item: 'By service item' }, regBys: { day: 'By day', month: 'By month' },
    bookCols: ['No.', 'Case no.', 'Received', 'Time', 'Window', 'Clerk', 'Item', 'Type', 'Applicant', 'Phone', 'Time limit', 'Deadline', 'Done', 'Result'],
    bookSub: (f, t, n) => `${f} to ${t} · ${n} cases`, truncated: (n, m) => ` (first ${m} of ${n} listed)`,
    subtotal: (g) => `Subtotal: ${g.count}; done ${g.done} (on time ${g.on_time}, late ${g.late}); open ${g.open} (overdue ${g.open_overdue}); returned ${g.returned}`,
    groupHead: (label, n) => `${label} (${n})`, daysLimit: (n) => (n ? `${n} working days` : 'at once'),
    ledgerCols: ['Date', 'Day', 'Issued', 'Served', 'Enquiries', 'No-show', 'Cases registered', 'Cases done', 'On time', 'Late', 'Returned later', 'Ratings', 'Satisfaction', 'Complaints'],
    monthCol: 'Month', itemsTitle: 'By service item', itemCols: ['Item', 'Service', 'Registered', 'Done', 'On time', 'Late', 'On-time rate', 'Returned', 'Open'],
    signLine: ['Registered by:', 'Checked by:', 'Printed:'], byType: 'Cases registered by type: ', ledgerSub: (f, t) => `${f} to ${t}`,
    by: 'By', group: 'Group', query: 'Show', heatTitle: 'Calls by weekday and hour', casesTitle: 'Cases by type',
    bys: { day: 'Day', week: 'Week', month: 'Month', all: 'All' }, groups: { service: 'Service', window: 'Window', clerk: 'Clerk', none: 'None' },
    statCols: ['Period', 'Group', 'Issued', 'Served', 'Enquiries', 'No-show', 'Cancelled', 'Wait p50', 'Wait p90', 'Service p50', 'Service p90', 'Satisfaction', 'Ratings'],
    totalRow: 'Total', weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    ratingChannels: (c) => `Ratings from: window evaluators ${c.evaluator} · kiosks ${c.kiosk} · phones ${c.phone}`,
    caseCols: ['Type', 'Registered', 'Done', 'On time', 'Late', 'Open', 'Open overdue', 'Returned'],
    caseTypes: { immediate: 'Immediate', promised: 'Promised', escalated: 'Escalated', joint: 'Joint', supplement: 'Supplement', returned: 'Returned', agency: 'Agency' },
    mins: (s) => (s == null ? '—' : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`),
    legend: ['Issued', 'Served'],
    alertsTitle: 'Needs attention', noAlerts: 'All in order', windowsTitle: 'Windows', waitingTitle: 'Waiting',
    wstate: { closed: 'Closed', open: 'Idle', paused: 'Paused', serving: 'Serving' },
    waitCols: ['Service', 'Waiting'],
    month: 'Month', csv: 'Export CSV', print: 'Print', quarterTitle: 'Quarter',
    scoreCols: ['ID', 'Name', 'Score', 'Deducted', 'Added', 'Pending', 'Satisfaction', 'Ratings'],
    lineCols: ['Date', 'Rule', 'Points', 'Window', 'Ref', 'Detail', 'Event'],
    linesTitle: (name, month, score) => `${name} · ${month} (${score} points)`,
    pendingMark: 'pending', rulebook: (p, s) => `Rulebook: ${p} (${s})`,
    topClerks: 'Model workers (top 3)', topWindows: 'Red-flag windows (top 3)', perMonth: 'By month',
    complaintsTitle: 'Complaints to answer (within 5 working days)', followupsTitle: 'Bad reviews to follow up',
    complaintCols: ['No.', 'Received', 'Due', 'Window', 'Clerk', 'From', 'Content', 'Complainant', ''],
    followCols: ['Time', 'Window', 'Clerk', 'Number', 'Rating', ''],
    answer: 'Answer', review: 'Review', outcome: 'Finding', verified: 'Verified', notVerified: 'Not verified',
    clerkAtFault: 'Clerk at fault', answerText: 'Answer given', reviewText: 'What the check found',
    answerTitle: (id) => `Answer complaint #${id}`, reviewTitle: (w, l) => `Bad review at window ${w} (${l})`,
    none: '—', noRows: 'Nothing here', save: 'Save', cancel: 'Cancel', saved: 'Saved',
    adjustTitle: 'Manual score item (with its reason; audited)', leaveTitle: 'Record leave', leaveList: 'Leave',
    clerk: 'Clerk', rule: 'Item', points: 'Points', reason: 'Reason', from: 'From', to: 'To', kind: 'Kind',
    kinds: { personal: 'Personal', sick: 'Sick', annual: 'Annual', maternity: 'Maternity', official: 'Official', other: 'Other' },
    leaveCols: ['Clerk', 'From', 'To', 'Kind', 'Reason', 'By'],
    channels: { kiosk: 'Kiosk', counter: 'Counter', admin: 'Admin' },
    days: (n) => (n === 0 ? 'today' : `${n} d ago`),
  },
};
const T = () => I18N[LANG];
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

let session = JSON.parse(sessionStorage.getItem('hallq.admin') || 'null');
let page = sessionStorage.getItem('hallq.admin.page') || 'live';
const state = { hall: null, alerts: [], now: null, rulebook: null, scores: [], month: null, selected: null,
  complaints: [], followups: [], leave: [], names: {}, services: [], requests: [], appts: [], apptOn: true };

function toast(msg, bad) {
  const el = $('toast');
  el.textContent = msg;
  el.className = 'show' + (bad ? ' bad' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = ''; }, 3000);
}

async function api(path, opts = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  const r = await fetch(path, { method: opts.method || 'GET', headers, body: opts.body ? JSON.stringify(opts.body) : undefined });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (r.status === 401 && session) signOut(false);
  if (!r.ok) {
    const e = body && body.error ? body.error : { message: r.statusText };
    throw new Error(LANG === 'zh' && e.message_zh ? e.message_zh : e.message);
  }
  return body;
}

function applyText() {
  document.documentElement.lang = LANG === 'zh' ? 'zh-CN' : 'en';
  document.title = T().title;
  document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = T()[el.dataset.t]; });
  $('lang').textContent = T().lang;
  $('tabs').innerHTML = Object.entries(T().tabs).map(([k, v]) =>
    `<button role="tab" data-page="${k}" aria-selected="${k === page}">${esc(v)}<span class="badge" data-badge="${k}" hidden></span></button>`).join('');
  const kinds = $('lv-kind');
  kinds.innerHTML = Object.entries(T().kinds).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
  fillStatsSelects();
  fillRegisterSelects();
  fillBookSelects();
}

function showPage(p) {
  page = p;
  sessionStorage.setItem('hallq.admin.page', p);
  document.querySelectorAll('.page').forEach((el) => el.classList.toggle('on', el.dataset.page === p));
  document.querySelectorAll('#tabs button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.page === p)));
  refresh();
}

// ---- live hall and alerts ----

function renderLive() {
  const t = T();
  const a = state.alerts;
  $('alerts').innerHTML = a.length
    ? a.map((x) => `<li class="${x.severity}" data-kind="${x.kind}">${esc(LANG === 'zh' ? x.message : x.message_en)}` +
      `${x.kind === 'sign_in_guessing' && x.user ? ` <button type="button" data-unlock="${esc(x.user)}">${esc(SEC_T().unlock)}</button>` : ''}</li>`).join('')
    : `<li class="none">${esc(t.noAlerts)}</li>`;
  const h = state.hall;
  if (!h) return;
  const alarmed = new Set(a.filter((x) => x.window && x.severity === 'alarm').map((x) => x.window));
  $('windows').innerHTML = h.windows.map((w) => {
    const cls = ['win', w.state, alarmed.has(w.number) ? 'alarm' : ''].join(' ');
    const cur = w.current ? `<div class="num">${esc(w.current.number)}</div>` : '';
    const who = w.clerk ? `${esc(state.names[w.clerk] || w.clerk)} · ${esc(w.post || '')}岗` : t.none;
    return `<div class="${cls}" data-window="${w.number}"><div class="n">${w.number} · ${esc(w.name)}</div>` +
      `<div>${esc(t.wstate[w.state] || w.state)}</div>` +
      `<div class="hint">${who}</div>${cur}</div>`;
  }).join('');
  $('waiting').innerHTML = `<thead><tr>${t.waitCols.map((c, i) => `<th class="${i ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    h.services.map((s) => `<tr data-service="${esc(s.id)}"><td>${esc(LANG === 'en' && s.name_en ? s.name_en : s.name)}</td>` +
      `<td class="num">${s.waiting}</td></tr>`).join('') + '</tbody>';
  const badge = document.querySelector('[data-badge="live"]');
  const alarms = a.filter((x) => x.severity === 'alarm').length;
  if (badge) { badge.hidden = !alarms; badge.textContent = alarms; }
}

async function loadLive() {
  const [h, al] = await Promise.all([api('/api/v1/hall'), api('/api/v1/alerts')]);
  state.hall = h;
  state.alerts = al.alerts;
  state.now = al.now;
  state.skew = Date.parse(al.now) - Date.now();  // the hall's clock, which a demo or test may set
  $('centre').textContent = h.centre;
  renderLive();
}

// ---- scores ----

const cell = (v, cls = '') => `<td class="${cls}">${esc(v)}</td>`;
const signed = (n) => (n > 0 ? `+${n}` : String(n));

function csv(rows) {
  return '\ufeff' + rows.map((r) => r.map((v) => {
    const s = String(v ?? '');
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')).join('\r\n') + '\r\n';
}
function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function chart(scores) {
  const svg = $('scores-chart');
  const W = svg.clientWidth || 900, H = 180, top = 14, bottom = 28;
  const min = Math.min(80, ...scores.map((s) => s.score)), max = Math.max(100, ...scores.map((s) => s.score));
  const bw = Math.max(8, Math.min(60, (W - 40) / Math.max(1, scores.length) - 8));
  const y = (v) => top + (H - top - bottom) * (1 - (v - min) / (max - min || 1));
  let out = `<line class="axis" x1="30" x2="${W}" y1="${y(100)}" y2="${y(100)}"/><text x="0" y="${y(100) + 4}">100</text>`;
  scores.forEach((s, i) => {
    const x = 40 + i * (bw + 8);
    out += `<rect class="bar${s.score < 95 ? ' low' : ''}" data-clerk="${esc(s.clerk)}" x="${x}" y="${y(s.score)}" width="${bw}" height="${H - bottom - y(s.score)}"><title>${esc(s.name)} ${s.score}</title></rect>` +
      `<text x="${x + bw / 2}" y="${y(s.score) - 3}" text-anchor="middle">${s.score}</text>` +
      `<text x="${x + bw / 2}" y="${H - 10}" text-anchor="middle">${esc(s.name.slice(0, 3))}</text>`;
  });
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = out;
}

function renderScores() {
  const t = T();
  const s = state.scores;
  $('scores').innerHTML = `<thead><tr>${t.scoreCols.map((c, i) => `<th class="${i > 1 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    s.map((e) => `<tr data-clerk="${esc(e.clerk)}" class="${e.clerk === state.selected ? 'sel' : ''}">${cell(e.clerk)}${cell(e.name)}` +
      `${cell(e.score, 'num')}${cell(e.deducted, 'num neg')}${cell(signed(e.added), 'num pos')}${cell(e.pending || '', 'num pending')}` +
      `${cell(e.satisfaction_rate == null ? t.none : e.satisfaction_rate + '%', 'num')}${cell(e.ratings, 'num')}</tr>`).join('') + '</tbody>';
  chart(s);
  if (state.rulebook) $('rulebook').textContent = t.rulebook(state.rulebook.preset, state.rulebook.source);
  renderLines();
}

function renderLines() {
  const t = T();
  const e = state.scores.find((x) => x.clerk === state.selected);
  $('lines-panel').hidden = !e;
  if (!e) return;
  $('lines-title').textContent = t.linesTitle(e.name, e.month, e.score);
  $('lines').innerHTML = `<thead><tr>${t.lineCols.map((c, i) => `<th class="${i === 2 || i === 6 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    e.lines.map((l) => `<tr data-rule="${esc(l.rule)}" class="${l.pending ? 'pending' : ''}">${cell(l.date)}` +
      `${cell(LANG === 'zh' ? l.label : l.label_en)}` +
      `${cell(l.pending ? t.pendingMark : signed(l.points), 'num ' + (l.points < 0 ? 'neg' : l.points > 0 ? 'pos' : ''))}` +
      `${cell(l.window || '')}${cell(l.ref)}${cell(LANG === 'zh' ? l.detail : l.detail_en)}${cell(l.event || '', 'num')}</tr>`).join('') + '</tbody>';
}

async function loadScores() {
  const month = $('month').value;
  if (!month) return;
  state.month = month;
  state.scores = await api(`/api/v1/reports/scores?month=${month}`);
  for (const e of state.scores) state.names[e.clerk] = e.name;
  renderScores();
}

async function loadSummary() {
  const q = $('quarter').value;
  if (!q) return;
  const t = T();
  const s = await api(`/api/v1/reports/scores/summary?quarter=${q}`);
  const list = (rows, f) => `<ol>${rows.map((r) => `<li>${f(r)}</li>`).join('')}</ol>`;
  $('summary').innerHTML =
    `<div><h2>${esc(t.topClerks)}</h2>${list(s.top_clerks, (r) => `${esc(r.name)}（${esc(r.clerk)}）${r.score}`)}` +
    `<h2>${esc(t.topWindows)}</h2>${list(s.top_windows, (r) => `${r.window} · ${esc(r.name)} ${r.score}`)}</div>` +
    `<div><h2>${esc(t.perMonth)}</h2><table><thead><tr><th></th>${s.months.map((m) => `<th class="num">${m}</th>`).join('')}<th class="num">${q}</th></tr></thead><tbody>` +
    s.clerks.map((c) => `<tr><td>${esc(c.name)}</td>${c.months.map((m) => `<td class="num">${m.score}</td>`).join('')}<td class="num"><b>${c.score}</b></td></tr>`).join('') +
    '</tbody></table></div>';
}

// ---- statistics ----

function statCells(t, r) {
  return `${cell(r.issued, 'num')}${cell(r.served, 'num')}${cell(r.consultations, 'num')}${cell(r.no_show, 'num')}` +
    `${cell(r.cancelled, 'num')}${cell(t.mins(r.wait_p50_s), 'num')}${cell(t.mins(r.wait_p90_s), 'num')}` +
    `${cell(t.mins(r.service_p50_s), 'num')}${cell(t.mins(r.service_p90_s), 'num')}` +
    `${cell(r.satisfaction_rate == null ? t.none : r.satisfaction_rate + '%', 'num')}${cell(r.ratings, 'num')}`;
}

function statsChart(rows) {
  // Issued and served per period (all groups together), a pair of bars each.
  const svg = $('stats-chart');
  const per = new Map();
  for (const r of rows) {
    const p = per.get(r.period) || { issued: 0, served: 0 };
    p.issued += r.issued;
    p.served += r.served;
    per.set(r.period, p);
  }
  const list = [...per.entries()].slice(-40);
  const W = svg.clientWidth || 900, H = 200, top = 16, bottom = 30;
  const max = Math.max(1, ...list.map(([, p]) => p.issued));
  const slot = (W - 20) / Math.max(1, list.length), bw = Math.max(3, Math.min(24, slot / 2 - 2));
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  let out = '';
  list.forEach(([period, p], i) => {
    const x = 10 + i * slot;
    out += `<rect class="issued" x="${x}" y="${y(p.issued)}" width="${bw}" height="${H - bottom - y(p.issued)}"><title>${esc(period)} ${p.issued}</title></rect>` +
      `<rect class="served" x="${x + bw + 1}" y="${y(p.served)}" width="${bw}" height="${H - bottom - y(p.served)}"><title>${esc(period)} ${p.served}</title></rect>`;
    if (list.length <= 14 || i % Math.ceil(list.length / 14) === 0)
      out += `<text x="${x}" y="${H - 12}">${esc(period.length > 7 ? period.slice(5) : period)}</text>`;
  });
  const lg = T().legend;
  out += `<rect class="issued" x="${W - 150}" y="2" width="10" height="10"/><text x="${W - 136}" y="11">${esc(lg[0])}</text>` +
    `<rect class="served" x="${W - 80}" y="2" width="10" height="10"/><text x="${W - 66}" y="11">${esc(lg[1])}</text>`;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = out;
}

function renderStats() {
  const t = T();
  const s = state.stats;
  if (!s) return;
  $('stats').innerHTML = `<thead><tr>${t.statCols.map((c, i) => `<th class="${i > 1 ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    s.rows.map((r) => `<tr data-period="${esc(r.period)}" data-key="${esc(r.key)}">${cell(r.period === 'all' ? t.bys.all : r.period)}${cell(r.name)}${statCells(t, r)}</tr>`).join('') +
    `<tr class="total"><td><b>${esc(t.totalRow)}</b></td><td></td>${statCells(t, s.totals)}</tr></tbody>`;
  // R-EVAL-1: where the ratings came from (the window, or later at a kiosk or on a phone).
  const ch = s.totals.ratings_by_channel;
  $('rating-channels').textContent = ch ? t.ratingChannels(ch) : '';
  statsChart(s.rows);
  // Calls per weekday and hour, the opening hours and around them.
  const hours = [];
  for (let h = 7; h <= 19; h++) hours.push(h);
  const max = Math.max(1, ...s.calls_by_weekday_hour.flat());
  $('heat').innerHTML = `<thead><tr><th></th>${hours.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    s.calls_by_weekday_hour.map((day, i) => `<tr><th>${esc(t.weekdays[i])}</th>${hours.map((h) => {
      const n = day[h];
      const a = n ? 0.12 + 0.88 * n / max : 0;
      return `<td data-a="${a.toFixed(2)}">${n || ''}</td>`;
    }).join('')}</tr>`).join('') + '</tbody>';
  // Colours through the CSS object model: the page's Content-Security-Policy takes no inline styles.
  $('heat').querySelectorAll('td[data-a]').forEach((td) => {
    const a = Number(td.dataset.a);
    td.style.background = `rgba(29,91,191,${a})`;
    td.style.color = a > 0.55 ? '#fff' : '#1c2733';
  });
  const types = Object.entries(s.cases);
  $('cases-by-type').innerHTML = `<thead><tr>${t.caseCols.map((c, i) => `<th class="${i ? 'num' : ''}">${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (types.length ? types.map(([k, c]) => `<tr data-type="${esc(k)}">${cell(t.caseTypes[k] || k)}${cell(c.registered, 'num')}${cell(c.done, 'num')}` +
      `${cell(c.on_time, 'num')}${cell(c.late, 'num ' + (c.late ? 'neg' : ''))}${cell(c.open, 'num')}` +
      `${cell(c.open_overdue, 'num ' + (c.open_overdue ? 'neg' : ''))}${cell(c.returned, 'num')}</tr>`).join('')
      : `<tr><td colspan="8" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
}

async function loadStats() {
  const q = new URLSearchParams({ from: $('st-from').value, to: $('st-to').value, by: $('st-by').value, group: $('st-group').value });
  state.stats = await api(`/api/v1/reports/stats?${q}`);
  renderStats();
  await loadRatingSources($('st-from').value, $('st-to').value);
}

function fillStatsSelects() {
  const t = T();
  for (const [id, opts] of [['st-by', t.bys], ['st-group', t.groups]]) {
    const sel = $(id);
    const keep = sel.value;
    sel.innerHTML = Object.entries(opts).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
    if (keep) sel.value = keep;
  }
}

// ---- registers: 办件登记簿 and 统计簿 ----

function fillRegisterSelects() {
  const t = T();
  const kind = $('reg-kind');
  const keep = kind.value || 'book';
  kind.innerHTML = Object.entries(t.regKinds).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
  kind.value = keep;
  const mode = $('reg-mode');
  const keepMode = mode.value;
  const opts = keep === 'book' ? t.classifies : t.regBys;
  mode.innerHTML = Object.entries(opts).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('');
  if (keepMode in opts) mode.value = keepMode;
  $('reg-mode-label').textContent = keep === 'book' ? t.classify : t.regBy;
}

const pct = (v) => (v == null ? '—' : `${v}%`);
const typeCounts = (t, reg) => Object.entries(reg).filter(([, n]) => n).map(([k, n]) => `${t.caseTypes[k] || k} ${n}`).join('，');

function signBlock(t) {
  const now = (state.now || '').slice(0, 16).replace('T', ' ');
  return `<div class="sign"><span>${esc(t.signLine[0])}__________</span><span>${esc(t.signLine[1])}__________</span>` +
    `<span>${esc(t.signLine[2])}${esc(now)}</span></div>`;
}

function renderRegister() {
  const t = T();
  const r = state.register;
  const sheet = $('reg-sheet');
  if (!r) { sheet.innerHTML = ''; return; }
  const title = `${esc(r.centre)} ${esc(t.regKinds[r.kind])}`;
  if (r.kind === 'book') {
    const body = r.groups.map((g) => `<tr class="group" data-group="${esc(g.key)}"><th colspan="14">${esc(t.groupHead(LANG === 'zh' ? g.label : g.label_en, g.count))}</th></tr>` +
      g.cases.map((c) => `<tr data-case="${c.id}">${cell(c.n, 'num')}${cell(c.no)}${cell(c.received)}${cell(c.time)}${cell(c.window)}` +
        `${cell(c.clerk_name)}${cell(c.item_name)}${cell(t.caseTypes[c.type] || c.type)}${cell(c.applicant)}${cell(c.phone)}` +
        `${cell(c.type === 'returned' ? t.none : t.daysLimit(c.type === 'immediate' ? 0 : c.time_limit_days))}${cell(c.deadline)}${cell(c.done)}` +
        `${cell(LANG === 'zh' ? c.result : c.result_en, c.overdue_days ? 'late' : '')}</tr>`).join('') +
      `<tr class="subtotal"><td colspan="14">${esc(t.subtotal(g))}</td></tr>`).join('');
    sheet.innerHTML = `<h1>${title}</h1><p class="sub">${esc(t.bookSub(r.from, r.to, r.total))}${r.truncated ? esc(t.truncated(r.total, r.listed)) : ''}</p>` +
      `<table id="reg-table"><thead><tr>${t.bookCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
      (body || `<tr><td colspan="14" class="hint">${esc(t.noRows)}</td></tr>`) + `</tbody></table>${signBlock(t)}`;
    return;
  }
  const head = t.ledgerCols.map((c, i) => (i === 0 && r.by === 'month' ? t.monthCol : c)).filter((c, i) => !(i === 1 && r.by === 'month'));
  const line = (x) => `${cell(x.issued, 'num')}${cell(x.served, 'num')}${cell(x.consultations, 'num')}${cell(x.no_show, 'num')}` +
    `<td class="num" title="${esc(typeCounts(t, x.registered))}">${x.registered_total}</td>${cell(x.completed, 'num')}${cell(x.on_time, 'num')}` +
    `${cell(x.late, 'num ' + (x.late ? 'late' : ''))}${cell(x.returned, 'num')}${cell(x.ratings, 'num')}${cell(pct(x.satisfaction_rate), 'num')}${cell(x.complaints, 'num')}`;
  const rows = r.rows.map((x) => `<tr data-period="${esc(x.period)}" class="${x.weekday >= 5 ? 'weekend' : ''}">${cell(x.period)}` +
    `${r.by === 'day' ? cell(t.weekdays[x.weekday]) : ''}${line(x)}</tr>`).join('');
  const items = r.items.map((i) => `<tr data-item="${esc(i.item)}">${cell(i.name)}${cell(i.service_name)}` +
    `<td class="num" title="${esc(typeCounts(t, i.registered))}">${i.registered_total}</td>${cell(i.done, 'num')}${cell(i.on_time, 'num')}` +
    `${cell(i.late, 'num ' + (i.late ? 'late' : ''))}${cell(pct(i.on_time_rate), 'num')}${cell(i.returned, 'num')}${cell(i.open, 'num')}</tr>`).join('');
  // Cases registered by type over the period, as the county's form asks (分类汇总).
  const types = t.byType + r.types.map((x) => `${LANG === 'zh' ? x.label : x.label_en} ${r.totals.registered[x.type]}`).join('　');
  sheet.innerHTML = `<h1>${title}</h1><p class="sub">${esc(t.ledgerSub(r.from, r.to))}</p>` +
    `<table id="reg-table"><thead><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}` +
    `<tr class="total"><td colspan="${r.by === 'day' ? 2 : 1}"><b>${esc(t.totalRow)}</b></td>${line(r.totals)}</tr></tbody></table>` +
    `<p class="sub" id="reg-types">${esc(types)}</p>` +
    `<h2>${esc(t.itemsTitle)}</h2><table id="reg-items"><thead><tr>${t.itemCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>` +
    `<tbody>${items || `<tr><td colspan="9" class="hint">${esc(t.noRows)}</td></tr>`}</tbody></table>${signBlock(t)}`;
}

async function loadRegister() {
  const kind = $('reg-kind').value || 'book';
  const q = new URLSearchParams({ from: $('reg-from').value, to: $('reg-to').value });
  q.set(kind === 'book' ? 'classify' : 'by', $('reg-mode').value);
  const r = await api(`/api/v1/reports/${kind === 'book' ? 'register' : 'ledger'}?${q}`);
  r.kind = kind;
  state.register = r;
  renderRegister();
}

function registerCsv() {
  const r = state.register;
  if (!r) return;
  const t = T();
  if (r.kind === 'book') {
    const rows = [[t.classify, ...t.bookCols]];
    for (const g of r.groups)
      for (const c of g.cases)
        rows.push([LANG === 'zh' ? g.label : g.label_en, c.n, c.no, c.received, c.time, c.window, c.clerk_name, c.item_name,
          t.caseTypes[c.type] || c.type, c.applicant, c.phone, c.type === 'immediate' ? 0 : c.time_limit_days, c.deadline, c.done,
          LANG === 'zh' ? c.result : c.result_en]);
    download(`case-register-${r.from}-${r.to}.csv`, csv(rows));
    return;
  }
  const typeHead = r.types.map((x) => (LANG === 'zh' ? x.label : x.label_en));
  const head = [r.by === 'month' ? t.monthCol : t.ledgerCols[0], ...t.ledgerCols.slice(2, 7), ...typeHead, ...t.ledgerCols.slice(7)];
  const vals = (x) => [x.issued, x.served, x.consultations, x.no_show, x.registered_total, ...r.types.map((y) => x.registered[y.type]),
    x.completed, x.on_time, x.late, x.returned, x.ratings, x.satisfaction_rate ?? '', x.complaints];
  const rows = [head, ...r.rows.map((x) => [x.period, ...vals(x)]), [t.totalRow, ...vals(r.totals)], [],
    [t.itemCols[0], t.itemCols[1], t.itemCols[2], ...typeHead, ...t.itemCols.slice(3)],
    ...r.items.map((i) => [i.name, i.service_name, i.registered_total, ...r.types.map((y) => i.registered[y.type]), i.done, i.on_time,
      i.late, i.on_time_rate ?? '', i.returned, i.open])];
  download(`ledger-${r.from}-${r.to}-${r.by}.csv`, csv(rows));
}

// ---- appointments (R-APPT-1) ----

const serviceName = (id) => { const sv = state.services.find((x) => x.id === id); return sv ? (LANG === 'en' && sv.name_en ? sv.name_en : sv.name) : id; };

function fillBookSelects() {
  const t = T();
  const sv = $('bk-service');
  const keep = sv.value;
  sv.innerHTML = state.services.map((x) => `<option value="${esc(x.id)}">${esc(LANG === 'en' && x.name_en ? x.name_en : x.name)}</option>`).join('');
  if (keep) sv.value = keep;
  fillItems();
  const ch = $('bk-channel');
  const keepCh = ch.value;
  ch.innerHTML = ['phone', 'visit', 'letter', 'counter'].map((k) => `<option value="${k}">${esc(t.apptChannels[k])}</option>`).join('');
  if (keepCh) ch.value = keepCh;
}

function fillItems() {
  const sv = state.services.find((x) => x.id === $('bk-service').value);
  $('bk-item').innerHTML = `<option value="">${esc(T().anyItem)}</option>` +
    (sv ? sv.items.map((i) => `<option value="${esc(i.id)}">${esc(i.name)}</option>`).join('') : '');
}

// The free slots of a service's day into a select (full and begun slots shown but disabled).
async function fillSlots(select, service, day) {
  select.innerHTML = '';
  if (!service || !day) return;
  const r = await api(`/api/v1/appointments/slots?service=${encodeURIComponent(service)}&day=${day}`);
  const open = r.slots.filter((s) => s.open);
  select.innerHTML = r.slots.length
    ? r.slots.map((s) => `<option value="${s.start}" ${s.open ? '' : 'disabled'}>${esc(T().slotLabel(s))}</option>`).join('')
    : `<option value="" disabled>${esc(T().noSlots)}</option>`;
  select.value = open.length ? open[0].start : '';
}

function renderAppointments() {
  const t = T();
  $('appt-requests').innerHTML = `<thead><tr>${t.reqCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (state.requests.length ? state.requests.map((a) => `<tr data-appointment="${a.id}" class="${a.overdue ? 'overdue' : ''}">${cell('#' + a.id)}` +
      `${cell(a.received)}${cell(a.due + (a.overdue ? ' !' : ''))}${cell(serviceName(a.service))}${cell(a.item_name || t.none)}` +
      `${cell(a.name)}${cell(a.phone || t.none)}${cell(t.apptChannels[a.channel] || a.channel)}${cell(a.note)}` +
      `<td><button type="button" data-arrange="${a.id}">${esc(t.arrange)}</button></td></tr>`).join('')
      : `<tr><td colspan="10" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  const list = state.appts.filter((a) => a.day);
  $('appt-count').textContent = t.apptCount(list.filter((a) => a.state !== 'cancelled').length);
  $('appt-list').innerHTML = `<thead><tr>${t.apptCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (list.length ? list.map((a) => `<tr data-appointment="${a.id}" data-state="${a.state}" class="${a.state}">${cell(`${a.slot}–${a.slot_end}`)}` +
      `${cell(serviceName(a.service))}${cell(a.item_name || t.none)}${cell(a.name)}${cell(a.phone || t.none)}` +
      `${cell(t.apptChannels[a.channel] || a.channel)}${cell(t.apptStates[a.state] || a.state)}${cell(a.number || '')}` +
      `${cell(a.state === 'confirmed' ? a.code : '')}${cell(state.names[a.booked_by] || a.booked_by)}` +
      `<td>${a.state === 'confirmed' ? `<button type="button" data-slip="${a.id}">${esc(t.slipPrint)}</button> <button type="button" data-cancel="${a.id}">${esc(t.cancelAppt)}</button>` : ''}</td></tr>`).join('')
      : `<tr><td colspan="11" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  const badge = document.querySelector('[data-badge="appointments"]');
  if (badge) { badge.hidden = !state.requests.length; badge.textContent = state.requests.length; }
}

async function loadAppointments() {
  if (!state.apptOn) return;
  const day = $('appt-day').value;
  let open;
  try {
    open = await api('/api/v1/appointments');
  } catch (e) {
    // A hall without [appointments]: the tab says so and stays quiet.
    state.apptOn = false;
    $('appt-requests').innerHTML = `<tbody><tr><td class="hint">${esc(e.message)}</td></tr></tbody>`;
    return;
  }
  const [dayList] = await Promise.all([api(`/api/v1/appointments?day=${day}`)]);
  state.requests = open.appointments.filter((a) => a.state === 'requested');
  state.appts = dayList.appointments;
  renderAppointments();
}

// The booking slip the citizen takes home: code, time, place, check-in window and materials.
function showSlip(a) {
  const t = T();
  const el = $('appt-slip');
  el.hidden = false;
  el.innerHTML = `<h1>${esc(state.hall ? state.hall.centre : '')} ${esc(t.slipTitle)}</h1>` +
    `<div class="code" id="slip-code">${esc(a.code)}</div><div class="qr" id="slip-qr"></div>` +
    `<dl><dt>${esc(t.apptName)}</dt><dd>${esc(a.name)}</dd>` +
    `<dt>${esc(t.slipService)}</dt><dd>${esc(serviceName(a.service))}${a.item_name ? ' · ' + esc(a.item_name) : ''}</dd>` +
    `<dt>${esc(t.slipWhen)}</dt><dd>${esc(a.day)} ${esc(a.weekday || '')} ${esc(a.slot)}–${esc(a.slot_end)}</dd>` +
    `<dt>${esc(t.slipCheckin)}</dt><dd>${esc(a.checkin_from)}–${esc(a.checkin_until)}</dd>` +
    `<dt>${esc(t.slipPlace)}</dt><dd>${esc(a.place)}</dd>` +
    (a.materials && a.materials.length ? `<dt>${esc(t.slipMaterials)}</dt><dd><ol>${a.materials.map((m) => `<li>${esc(m)}</li>`).join('')}</ol></dd>` : '') +
    `</dl><p class="hint">${esc(t.slipHint)}</p>` +
    `<div class="buttons"><button type="button" id="slip-print">${esc(t.slipPrint)}</button></div>`;
  // The booking's QR (HQA:<code>) for the kiosk's scanner, drawn by the controller.
  fetch(`/api/v1/appointments/${a.id}/qr.svg`, { headers: { Authorization: `Bearer ${session.token}` } })
    .then((r) => (r.ok ? r.text() : '')).then((svg) => { if (svg.startsWith('<svg')) $('slip-qr').innerHTML = svg; }).catch(() => {});
  $('slip-print').addEventListener('click', () => {
    document.documentElement.dataset.print = 'slip';
    window.print();
    delete document.documentElement.dataset.print;
  });
  el.scrollIntoView({ block: 'nearest' });
}

async function submitBooking(ev) {
  ev.preventDefault();
  const body = { service: $('bk-service').value, item: $('bk-item').value, day: $('bk-day').value, slot: $('bk-slot').value,
    name: $('bk-name').value.trim(), phone: $('bk-phone').value.trim(), channel: $('bk-channel').value, note: $('bk-note').value.trim() };
  try {
    const a = await api('/api/v1/appointments', { method: 'POST', body });
    for (const id of ['bk-name', 'bk-phone', 'bk-note']) $(id).value = '';
    toast(T().booked(a.code));
    showSlip(a);
    $('appt-day').value = a.day;
    await loadAppointments();
    fillSlots($('bk-slot'), body.service, body.day).catch(() => {});
  } catch (e) { toast(e.message, true); }
}

function openArrange(id) {
  const t = T();
  const a = state.requests.find((x) => x.id === id);
  if (!a) return;
  $('appt-form').reset();
  $('appt-error').textContent = '';
  $('appt-title').textContent = t.apptTitle(id, a.name);
  $('appt-content').textContent = [serviceName(a.service), a.item_name, a.phone, a.note].filter(Boolean).join(' · ');
  $('ap-day').value = $('bk-day').value;
  $('appt-accept-fields').hidden = false;
  $('appt-reason-label').hidden = true;
  const dlg = $('appt-dialog');
  dlg.dataset.id = id;
  dlg.dataset.service = a.service;
  fillSlots($('ap-slot'), a.service, $('ap-day').value).catch((e) => { $('appt-error').textContent = e.message; });
  dlg.showModal();
}

async function submitArrange(ev) {
  const dlg = $('appt-dialog');
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const accept = new FormData($('appt-form')).get('accept') === 'yes';
  const body = accept ? { accept, day: $('ap-day').value, slot: $('ap-slot').value } : { accept, reason: $('ap-reason').value.trim() };
  try {
    const a = await api(`/api/v1/appointments/${dlg.dataset.id}/answer`, { method: 'POST', body });
    dlg.close();
    toast(accept ? T().booked(a.code) : T().saved);
    if (accept) showSlip(a);
    await loadAppointments();
  } catch (e) {
    $('appt-error').textContent = e.message;
  }
}

// ---- complaints and follow-ups ----

function renderComplaints() {
  const t = T();
  const rows = state.complaints;
  $('complaints').innerHTML = `<thead><tr>${t.complaintCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (rows.length ? rows.map((c) => `<tr data-complaint="${c.id}" class="${c.overdue ? 'neg' : ''}">${cell('#' + c.id)}${cell(c.received)}` +
      `${cell(c.due + (c.overdue ? ' !' : c.due_today ? ' ⏰' : ''))}${cell(c.window || t.none)}${cell(state.names[c.clerk] || c.clerk || t.none)}` +
      `${cell(t.channels[c.channel] || c.channel)}${cell(c.content)}${cell([c.name, c.phone].filter(Boolean).join(' '))}` +
      `<td><button type="button" data-answer="${c.id}">${esc(t.answer)}</button></td></tr>`).join('')
      : `<tr><td colspan="9" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  $('followups').innerHTML = `<thead><tr>${t.followCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (state.followups.length ? state.followups.map((f) => `<tr data-rating="${f.rating}">${cell(f.at.slice(0, 16).replace('T', ' '))}` +
      `${cell(f.window)}${cell(state.names[f.clerk] || f.clerk)}${cell(f.number)}${cell(f.label)}` +
      `<td><button type="button" data-review="${f.rating}">${esc(t.review)}</button></td></tr>`).join('')
      : `<tr><td colspan="6" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
  const badge = document.querySelector('[data-badge="complaints"]');
  const n = rows.length + state.followups.length;
  if (badge) { badge.hidden = !n; badge.textContent = n; }
}

async function loadComplaints() {
  const [c, f] = await Promise.all([api('/api/v1/complaints'), api('/api/v1/follow-ups')]);
  state.complaints = c.open;
  state.followups = f.open;
  renderComplaints();
}

function openAnswer(kind, id) {
  const t = T();
  const form = $('answer-form');
  form.reset();
  $('answer-error').textContent = '';
  const clerks = Object.entries(state.names);
  if (kind === 'complaint') {
    const c = state.complaints.find((x) => x.id === id);
    $('answer-title').textContent = t.answerTitle(id);
    $('answer-content').textContent = c.content || (c.categories || []).join('、');
    $('answer-text-label').textContent = t.answerText;
    $('answer-clerk-label').hidden = false;
    $('answer-clerk').innerHTML = `<option value="">${esc(t.none)}</option>` +
      clerks.map(([k, v]) => `<option value="${esc(k)}" ${k === c.clerk ? 'selected' : ''}>${esc(v)}（${esc(k)}）</option>`).join('');
  } else {
    const f = state.followups.find((x) => x.rating === id);
    $('answer-title').textContent = t.reviewTitle(f.window, f.label);
    $('answer-content').textContent = `${f.number} · ${state.names[f.clerk] || f.clerk}`;
    $('answer-text-label').textContent = t.reviewText;
    $('answer-clerk-label').hidden = true;
  }
  const dlg = $('answer-dialog');
  dlg.dataset.kind = kind;
  dlg.dataset.id = id;
  dlg.showModal();
}

async function submitAnswer(ev) {
  const dlg = $('answer-dialog');
  if (ev.submitter && ev.submitter.value === 'cancel') return;
  ev.preventDefault();
  const outcome = new FormData($('answer-form')).get('outcome');
  const text = $('answer-text').value.trim();
  try {
    if (dlg.dataset.kind === 'complaint')
      await api(`/api/v1/complaints/${dlg.dataset.id}/answer`, { method: 'POST', body: { outcome, answer: text, clerk: $('answer-clerk').value } });
    else
      await api(`/api/v1/follow-ups/${dlg.dataset.id}/review`, { method: 'POST', body: { outcome, note: text } });
    dlg.close();
    toast(T().saved);
    refresh();
  } catch (e) {
    $('answer-error').textContent = e.message;
  }
}

// ---- manual items and leave ----

function renderRecords() {
  const t = T();
  const clerks = Object.entries(state.names);
  for (const id of ['adj-clerk', 'lv-clerk']) {
    const sel = $(id);
    const keep = sel.value;
    sel.innerHTML = clerks.map(([k, v]) => `<option value="${esc(k)}">${esc(v)}（${esc(k)}）</option>`).join('');
    if (keep) sel.value = keep;
  }
  if (state.rulebook) {
    const sel = $('adj-rule');
    const keep = sel.value;
    sel.innerHTML = state.rulebook.rules.filter((r) => r.manual).map((r) =>
      `<option value="${esc(r.id)}" data-points="${r.points}">${esc(LANG === 'zh' ? r.label : r.label_en)}${r.id === 'other' ? '' : ' ' + signed(r.points)}</option>`).join('');
    if (keep) sel.value = keep;
    $('adj-points-label').hidden = sel.value !== 'other';
  }
  $('leave').innerHTML = `<thead><tr>${t.leaveCols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    (state.leave.length ? state.leave.slice().reverse().map((l) => `<tr>${cell(state.names[l.clerk] || l.clerk)}${cell(l.from)}${cell(l.to)}` +
      `${cell(t.kinds[l.kind] || l.kind)}${cell(l.reason)}${cell(l.by)}</tr>`).join('')
      : `<tr><td colspan="6" class="hint">${esc(t.noRows)}</td></tr>`) + '</tbody>';
}

async function loadRecords() {
  state.leave = (await api('/api/v1/leave')).leave;
  renderRecords();
}

async function submitAdjust(ev) {
  ev.preventDefault();
  const body = { clerk: $('adj-clerk').value, rule: $('adj-rule').value, month: $('adj-month').value, reason: $('adj-reason').value.trim() };
  if (body.rule === 'other') body.points = Number($('adj-points').value);
  try {
    await api('/api/v1/scores/adjustments', { method: 'POST', body });
    $('adj-reason').value = '';
    toast(T().saved);
  } catch (e) { toast(e.message, true); }
}

async function submitLeave(ev) {
  ev.preventDefault();
  const body = { clerk: $('lv-clerk').value, from: $('lv-from').value, to: $('lv-to').value, kind: $('lv-kind').value, reason: $('lv-reason').value.trim() };
  try {
    await api('/api/v1/leave', { method: 'POST', body });
    $('lv-reason').value = '';
    toast(T().saved);
    loadRecords();
  } catch (e) { toast(e.message, true); }
}

// ---- session, clock, stream ----

async function refresh() {
  if (!session) return;
  try {
    await loadLive();
    if (page === 'scores') await Promise.all([loadScores(), loadSummary()]);
    if (page === 'stats' && !state.stats) await loadStats();
    if (page === 'registers' && !state.register) await loadRegister();
    if (page === 'appointments') await loadAppointments();
    else if (state.apptOn) api('/api/v1/appointments').then((r) => {
      state.requests = r.appointments.filter((a) => a.state === 'requested'); renderAppointments();
    }).catch(() => { state.apptOn = false; });
    if (page === 'complaints') await loadComplaints();
    else api('/api/v1/complaints').then((c) => api('/api/v1/follow-ups').then((f) => {
      state.complaints = c.open; state.followups = f.open; renderComplaints();
    })).catch(() => {});
    if (page === 'records') await loadRecords();
  } catch (e) {
    toast(e.message, true);
  }
}

let ws = null;
let refreshTimer = null;
function connect() {
  if (!session) return;
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/api/v1/events?since=${state.hall ? state.hall.seq : 0}&token=${encodeURIComponent(session.token)}`);
  ws.onopen = () => { document.documentElement.dataset.live = 'true'; };
  ws.onmessage = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => (page === 'live' ? loadLive().catch(() => {}) : refresh()), 300);
  };
  ws.onclose = (ev) => {
    document.documentElement.dataset.live = 'false';
    // 1008: the session ended elsewhere; the next read says 401 and the page signs out.
    if (ev.code === 1008) { loadLive().catch(() => {}); return; }
    if (session) setTimeout(connect, 2000);
  };
}

async function start() {
  document.documentElement.dataset.view = 'pages';
  $('who').textContent = session.name ? `${session.name}（${session.user}）` : session.user;
  state.rulebook = await api('/api/v1/scoring/rulebook');
  await loadLive();
  // The hall's date, not the PC's: the month and quarter the review starts on.
  const day = (state.now || new Date().toISOString()).slice(0, 10);
  const month = day.slice(0, 7);
  if (!$('month').value) $('month').value = month;
  if (!$('adj-month').value) $('adj-month').value = month;
  if (!$('lv-from').value) { $('lv-from').value = day; $('lv-to').value = day; }
  if (!$('st-from').value) { $('st-from').value = `${month}-01`; $('st-to').value = day; }
  if (!$('reg-from').value) { $('reg-from').value = `${month}-01`; $('reg-to').value = day; }
  if (!$('appt-day').value) { $('appt-day').value = day; $('bk-day').value = day; }
  state.services = (await api('/api/v1/services')).services;
  fillBookSelects();
  fillSlots($('bk-slot'), $('bk-service').value, $('bk-day').value).catch(() => {});
  const y = Number(day.slice(0, 4)), q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
  const quarters = [];
  for (let i = 0; i < 4; i++) {
    const qq = ((q - 1 - i + 8) % 4) + 1, yy = y - (q - 1 - i < 0 ? 1 : 0);
    quarters.push(`${yy}-Q${qq}`);
  }
  $('quarter').innerHTML = quarters.map((x) => `<option>${x}</option>`).join('');
  await loadScores();
  renderRecords();
  showPage(page);
  connect();
  setInterval(() => { if (page === 'live') loadLive().catch(() => {}); }, 10000);
}

function signOut(callServer = true) {
  if (callServer && session) api('/api/v1/sessions', { method: 'DELETE' }).catch(() => {});
  session = null;
  sessionStorage.removeItem('hallq.admin');
  if (ws) ws.close();
  document.documentElement.dataset.view = 'signin';
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('si-error').textContent = '';
  try {
    const r = await api('/api/v1/sessions', { method: 'POST', body: { user: $('si-user').value.trim(), password: $('si-password').value } });
    session = { token: r.token, role: r.role, user: r.user, name: r.name };
    sessionStorage.setItem('hallq.admin', JSON.stringify(session));
    $('si-password').value = '';
    await start();
  } catch (e) {
    $('si-error').textContent = e.message;
  }
});
$('signout').addEventListener('click', () => signOut());
$('lang').addEventListener('click', () => {
  LANG = LANG === 'zh' ? 'en' : 'zh';
  localStorage.setItem('hallq.admin.lang', LANG);
  applyText();
  renderLive();
  renderScores();
  renderComplaints();
  renderRecords();
  renderStats();
  renderRegister();
  renderAppointments();
  if (session) loadSummary().catch(() => {});
});
$('tabs').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-page]');
  if (b) showPage(b.dataset.page);
});
$('month').addEventListener('change', () => loadScores().catch((e) => toast(e.message, true)));
$('quarter').addEventListener('change', () => loadSummary().catch((e) => toast(e.message, true)));
$('scores').addEventListener('click', (ev) => {
  const tr = ev.target.closest('tr[data-clerk]');
  if (!tr) return;
  state.selected = tr.dataset.clerk;
  renderScores();
  $('lines-panel').scrollIntoView({ block: 'nearest' });
});
$('scores-csv').addEventListener('click', () => {
  const t = T();
  download(`scores-${state.month}.csv`, csv([t.scoreCols, ...state.scores.map((e) =>
    [e.clerk, e.name, e.score, e.deducted, e.added, e.pending, e.satisfaction_rate ?? '', e.ratings])]));
});
$('lines-csv').addEventListener('click', () => {
  const e = state.scores.find((x) => x.clerk === state.selected);
  if (!e) return;
  download(`score-lines-${e.clerk}-${e.month}.csv`, csv([T().lineCols, ...e.lines.map((l) =>
    [l.date, LANG === 'zh' ? l.label : l.label_en, l.pending ? T().pendingMark : l.points, l.window || '', l.ref,
      LANG === 'zh' ? l.detail : l.detail_en, l.event])]));
});
$('scores-print').addEventListener('click', () => window.print());
$('stats-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  loadStats().catch((e) => toast(e.message, true));
});
$('stats-print').addEventListener('click', () => window.print());
$('reg-kind').addEventListener('change', () => {
  fillRegisterSelects();
  loadRegister().catch((e) => toast(e.message, true));
});
$('reg-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  loadRegister().catch((e) => toast(e.message, true));
});
$('reg-csv').addEventListener('click', registerCsv);
$('reg-print').addEventListener('click', () => window.print());
$('stats-csv').addEventListener('click', () => {
  const s = state.stats;
  if (!s) return;
  const t = T();
  const vals = (r) => [r.issued, r.served, r.consultations, r.no_show, r.cancelled, r.wait_p50_s ?? '', r.wait_p90_s ?? '',
    r.service_p50_s ?? '', r.service_p90_s ?? '', r.satisfaction_rate ?? '', r.ratings];
  const head = t.statCols.map((c, i) => (i >= 7 && i <= 10 ? `${c} (s)` : c));
  download(`stats-${s.from}-${s.to}-${s.by}-${s.group}.csv`,
    csv([head, ...s.rows.map((r) => [r.period, r.name, ...vals(r)]), [t.totalRow, '', ...vals(s.totals)]]));
});
$('complaints').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-answer]');
  if (b) openAnswer('complaint', Number(b.dataset.answer));
});
$('followups').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-review]');
  if (b) openAnswer('review', Number(b.dataset.review));
});
$('answer-form').addEventListener('submit', submitAnswer);
$('book-form').addEventListener('submit', submitBooking);
for (const id of ['bk-service', 'bk-day']) $(id).addEventListener('change', () => {
  if (id === 'bk-service') fillItems();
  fillSlots($('bk-slot'), $('bk-service').value, $('bk-day').value).catch((e) => toast(e.message, true));
});
$('appt-day').addEventListener('change', () => loadAppointments().catch((e) => toast(e.message, true)));
$('appt-requests').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-arrange]');
  if (b) openArrange(Number(b.dataset.arrange));
});
$('appt-list').addEventListener('click', async (ev) => {
  const slip = ev.target.closest('button[data-slip]');
  if (slip) { showSlip(state.appts.find((x) => x.id === Number(slip.dataset.slip))); return; }
  const b = ev.target.closest('button[data-cancel]');
  if (!b) return;
  const reason = window.prompt(T().cancelReason);
  if (!reason || !reason.trim()) return;
  try {
    await api(`/api/v1/appointments/${b.dataset.cancel}/cancel`, { method: 'POST', body: { reason: reason.trim() } });
    toast(T().saved);
    await loadAppointments();
  } catch (e) { toast(e.message, true); }
});
$('appt-form').addEventListener('change', (ev) => {
  if (ev.target.name === 'accept') {
    const accept = ev.target.value === 'yes';
    $('appt-accept-fields').hidden = !accept;
    $('appt-reason-label').hidden = accept;
    $('ap-reason').required = !accept;
  }
  if (ev.target.id === 'ap-day') fillSlots($('ap-slot'), $('appt-dialog').dataset.service, $('ap-day').value).catch((e) => { $('appt-error').textContent = e.message; });
});
$('appt-form').addEventListener('submit', submitArrange);
$('appt-csv').addEventListener('click', () => {
  const t = T();
  download(`appointments-${$('appt-day').value}.csv`, csv([t.apptCols.slice(0, 10), ...state.appts.filter((a) => a.day).map((a) =>
    [`${a.slot}-${a.slot_end}`, serviceName(a.service), a.item_name, a.name, a.phone, t.apptChannels[a.channel] || a.channel,
      t.apptStates[a.state] || a.state, a.number || '', a.state === 'confirmed' ? a.code : '', a.booked_by])]));
});
$('adj-rule').addEventListener('change', () => { $('adj-points-label').hidden = $('adj-rule').value !== 'other'; });
$('adjust-form').addEventListener('submit', submitAdjust);
$('leave-form').addEventListener('submit', submitLeave);
// The hall's time in the hall's zone (the offset its timestamps carry), whatever the PC's.
setInterval(() => {
  if (!state.now) return;
  const m = /([+-])(\d\d):(\d\d)$/.exec(state.now);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(Date.now() + (state.skew || 0) + offset * 60000);
  $('clock').textContent = `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}, 1000);

applyText();
if (session) start().catch(() => signOut(false));
