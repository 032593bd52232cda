// The touch kiosk end to end in a real browser (issue 5): Debian's chromium shows hallq-kiosk's
// page, a citizen taps through it, and the paper, the controller and the screen must agree.
// Every fault a citizen can meet — printer out of paper, controller down, hall closed, daily
// limit — shows its message and issues nothing. Screenshots of every screen go to
// build/dev/artefacts/browser (HALLQ_ARTEFACTS) to be looked at.
//   node --test tests/browser/       (CTest: browser.kiosk)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Hall, launchBrowser, artefact, scannerRecords } from './hall.mjs';

const PORTRAIT = { width: 1080, height: 1920 };
const LANDSCAPE = { width: 1920, height: 1080 };

async function screen(page, name, timeout = 15000) {
  await page.waitForSelector(`html[data-screen="${name}"]`, { timeout });
}

// Taps the way a finger does (touch events, then the click the browser makes of them).
async function tap(page, selector) {
  const loc = page.locator(selector).first();
  await loc.waitFor({ state: 'visible' });
  // The page ignores taps for a moment after a screen change (a double tap must not also press
  // the next screen's button in the same place); a citizen's next tap comes later too.
  await page.waitForTimeout(450);
  await loc.tap();
}

// Saves a screenshot of the screen, after checking its touch targets: every visible button at
// least 15 mm each way, 60 px on a 21.5" 1080p screen (0.248 mm a pixel).
async function shot(page, name) {
  await page.waitForTimeout(150);  // let fonts and the last frame settle
  await page.screenshot({ path: artefact(`${name}.png`) });
  const small = await page.$$eval('button', (bs) => bs.filter((b) => {
    const r = b.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (r.height < 60 || r.width < 60);
  }).map((b) => `${b.textContent.trim()} ${Math.round(b.getBoundingClientRect().width)}×${Math.round(b.getBoundingClientRect().height)}`));
  assert.deepEqual(small, [], `${name}: buttons under 15 mm`);
}

// R-EVAL-1 (run in the page): the five rating buttons and the note (一次一评…) are above the
// action row, unscrolled, and nothing sticks out sideways.
function ratesFit() {
  const rates = [...document.querySelectorAll('.rate')];
  const bottom = Math.max(...[...rates, document.querySelector('.rate-note')].map((b) => b.getBoundingClientRect().bottom));
  return rates.length === 5 && bottom <= document.querySelector('.actions').getBoundingClientRect().top
    && document.documentElement.scrollWidth <= window.innerWidth;
}

// A hall with its kiosk, and Chromium showing the kiosk's page at its start screen.
async function openKiosk(viewport, hallOptions) {
  const hall = await new Hall(hallOptions).start();
  const context = await launchBrowser(viewport);
  const page = context.pages()[0] || await context.newPage();
  await page.goto(hall.kioskUrl);
  await screen(page, 'idle');
  return {
    hall,
    page,
    async close() {
      await context.close();
      await hall.stop();
    },
  };
}

describe('touch kiosk in chromium', () => {
  let kiosk;
  let hall;
  let page;

  before(async () => {
    kiosk = await openKiosk(PORTRAIT);
    ({ hall, page } = kiosk);
  });

  after(async () => kiosk?.close());

  test('a citizen takes a ticket by touch; the paper carries the number the controller issued', async () => {
    await page.waitForSelector('.cta');
    await shot(page, 'portrait-01-idle');
    await tap(page, '.cta');
    await screen(page, 'services');
    await shot(page, 'portrait-02-services');
    await tap(page, 'button[data-event=\'["service","minzheng"]\']');
    await screen(page, 'items');
    await shot(page, 'portrait-03-items');
    await tap(page, 'button[data-event=\'["item","dibao"]\']');
    await screen(page, 'materials');
    // R-ONCE-1: every material of the item's guide, before the ticket.
    const { json: services } = await hall.api('/api/v1/services');
    const dibao = services.services.find((s) => s.id === 'minzheng').items.find((i) => i.id === 'dibao');
    const shown = await page.locator('.materials li').allTextContents();
    assert.deepEqual(shown, dibao.materials);
    await shot(page, 'portrait-04-materials');
    // The guide's QR on the screen reads back as the item's guide (a phone can take it away).
    await page.locator('.guide-qr img').scrollIntoViewIfNeeded();
    await page.locator('.guide-qr').screenshot({ path: artefact('portrait-04b-guide-qr.png') });
    const read = execFileSync('zbarimg', ['-q', '--raw', artefact('portrait-04b-guide-qr.png')], { encoding: 'utf8' });
    assert.equal(read.trim(), dibao.guide_url);
    await tap(page, 'button[data-event=\'["ok",""]\']');
    await screen(page, 'priority');
    await shot(page, 'portrait-05-priority');
    await tap(page, 'button[data-event=\'["priority","normal"]\']');
    await screen(page, 'done');
    await shot(page, 'portrait-06-done');

    const number = (await page.locator('.ticket .number').textContent()).trim();
    assert.match(number, /^A\d{3}$/);
    const { status, json: ticket } = await hall.api(`/api/v1/tickets?number=${number}`, { token: 'demo-kiosk-1' });
    assert.equal(status, 200);
    assert.equal(ticket.state, 'waiting');
    assert.equal(ticket.issued_by, 'kiosk-1');
    const jobs = hall.jobs();
    assert.equal(jobs.length, 1);
    assert.ok(jobs[0].text.split('\n').some((l) => l.trim() === number), `the ticket reads:\n${jobs[0].text}`);
    assert.ok(jobs[0].text.includes(`[QR] http://192.168.1.10:8080/t/${ticket.id}`), jobs[0].text);
    for (const m of dibao.materials) assert.ok(jobs[0].text.includes(m.slice(0, 6)), `${m} is not on the ticket`);

    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
  });

  test('a citizen checks the ticket on the number pad and by scanning its QR', async () => {
    const before = hall.jobs().length;
    await tap(page, '.idle-top .tool.lookup');
    await screen(page, 'lookup');
    await page.waitForTimeout(450);
    for (const k of ['A', '0', '0', '9', 'del', '1']) await page.locator(`button[data-key="${k}"]`).tap();
    assert.equal((await page.locator('.lookup-display').textContent()).trim(), 'A001');
    await shot(page, 'portrait-07-lookup');
    await tap(page, '.js-lookup-go');
    await screen(page, 'progress');
    assert.equal((await page.locator('.number').textContent()).trim(), 'A001');
    assert.match(await page.locator('.progress-state').textContent(), /排队等候中/);
    await shot(page, 'portrait-08-progress');

    // The clerk calls it; the QR scanned at the kiosk shows where to go.
    const { json: signIn } = await hall.api('/api/v1/windows/1/sign-in', { method: 'POST', body: { clerk: 'c01', pin: '123456' } });
    const called = await hall.api('/api/v1/windows/1/call-next', { method: 'POST', token: signIn.token });
    assert.equal(called.json.number, 'A001');
    writeFileSync(hall.scannerPath, scannerRecords(`http://192.168.1.10:8080/t/${called.json.id}`));
    await page.waitForFunction(() => /1 号窗口/.test(document.querySelector('.progress-state')?.textContent || ''));
    await shot(page, 'portrait-09-progress-called');
    assert.equal(hall.jobs().length, before);  // looking up prints nothing
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
  });

  test('R-HALL-3 a citizen calls a staff member (帮办代办); the kiosk shows when someone answered', async () => {
    await tap(page, '.idle-top .tool.help');
    await screen(page, 'help');
    await page.waitForFunction(() => /已通知工作人员/.test(document.querySelector('.working')?.textContent || ''));
    await shot(page, 'portrait-15-help-open');
    const { json: hallNow } = await hall.api('/api/v1/hall');
    assert.equal(hallNow.help_requests.length, 1);
    const request = hallNow.help_requests[0];
    assert.equal(request.device, 'kiosk-1');
    assert.equal(request.location, '大厅入口');
    // Pressing again changes nothing.
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
    await page.waitForSelector('.help-strip');
    await tap(page, '.idle-top .tool.help');
    await screen(page, 'help');
    const { json: again } = await hall.api('/api/v1/hall');
    assert.deepEqual(again.help_requests.map((r) => r.id), [request.id]);

    const { json: signIn } = await hall.api('/api/v1/windows/6/sign-in', { method: 'POST', body: { clerk: 'c11', pin: '123456' } });
    const answered = await hall.api(`/api/v1/help-requests/${request.id}/answer`, { method: 'POST', token: signIn.token });
    assert.equal(answered.status, 200);
    await page.waitForFunction(() => /马上就到/.test(document.querySelector('.working')?.textContent || ''), null, { timeout: 15000 });
    await shot(page, 'portrait-16-help-answered');
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
    await page.waitForSelector('.help-strip', { state: 'detached' });
  });

  test('R-COMP-1 a citizen files a complaint; the answer date shows and the phone is masked after entry', async () => {
    await tap(page, '.idle-foot .tool.complaint');
    await screen(page, 'complaint');
    assert.equal(await page.locator('.js-complaint-go').isDisabled(), true);  // nothing chosen yet
    await page.waitForTimeout(450);
    for (const sel of ['[data-cat="attitude"]', '[data-cat="waiting"]', '[data-win="3"]']) await page.locator(sel).tap();
    for (const d of '138123456789') await page.locator(`[data-phone="${d}"]`).tap();
    await page.locator('[data-phone="del"]').tap();
    assert.equal((await page.locator('.js-phone').textContent()).trim(), '13812345678');
    assert.equal(await page.locator('[data-win="3"]').getAttribute('aria-pressed'), 'true');
    await shot(page, 'portrait-17-complaint');
    await tap(page, '.js-complaint-go');
    await screen(page, 'filed');
    const text = await page.locator('#app').textContent();
    assert.match(text, /138\*\*\*\*5678/);
    assert.match(text, /2026-03-09/);  // Monday 2 March + 5 working days
    assert.doesNotMatch(text, /13812345678/);
    await shot(page, 'portrait-18-complaint-filed');
    const { text: metrics } = await hall.api('/metrics');
    assert.match(metrics, /hallq_complaints_total 1/);
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
  });

  test('R-APPT-1 预约签到: a booking code typed on the number pad; too early refused; the paper marked 预约', async () => {
    const token = await hall.signIn(2, 'c03');
    const booking = { service: 'minzheng', item: '', channel: 'phone', name: '张三', phone: '13812345678', day: '2026-03-02' };
    const early = await hall.api('/api/v1/appointments', { method: 'POST', token, body: { ...booking, slot: '11:30' } });
    assert.equal(early.status, 201, early.text);
    const due = await hall.api('/api/v1/appointments', { method: 'POST', token, body: { ...booking, slot: '10:30' } });
    assert.equal(due.status, 201, due.text);
    const issued = await hall.issuedTotal();
    const jobs = hall.jobs().length;

    // Too early (check-in opens at 11:00): the controller's words; 返回 is the number pad again.
    await tap(page, '.idle-top .tool.appt');
    await screen(page, 'appointment');
    assert.equal(await page.locator('.js-code-go').isDisabled(), true);
    await page.waitForTimeout(450);
    for (const d of early.json.code) await page.locator(`button[data-code="${d}"]`).tap();
    await tap(page, '.js-code-go');
    await screen(page, 'error');
    assert.match(await page.locator('.error-message').textContent(), /请于 11:00 后签到/);
    await shot(page, 'portrait-19a-appointment-too-early');
    assert.equal(await hall.issuedTotal(), issued);
    assert.equal(hall.jobs().length, jobs);
    await tap(page, 'button[data-event=\'["back",""]\']');
    await screen(page, 'appointment');

    // On time: six digits at most; the ticket screen and the paper carry the number and 预约.
    await page.waitForTimeout(450);
    for (const d of `${due.json.code}9`) await page.locator(`button[data-code="${d}"]`).tap();
    assert.equal((await page.locator('.js-code').textContent()).trim(), due.json.code);
    await shot(page, 'portrait-19-appointment');
    await tap(page, '.js-code-go');
    await screen(page, 'done');
    assert.equal((await page.locator('.ticket-priority').textContent()).trim(), '预约');
    await shot(page, 'portrait-19b-appointment-done');
    const number = (await page.locator('.ticket .number').textContent()).trim();
    const { json: ticket } = await hall.api(`/api/v1/tickets?number=${number}`, { token: 'demo-kiosk-1' });
    assert.equal(ticket.appointment, due.json.id);
    assert.equal(ticket.priority, 'appointment');
    const printed = hall.jobs();
    assert.equal(printed.length, jobs + 1);
    const paper = printed[printed.length - 1].text;
    assert.ok(paper.split('\n').some((l) => l.trim() === number), paper);
    assert.match(paper, /预约/);
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
  });

  test('R-EVAL-1 一次一评: a finished service rated late by scanning its ticket; thanks; rated once; a wrong key refused', async () => {
    // A 劳动保障 ticket taken by touch: the paper's QR carries the ticket's own key.
    await tap(page, 'button[data-event=\'["service","laodong"]\']');
    await screen(page, 'items');
    await tap(page, 'button[data-event=\'["item",""]\']');
    await screen(page, 'priority');
    await tap(page, 'button[data-event=\'["priority","normal"]\']');
    await screen(page, 'done');
    const number = (await page.locator('.ticket .number').textContent()).trim();
    const paper = hall.jobs().at(-1).text;
    const m = /^\[QR\] (http:\/\/192\.168\.1\.10:8080\/t\/(\d+)\?k=([0-9a-f]{16}))$/m.exec(paper);
    assert.ok(m, paper);
    const [, url, id, key] = m;
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');

    // Served and finished at window 2; the citizen scans the ticket at the kiosk afterwards.
    const token = await hall.signIn(2, 'c03');
    const called = await hall.api('/api/v1/windows/2/call-next', { method: 'POST', token });
    assert.equal(called.json.number, number);
    assert.equal((await hall.api('/api/v1/windows/2/start', { method: 'POST', token })).status, 200);
    const finished = await hall.api('/api/v1/windows/2/finish', { method: 'POST', token, body: { consultation: true } });
    assert.equal(finished.status, 200, finished.text);
    writeFileSync(hall.scannerPath, scannerRecords(url));
    await screen(page, 'rating');
    assert.equal((await page.locator('.rate-number').textContent()).trim(), number);
    assert.match(await page.locator('.rate-ticket').textContent(), /劳动保障 · 2 号窗口/);
    assert.deepEqual((await page.locator('.rate .rate-name').allTextContents()).map((x) => x.trim()),
      ['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    assert.match(await page.locator('.rate-note').textContent(), /一次一评，提交后不能修改；评价不记名/);
    // All five buttons and 返回 on the portrait screen without scrolling.
    assert.equal(await page.evaluate(ratesFit), true);
    assert.equal(await page.locator('.actions button[data-event=\'["back",""]\']').count(), 1);
    assert.equal((await page.content()).includes(key), false);  // the page never holds the key
    await shot(page, 'portrait-24-rating');
    await tap(page, 'button[data-event=\'["lang","en"]\']');
    await page.waitForSelector('html[lang="en"]');
    assert.match(await page.locator('.rate-5 .rate-name').textContent(), /Very satisfied/);
    await shot(page, 'portrait-24b-rating-en');
    await tap(page, 'button[data-event=\'["lang","zh"]\']');
    await page.waitForSelector('html[lang="zh-CN"]');
    await tap(page, 'button[data-event=\'["elderly","on"]\']');
    await page.waitForSelector('html.elderly');
    await shot(page, 'portrait-24c-rating-large');
    assert.equal(await page.evaluate(ratesFit), true, 'large text');
    await tap(page, 'button[data-event=\'["elderly","off"]\']');
    await page.waitForSelector('html:not(.elderly)');

    await tap(page, 'button[data-event=\'["rate","4"]\']');
    await screen(page, 'rated');
    assert.match(await page.locator('#app').textContent(), /感谢您的评价/);
    assert.match(await page.locator('#app').textContent(), /您的评价：满意/);
    await shot(page, 'portrait-25-rated');
    const { json: rated } = await hall.api(`/api/v1/tickets/${id}`);
    assert.equal(rated.rated, true);
    const again = await hall.api(`/api/v1/tickets/${id}/rating`, { method: 'POST', token: 'demo-kiosk-1', body: { level: 1, key } });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'already_rated');

    // Scanned again: 本次服务已评价, no buttons.
    writeFileSync(hall.scannerPath, scannerRecords(url));
    await screen(page, 'progress');
    assert.match(await page.locator('.rated-note').textContent(), /本次服务已评价/);
    assert.equal(await page.locator('.rate').count(), 0);
    await shot(page, 'portrait-26-rated-already');

    // Another key (a forged or mistyped QR): the rating screen, then the controller's refusal with 返回.
    const wrong = key === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef';
    const { json: other } = await hall.api('/api/v1/tickets', { method: 'POST', token: 'demo-kiosk-1',
      body: { service: 'laodong', priority: 'normal', channel: 'kiosk', request_id: 'browser-rating-2' } });
    await hall.api('/api/v1/windows/2/call-next', { method: 'POST', token });
    await hall.api('/api/v1/windows/2/start', { method: 'POST', token });
    await hall.api('/api/v1/windows/2/finish', { method: 'POST', token, body: { consultation: true } });
    writeFileSync(hall.scannerPath, scannerRecords(`http://192.168.1.10:8080/t/${other.id}?k=${wrong}`));
    await screen(page, 'rating');
    await tap(page, 'button[data-event=\'["rate","5"]\']');
    await screen(page, 'error');
    assert.match(await page.locator('.error-message').textContent(), /号票二维码无效/);
    await shot(page, 'portrait-27-rating-refused');
    await tap(page, 'button[data-event=\'["back",""]\']');
    await screen(page, 'services');
    const { json: notRated } = await hall.api(`/api/v1/tickets/${other.id}`);
    assert.equal(notRated.rated, false);
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
  });

  test('paper out: the kiosk says so, refuses, and issues nothing', async () => {
    const issued = await hall.issuedTotal();
    const jobs = hall.jobs().length;
    hall.setPrinterFault('paper-out');
    await page.waitForSelector('.banner.big', { timeout: 15000 });
    assert.match(await page.locator('.banner.big').textContent(), /打印纸已用完/);
    await shot(page, 'portrait-10-paper-out-idle');
    await tap(page, 'button[data-event=\'["service","laodong"]\']');
    await screen(page, 'error');
    assert.match(await page.locator('.error-message').textContent(), /纸/);
    await shot(page, 'portrait-11-paper-out-error');
    assert.equal(await hall.issuedTotal(), issued);
    assert.equal(hall.jobs().length, jobs);
    hall.setPrinterFault('ok');
    await tap(page, 'button[data-event=\'["home",""]\']');
    await page.waitForSelector('.cta', { timeout: 15000 });  // the banner goes with the fault
  });

  test('controller down: the offline message, nothing printed; back by itself', async () => {
    const jobs = hall.jobs().length;
    await hall.stopController();
    await page.waitForSelector('.banner.big', { timeout: 15000 });
    assert.match(await page.locator('.banner.big').textContent(), /暂停取号，请到咨询台/);
    await shot(page, 'portrait-12-offline-idle');
    await tap(page, 'button[data-event=\'["service","minzheng"]\']');
    await screen(page, 'error');
    assert.match(await page.locator('.error-message').textContent(), /暂停取号/);
    await shot(page, 'portrait-13-offline-error');
    assert.equal(hall.jobs().length, jobs);
    await hall.restartController();
    await tap(page, 'button[data-event=\'["home",""]\']');
    await page.waitForSelector('.cta', { timeout: 20000 });
  });

  test('the kiosk daemon restarting: the page says please wait, then comes back by itself', async () => {
    await hall.stopKiosk();
    await page.waitForSelector('#wait:not([hidden])', { timeout: 10000 });
    await shot(page, 'portrait-14-kiosk-restarting');
    await hall.restartKiosk();
    await page.waitForSelector('#wait', { state: 'hidden', timeout: 15000 });
    await screen(page, 'idle');
  });
});

describe('kiosk in landscape and large text', () => {
  let kiosk;
  let hall;
  let page;

  before(async () => {
    kiosk = await openKiosk(LANDSCAPE);
    ({ hall, page } = kiosk);
  });

  after(async () => kiosk?.close());

  test('1920×1080: every screen fits; English; the large-text mode', async () => {
    await page.waitForSelector('.cta');
    await shot(page, 'landscape-01-idle');
    await tap(page, 'button[data-event=\'["lang","en"]\']');
    await page.waitForSelector('html[lang="en"]');
    assert.match(await page.locator('.cta-main').textContent(), /Touch to take a ticket/);
    await shot(page, 'landscape-02-idle-en');
    await tap(page, 'button[data-event=\'["lang","zh"]\']');
    await tap(page, 'button[data-event=\'["elderly","on"]\']');
    await page.waitForSelector('html.elderly');
    await shot(page, 'landscape-03-idle-large');
    await tap(page, 'button[data-event=\'["service","minzheng"]\']');
    await screen(page, 'items');
    await tap(page, 'button[data-event=\'["item","dibao"]\']');
    await screen(page, 'materials');
    await shot(page, 'landscape-04-materials-large');
    await tap(page, 'button[data-event=\'["ok",""]\']');
    await tap(page, 'button[data-event=\'["priority","elderly"]\']');
    await screen(page, 'done');
    await shot(page, 'landscape-05-done-large');
    const number = (await page.locator('.ticket .number').textContent()).trim();
    assert.ok(hall.jobs()[0].text.includes(number));
    // The view fits the screen: nothing scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
    await page.waitForSelector('html:not(.elderly)');  // the next citizen starts in the default view
    await tap(page, '.idle-top .tool.lookup');
    await screen(page, 'lookup');
    await shot(page, 'landscape-06-lookup');
    await tap(page, 'button[data-event=\'["home",""]\']');
    await screen(page, 'idle');
  });

  test('R-EVAL-1 the rating screen fits 1920×1080, also in large text', async () => {
    // The ticket the first test printed, served and finished at window 1.
    const url = /^\[QR\] (http:\/\/\S+\?k=[0-9a-f]{16})$/m.exec(hall.jobs()[0].text)[1];
    const token = await hall.signIn(1, 'c01');
    await hall.api('/api/v1/windows/1/call-next', { method: 'POST', token });
    await hall.api('/api/v1/windows/1/start', { method: 'POST', token });
    const finished = await hall.api('/api/v1/windows/1/finish', { method: 'POST', token, body: { consultation: true } });
    assert.equal(finished.status, 200, finished.text);
    for (const [large, name] of [[false, 'landscape-07-rating'], [true, 'landscape-08-rating-large']]) {
      writeFileSync(hall.scannerPath, scannerRecords(url));
      await screen(page, 'rating');
      if (large) {
        await tap(page, 'button[data-event=\'["elderly","on"]\']');
        await page.waitForSelector('html.elderly');
      }
      await shot(page, name);
      assert.equal(await page.evaluate(ratesFit), true, name);
      await tap(page, 'button[data-event=\'["home",""]\']');
      await screen(page, 'idle');
    }
  });
});

describe('hall closed and daily limit in chromium', () => {
  test('outside opening hours: the service says why and issues nothing', async () => {
    // A Monday at 22:00 in a hall that keeps its hours.
    const kiosk = await openKiosk(PORTRAIT, { clock: '2026-03-02T22:00:00+08:00', hall: {} });
    const { hall, page } = kiosk;
    try {
      await page.waitForSelector('.svc.closed');
      await shot(page, 'portrait-20-closed-idle');
      await tap(page, 'button[data-event=\'["service","minzheng"]\']');
      await screen(page, 'error');
      assert.match(await page.locator('.error-message').textContent(), /17:30/);
      await shot(page, 'portrait-21-closed-error');
      assert.equal(await hall.issuedTotal(), 0);
      assert.equal(hall.jobs().length, 0);
    } finally {
      await kiosk.close();
    }
  });

  test('daily limit reached: the last ticket prints, then the service closes with its reason', async () => {
    // The example hall's first daily_limit is 民政救助's.
    const kiosk = await openKiosk(PORTRAIT, { hall: { always_open: 'true', daily_limit: '1' } });
    const { hall, page } = kiosk;
    try {
      await tap(page, 'button[data-event=\'["service","minzheng"]\']');
      await screen(page, 'items');
      await tap(page, 'button[data-event=\'["item",""]\']');
      await tap(page, 'button[data-event=\'["priority","normal"]\']');
      await screen(page, 'done');
      await tap(page, 'button[data-event=\'["home",""]\']');
      await page.waitForFunction(() => /号源已取完/.test(document.querySelector('.svc.closed')?.textContent || ''),
        null, { timeout: 15000 });
      await shot(page, 'portrait-22-limit-idle');
      await tap(page, 'button[data-event=\'["service","minzheng"]\']');
      await screen(page, 'error');
      assert.match(await page.locator('.error-message').textContent(), /号源已取完/);
      await shot(page, 'portrait-23-limit-error');
      assert.equal(await hall.issuedTotal(), 1);
      assert.equal(hall.jobs().length, 1);
    } finally {
      await kiosk.close();
    }
  });
});
