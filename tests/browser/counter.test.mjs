// The clerk console (/counter on the controller, issue 7) in Debian's chromium at 1366×768, the
// common window PC: a clerk signs in as the A post, calls, recalls, transfers to another
// service with the first-contact clerk kept (R-FIRST-1/2), finishes with a supplement case
// whose one-time notice lists every missing material (R-ONCE-2) and is printed through the
// browser at a window without a printer, asks for more (R-CASE-6, an incomplete notice recorded:
// R-ONCE-4), logs an enquiry with the phone masked (R-FIRST-3),
// pauses with the 3-minute timer (R-AB-3), and B covering A leaves a hand-over log (R-AB-1).
// Every step goes through the real controller; screenshots go to build/dev/artefacts/browser.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hall, launchBrowser, artefact } from './hall.mjs';

const PC = { width: 1366, height: 768 };

describe('clerk console', () => {
  let hall;
  let browser;
  let page;

  before(async () => {
    hall = await new Hall().startControllerOnly();
    browser = await launchBrowser(PC);
    page = await browser.newPage();
    // window.print() opens the system dialog; here it is counted instead.
    await page.addInitScript(() => {
      window.__printed = [];
      window.print = () => {
        const a = document.getElementById('print-area');
        window.__printed.push({ doc: a.dataset.doc, copies: Number(a.dataset.copies), text: a.innerText });
      };
    });
  });

  after(async () => {
    await browser?.close();
    await hall?.stop();
  });

  const text = (sel) => page.locator(sel).first().innerText();
  const issue = async (service) => {
    const r = await hall.api('/api/v1/tickets', { method: 'POST', token: 'demo-kiosk-1', body: { service } });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const signInPage = async (window, clerk) => {
    await page.goto(`http://127.0.0.1:${hall.port}/counter`);
    await page.waitForSelector('html[data-view="signin"]');
    await page.selectOption('#si-window', String(window));
    await page.fill('#si-clerk', clerk);
    await page.fill('#si-pin', '123456');
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('html[data-view="console"][data-live="true"]');
  };

  test('R-ACCT-1: a wrong PIN is refused; the clerk signs in under their own account as the A post', async () => {
    await page.goto(`http://127.0.0.1:${hall.port}/counter`);
    await page.waitForSelector('html[data-view="signin"]');
    await page.screenshot({ path: artefact('counter-signin.png') });
    await page.selectOption('#si-window', '1');
    await page.fill('#si-clerk', 'c01');
    await page.fill('#si-pin', '000000');
    await page.click('#signin-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('si-error').textContent.length > 0);
    assert.equal(await page.getAttribute('html', 'data-view'), 'signin');
    // Not a post of window 1.
    await page.fill('#si-clerk', 'c03');
    await page.fill('#si-pin', '123456');
    await page.click('#signin-form button[type="submit"]');
    await page.waitForFunction(() => /A\/B/.test(document.getElementById('si-error').textContent));
    await signInPage(1, 'c01');
    assert.match(await text('#who'), /刘春梅\s*A岗/);
    assert.equal(await text('#where'), '1 · 民政救助');
    assert.equal(await page.isVisible('#cover'), false);
  });

  test('R-HALL-5 R-FIRST-1/2: call, recall with the recalls left, transfer keeping the first-contact clerk', async () => {
    await issue('minzheng');
    await issue('minzheng');
    await page.waitForFunction(() => document.querySelector('#waiting tr[data-service="minzheng"] .count')?.textContent === '2 人');
    await page.keyboard.press('n');  // call next
    await page.waitForFunction(() => document.getElementById('cur-number').textContent === 'A001');
    assert.match(await text('#cur-state'), /已叫号 · 还可重呼 2 次/);
    await page.click('#actions button[data-act="recall"]');
    await page.waitForFunction(() => /还可重呼 1 次/.test(document.getElementById('cur-state').textContent));
    assert.match(await text('#cur-history'), /已重呼 1 次/);
    // Not this window's matter: transferred to 劳动保障 (never refused).
    await page.keyboard.press('t');
    await page.waitForSelector('#dlg-transfer[open]');
    await page.selectOption('#tr-service', 'laodong');
    await page.screenshot({ path: artefact('counter-transfer.png') });
    await page.click('#transfer-form button[value="ok"]');
    await page.waitForFunction(() => document.getElementById('cur-number').textContent === '—');
    const moved = await hall.api('/api/v1/tickets/1', { token: await hall.staffToken() });
    assert.equal(moved.json.service, 'laodong');
    assert.equal(moved.json.first_clerk, 'c01');
    assert.equal(moved.json.transfers[0].from_clerk, 'c01');
    assert.equal(await text('#today dd[data-k="transferred"]'), '1');
  });

  test('R-ONCE-2/3 R-CASE-1: finish with a supplement case; the notice lists every missing material, printed by the browser', async () => {
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.getElementById('cur-number').textContent === 'A002');
    await page.keyboard.press('s');  // start
    await page.waitForFunction(() => document.getElementById('cur-state').textContent.startsWith('办理中'));
    await page.screenshot({ path: artefact('counter-serving.png') });
    await page.keyboard.press('f');
    await page.waitForSelector('#dlg-finish[open]');
    await page.selectOption('#cf-item', 'dibao');
    await page.selectOption('#cf-type', 'supplement');
    await page.fill('#cf-applicant', '张三丰');
    await page.fill('#cf-phone', '13812345678');
    const materials = await page.locator('#cf-received input').evaluateAll((xs) => xs.map((x) => x.value));
    assert.ok(materials.length >= 3, `materials of dibao: ${materials}`);
    // The first material received, every other one missing.
    await page.locator('#cf-received input').first().check();
    const missing = materials.slice(1);
    for (let i = 1; i < materials.length; i++) await page.locator('#cf-missing input').nth(i).check();
    assert.match(await text('#deadline-preview'), /材料补齐后次日起算/);
    await page.screenshot({ path: artefact('counter-finish-case.png') });
    await page.click('#finish-ok');
    await page.waitForFunction(() => window.__printed.length === 1);
    const printed = await page.evaluate(() => window.__printed[0]);
    assert.equal(printed.doc, 'supplement');
    assert.equal(printed.copies, 2, 'R-ONCE-3: two copies, one for the citizen, one for the file');
    for (const m of missing) assert.ok(printed.text.includes(m), `missing material "${m}" is on the notice`);
    assert.ok(printed.text.includes('张三丰'), 'the name in clear on paper');
    // The case is listed, awaiting materials; the applicant masked in the list.
    await page.waitForSelector('#cases tr[data-case]');
    const row = await text('#cases tr[data-case]');
    assert.match(row, /张\*\*/);
    assert.match(row, /补办件/);
    assert.equal(await text('#today dd[data-k="cases"]'), '1');
    assert.equal(await text('#today dd[data-k="served"]'), '1');
  });

  test('R-TIME-1 R-ONCE-2: materials complete starts the clock; the case shows days left and its acceptance notice', async () => {
    await page.click('#cases tr[data-case]');
    await page.waitForSelector('#dlg-detail[open]');
    assert.equal(await text('#detail-body dd[data-k="applicant"]'), '张三丰', 'the own clerk sees the name in clear');
    await page.click('#detail-actions button[data-case-act="materials-complete"]');
    await page.click('#detail-input button[data-confirm="materials-complete"]');
    await page.waitForFunction(() => window.__printed.length === 2);
    const printed = await page.evaluate(() => window.__printed[1]);
    assert.equal(printed.doc, 'acceptance');
    assert.match(printed.text, /2026年\d+月\d+日/);
    await page.waitForFunction(() => document.querySelector('#detail-body dd[data-k="days_left"]') !== null);
    await page.screenshot({ path: artefact('counter-case-detail.png') });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => /\d+ 天/.test(document.querySelector('#cases tr[data-case] td.left')?.textContent || ''));
  });

  test('R-CASE-6 R-ONCE-4: still missing after review: a new notice, the clock stops, the incomplete notice recorded', async () => {
    await page.click('#cases tr[data-case]');
    await page.waitForSelector('#dlg-detail[open]');
    await page.click('#detail-actions button[data-case-act="supplement"]');
    const boxes = page.locator('#cs-missing input');
    assert.ok(await boxes.count() >= 3);
    await boxes.first().check();  // the application form, received before: not on any notice
    await page.click('#detail-input button[data-confirm="supplement"]');
    await page.waitForFunction(() => window.__printed.length === 3);
    const printed = await page.evaluate(() => window.__printed[2]);
    assert.equal(printed.doc, 'supplement');
    assert.equal(printed.copies, 2);
    await page.waitForSelector('#detail-body dd[data-k="once_failures"]');
    assert.equal(await text('#detail-body dd[data-k="once_failures"]'), '1');
    assert.equal(await page.locator('#detail-body dd[data-k="days_left"]').count(), 0, 'the clock stopped');
    await page.screenshot({ path: artefact('counter-supplement-again.png') });
    await page.keyboard.press('Escape');
  });

  test('R-CASE-8 R-FIRST-3: a ticket finished without a case waits on the list; an enquiry is logged, its phone masked', async () => {
    await issue('minzheng');
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.getElementById('cur-number').textContent === 'A003');
    await page.keyboard.press('f');
    await page.waitForSelector('#dlg-finish[open]');
    await page.check('input[name="fin-kind"][value="later"]');
    await page.click('#finish-ok');
    await page.waitForFunction(() => document.querySelector('#today dd[data-k="unregistered"]')?.textContent === '1');
    await page.keyboard.press('2');
    await page.waitForSelector('#unregistered tr[data-ticket]');
    assert.match(await text('#unregistered tr[data-ticket]'), /A003/);
    await page.screenshot({ path: artefact('counter-unregistered.png') });
    // Registered from the list: an immediate case, done at once.
    await page.click('#unregistered tr[data-ticket] button');
    await page.waitForSelector('#dlg-case[open]');
    await page.selectOption('#cf-type', 'immediate');
    await page.fill('#cf-applicant', '李四');
    await page.click('#case-ok');
    await page.waitForFunction(() => document.querySelector('#today dd[data-k="unregistered"]')?.textContent === '0');

    await page.keyboard.press('e');
    await page.waitForFunction(() => document.activeElement?.id === 'eq-subject');
    await page.fill('#eq-subject', '咨询临时救助申请条件');
    await page.fill('#eq-caller', '王五');
    await page.fill('#eq-phone', '13900001111');
    await page.fill('#eq-to', '5号窗口');
    await page.click('#enquiry-form button[type="submit"]');
    await page.waitForSelector('#enquiries tr[data-enquiry]');
    assert.equal(await text('#enquiries tr[data-enquiry] td.phone'), '139****1111');
    assert.equal(await page.inputValue('#eq-phone'), '', 'the phone is not left on screen');
    await page.screenshot({ path: artefact('counter-enquiries.png') });
  });

  test('R-AB-3: a pause shows its reason and a countdown to the 3-minute alert', async () => {
    await page.keyboard.press('p');
    await page.waitForSelector('#dlg-pause[open]');
    await page.click('#pause-form button[value="ok"]');
    await page.waitForSelector('#pause-banner.on');
    assert.equal(await text('#pause-reason'), '临时离岗');
    await page.waitForFunction(() => /^2:5\d$/.test(document.getElementById('pause-timer').textContent));
    assert.match(await text('#pause-note'), /3 分钟/);
    assert.equal(await page.isDisabled('#actions button[data-act="call-next"]'), true);
    await page.screenshot({ path: artefact('counter-paused.png') });
    await page.keyboard.press('p');  // back at the window
    await page.waitForFunction(() => !document.getElementById('pause-banner').classList.contains('on'));
  });

  test('R-HALL-7: a kiosk\'s call for help shows on the console until a clerk takes it', async () => {
    assert.equal(await page.isVisible('#help-banner'), false);
    const r = await hall.api('/api/v1/help-requests', { method: 'POST', token: 'demo-kiosk-1', body: { kind: 'help' } });
    assert.equal(r.status, 200, r.text);
    await page.waitForSelector('#help-banner.on .help-call');
    assert.match(await text('#help-banner .help-call span'), /^自助取号机求助：大厅入口，已等 0 分钟$/);
    await page.screenshot({ path: artefact('counter-help.png') });
    await page.click('#help-banner .help-call button');
    await page.waitForFunction(() => !document.getElementById('help-banner').classList.contains('on'));
    const after = await hall.api('/api/v1/hall', { token: 'demo-kiosk-1' });
    assert.deepEqual(after.json.help_requests, []);
    assert.equal(await text('#toast'), '已接单，请前往自助取号机');
  });

  test('R-AB-1: B covers A with A\'s authority; A comes back to the hand-over log', async () => {
    await page.click('#signout');
    await page.waitForSelector('html[data-view="signin"]');
    await signInPage(1, 'c02');
    assert.match(await text('#cover'), /B岗 何秀兰 正在代 A岗 刘春梅 履职/);
    await issue('minzheng');
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.getElementById('cur-number').textContent === 'A004');
    await page.keyboard.press('f');
    await page.waitForSelector('#dlg-finish[open]');
    await page.check('input[name="fin-kind"][value="consultation"]');
    await page.click('#finish-ok');
    await page.waitForFunction(() => document.getElementById('cur-number').textContent === '—');
    // B works A's cases too (R-AB-1): the supplement case is B's to see in clear.
    const cases = await hall.api('/api/v1/cases?window=1', { token: await page.evaluate(() => JSON.parse(sessionStorage.getItem('hallq.counter')).token) });
    assert.ok(cases.json.cases.every((c) => c.mine));
    await page.screenshot({ path: artefact('counter-covering.png') });

    await page.click('#signout');
    await page.waitForSelector('html[data-view="signin"]');
    await signInPage(1, 'c01');
    assert.equal(await page.isVisible('#cover'), false);
    await page.keyboard.press('4');
    // The hall's clock, although the browser runs in UTC.
    await page.waitForFunction(() => /^2026-03-02 10:0\d:\d\d$/.test(document.getElementById('clock').textContent));
    assert.match(await text('#handover-title'), /何秀兰 在您离岗期间的 \d+ 项操作/);
    const log = await page.locator('#handover li').allInnerTexts();
    assert.ok(log.some((l) => /叫号 A004/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => /办结/.test(l)), log.join('\n'));
    await page.screenshot({ path: artefact('counter-handover.png') });
  });

  test('R-APPT-1: a citizen on the phone is booked at the counter, and a kiosk request is answered', async () => {
    const r = await hall.api('/api/v1/appointments/requests', { method: 'POST', token: 'demo-kiosk-1',
      body: { service: 'minzheng', name: '钱七', phone: '13500003333' } });
    assert.equal(r.status, 201, r.text);
    await page.keyboard.press('5');
    await page.waitForSelector('#tab-appointments.on #appointments tr[data-state="requested"]');
    assert.match(await text('#tabs button[data-tab="appointments"]'), /预约\s*1/);
    assert.equal(await page.locator('#ap-day').inputValue(), '2026-03-02');
    await page.waitForFunction(() => document.getElementById('ap-slot').value !== '');
    assert.equal(await page.locator('#ap-service').inputValue(), 'minzheng');  // the window's own service first
    const slot = await page.locator('#ap-slot').inputValue();
    assert.ok(slot > '10:00', slot);
    await page.fill('#ap-name', '王五');
    await page.fill('#ap-phone', '13712345678');
    await page.click('#ap-form button[type="submit"]');
    await page.waitForFunction(() => /预约码 \d{6}/.test(document.getElementById('ap-result').textContent));
    assert.match(await text('#ap-result'), new RegExp(`2026-03-02 ${slot}.*1号.*窗口`));
    assert.equal(await page.locator('#ap-name').inputValue(), '');
    await page.click('#appointments tr[data-state="requested"] button');
    await page.waitForFunction(() => !document.querySelector('#appointments tr[data-state="requested"]'));
    // A row the event stream's refresh replaced while it was read is detached, and a detached
    // element's innerText has no tabs between its cells: hence \s* below.
    const rows = await page.locator('#appointments tr[data-state="confirmed"]').allInnerTexts();
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.ok(rows.some((x) => /王\*.*137\*\*\*\*5678.*已预约\s*\d{6}/.test(x)), rows.join('\n'));
    assert.ok(rows.some((x) => /钱\*/.test(x)), rows.join('\n'));
    assert.doesNotMatch(await text('#tab-appointments'), /13712345678|13500003333/);
    await page.screenshot({ path: artefact('counter-appointments.png') });
    await page.keyboard.press('1');
  });

  test('English is available, and every action has its key', async () => {
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match(await text('#actions button[data-act="call-next"]'), /Call next\s*N/);
    await page.keyboard.press('?');
    await page.waitForSelector('#dlg-keys[open]');
    const keys = await page.locator('#keys td:first-child').allInnerTexts();
    for (const k of ['N', 'R', 'X', 'S', 'F', 'T', 'H', 'U', 'P', 'C', 'E']) assert.ok(keys.includes(k), `key ${k}`);
    await page.screenshot({ path: artefact('counter-en-keys.png') });
    await page.keyboard.press('Escape');
    await page.click('#lang');
  });

  test('issue 26: a sign-out at another PC ends this console\'s session too', async () => {
    const other = await hall.signIn(1, 'c01');  // the same clerk, signed in at a second PC
    const r = await hall.api('/api/v1/windows/1/sign-out', { method: 'POST', token: other, body: {} });
    assert.equal(r.status, 200, r.text);
    // The console's event stream is closed (1008), its next read is 401: back to sign-in.
    await page.waitForSelector('html[data-view="signin"]', { timeout: 10000 });
    await page.screenshot({ path: artefact('counter-signed-out-elsewhere.png') });
  });
});
