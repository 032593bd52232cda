"""hallq-kiosk, the kiosk daemon, through its local API (the one the touch page uses) with the
real controller and the printer simulator: a citizen's whole path to a printed ticket whose
QR leads to the controller's ticket, and each fault — printer out of paper, controller down,
hall closed, daily limit — shown with its message, with nothing issued (issue 5)."""
import json
import os
import re
import shlex
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import Controller, WebSocket, example_config, local_api

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
SIM = os.environ.get("HALLQ_PRINTER_SIM", "build/dev/bin/hallq-printer-sim")
KIOSK = os.environ.get("HALLQ_KIOSK", "build/dev/bin/hallq-kiosk")
SCAN_SIM = os.environ.get("HALLQ_SCAN_SIM", "build/dev/bin/hallq_scan_sim")
SOURCE = os.environ.get("HALLQ_SOURCE_DIR", ".")


class KioskTest(unittest.TestCase):
    hall_overrides = dict(always_open="true")
    clock = "2026-03-02T10:00:00+08:00"

    def setUp(self):
        self.c = Controller(example_config(device_rate_per_s="1000", device_burst="1000", **self.hall_overrides),
                            clock_start=self.clock)
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-kiosk-")
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "sim")
        os.mkdir(self.out)
        self.sim = subprocess.Popen([*EMULATOR, SIM, "--listen", "127.0.0.1:0", "--out", self.out],
                                    stdout=subprocess.PIPE, text=True)
        self.addCleanup(self._stop, self.sim)
        self.printer_port = int(re.search(r":(\d+) ", self.sim.stdout.readline()).group(1))
        with open(os.path.join(SOURCE, "deploy", "examples", "kiosk.toml"), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r'(?m)^data_dir = .*$', 'data_dir = "%s"' % os.path.join(self.tmp.name, "kiosk"), text)
        text = re.sub(r'(?m)^poll_s = .*$', "poll_s = 1", text)
        self.kiosk_config = os.path.join(self.tmp.name, "kiosk.toml")
        with open(self.kiosk_config, "w", encoding="utf-8") as f:
            f.write(text)
        self.start_kiosk()

    def start_kiosk(self):
        self.k = subprocess.Popen([*EMULATOR, KIOSK, "--config", self.kiosk_config,
                                   "--controller", "http://127.0.0.1:%d" % self.c.port,
                                   "--printer", "tcp://127.0.0.1:%d" % self.printer_port,
                                   "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=self._log(),
                                  text=True)
        self.addCleanup(self._stop, self.k)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.k.stdout.readline())
        self.assertTrue(m, "the kiosk did not start")
        self.port = int(m.group(1))
        self.wait(lambda s: s["kiosk"]["online"] and s["services"] and s["kiosk"]["accepting"],
                  "the kiosk never reached the controller and its printer")

    def _log(self):
        f = open(os.path.join(self.tmp.name, "kiosk.err"), "ab")
        self.addCleanup(f.close)
        return f

    @staticmethod
    def _stop(p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        p.stdout.close()

    def api(self, method, path, body=None):
        return local_api(self.port, method, path, body, timeout=10)

    def state(self):
        return self.api("GET", "/api/state")[1]

    def event(self, type_, value=None):
        body = {"type": type_}
        if value is not None:
            body["value"] = value
        return self.api("POST", "/api/event", body)

    def wait(self, pred, why, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.state()
            if pred(s):
                return s
            time.sleep(0.1)
        self.fail("%s: %s" % (why, json.dumps(self.state(), ensure_ascii=False)[:400]))

    def issued(self):
        s, text = self.c.get("/metrics")
        return int(re.search(r"hallq_tickets_issued_total (\d+)", text).group(1))

    def jobs(self):
        return sorted(f for f in os.listdir(self.out) if f.endswith(".png"))


class Kiosk(KioskTest):
    def test_page_and_state(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/" % self.port, timeout=10) as r:
            page = r.read().decode()
            self.assertIn("text/html", r.headers["Content-Type"])
        self.assertIn("<html", page.lower())
        s = self.wait(lambda s: s["kiosk"]["live"], "not subscribed to the event stream")
        self.assertEqual(s["flow"]["screen"], "idle")
        self.assertEqual(s["centre"], "青溪镇便民服务中心")
        self.assertEqual(s["kiosk"], {"id": "kiosk-1", "online": True, "accepting": True, "printer": "ok",
                                      "mode": "touch", "scanner": False, "help_open": False,
                                      "live": True, "pending": 0})
        self.assertTrue(s["time"].startswith("2026-03-02T10:0"), s["time"])  # the hall's clock
        minzheng = s["services"][0]
        self.assertEqual((minzheng["id"], minzheng["waiting"], minzheng["issuing"]), ("minzheng", 0, True))
        self.assertGreater(len(minzheng["items"][0]["materials"]), 3)
        # The QR of an item's guide, for the materials screen; nothing for anything else.
        with urllib.request.urlopen("http://127.0.0.1:%d/api/qr.svg?service=minzheng&item=dibao" % self.port,
                                    timeout=10) as r:
            self.assertEqual(r.headers["Content-Type"], "image/svg+xml")
            svg = r.read().decode()
        self.assertTrue(svg.startswith("<svg ") and svg.count("M") > 50, svg[:200])
        for bad in ("/../hall.toml", "/.hidden.js", "/nothing.js", "/api/nothing",
                    "/api/qr.svg?service=minzheng&item=nothing", "/api/qr.svg?data=http://evil"):
            with self.assertRaises(urllib.error.HTTPError) as e:
                urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, bad), timeout=5)
            self.assertEqual(e.exception.code, 404, bad)

    def test_the_local_api_answers_its_own_page_only(self):
        """Issue 26: a page of another site open in the kiosk's browser, or a name that resolves
        to the kiosk (DNS rebinding), cannot drive the kiosk's local API."""
        import http.client
        body = json.dumps({"type": "help"}).encode()

        def call(method, path, headers):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            h = {"Content-Type": "application/json"}
            h.update(headers)
            conn.putrequest(method, path, skip_host=True)
            for k, v in h.items():
                conn.putheader(k, v)
            conn.endheaders(body if method == "POST" else None)
            r = conn.getresponse()
            data = r.read()
            conn.close()
            return r.status, data

        own = "127.0.0.1:%d" % self.port
        for host, origin in (("evil.example:%d" % self.port, None), (own, "http://evil.example"),
                             (own, "null"), ("127.0.0.1:1", None), (own, "http://127.0.0.1:1")):
            headers = {"Host": host}
            if origin:
                headers["Origin"] = origin
            for method, path in (("POST", "/api/event"), ("GET", "/api/state"), ("GET", "/")):
                status, data = call(method, path, headers)
                self.assertEqual(status, 403, (host, origin, path, data))
        self.assertEqual(self.state()["flow"]["screen"], "idle")  # nothing was pressed
        for host, origin in ((own, None), (own, "http://" + own), ("localhost:%d" % self.port, "http://localhost:%d" % self.port)):
            headers = {"Host": host}
            if origin:
                headers["Origin"] = origin
            status, data = call("GET", "/api/state", headers)
            self.assertEqual(status, 200, (host, origin, data))
        with urllib.request.urlopen("http://127.0.0.1:%d/" % self.port, timeout=10) as r:
            self.assertEqual(r.headers["X-Frame-Options"], "DENY")
            self.assertIn("frame-ancestors 'none'", r.headers["Content-Security-Policy"])

    def test_a_citizen_takes_a_ticket(self):
        """R-ONCE-1: the materials before the ticket; R-HALL-7 the priority choice."""
        ws = WebSocket(self.port, "/api/stream")
        self.addCleanup(ws.close)
        self.assertEqual(ws.recv_json()["flow"]["screen"], "idle")
        for type_, value, screen in [("touch", None, "services"), ("service", "minzheng", "items"),
                                     ("item", "dibao", "materials"), ("ok", None, "priority")]:
            code, s = self.event(type_, value)
            self.assertEqual((code, s["flow"]["screen"]), (200, screen))
        code, s = self.event("priority", "elderly")
        self.assertEqual(s["flow"]["screen"], "working")
        s = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket")
        r = s["flow"]["result"]
        self.assertEqual((r["result"], r["number"], r["service_name"], r["item_name"]),
                         ("printed", "A001", "民政救助", "最低生活保障申请"))
        # The stream pushed the same screens.
        seen = set()
        while "done" not in seen:
            seen.add(ws.recv_json()["flow"]["screen"])
        self.assertTrue({"services", "items", "materials", "priority", "working", "done"} <= seen, seen)
        # The paper: the QR leads to the controller's ticket, which waits with that number.
        self.assertEqual(self.jobs(), ["job-0001.png"])
        z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(self.out, "job-0001.png")],
                           capture_output=True, text=True).stdout.split()
        # [printing] ticket_url with the ticket's rating key (R-EVAL-1), and the item's guide (R-HALL-4)
        self.assertEqual(len(z), 2, z)
        self.assertRegex(sorted(z)[0], r"^http://192\.168\.1\.10:8080/t/1\?k=[0-9a-f]{16}$")
        self.assertEqual(sorted(z)[1], "https://guide.example.org/qingxi/dibao")
        st, t = self.c.get("/api/v1/tickets/1")
        self.assertEqual((t["number"], t["state"], t["priority"], t["issued_by"]), ("A001", "waiting", "elderly", "kiosk-1"))
        # Waiting counts follow the controller.
        self.wait(lambda s: s["services"][0]["waiting"] == 1, "waiting count not updated")

    def test_call_a_staff_member(self):
        """R-HALL-3 帮办代办: the kiosk's help request reaches the hall; the answer comes back."""
        code, s = self.event("help")
        self.assertEqual((code, s["flow"]["screen"]), (200, "help"))
        s = self.wait(lambda s: s["flow"].get("result", {}).get("state") == "open", "help not sent")
        s = self.wait(lambda s: s["kiosk"]["help_open"], "the hall does not list the request")
        st, hall = self.c.get("/api/v1/hall")
        [req] = hall["help_requests"]
        self.assertEqual((req["device"], req["location"]), ("kiosk-1", "大厅入口"))
        self.assertEqual(self.event("help")[0], 200)  # again: nothing new
        tok = self.c.sign_in(6, "c11")
        st, body = self.c.post("/api/v1/help-requests/%d/answer" % req["id"], {}, tok)
        self.assertEqual(st, 200, body)
        s = self.wait(lambda s: s["flow"]["result"].get("state") == "answered", "the answer is not shown")
        self.assertFalse(s["kiosk"]["help_open"])
        st, hall = self.c.get("/api/v1/hall")
        self.assertEqual(hall["help_requests"], [])

    def test_file_a_complaint(self):
        """R-COMP-1 from the kiosk's form: recorded by the controller, the answer date and the
        masked phone shown; a malformed form is refused and sends nothing."""
        self.assertEqual(self.event("open", "complaint")[1]["flow"]["screen"], "complaint")
        self.assertEqual([w["number"] for w in self.state()["windows"]], [1, 2, 3, 4, 5, 6])
        for bad in ('{"categories":[]}', '{"categories":["bribes"]}', '{"categories":["fees"],"phone":"12"}', "x" * 300):
            self.assertIn(self.event("complaint", bad)[0], (400, 409), bad)
        code, s = self.event("complaint", '{"categories":["fees"],"window":2,"phone":"13912345678"}')
        self.assertEqual((code, s["flow"]["screen"]), (200, "sending"))
        s = self.wait(lambda s: s["flow"]["screen"] == "filed", "the complaint was not filed")
        self.assertEqual(s["flow"]["result"], {"id": 1, "due": "2026-03-09", "phone": "139****5678"})
        st, body = self.c.get("/metrics")
        self.assertIn("hallq_complaints_total 1", body)

    def test_invalid_events_are_refused(self):
        for body, code in [({"type": "ok"}, 409), ({"type": "service", "value": "nope"}, 409),
                           ({"type": 5}, 400), ({"value": "x"}, 400)]:
            st, b = self.api("POST", "/api/event", body)
            self.assertEqual(st, code, body)
            self.assertIn("error", b)
        self.assertEqual(self.state()["flow"]["screen"], "idle")
        self.assertEqual(self.issued(), 0)

    def test_paper_out_issues_nothing(self):
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write("paper-out")
        self.wait(lambda s: not s["kiosk"]["accepting"], "the kiosk did not notice the paper", timeout=20)
        code, s = self.event("service", "laodong")
        self.assertEqual(s["flow"]["screen"], "error")
        self.assertEqual(s["flow"]["result"]["message_zh"], "取号机打印纸已用完，暂停取号，请到咨询台办理。")
        self.assertEqual(self.issued(), 0)
        k1 = {d["id"]: d for d in self.c.get("/api/v1/hall")[1]["devices"]}["kiosk-1"]
        self.assertEqual((k1["printer"], k1["accepting"]), ("paper_out", False))
        # Paper loaded: the kiosk offers tickets again by itself.
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write("ok")
        self.wait(lambda s: s["kiosk"]["accepting"], "the kiosk did not come back", timeout=20)
        self.event("home")
        self.event("service", "laodong")
        self.event("item", "")
        self.event("priority", "normal")
        s = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket after the paper came back")
        self.assertEqual(s["flow"]["result"]["number"], "B001")

    def test_controller_down_shows_offline_and_comes_back(self):
        port, data = self.c.port, self.c.data_dir
        self.c.stop()
        self.wait(lambda s: not s["kiosk"]["online"], "the kiosk did not notice")
        code, s = self.event("service", "minzheng")
        self.assertEqual(s["flow"]["screen"], "error")
        self.assertEqual(s["flow"]["result"]["message_zh"], "暂停取号，请到咨询台办理。")
        self.assertEqual(self.jobs(), [], "never a number the controller did not issue")
        # The controller comes back (same address, same data): the kiosk reconnects by itself.
        self.c = Controller(example_config(always_open="true"), data_dir=data,
                            extra_args=["--listen", "127.0.0.1:%d" % port])
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.wait(lambda s: s["kiosk"]["online"], "the kiosk did not reconnect")
        self.event("home")
        self.event("service", "zixun")
        self.event("item", "")
        self.event("priority", "normal")
        s = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket after the controller came back")
        self.assertEqual(s["flow"]["result"]["result"], "printed")
        self.assertEqual(len(self.jobs()), 1)


class KioskLive(KioskTest):
    """The kiosk follows the controller's event stream: waiting counts change within a moment of
    a ticket issued elsewhere, though the snapshot is read only once a minute; after a
    controller restart it resubscribes by itself."""

    def start_kiosk(self):
        with open(self.kiosk_config, encoding="utf-8") as f:
            text = f.read()
        with open(self.kiosk_config, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^poll_s = .*$", "poll_s = 60", text))
        super().start_kiosk()

    def waiting(self):
        return self.state()["services"][0]["waiting"]

    def test_waiting_counts_follow_the_event_stream(self):
        self.wait(lambda s: s["kiosk"]["live"], "the kiosk did not subscribe to the event stream")
        self.assertEqual(self.waiting(), 0)
        t0 = time.time()
        self.c.issue(token="demo-kiosk-2")
        self.wait(lambda s: s["services"][0]["waiting"] == 1, "the count did not follow", timeout=5)
        self.assertLess(time.time() - t0, 3.0)

        port, data = self.c.port, self.c.data_dir
        self.c.stop()
        self.wait(lambda s: not s["kiosk"]["online"], "the kiosk did not notice the controller stop", timeout=10)
        self.c = Controller(example_config(always_open="true", device_rate_per_s="1000", device_burst="1000"),
                            data_dir=data, extra_args=["--listen", "127.0.0.1:%d" % port])
        self.c.start()
        self.addCleanup(self.c.cleanup)
        # Back within the stream's back-off (at most 10 s), not the minute of polling.
        self.wait(lambda s: s["kiosk"]["online"] and s["kiosk"]["live"], "no resubscription", timeout=15)
        self.c.issue(token="demo-kiosk-2")
        self.wait(lambda s: s["services"][0]["waiting"] == 2, "the count did not follow after the restart", timeout=5)


class KioskButtons(KioskTest):
    """The button-panel kiosk (no screen), with the simulated panel: one press, one printed
    ticket; the LED tells whether tickets are offered."""

    def setUp(self):
        self.buttons = None
        super().setUp()

    def start_kiosk(self):
        self.buttons = os.path.join(self.tmp.name, "buttons")
        with open(self.kiosk_config, encoding="utf-8") as f:
            text = f.read()
        text = text.replace('mode = "touch"', 'mode = "buttons"')
        text += ('\n[buttons]\nchip = "sim:%s"\ndebounce_ms = 30\nled_line = 17\n'
                 '[[buttons.button]]\nline = 5\nservice = "minzheng"\n'
                 '[[buttons.button]]\nline = 6\nservice = "laodong"\n' % self.buttons)
        with open(self.kiosk_config, "w", encoding="utf-8") as f:
            f.write(text)
        super().start_kiosk()

    def press(self, line):
        with open(self.buttons, "w") as f:
            f.write("%d\n" % line)

    def led(self):
        with open(self.buttons + ".led") as f:
            return f.read().strip()

    def wait_led(self, want):
        deadline = time.time() + 15
        while time.time() < deadline and self.led() != want:
            time.sleep(0.1)
        self.assertEqual(self.led(), want)

    def test_one_press_one_ticket(self):
        self.wait_led("on")
        self.press(6)
        s = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket from the button")
        self.assertEqual(s["flow"]["result"]["number"], "B001")
        self.assertEqual(self.jobs(), ["job-0001.png"])
        # Hammering the button right after: no second ticket (2 s guard); a line without a
        # button does nothing.
        self.press(6)
        self.press(9)
        time.sleep(1.0)
        self.assertEqual(self.issued(), 1)
        time.sleep(1.2)
        self.press(5)
        s = self.wait(lambda s: s["flow"]["result"].get("number") == "A001", "no second ticket")
        self.assertEqual(self.issued(), 2)

    def test_led_blinks_and_nothing_is_issued_without_paper(self):
        self.wait_led("on")
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write("paper-out")
        self.wait_led("blink")
        self.press(5)
        time.sleep(1.0)
        self.assertEqual(self.issued(), 0)
        self.assertEqual(self.jobs(), [])


class KioskScanner(KioskTest):
    """The QR scanner (simulated: input_event records through a FIFO, as from /dev/input):
    the ticket's QR opens its live progress; a typed number does the same; unknown codes say so."""

    def start_kiosk(self):
        self.scanner = os.path.join(self.tmp.name, "scanner")
        with open(self.kiosk_config, "a", encoding="utf-8") as f:
            f.write('\n[scanner]\ndevice = "sim:%s"\n' % self.scanner)
        super().start_kiosk()

    def scan(self, text):
        # The scanner's records in the kiosk build's own layout, from hallq_scan_sim.
        records = subprocess.run([*EMULATOR, SCAN_SIM, text], capture_output=True, check=True).stdout
        with open(self.scanner, "wb") as f:
            f.write(records)

    def test_scan_the_ticket_qr_for_its_progress(self):
        self.assertTrue(self.state()["kiosk"]["scanner"])
        self.event("service", "laodong")
        self.event("item", "")
        self.event("priority", "normal")
        done = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket")
        self.assertEqual(done["flow"]["result"]["number"], "B001")
        s, t = self.c.get("/api/v1/tickets?number=B001", token="demo-kiosk-1")
        # What the printed QR holds: the example hall's [printing] ticket_url.
        url = "http://192.168.1.10:8080/t/%d" % t["id"]
        self.scan(url)
        s = self.wait(lambda s: s["flow"]["screen"] == "progress", "the scan opened nothing")
        r = s["flow"]["result"]
        self.assertEqual((r["found"], r["number"], r["state"], r["ahead"], r["today"]),
                         (True, "B001", "waiting", 0, True))

        tok = self.c.sign_in(2, "c03")
        status, called = self.c.post("/api/v1/windows/2/call-next", token=tok)
        self.assertEqual((status, called["number"]), (200, "B001"))
        self.scan(url)  # from the progress screen itself: asked again
        s = self.wait(lambda s: s["flow"]["result"].get("state") == "called", "the call is not shown")
        self.assertEqual((s["flow"]["screen"], s["flow"]["result"]["window"]), ("progress", 2))

        # Typed on the number pad.
        self.event("home")
        self.assertEqual(self.event("open", "lookup")[1]["flow"]["screen"], "lookup")
        self.assertEqual(self.event("lookup", "b001")[0], 409)
        self.event("lookup", "B001")
        s = self.wait(lambda s: s["flow"]["screen"] == "progress", "no answer to the typed number")
        self.assertEqual(s["flow"]["result"]["state"], "called")
        self.event("back")
        self.event("open", "lookup")
        self.event("lookup", "C099")
        s = self.wait(lambda s: s["flow"]["screen"] == "progress", "no answer for an unknown number")
        self.assertEqual((s["flow"]["result"]["found"], s["flow"]["result"]["code"]), (False, "unknown_ticket"))

        # A code that is no ticket: said so, nothing looked up, nothing issued.
        self.scan("https://example.com/pay?id=12")
        s = self.wait(lambda s: s["flow"]["screen"] == "error", "an unknown code was not refused")
        self.assertEqual(s["flow"]["result"]["code"], "unknown_code")
        self.assertEqual(self.issued(), 1)


class KioskAppointments(KioskTest):
    """R-APPT-1 at the kiosk: a booking a clerk made checks in on the 预约签到 number pad for a
    ticket printed with the 预约 mark; a code too early shows the controller's message and
    issues and prints nothing; the booking's QR (HQA:code) scanned again is refused as checked in."""

    def start_kiosk(self):
        self.scanner = os.path.join(self.tmp.name, "scanner")
        with open(self.kiosk_config, "a", encoding="utf-8") as f:
            f.write('\n[scanner]\ndevice = "sim:%s"\n' % self.scanner)
        super().start_kiosk()

    scan = KioskScanner.scan

    def book(self, clerk, slot):
        s, a = self.c.post("/api/v1/appointments", {
            "service": "minzheng", "item": "", "channel": "phone", "name": "张三", "phone": "13812345678",
            "day": "2026-03-02", "slot": slot}, clerk)
        self.assertEqual(s, 201, a)
        self.assertRegex(a["code"], r"^\d{6}$")
        return a

    def test_check_in_prints_the_booking_ticket(self):
        clerk = self.c.sign_in(1, "c01")
        now = self.book(clerk, "10:30")    # check-in open from 10:00: at once
        later = self.book(clerk, "11:30")  # from 11:00: too early at 10:00

        # Too early: the controller's words, nothing issued or printed; 返回 is the number pad.
        self.assertEqual(self.event("open", "appointment")[1]["flow"]["screen"], "appointment")
        self.assertEqual(self.event("appointment", "12345")[0], 409)
        code, s = self.event("appointment", later["code"])
        self.assertEqual((code, s["flow"]["screen"]), (200, "working"))
        s = self.wait(lambda s: s["flow"]["screen"] == "error", "too early was not refused")
        r = s["flow"]["result"]
        self.assertEqual((r["result"], r["code"]), ("refused", "too_early"))
        self.assertEqual(r["message_zh"], "您的预约时段为 11:30，请于 11:00 后签到")
        self.assertEqual(self.issued(), 0)
        self.assertEqual(os.listdir(self.out), [])
        self.assertEqual(self.event("back")[1]["flow"]["screen"], "appointment")

        # On time: the booking's ticket, printed with its number and the 预约 mark.
        self.event("appointment", now["code"])
        s = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket for the booking")
        r = s["flow"]["result"]
        self.assertEqual((r["result"], r["number"], r["priority"], r["service_name"]),
                         ("printed", "A001", "appointment", "民政救助"))
        self.assertEqual(self.jobs(), ["job-0001.png"])
        with open(os.path.join(self.out, "job-0001.txt"), encoding="utf-8") as f:
            paper = [l.strip() for l in f.read().splitlines()]
        self.assertIn("A001", paper)
        self.assertTrue(any("预约" in l for l in paper), paper)
        st, t = self.c.get("/api/v1/tickets?number=A001", token="demo-kiosk-1")
        self.assertEqual((t["priority"], t["channel"], t["appointment"], t["issued_by"], t["state"]),
                         ("appointment", "appointment", now["id"], "kiosk-1", "waiting"))
        self.assertTrue(any(re.match(r"\[QR\] http://192\.168\.1\.10:8080/t/%d\?k=[0-9a-f]{16}$" % t["id"], l)
                            for l in paper), paper)
        st, listing = self.c.get("/api/v1/appointments?day=2026-03-02", token=clerk)
        states = {x["id"]: (x["state"], x.get("number")) for x in listing["appointments"]}
        self.assertEqual(states[now["id"]], ("checked_in", "A001"))
        self.assertEqual(states[later["id"]][0], "confirmed")

        # Its QR scanned again: already checked in, the number said; nothing more printed.
        self.event("home")
        self.scan("HQA:" + now["code"])
        s = self.wait(lambda s: s["flow"]["screen"] == "error", "a second check-in was not refused")
        self.assertEqual(s["flow"]["result"]["code"], "wrong_state")
        self.assertIn("A001", s["flow"]["result"]["message_zh"])
        self.assertEqual(self.issued(), 1)
        self.assertEqual(self.jobs(), ["job-0001.png"])


class KioskLateRating(KioskTest):
    """R-EVAL-1 (GB/T 39734 一次一评) at the kiosk: a citizen who did not rate at the window scans
    the QR on their ticket — which carries the ticket's own key (the example hall's ticket_url
    .../t/{id}?k={key}) — and rates the finished service on five buttons; the controller records
    ServiceRated from the kiosk, once. A service not finished yet, a wrong key, a rating that
    another channel gave first are each refused or not offered; a late rating on a later day is
    taken."""

    def start_kiosk(self):
        self.scanner = os.path.join(self.tmp.name, "scanner")
        with open(self.kiosk_config, "a", encoding="utf-8") as f:
            f.write('\n[scanner]\ndevice = "sim:%s"\n' % self.scanner)
        super().start_kiosk()

    scan = KioskScanner.scan

    def take(self):
        """A 劳动保障 ticket taken at the kiosk: its number and the URL its printed QR holds."""
        self.event("home")
        self.event("service", "laodong")
        self.event("item", "")
        self.event("priority", "normal")
        s = self.wait(lambda s: s["flow"]["screen"] == "done", "no ticket")
        number = s["flow"]["result"]["number"]
        job = self.jobs()[-1]
        with open(os.path.join(self.out, job[:-4] + ".txt"), encoding="utf-8") as f:
            paper = f.read()
        m = re.search(r"^\[QR\] (http://192\.168\.1\.10:8080/t/(\d+)\?k=([0-9a-f]{16}))$", paper, re.M)
        self.assertTrue(m, paper)
        # The printed QR itself reads back as that URL, key included.
        z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(self.out, job)],
                           capture_output=True, text=True).stdout.split()
        self.assertEqual(z, [m.group(1)])
        self.event("home")
        return number, m.group(1), int(m.group(2)), m.group(3)

    def serve(self, token, number):
        st, called = self.c.post("/api/v1/windows/2/call-next", token=token)
        self.assertEqual((st, called["number"]), (200, number))
        self.assertEqual(self.c.post("/api/v1/windows/2/start", token=token)[0], 200)
        st, body = self.c.post("/api/v1/windows/2/finish", {"consultation": True}, token=token)
        self.assertEqual(st, 200, body)

    def scan_for(self, url, screen):
        self.scan(url)
        return self.wait(lambda s: s["flow"]["screen"] == screen, "the scan did not show " + screen)

    def ratings(self, token):
        """The ServiceRated events in the log, as staff read them."""
        st, health = self.c.get("/api/v1/health")
        ws = WebSocket(self.c.port, "/api/v1/events?since=0", token=token)
        self.addCleanup(ws.close)
        out = []
        while True:
            e = ws.recv_json()
            if e["type"] == "ServiceRated":
                out.append(e)
            if e["seq"] >= health["seq"]:
                return out

    def test_rate_a_finished_service_by_scanning_its_ticket(self):
        clerk = self.c.sign_in(2, "c03")
        number, url, tid, key = self.take()
        self.assertEqual(number, "B001")

        # Not finished yet: its progress only, no rating offered.
        s = self.scan_for(url, "progress")
        self.assertEqual((s["flow"]["result"]["state"], s["flow"].get("rating")), ("waiting", None))
        self.serve(clerk, number)

        # A key that is not the ticket's: the kiosk cannot tell, the controller refuses it.
        wrong = "0123456789abcdef" if key != "0123456789abcdef" else "fedcba9876543210"
        self.scan_for(url.replace(key, wrong), "rating")
        self.assertEqual(self.event("rate", "5")[1]["flow"]["screen"], "sending")
        s = self.wait(lambda s: s["flow"]["screen"] == "error", "a wrong key was not refused")
        self.assertEqual((s["flow"]["result"]["code"], s["flow"]["result"]["message_zh"]), ("wrong_key", "号票二维码无效"))
        self.assertEqual(self.event("back")[1]["flow"]["screen"], "services")
        self.assertFalse(self.c.get("/api/v1/tickets/%d" % tid)[1]["rated"])

        # The ticket's own QR: the rating screen, the number, the service and the window.
        s = self.scan_for(url, "rating")
        self.assertEqual(s["flow"]["result"], {"number": "B001", "service": "laodong", "service_name": "劳动保障",
                                               "window": 2})
        self.assertNotIn(key, json.dumps(s))  # the page never sees the key
        self.assertEqual(self.event("rate", "6")[0], 409)
        code, s = self.event("rate", "4")
        self.assertEqual((code, s["flow"]["screen"]), (200, "sending"))
        self.assertEqual(self.event("rate", "4")[0], 409)  # a double tap sends nothing more
        s = self.wait(lambda s: s["flow"]["screen"] == "rated", "no thanks")
        self.assertEqual(s["flow"]["result"], {"number": "B001", "level": 4, "label": "满意"})

        # The controller has it, from this kiosk, once.
        self.assertTrue(self.c.get("/api/v1/tickets/%d" % tid)[1]["rated"])
        [e] = self.ratings(clerk)
        self.assertEqual((e["data"]["ticket"], e["data"]["number"], e["data"]["level"], e["data"]["channel"],
                          e["actor"], e["window"]),
                         (tid, "B001", 4, "kiosk", {"kind": "device", "id": "kiosk-1"}, 2))

        # 一次一评: scanned again, 本次服务已评价 and no buttons; the API refuses a second one.
        s = self.scan_for(url, "progress")
        self.assertEqual((s["flow"]["result"]["state"], s["flow"]["result"]["rating"]), ("done", "rated"))
        st, body = self.c.post("/api/v1/tickets/%d/rating" % tid, {"level": 1, "key": key}, "demo-kiosk-1")
        self.assertEqual((st, body["error"]["code"]), (409, "already_rated"))
        self.assertEqual(len(self.ratings(clerk)), 1)
        self.assertEqual(self.issued(), 1)

    def test_another_channel_rated_first(self):
        """The rating screen is open when the citizen's phone (the QR's page) rates first: the
        kiosk's press is refused with 本次服务已评价, and the phone's rating stands."""
        clerk = self.c.sign_in(2, "c03")
        number, url, tid, key = self.take()
        self.serve(clerk, number)
        self.scan_for(url, "rating")
        st, body = self.c.post("/api/v1/tickets/%d/rating" % tid, {"level": 5, "key": key})  # no credential: the phone
        self.assertEqual(st, 201, body)
        self.event("rate", "1")
        s = self.wait(lambda s: s["flow"]["screen"] == "error", "the second rating was not refused")
        r = s["flow"]["result"]
        self.assertEqual(r["code"], "already_rated")
        self.assertIn("本次服务已评价", r["message_zh"])
        [e] = self.ratings(clerk)
        self.assertEqual((e["data"]["level"], e["data"]["channel"]), (5, "phone"))

    def restart_controller(self, clock):
        port, data = self.c.port, self.c.data_dir
        self.c.stop()
        self.wait(lambda s: not s["kiosk"]["online"], "the kiosk did not notice the controller stop")
        self.c = Controller(example_config(device_rate_per_s="1000", device_burst="1000", **self.hall_overrides),
                            data_dir=data, clock_start=clock, extra_args=["--listen", "127.0.0.1:%d" % port])
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.wait(lambda s: s["kiosk"]["online"] and s["time"].startswith(clock[:13]),
                  "the kiosk did not come back to the controller")

    def test_a_late_rating_on_a_later_day(self):
        """Mostly a late rating comes on a later day: the ticket of yesterday, scanned with its
        key, is rated (its QR without the key only says it is not today's)."""
        clerk = self.c.sign_in(2, "c03")
        number, url, tid, key = self.take()
        self.serve(clerk, number)
        self.restart_controller("2026-03-03T09:30:00+08:00")
        s = self.scan_for(url.split("?")[0], "progress")
        self.assertEqual((s["flow"]["result"]["state"], s["flow"]["result"]["today"]), ("done", False))
        self.assertNotIn("rating", s["flow"]["result"])
        s = self.scan_for(url, "rating")
        self.assertEqual(s["flow"]["result"]["number"], "B001")
        self.event("rate", "2")
        s = self.wait(lambda s: s["flow"]["screen"] == "rated", "the late rating was not taken")
        self.assertEqual(s["flow"]["result"]["label"], "不满意")
        clerk = self.c.sign_in(2, "c03")
        [e] = self.ratings(clerk)
        self.assertEqual((e["data"]["ticket"], e["data"]["level"], e["data"]["channel"], e["data"]["bad"]),
                         (tid, 2, "kiosk", True))

    def test_one_rating_holds_across_a_controller_restart(self):
        """一次一评 must survive the controller restarting: rated at the kiosk, the ticket stays
        rated (the engine writes the finished ticket's row again when it is rated late), and a
        scan says 本次服务已评价."""
        clerk = self.c.sign_in(2, "c03")
        number, url, tid, key = self.take()
        self.serve(clerk, number)
        self.scan_for(url, "rating")
        self.event("rate", "3")
        self.wait(lambda s: s["flow"]["screen"] == "rated", "not rated")
        self.restart_controller("2026-03-02T11:00:00+08:00")
        self.assertTrue(self.c.get("/api/v1/tickets/%d" % tid)[1]["rated"])
        s = self.scan_for(url, "progress")
        self.assertEqual(s["flow"]["result"]["rating"], "rated")
        st, body = self.c.post("/api/v1/tickets/%d/rating" % tid, {"level": 1, "key": key}, "demo-kiosk-1")
        self.assertEqual((st, body["error"]["code"]), (409, "already_rated"))


class KioskHallClosed(KioskTest):
    hall_overrides = dict()
    clock = "2026-03-02T22:00:00+08:00"  # a Monday night: the hall is closed

    def test_outside_opening_hours(self):
        s = self.state()
        self.assertFalse(s["services"][0]["issuing"])
        code, s = self.event("service", "minzheng")
        self.assertEqual(s["flow"]["screen"], "error")
        self.assertEqual(s["flow"]["result"]["code"], "not_issuing")
        self.assertIn("17:30", s["flow"]["result"]["message_zh"])
        self.assertEqual(self.issued(), 0)


class KioskDailyLimit(KioskTest):
    hall_overrides = dict(always_open="true", daily_limit="1")

    def test_daily_limit(self):
        self.event("service", "minzheng")
        self.event("item", "")
        self.event("priority", "normal")
        self.wait(lambda s: s["flow"]["screen"] == "done", "no first ticket")
        self.event("home")
        s = self.wait(lambda s: not s["services"][0]["issuing"], "the limit is not shown")
        self.assertIn("号源已取完", s["services"][0]["closed_reason"])
        code, s = self.event("service", "minzheng")
        self.assertEqual(s["flow"]["screen"], "error")
        self.assertIn("号源已取完", s["flow"]["result"]["message_zh"])
        self.assertEqual(self.issued(), 1)


if __name__ == "__main__":
    unittest.main()
