// The wall TV board (/board on the controller, issue 6) in Debian's chromium at 1920×1080:
// it shows the call as it is made (through the public event stream), each window's state, the
// waiting per service and the rolling notices; it carries no personal data; it says when the
// link is down and catches up when it is back. Screenshots go to build/dev/artefacts/browser.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hall, launchBrowser, artefact } from './hall.mjs';

const TV = { width: 1920, height: 1080 };

describe('wall board', () => {
  let hall;
  let browser;
  let page;

  before(async () => {
    hall = await new Hall().startControllerOnly();
    browser = await launchBrowser(TV);
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await hall?.stop();
  });

  const text = (sel) => page.locator(sel).first().innerText();

  test('R-HALL-2: centre, clock from the hall, windows, waiting and notices', async () => {
    await page.goto(`http://127.0.0.1:${hall.port}/board`);
    await page.waitForSelector('html[data-live="true"]');
    assert.equal(await text('#centre'), '青溪镇便民服务中心');
    // The hall's clock (2026-03-02 is a Monday, the controller's clock starts at 10:00 +08:00)
    // although the browser runs in UTC.
    assert.match(await text('#date'), /^2026-03-02 星期一$/);
    assert.match(await text('#time'), /^10:0\d$/);
    assert.equal(await page.locator('#windows tr').count(), 6);
    assert.equal(await text('#windows tr[data-window="1"] .state'), '暂停服务');
    assert.equal(await text('#waiting tr[data-service="minzheng"] .count'), '0 人');
    assert.match(await page.locator('#marquee-text').textContent(), /投诉电话 0701-3780100/);
    await page.screenshot({ path: artefact('board-idle.png') });
  });

  test('a call shows at once on the big panel, in the recent list and at its window', async () => {
    const token = await hall.signIn(1, 'c01');
    for (let i = 0; i < 3; i++) {
      const r = await hall.api('/api/v1/tickets', { method: 'POST', token: 'demo-kiosk-1', body: { service: 'minzheng' } });
      assert.equal(r.status, 201);
    }
    await page.waitForFunction(() => document.querySelector('#waiting tr[data-service="minzheng"] .count')?.textContent === '3 人');
    const t0 = Date.now();
    const r = await hall.api('/api/v1/windows/1/call-next', { method: 'POST', token });
    assert.equal(r.status, 200);
    await page.waitForFunction(() => document.getElementById('now-text').textContent === '请 A001 号到 1 号窗口');
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `the board took ${ms} ms`);
    assert.equal(await text('#recent li .num'), 'A001');
    await page.waitForFunction(() => document.querySelector('#windows tr[data-window="1"] .state')?.textContent === '请 A001 号');
    await page.waitForFunction(() => document.querySelector('#waiting tr[data-service="minzheng"] .count')?.textContent === '2 人');
    await page.screenshot({ path: artefact('board-call.png') });

    // Paused: 暂停服务 (R-HALL-6).
    await hall.api('/api/v1/windows/1/skip', { method: 'POST', token });
    assert.equal((await hall.api('/api/v1/windows/1/pause', { method: 'POST', token, body: { reason: 'break' } })).status, 200);
    await page.waitForFunction(() => document.querySelector('#windows tr[data-window="1"] .state')?.textContent === '暂停服务');
    assert.equal((await hall.api('/api/v1/windows/1/resume', { method: 'POST', token })).status, 200);
    await page.waitForFunction(() => document.querySelector('#windows tr[data-window="1"] .state')?.textContent === '欢迎办理');

    // No personal data: no clerk ids or names, no tokens, only numbers, windows and counts.
    const all = await page.locator('body').innerText();
    for (const bad of ['c01', '张', token]) assert.ok(!all.includes(bad), `the board shows ${bad}`);
  });

  test('a controller restart: the board says so, then catches up on calls made meanwhile', async () => {
    const port = hall.port;
    await hall.stopController();
    await page.waitForSelector('html[data-live="false"]');
    assert.equal(await page.locator('#offline').isVisible(), true);
    await page.screenshot({ path: artefact('board-offline.png') });
    await hall.restartController();
    assert.equal(hall.port, port);
    const token = await hall.signIn(1, 'c01');
    assert.equal((await hall.api('/api/v1/windows/1/call-next', { method: 'POST', token })).status, 200);
    await page.waitForSelector('html[data-live="true"]', { timeout: 15000 });
    await page.waitForFunction(() => document.getElementById('now-text').textContent === '请 A002 号到 1 号窗口',
      null, { timeout: 15000 });
    assert.equal(await text('#recent li .num'), 'A002');
  });

  test('English on request', async () => {
    const en = await browser.newPage();
    await en.goto(`http://127.0.0.1:${hall.port}/board?lang=en`);
    await en.waitForSelector('html[data-live="true"]');
    assert.equal(await en.locator('#title').innerText(), 'Now calling');
    assert.match(await en.locator('#now-text').innerText(), /^Number A002, please go to window 1$/);
    await en.screenshot({ path: artefact('board-en.png') });
    await en.close();
  });

  test('R-EVAL-1: the ticket QR page on a phone takes the service\'s one rating with its key', async () => {
    const token = await hall.signIn(2, 'c03');
    const r = await hall.api('/api/v1/tickets', { method: 'POST', token: 'demo-kiosk-1', body: { service: 'laodong' } });
    assert.equal(r.status, 201, r.text);
    const t = r.json;
    assert.match(t.rate_key, /^[0-9a-f]{16}$/);
    const call = await hall.api('/api/v1/windows/2/call-next', { method: 'POST', token });
    assert.equal(call.status, 200, call.text);
    const fin = await hall.api('/api/v1/windows/2/finish', { method: 'POST', token, body: { consultation: true } });
    assert.equal(fin.status, 200, fin.text);
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`http://127.0.0.1:${hall.port}/t/${t.id}?k=${t.rate_key}`);
    assert.equal(await phone.locator('.number').innerText(), t.number);
    assert.equal(await phone.locator('form.rate button').count(), 5);
    // Every level fits on the phone's width, none clipped.
    for (const b of await phone.locator('form.rate button').all()) {
      const box = await b.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
    }
    await phone.screenshot({ path: artefact('phone-ticket-rate.png'), fullPage: true });
    await phone.click('form.rate button[value="4"]');
    await phone.waitForSelector('.thanks');
    assert.match(await phone.locator('.thanks').innerText(), /感谢您的评价/);
    assert.equal(await phone.locator('form.rate').count(), 0);
    await phone.screenshot({ path: artefact('phone-ticket-thanks.png'), fullPage: true });
    // Reloading the thank-you page rates nothing more; the page says it was rated.
    await phone.goto(`http://127.0.0.1:${hall.port}/t/${t.id}?k=${t.rate_key}`);
    assert.match(await phone.locator('body').innerText(), /本次服务已评价/);
    // Without the key, only the progress.
    await phone.goto(`http://127.0.0.1:${hall.port}/t/${t.id}`);
    assert.equal(await phone.locator('form.rate').count(), 0);
    assert.match(await phone.locator('.state').first().innerText(), /已办结/);
    await phone.close();
  });
});
