"""Optional TLS on the hall LAN (issue 9, docs/security.md "TLS on the LAN"), through the real binaries:
the controller serves HTTPS and WSS on server.tls_listen with a certificate and key from its
config; a touch kiosk (hallq-kiosk with the printer simulator) and a display node
(hallq-display --out) reach it over https:// and check its key against controller_pin.

- the pin hallq-controller --tls-pin prints is the one OpenSSL computes from the certificate;
- a kiosk issues and prints a ticket over HTTPS; a call reaches the display over WSS (screen
  and voice); the event stream and the API answer Python's own TLS client;
- a device whose pin does not match never sends its token: no request of it reaches the hall;
- plain HTTP on the TLS port is answered 400 tls_required; a silent or garbage TLS peer is cut
  off and the controller goes on serving;
- SIGHUP takes a renewed certificate with a new key: new connections show it, a device that
  pins both keys follows, one that pins only the old key stops;
- bad TLS settings (missing key, a key of another certificate, relative paths, https without a
  pin, a pin with http://, a malformed pin) are refused with a clear error.

Certificates are made by the openssl tool in a temporary folder; every wait is a poll with a
deadline, long enough for ASan and qemu-user."""
import base64
import hashlib
import json
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness import (PATIENCE, CONTROLLER_CMD, Controller, WebSocket, check_sanitizer_log, example_config, local_api,
                     wait_for)

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
SIM = os.environ.get("HALLQ_PRINTER_SIM", "build/dev/bin/hallq-printer-sim")
KIOSK = os.environ.get("HALLQ_KIOSK", "build/dev/bin/hallq-kiosk")
KIOSK_TAKE = os.environ.get("HALLQ_KIOSK_TAKE", "build/dev/bin/hallq-kiosk-take")
DISPLAY = os.environ.get("HALLQ_DISPLAY", "build/dev/bin/hallq-display")
SOURCE = os.environ.get("HALLQ_SOURCE_DIR", ".")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def make_cert(folder, name):
    """A self-signed EC P-256 certificate and key, as docs/security.md "TLS on the LAN" makes them."""
    cert, key = os.path.join(folder, name + ".crt"), os.path.join(folder, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "3650", "-subj", "/CN=hallq-controller", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def openssl_pin(cert_bytes, form="PEM"):
    """The key pin computed by the openssl tool, independently of HallQ: sha256// + base64 of
    the SHA-256 of the DER SubjectPublicKeyInfo."""
    pub = subprocess.run(["openssl", "x509", "-inform", form, "-pubkey", "-noout"], input=cert_bytes,
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, check=True,
                         capture_output=True).stdout
    return "sha256//" + base64.b64encode(hashlib.sha256(der).digest()).decode()


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the tests compare pins themselves
    return ctx


def tls_config(cert, key, **replace):
    text = example_config(always_open="true", device_rate_per_s="1000", device_burst="1000", **replace)
    return text.replace("max_connections = 512\n",
                        'max_connections = 512\ntls_listen = "127.0.0.1:0"\ntls_cert = "%s"\ntls_key = "%s"\n'
                        % (cert, key), 1)


class TlsController(Controller):
    """The controller with its TLS listener; tls_port is read from its second stdout line."""

    def start(self, timeout=10, preexec_fn=None):
        super().start(timeout, preexec_fn)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"listening on https://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError("no TLS listener: %r\n%s" % (line, self.log()))
        self.tls_port = int(m.group(1))
        return self

    def https(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request("https://127.0.0.1:%d%s" % (self.tls_port, path), method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=30, context=client_context()) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def presented_pin(self):
        """The pin of the certificate a new TLS connection is shown."""
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=30) as raw:
            with client_context().wrap_socket(raw) as s:
                return openssl_pin(s.getpeercert(binary_form=True), "DER")

    def metric(self, name):
        _, text = self.get("/metrics")
        m = re.search(r"(?m)^%s (\d+)$" % re.escape(name), text)
        return int(m.group(1)) if m else None


class Tls(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-tls-")
        self.addCleanup(self.tmp.cleanup)
        self.cert, self.key = make_cert(self.tmp.name, "a")
        self.cert_b, self.key_b = make_cert(self.tmp.name, "b")
        self.c = TlsController(tls_config(self.cert, self.key))
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.pin = self.controller_tool("--tls-pin", "--config", self.c.config_path).stdout.strip()
        with open(self.cert_b, "rb") as f:
            self.pin_b = openssl_pin(f.read())

    # ---- processes ----

    def controller_tool(self, *args):
        return subprocess.run([*CONTROLLER_CMD, *args], capture_output=True, text=True, timeout=60)

    def spawn(self, args, name, clean_exit=True):
        log = os.path.join(self.tmp.name, name + ".err")
        f = open(log, "ab")
        self.addCleanup(f.close)
        p = subprocess.Popen([*EMULATOR, *args], stdout=subprocess.PIPE, stderr=f, text=True)
        self.addCleanup(self._stop, p, log, clean_exit)
        return p, log

    def _stop(self, p, log, clean_exit):
        if p.poll() is None:
            p.terminate()
            code = p.wait(20)
            if clean_exit:  # the daemons; the printer simulator just dies
                self.assertEqual(code, 0, "%s did not exit cleanly on SIGTERM" % os.path.basename(log))
        p.stdout.close()
        check_sanitizer_log(log, os.path.basename(log))

    def device_config(self, example, name, **replace):
        with open(os.path.join(SOURCE, "deploy", "examples", example), encoding="utf-8") as f:
            text = f.read()
        for key, value in replace.items():
            text, n = re.subn(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
            self.assertEqual(n, 1, key)
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def https_url(self):
        return "https://127.0.0.1:%d" % self.c.tls_port

    def start_display(self, pins, name="display"):
        out = os.path.join(self.tmp.name, name)
        config = self.device_config("display.toml", name + ".toml", repeat="1", poll_s="1", late_call_s="3600")
        p, log = self.spawn([DISPLAY, "--config", config, "--controller", self.https_url(), "--controller-pin", pins,
                             "--out", out], name)
        self.assertIn("running", p.stdout.readline())
        return out, log

    def take(self, pins, journal, printer_port, service="minzheng"):
        """hallq-kiosk-take: one ticket through the kiosk's own HTTP client and ticket desk."""
        r = subprocess.run([*EMULATOR, KIOSK_TAKE, "--controller", self.https_url(), "--controller-pin", pins,
                            "--device", "kiosk-1", "--token", "demo-kiosk-1", "--printer",
                            "tcp://127.0.0.1:%d" % printer_port, "--journal", journal, "--service", service],
                           capture_output=True, text=True, timeout=120)
        return r

    def printer(self, name):
        paper = os.path.join(self.tmp.name, name)
        os.mkdir(paper)
        p, _ = self.spawn([SIM, "--listen", "127.0.0.1:0", "--out", paper], name + "-sim", clean_exit=False)
        return int(re.search(r"127\.0\.0\.1:(\d+)", p.stdout.readline()).group(1)), paper

    def issued(self):
        return self.c.metric("hallq_tickets_issued_total")

    # ---- tests ----

    def test_pin_is_the_one_openssl_computes(self):
        with open(self.cert, "rb") as f:
            self.assertEqual(self.pin, openssl_pin(f.read()))
        self.assertRegex(self.pin, r"^sha256//[A-Za-z0-9+/]{43}=$")
        self.assertEqual(self.c.presented_pin(), self.pin)
        self.assertIn("devices pin the key " + self.pin, self.c.log())

    def test_kiosk_and_display_over_tls(self):
        out, display_log = self.start_display(self.pin)
        printer_port, paper = self.printer("paper")
        # The kiosk daemon (touch mode) over https, printing on the simulator.
        config = self.device_config("kiosk.toml", "kiosk.toml", data_dir='"%s"' % os.path.join(self.tmp.name, "kiosk"),
                                    poll_s="1")
        k, kiosk_log = self.spawn([KIOSK, "--config", config, "--controller", self.https_url(), "--controller-pin",
                                   self.pin, "--printer", "tcp://127.0.0.1:%d" % printer_port, "--listen",
                                   "127.0.0.1:0"], "kiosk")
        kport = int(re.search(r"listening on http://127\.0\.0\.1:(\d+)/", k.stdout.readline()).group(1))

        def kiosk(method, path, body=None):
            status, answer = local_api(kport, method, path, body)
            self.assertLess(status, 400, answer)
            return answer

        wait_for(lambda: (lambda s: s["online"] and s["accepting"] and s["live"])(kiosk("GET", "/api/state")["kiosk"]),
                 "the kiosk never reached the controller over TLS")
        kiosk("POST", "/api/event", {"type": "home"})
        s = kiosk("POST", "/api/event", {"type": "service", "value": "minzheng"})
        if s["flow"]["screen"] == "items":
            s = kiosk("POST", "/api/event", {"type": "item", "value": ""})
        if s["flow"]["screen"] == "priority":
            s = kiosk("POST", "/api/event", {"type": "priority", "value": "normal"})
        s = wait_for(lambda: (lambda st: st if st["flow"]["screen"] in ("done", "error") else None)(
            kiosk("GET", "/api/state")), "the kiosk never answered")
        self.assertEqual(s["flow"]["screen"], "done", s["flow"])
        number = s["flow"]["result"]["number"]
        wait_for(lambda: any(n.endswith(".png") for n in os.listdir(paper)), "the ticket was not printed")
        self.assertIn("TLS", read(kiosk_log))  # the kiosk's event stream said it runs over TLS

        # A clerk calls it over HTTPS; the display node shows it and says it.
        s, body = self.c.https("POST", "/api/v1/windows/1/sign-in", {"clerk": "c01", "pin": "123456"})
        self.assertEqual(s, 200, body)
        s, called = self.c.https("POST", "/api/v1/windows/1/call-next", token=body["token"])
        self.assertEqual(s, 200, called)
        self.assertEqual(called["number"], number)

        def hall_shows():
            try:
                with open(os.path.join(out, "hall.txt"), encoding="utf-8") as f:
                    return number in f.read()
            except FileNotFoundError:
                return False
        wait_for(hall_shows, "the hall screen never showed %s" % number)
        wait_for(lambda: any(re.match(r"^voice-\d+-%s-w1\.wav$" % number, n) for n in os.listdir(out)),
                 "the call of %s was not said" % number)
        self.assertIn("event stream subscribed (since", read(display_log))

    def test_event_stream_over_wss(self):
        ws = WebSocket(self.c.tls_port, "/api/v1/events?since=0", token="demo-display-1",
                       ssl_context=client_context())
        self.addCleanup(ws.close)
        self.assertEqual(ws.status, 101)
        s, t = self.c.https("POST", "/api/v1/tickets", {"service": "laodong", "channel": "kiosk"}, token="demo-kiosk-1")
        self.assertEqual(s, 201, t)
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            e = ws.recv_json()
            if e.get("type") == "TicketIssued" and e.get("data", {}).get("number") == t["number"]:
                break
        else:
            self.fail("TicketIssued never came over WSS")

    def test_wrong_pin_sends_nothing(self):
        printer_port, paper = self.printer("paper")
        before = self.issued()
        r = self.take(self.pin_b, os.path.join(self.tmp.name, "journal"), printer_port)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("matches no controller_pin", r.stdout + r.stderr)
        self.assertEqual(self.issued(), before, "a ticket was issued for a device with the wrong pin")
        self.assertEqual(os.listdir(paper), [], "something was printed")
        # The same tool with the right pin issues and prints.
        r = self.take(self.pin, os.path.join(self.tmp.name, "journal2"), printer_port)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.issued(), before + 1)
        # A display with the wrong pin never subscribes: the controller sees no subscriber.
        subscribers = self.c.metric("hallq_websocket_clients")
        out, log = self.start_display(self.pin_b, "display-wrong")
        wait_for(lambda: "matches no controller_pin" in read(log),
                 "the display never said its pin does not match")
        self.assertEqual(self.c.metric("hallq_websocket_clients"), subscribers)

    def test_plain_http_and_bad_peers_on_the_tls_port(self):
        before = self.c.metric("hallq_tls_handshake_failures_total")
        # Plain HTTP: a clear answer in plain HTTP.
        with socket.create_connection(("127.0.0.1", self.c.tls_port), timeout=30) as s:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            head = b""
            while b"tls_required" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    break
                head += chunk
        self.assertTrue(head.startswith(b"HTTP/1.1 400"), head)
        self.assertIn(b"tls_required", head)
        # Garbage in a record that frames like a TLS ClientHello (64 bytes, a 60-byte hello).
        with socket.create_connection(("127.0.0.1", self.c.tls_port), timeout=30) as s:
            s.sendall(b"\x16\x03\x01\x00\x40\x01\x00\x00\x3c" + b"\xff" * 60)
            s.settimeout(30)
            try:
                self.assertNotIn(b"HTTP", s.recv(4096))
            except ConnectionResetError:
                pass
        wait_for(lambda: self.c.metric("hallq_tls_handshake_failures_total") >= before + 2,
                 "the failed handshakes were not counted")
        # The listener still serves.
        s, body = self.c.https("GET", "/api/v1/health")
        self.assertEqual((s, body["status"]), (200, "ok"))

    def test_silent_peer_is_cut_off(self):
        cut = self.c.metric("hallq_idle_connections_cut_total")
        with socket.create_connection(("127.0.0.1", self.c.tls_port), timeout=60) as s:
            t0 = time.monotonic()
            self.assertEqual(s.recv(1), b"")  # closed by the controller, not by us
            waited = time.monotonic() - t0
        self.assertGreaterEqual(waited, 0.5)
        self.assertLess(waited, 40)
        self.assertEqual(self.c.metric("hallq_idle_connections_cut_total"), cut + 1)

    def test_sighup_takes_a_renewed_certificate(self):
        _, both_log = self.start_display(self.pin + "," + self.pin_b, "display-both")
        wait_for(lambda: "event stream subscribed" in read(both_log),
                 "the display never subscribed")
        # The renewed pair replaces the files in place, as a renewal script would.
        for src, dst in ((self.cert_b, self.cert), (self.key_b, self.key)):
            with open(src, "rb") as f, open(dst + ".new", "wb") as g:
                g.write(f.read())
            os.chmod(dst + ".new", 0o600)
            os.replace(dst + ".new", dst)
        self.c.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "TLS certificate %s reloaded" % self.cert in self.c.log(), "the certificate was not reloaded")
        self.assertEqual(self.c.presented_pin(), self.pin_b)
        self.assertIn("devices pin the key " + self.pin_b, self.c.log())
        printer_port, _ = self.printer("paper")
        r = self.take(self.pin, os.path.join(self.tmp.name, "j-old"), printer_port)
        self.assertNotEqual(r.returncode, 0, "a device pinning only the old key still got through")
        r = self.take(self.pin + "," + self.pin_b, os.path.join(self.tmp.name, "j-both"), printer_port)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # A bad renewal (a key of another certificate) is refused; the running one stays.
        cert_c, key_c = make_cert(self.tmp.name, "c")
        os.replace(key_c, self.key)
        self.c.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "TLS certificate not reloaded" in self.c.log(), "the bad renewal was not refused")
        self.assertEqual(self.c.presented_pin(), self.pin_b)
        s, body = self.c.https("GET", "/api/v1/health")
        self.assertEqual(s, 200)

    def test_bad_settings_are_refused(self):
        def check(text, expect):
            path = os.path.join(self.tmp.name, "bad.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            r = self.controller_tool("--check-config", path)
            self.assertNotEqual(r.returncode, 0, text[:0] + expect)
            self.assertIn(expect, r.stderr)

        base = example_config()
        check(base.replace("max_connections = 512\n", 'max_connections = 512\ntls_listen = "127.0.0.1:0"\n', 1),
              "TLS needs both server.tls_cert and server.tls_key")
        check(tls_config(self.cert, self.key_b), "does not belong to the certificate")
        check(tls_config("a.crt", self.key), "expected an absolute path")
        check(tls_config(self.cert, os.path.join(self.tmp.name, "missing.key")), "not a usable PEM private key")
        check(base.replace("max_connections = 512\n", 'max_connections = 512\ntls_cert = "%s"\n' % self.cert, 1),
              "server.tls_listen is empty")
        r = self.controller_tool("--check-config", self.c.config_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("TLS on 127.0.0.1:0", r.stdout)
        # The devices: https needs a pin; a pin needs https; a pin must be a pin.
        for url, pin, expect in (("https://127.0.0.1:8443", "", "controller_pin must name"),
                                 ("http://127.0.0.1:8080", '"%s"' % self.pin, "is http://: use https://"),
                                 ("https://127.0.0.1:8443", '"sha256//abc"', "is not a key pin")):
            for example, tool in (("kiosk.toml", KIOSK), ("display.toml", DISPLAY)):
                path = self.device_config(example, "bad-" + example, controller='"%s"' % url)
                if pin:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(re.sub(r"(?m)^(controller = .*)$", r"\1\ncontroller_pin = %s" % pin.replace("\\", "\\\\"),
                                       text, count=1))
                r = subprocess.run([*EMULATOR, tool, "--check-config", path], capture_output=True, text=True, timeout=60)
                self.assertNotEqual(r.returncode, 0, (example, url, pin))
                self.assertIn(expect, r.stderr, (example, url, pin))
        # The example configs stay valid with TLS in use.
        good = self.device_config("kiosk.toml", "good-kiosk.toml", controller='"%s"' % self.https_url())
        with open(good, encoding="utf-8") as f:
            text = f.read()
        with open(good, "w", encoding="utf-8") as f:
            f.write(text.replace("[kiosk]\n", '[kiosk]\ncontroller_pin = "%s"\n' % self.pin, 1))
        r = subprocess.run([*EMULATOR, KIOSK, "--check-config", good], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
