// A demo hall for browser tests: the real hallq-controller (with an injected clock), the
// printer simulator and hallq-kiosk, on loopback ports, plus Debian's chromium driven by
// playwright-core. Binaries come from the environment CTest sets (HALLQ_CONTROLLER, ...).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const SOURCE = process.env.HALLQ_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
const BIN = join(SOURCE, 'build/dev/bin');
const CONTROLLER = process.env.HALLQ_CONTROLLER || join(BIN, 'hallq-controller');
const KIOSK = process.env.HALLQ_KIOSK || join(BIN, 'hallq-kiosk');
const PRINTER_SIM = process.env.HALLQ_PRINTER_SIM || join(BIN, 'hallq-printer-sim');
const SCAN_SIM = process.env.HALLQ_SCAN_SIM || join(BIN, 'hallq_scan_sim');
export const ARTEFACTS = process.env.HALLQ_ARTEFACTS || join(SOURCE, 'build/dev/artefacts/browser');
const CHROMIUM = process.env.HALLQ_CHROMIUM || '/usr/bin/chromium';

export function playwright() {
  const require = createRequire(import.meta.url);
  try {
    return require('playwright-core');
  } catch {
    throw new Error('playwright-core is not installed: run `npm ci --prefix tests/browser` '
      + '(deploy/quickstart.sh test does it)');
  }
}

// Chromium as the kiosk runs it, headless, with a fresh profile in its own folder.
export async function launchBrowser(viewport) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'hallq-chromium-'));
  const context = await playwright().chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    deviceScaleFactor: 1,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'UTC',  // the page must show the hall's clock whatever the browser's zone
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true });
  };
  return context;
}

// Starts `cmd` and resolves with the first stdout match of `re` (the port it listens on).
function startProcess(cmd, args, re, log) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 15000);
    p.stderr.on('data', (d) => { log.push(d.toString()); });
    p.stdout.on('data', (d) => {
      out += d.toString();
      const m = re.exec(out);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ proc: p, port: Number(m[1]) });
      }
    });
    p.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}${log.join('')}`)));
  });
}

function stopProcess(p) {
  return new Promise((resolve) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
    setTimeout(() => p.kill('SIGKILL'), 10000).unref();
  });
}

// The example hall with `key = value` lines replaced (first match of each).
function hallConfig(overrides) {
  let text = readFileSync(join(SOURCE, 'deploy/examples/hall.toml'), 'utf8');
  for (const [k, v] of Object.entries(overrides)) {
    const re = new RegExp(`^${k} = .*$`, 'm');
    if (!re.test(text)) throw new Error(`no key ${k} in the example hall`);
    text = text.replace(re, `${k} = ${v}`);
  }
  return text;
}

export class Hall {
  constructor({ clock = '2026-03-02T10:00:00+08:00', hall = { always_open: 'true' } } = {}) {
    this.clock = clock;
    this.hallOverrides = { device_rate_per_s: '1000', device_burst: '1000', ...hall };
    this.dir = mkdtempSync(join(tmpdir(), 'hallq-browser-'));
    this.printerDir = join(this.dir, 'printer');
    mkdirSync(this.printerDir);
    this.logs = { controller: [], kiosk: [], printer: [] };
  }

  async start() {
    writeFileSync(join(this.dir, 'hall.toml'), hallConfig(this.hallOverrides));
    const printer = await startProcess(PRINTER_SIM,
      ['--listen', '127.0.0.1:0', '--out', this.printerDir], /listening on 127\.0\.0\.1:(\d+)/, this.logs.printer);
    this.printer = printer.proc;
    this.printerPort = printer.port;
    await this.startController('127.0.0.1:0');
    let kiosk = readFileSync(join(SOURCE, 'deploy/examples/kiosk.toml'), 'utf8');
    kiosk = kiosk.replace(/^data_dir = .*$/m, `data_dir = "${join(this.dir, 'kiosk')}"`)
      .replace(/^poll_s = .*$/m, 'poll_s = 1');
    this.scannerPath = join(this.dir, 'scanner');
    kiosk += `\n[scanner]\ndevice = "sim:${this.scannerPath}"\n`;
    writeFileSync(join(this.dir, 'kiosk.toml'), kiosk);
    await this.startKiosk('127.0.0.1:0');
    return this;
  }

  // The controller alone (pages it serves itself, such as /board).
  async startControllerOnly() {
    writeFileSync(join(this.dir, 'hall.toml'), hallConfig(this.hallOverrides));
    await this.startController('127.0.0.1:0');
    return this;
  }

  async signIn(window, clerk, pin = '123456') {
    const r = await this.api(`/api/v1/windows/${window}/sign-in`, { method: 'POST', body: { clerk, pin } });
    if (r.status !== 200) throw new Error(`sign-in ${clerk}: ${r.text}`);
    return r.json.token;
  }

  async startKiosk(listen) {
    const k = await startProcess(KIOSK,
      ['--config', join(this.dir, 'kiosk.toml'), '--controller', `http://127.0.0.1:${this.port}`,
        '--printer', `tcp://127.0.0.1:${this.printerPort}`, '--listen', listen],
      /listening on http:\/\/127\.0\.0\.1:(\d+)\//, this.logs.kiosk);
    this.kiosk = k.proc;
    this.kioskPort = k.port;
    this.kioskUrl = `http://127.0.0.1:${k.port}/`;
  }

  async stopKiosk() {
    await stopProcess(this.kiosk);
    this.kiosk = null;
  }

  async restartKiosk() {
    await this.startKiosk(`127.0.0.1:${this.kioskPort}`);
  }

  async startController(listen) {
    const c = await startProcess(CONTROLLER,
      ['--config', join(this.dir, 'hall.toml'), '--data-dir', join(this.dir, 'data'), '--listen', listen,
        '--clock-start', this.clock], /listening on http:\/\/127\.0\.0\.1:(\d+)\//, this.logs.controller);
    this.controller = c.proc;
    this.port = c.port;
  }

  async stopController() {
    await stopProcess(this.controller);
    this.controller = null;
  }

  async restartController() {
    await this.startController(`127.0.0.1:${this.port}`);
  }

  async stop() {
    await stopProcess(this.kiosk);
    await stopProcess(this.controller);
    await stopProcess(this.printer);
    const log = Object.values(this.logs).flat().join('');
    rmSync(this.dir, { recursive: true, force: true });
    for (const marker of ['AddressSanitizer', 'LeakSanitizer', 'runtime error:']) {
      if (log.includes(marker)) throw new Error(`sanitizer report:\n${log}`);
    }
  }

  async api(path, { method = 'GET', token, body } = {}) {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* /metrics is text */ }
    return { status: res.status, json, text };
  }

  // A manager session: the staff view of tickets and events (devices get the public one).
  async staffToken() {
    if (!this.staff) {
      const r = await this.api('/api/v1/sessions', { method: 'POST', body: { user: 'm01', password: '123456' } });
      this.staff = r.json.token;
    }
    return this.staff;
  }

  async issuedTotal() {
    const { text } = await this.api('/metrics');
    return Number(/hallq_tickets_issued_total (\d+)/.exec(text)[1]);
  }

  setPrinterFault(fault) {
    writeFileSync(join(this.printerDir, 'fault'), `${fault}\n`);
  }

  // Printed jobs: [{name, text}] in order (the simulator's decoded text of each).
  jobs() {
    return readdirSync(this.printerDir).filter((f) => /^job-\d+\.txt$/.test(f)).sort()
      .map((f) => ({ name: f, text: readFileSync(join(this.printerDir, f), 'utf8') }));
  }
}

export function artefact(name) {
  mkdirSync(ARTEFACTS, { recursive: true });
  return join(ARTEFACTS, name);
}

// What a keyboard-mode scanner sends for `text` and Enter, as struct input_event records in the
// kiosk build's layout (tests/tools/scan_sim.cpp).
export function scannerRecords(text) {
  return execFileSync(SCAN_SIM, [text]);
}
