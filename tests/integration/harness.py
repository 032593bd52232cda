"""Integration-test harness: starts the real hallq-controller on 127.0.0.1 port 0 with a
generated config and talks to it over HTTP and WebSocket (Python standard library only).

Environment (set by CTest): HALLQ_CONTROLLER = path of the binary, HALLQ_SOURCE_DIR = repo root.
"""
import base64
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

CONTROLLER = os.environ.get("HALLQ_CONTROLLER", "build/dev/bin/hallq-controller")
# Cross builds run the daemon under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR): the command
# line that starts the controller binary.
CONTROLLER_CMD = shlex.split(os.environ.get("HALLQ_EMULATOR", "")) + [CONTROLLER]
SOURCE = os.environ.get("HALLQ_SOURCE_DIR", ".")
EXAMPLE = os.path.join(SOURCE, "deploy", "examples", "hall.toml")
BENCH = os.path.join(SOURCE, "deploy", "examples", "bench-hall.toml")  # no limits of any kind
# A fixed Monday morning in the hall's zone: tests never depend on today's date or hour.
MONDAY_10AM = "2026-03-02T10:00:00+08:00"


def example_config(path=EXAMPLE, **replace):
    """The example hall's TOML with `key = value` lines replaced (first match of each key)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for key, value in replace.items():
        text, n = re.subn(r"(?m)^%s = .*$" % re.escape(key), "%s = %s" % (key, value), text, count=1)
        assert n == 1, "no key %s in the example config" % key
    return text


def check_sanitizer_log(path, who):
    """Sanitizer builds (the dev preset: ASan + UBSan) report memory errors and leaks on stderr: a daemon's
    stderr log at `path` must hold none."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if marker in text:
            raise AssertionError("sanitizer report in the log of %s:\n%s" % (who, text))


PATIENCE = 60  # seconds any one settling step may take (ASan, qemu: several times the dev build)


def wait_for(pred, why, timeout=PATIENCE, step=0.05):
    """Polls pred() until it returns something true (and returns that); fails naming `why`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("%s (after %d s)" % (why, timeout))


def text_lines(folder, name):
    """The lines of a display node's text frame `name` (written under its --out folder); []
    until the node first writes it."""
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def local_api(port, method, path, body=None, timeout=30):
    """A call to a device's local HTTP API on 127.0.0.1 (the kiosk's, which its touch page uses):
    (status, decoded JSON body), error statuses included."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def exchange(port, raw, timeout=8):
    """Sends raw bytes, reads until the server closes: (status or None, bytes read)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(raw)
        except OSError:
            pass  # the server answered and closed before taking it all
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    if not data:
        return None, data
    first = data.split(b"\r\n", 1)[0].split(b" ")
    return int(first[1]), data


class Controller:
    """One hallq-controller process with its own data folder."""

    def __init__(self, config_text=None, data_dir=None, clock_start=MONDAY_10AM, extra_args=()):
        self.tmp = tempfile.mkdtemp(prefix="hallq-it-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.config_path = os.path.join(self.tmp, "hall.toml")
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(config_text if config_text is not None else example_config())
        self.clock_start = clock_start
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(self.tmp, "stderr.log")
        self.env = None  # extra environment variables for the daemon

    def args(self):
        a = [*CONTROLLER_CMD, "--config", self.config_path, "--data-dir", self.data_dir,
             "--listen", "127.0.0.1:0"]
        if self.clock_start:
            a += ["--clock-start", self.clock_start]
        return a + self.extra_args

    def start(self, timeout=10, preexec_fn=None):
        self.stderr = open(self.stderr_path, "ab")
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.PIPE, stderr=self.stderr,
                                     preexec_fn=preexec_fn, env=env)
        deadline = time.time() + timeout
        line = b""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                return self
        self.proc.kill()
        raise RuntimeError("controller did not start: %r\n%s" % (line, self.log()))

    def log(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM, as systemd stops it: the daemon must exit 0 with a clean log."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(10)
            if code != 0:
                raise AssertionError("controller exited with %d on SIGTERM:\n%s" % (code, self.log()))
        self._closed()
        self.check_log()

    def check_log(self):
        check_sanitizer_log(self.stderr_path, "the controller")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._closed()

    def _closed(self):
        if self.proc:
            self.proc.stdout.close()
        self.proc = None
        self.stderr.close()
        self.stderr = None

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.stop()
        if self.proc:
            self.proc.stdout.close()
        if getattr(self, "stderr", None):
            self.stderr.close()
        try:
            self.check_log()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- HTTP ----
    def request(self, method, path, body=None, token=None, raw=None, headers=None, source=None):
        """One request on a new connection: (status, decoded JSON body or text). `source` is the
        loopback address to send from (127.0.0.2 ...: another host of the hall LAN)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                          source_address=(source, 0) if source else None)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = r.read().decode("utf-8")
        conn.close()
        try:
            payload = json.loads(text) if text else None
        except ValueError:
            payload = text
        return r.status, payload

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def post(self, path, body=None, token=None):
        return self.request("POST", path, body=body, token=token)

    def issue(self, service="minzheng", token="demo-kiosk-1", **fields):
        body = {"service": service}
        body.update(fields)
        return self.post("/api/v1/tickets", body, token)

    def staff_token(self):
        """A manager session (m01), opened once: the staff view of the event stream and of
        tickets. Devices and anonymous readers get the public view (issue 26)."""
        if not getattr(self, "_staff_token", None):
            status, body = self.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
            assert status == 201, (status, body)
            self._staff_token = body["token"]
        return self._staff_token

    def sign_in(self, window, clerk, pin="123456"):
        status, body = self.post("/api/v1/windows/%d/sign-in" % window, {"clerk": clerk, "pin": pin})
        assert status == 200, (status, body)
        return body["token"]


class Proxy:
    """A TCP relay between a device (kiosk, display node) and the controller that the test can
    cut, and that can lose the controller's answers.

    mode "pass" relays both ways as bytes (HTTP requests and the long-lived WebSocket event
    stream alike); mode "drop_answer" delivers each request, reads the controller's answer and
    closes the device's connection without it (a network cut between issue and answer). The
    mode is taken per connection when it opens. cut() closes every open connection and, until
    restore(), closes each new one as soon as it is accepted. `upstream` is the controller's
    port and may be changed (a controller restarted on another port): new connections follow.
    `requests` lists the request lines seen ("POST /api/v1/tickets", "GET /api/v1/events?since=9"
    for a WebSocket upgrade), `request_times` their time.monotonic()."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.mode = "pass"
        self.requests = []
        self.request_times = []
        self.up = True
        self.conns = []
        self.lock = threading.Lock()
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            if not self.up:
                c.close()
                continue
            mode = self.mode
            threading.Thread(target=self._serve if mode == "pass" else self._drop_answer, args=(c,),
                             daemon=True).start()

    def _note(self, head):
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        with self.lock:
            self.requests.append(" ".join(line.split(" ")[:2]))
            self.request_times.append(time.monotonic())

    def _register(self, *socks):
        """Keeps the sockets for cut(); False (and closes them) if the link was cut meanwhile."""
        with self.lock:
            if self.up:
                self.conns += socks
                return True
        for s in socks:
            s.close()
        return False

    def _forget(self, *socks):
        with self.lock:
            self.conns = [s for s in self.conns if s not in socks]

    def _serve(self, c):
        try:
            u = socket.create_connection(("127.0.0.1", self.upstream), timeout=10)
            u.settimeout(None)
        except OSError:
            c.close()
            return
        if not self._register(c, u):
            return
        threading.Thread(target=self._pipe, args=(u, c), daemon=True).start()
        self._pipe(c, u, sniff=True)

    def _pipe(self, a, b, sniff=False):
        """Copies a to b. With sniff, notes the request line of each HTTP request on the way
        (until a WebSocket upgrade, after which the bytes are frames)."""
        buf, body_left = b"", 0
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                if sniff:
                    buf += d
                    while sniff:
                        if body_left:
                            n = min(body_left, len(buf))
                            buf, body_left = buf[n:], body_left - n
                            if body_left:
                                break
                        end = buf.find(b"\r\n\r\n")
                        if end < 0:
                            break
                        head, buf = buf[:end], buf[end + 4:]
                        self._note(head)
                        if re.search(rb"(?im)^upgrade:", head):
                            sniff = False
                        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
                        body_left = int(m.group(1)) if m else 0
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._forget(a, b)
        a.close()  # the other direction's thread, woken by the shutdown, closes b

    @staticmethod
    def _read_message(s):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
        n = int(m.group(1)) if m else 0
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _drop_answer(self, c):
        try:
            req = self._read_message(c)
            self._note(req)
            u = socket.create_connection(("127.0.0.1", self.upstream), timeout=10)
            u.sendall(req)
            self._read_message(u)
            u.close()
        except OSError:
            pass
        finally:
            c.close()

    def cut(self):
        self.up = False
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self):
        self.up = True

    def requests_since(self, t, prefix):
        """The times of requests whose line starts with prefix, seen at or after t."""
        with self.lock:
            return [at for line, at in zip(self.requests, self.request_times) if at >= t and line.startswith(prefix)]

    def close(self):
        self.closed = True
        self.cut()
        self.lsock.close()


class WebSocket:
    """A minimal RFC 6455 client: text frames in, close out. Enough for the event stream."""

    def __init__(self, port, path, token=None, timeout=10, ssl_context=None, source=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        if ssl_context is not None:  # WSS: the TLS listener (test_tls)
            self.sock = ssl_context.wrap_socket(self.sock)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % (path, port, key))
        if token:
            req += "Authorization: Bearer %s\r\n" % token
        self.sock.sendall((req + "\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("connection closed during handshake: %r" % head)
            head += chunk
        self.status = int(head.split(b" ")[1])
        self.buf = b""

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_json(self):
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            op = b0 & 0x0F
            if op == 1:
                return json.loads(payload.decode("utf-8"))
            if op == 8:
                self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                raise EOFError("server closed the stream")
            if op == 9:  # the server's keep-alive ping: answered, as browsers and devices do
                self._send(0xA, payload)

    def _send(self, op, payload=b""):
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        assert len(payload) < 126
        self.sock.sendall(bytes([0x80 | op, 0x80 | len(payload)]) + mask + masked)

    def close(self):
        try:
            mask = os.urandom(4)
            self.sock.sendall(bytes([0x88, 0x80]) + mask)
        except OSError:
            pass
        self.sock.close()


class ControllerTest(unittest.TestCase):
    """Base class: self.c is a started controller on the example hall (always open)."""

    config = None  # TOML text; None: the example hall with always_open = true

    def setUp(self):
        text = self.config if self.config is not None else example_config(always_open="true")
        self.c = Controller(text)
        self.c.start()

    def tearDown(self):
        self.c.cleanup()
