"""hallq-display, the display node, with the real controller: every call reaches the window
screen, the hall screen and the voice (one WAV per announcement, in order, none dropped); a
paused window says 暂停服务 (R-HALL-6); a cut link loses no call; bad configs are refused
(issue 6, R-HALL-7)."""
import os
import re
import shlex
import select
import struct
import subprocess
import tempfile
import time
import tty
import unittest
import wave

from harness import Controller, Proxy, check_sanitizer_log, example_config, text_lines

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
DISPLAY = os.environ.get("HALLQ_DISPLAY", "build/dev/bin/hallq-display")
SCREEN_SIM = os.environ.get("HALLQ_SCREEN_SIM", "build/dev/bin/hallq-screen-sim")
SOURCE = os.environ.get("HALLQ_SOURCE_DIR", ".")


class DisplayTest(unittest.TestCase):
    def setUp(self):
        self.c = Controller(example_config(always_open="true", device_rate_per_s="1000", device_burst="1000"),
                            clock_start="2026-03-02T10:00:00+08:00")
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-display-")
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "out")
        with open(os.path.join(SOURCE, "deploy", "examples", "display.toml"), encoding="utf-8") as f:
            text = f.read()
        # Short pauses: the tests need the clips in order, not the elderly-friendly pace.
        text = re.sub(r"(?m)^repeat = .*$", "repeat = 1", text)
        self.config = os.path.join(self.tmp.name, "display.toml")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(text)
        self.proxy = None

    def start_display(self, port=None, window_1="暂停服务", out=True):
        self.err = open(os.path.join(self.tmp.name, "display.err"), "ab")
        self.addCleanup(self.err.close)
        self.d = subprocess.Popen([*EMULATOR, DISPLAY, "--config", self.config,
                                   "--controller", "http://127.0.0.1:%d" % (port or self.c.port)]
                                  + (["--out", self.out] if out else []),
                                  stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.addCleanup(self._stop, self.d)
        self.assertIn("running", self.d.stdout.readline())
        if not out:
            return
        self.wait_text("window-1.txt", window_1)  # window 1 closed: nobody signed in
        self.wait_text("hall.txt", "叫号信息")

    def _stop(self, d):
        if d.poll() is None:
            d.terminate()
            self.assertEqual(d.wait(10), 0, "hallq-display did not exit cleanly on SIGTERM")
        d.stdout.close()
        check_sanitizer_log(os.path.join(self.tmp.name, "display.err"), "hallq-display")

    def text(self, name):
        return text_lines(self.out, name)

    def wait_text(self, name, want, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(want in line for line in self.text(name)):
                return self.text(name)
            time.sleep(0.05)
        self.fail("%s never showed %r: %r" % (name, want, self.text(name)))

    def voices(self):
        return sorted(f for f in os.listdir(self.out) if f.startswith("voice-") and f.endswith(".wav"))

    def wait_voices(self, n, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.voices()) < n:
            time.sleep(0.05)
        return self.voices()

    def clerk(self, window, clerk):
        return self.c.sign_in(window, clerk)

    def call(self, window, token):
        """The next number at the window, the one called before marked absent (skip)."""
        s, body = self.c.post("/api/v1/windows/%d/skip" % window, {}, token=token)
        self.assertIn(s, (200, 204, 409), body)
        s, body = self.c.post("/api/v1/windows/%d/call-next" % window, {}, token=token)
        self.assertEqual(s, 200, body)
        return body["number"]


class Display(DisplayTest):
    def test_a_call_reaches_the_screens_and_the_voice(self):
        self.start_display()
        t1 = self.clerk(1, "c01")
        self.wait_text("window-1.txt", "欢迎光临")
        self.assertEqual(self.text("window-1.txt")[0], "1号窗口 民政救助")
        for _ in range(2):
            self.c.issue()
        self.wait_text("hall.txt", "A:2")
        number = self.call(1, t1)
        self.assertEqual(number, "A001")
        self.wait_text("window-1.txt", "请A001号")
        self.wait_text("hall.txt", "A001 请到1号窗口")
        self.assertEqual(self.wait_voices(1), ["voice-000001-A001-w1.wav"])
        with wave.open(os.path.join(self.out, "voice-000001-A001-w1.wav")) as w:
            self.assertEqual((w.getnchannels(), w.getsampwidth()), (1, 2))
            seconds = w.getnframes() / w.getframerate()
        # chime + 请 A 零 零 一 号 到 一 号 窗口 办理, said once here: several seconds of speech.
        self.assertGreater(seconds, 3.0)
        self.assertLess(seconds, 15.0)
        # The PNG beside the text is a real picture of the panel's size.
        with open(os.path.join(self.out, "window-1.png"), "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual((int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")), (128, 32))

        # Recalled (said again), serving, finished, paused (R-HALL-6), resumed.
        s, body = self.c.post("/api/v1/windows/1/recall", {}, token=t1)
        self.assertEqual(s, 200, body)
        self.assertEqual(self.wait_voices(2)[1], "voice-000002-A001-w1.wav")
        s, body = self.c.post("/api/v1/windows/1/start", {}, token=t1)
        self.assertEqual(s, 200, body)
        self.wait_text("window-1.txt", "正在办理A001")
        s, _ = self.c.post("/api/v1/windows/1/finish", {}, token=t1)
        self.assertEqual(s, 200)
        self.wait_text("window-1.txt", "欢迎光临")
        s, _ = self.c.post("/api/v1/windows/1/pause", {"reason": "break"}, token=t1)
        self.assertEqual(s, 200)
        self.wait_text("window-1.txt", "暂停服务")
        s, _ = self.c.post("/api/v1/windows/1/resume", {}, token=t1)
        self.assertEqual(s, 200)
        self.wait_text("window-1.txt", "欢迎光临")
        # The hall screen shows no personal data: numbers, windows and counts only.
        self.assertEqual(self.text("hall.txt")[1], "A001 请到1号窗口")

    def test_a_burst_of_calls_is_said_in_order_none_dropped(self):
        self.start_display()
        tokens = {w: self.clerk(w, c) for w, c in ((1, "c01"), (2, "c03"), (3, "c05"))}
        services = {1: "minzheng", 2: "laodong", 3: "yibao"}
        for w in (1, 2, 3):
            for _ in range(3):
                self.c.issue(service=services[w])
        called = []
        for _ in range(3):
            for w in (1, 2, 3):
                called.append((self.call(w, tokens[w]), w))
        said = self.wait_voices(9, timeout=30)
        self.assertEqual(len(said), 9, said)
        got = [(m.group(2), int(m.group(3))) for m in (re.match(r"voice-(\d+)-(\w+)-w(\d+)\.wav", f) for f in said)]
        self.assertEqual(got, called)
        self.wait_text("window-3.txt", "请%s号" % called[-1][0])
        hall = self.text("hall.txt")
        self.assertEqual(hall[1:6], ["%s 请到%d号窗口" % c for c in reversed(called[-5:])])

    def test_a_cut_link_loses_no_call(self):
        self.proxy = Proxy(self.c.port)
        self.addCleanup(self.proxy.close)
        self.start_display(port=self.proxy.port)
        t1 = self.clerk(1, "c01")
        for _ in range(4):
            self.c.issue()
        self.assertEqual(self.call(1, t1), "A001")
        self.assertEqual(len(self.wait_voices(1)), 1)
        self.proxy.cut()
        time.sleep(0.5)
        # Called while the node is cut off: said and shown once it is back.
        self.assertEqual(self.call(1, t1), "A002")
        self.assertEqual(self.call(1, t1), "A003")
        time.sleep(1)
        self.assertEqual(len(self.voices()), 1)
        self.proxy.restore()
        said = self.wait_voices(3, timeout=20)
        self.assertEqual(said, ["voice-000001-A001-w1.wav", "voice-000002-A002-w1.wav", "voice-000003-A003-w1.wav"])
        self.wait_text("window-1.txt", "请A003号")
        self.wait_text("hall.txt", "A003 请到1号窗口")
        self.assertEqual(self.text("hall.txt")[2], "A002 请到1号窗口")
        time.sleep(1)
        self.assertEqual(len(self.voices()), 3, "a call was said twice")

    def test_the_hall_screen_rolls_the_notices_and_the_complaint_phone(self):
        with open(self.config, encoding="utf-8") as f:
            text = f.read()
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^notice_s = .*$", "notice_s = 1", text))
        self.start_display()
        seen = set()
        deadline = time.time() + 20
        while time.time() < deadline and not any("投诉电话 0701-3780100" in s for s in seen):
            lines = self.text("hall.txt")
            if len(lines) >= 3:
                seen.add(lines[-2])  # the notice row sits above the waiting counts
            time.sleep(0.1)
        self.assertIn("中心实行首问负责制、一次性告知制", seen)  # the first page of the first notice
        self.assertIn("投诉电话 0701-3780100", seen)
        self.assertGreaterEqual(len(seen), 5)

    def test_killed_and_restarted_it_misses_no_call(self):
        """kill -9 between calls: the restarted node resumes the event stream where it was, so
        the calls made while it was down reach the screens and are said, each once."""
        self.start_display()
        t1, t2 = self.clerk(1, "c01"), self.clerk(2, "c03")
        for service in ("minzheng", "minzheng", "laodong"):
            self.c.issue(service=service)
        self.assertEqual(self.call(1, t1), "A001")
        self.assertEqual(self.wait_voices(1), ["voice-000001-A001-w1.wav"])
        self.d.kill()
        self.d.wait(10)
        self.assertEqual(self.call(1, t1), "A002")
        self.assertEqual(self.call(2, t2), "B001")
        self.start_display(window_1="请A002号")
        self.wait_text("window-2.txt", "请B001号")
        self.wait_text("hall.txt", "B001 请到2号窗口")
        self.assertEqual(self.text("hall.txt")[1:4], ["B001 请到2号窗口", "A002 请到1号窗口", "A001 请到1号窗口"])
        said = self.wait_voices(3)
        # The new process numbers its announcements from 1 again.
        self.assertEqual(said, ["voice-000001-A001-w1.wav", "voice-000001-A002-w1.wav", "voice-000002-B001-w2.wav"])
        time.sleep(1)
        self.assertEqual(len(self.voices()), 3, "a call was said twice")

    def test_a_call_older_than_late_call_s_is_shown_but_not_said(self):
        """A node down for longer than late_call_s shows the call it missed but does not say it:
        a call said minutes late would send someone to a window that has moved on."""
        with open(self.config, encoding="utf-8") as f:
            text = f.read()
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^late_call_s = .*$", "late_call_s = 1", text))
        self.start_display()
        t1 = self.clerk(1, "c01")
        for _ in range(2):
            self.c.issue()
        self.assertEqual(self.call(1, t1), "A001")
        self.wait_voices(1)
        self.d.kill()
        self.d.wait(10)
        self.assertEqual(self.call(1, t1), "A002")
        time.sleep(2.5)
        self.start_display(window_1="请A002号")
        time.sleep(1.5)
        self.assertEqual(self.voices(), ["voice-000001-A001-w1.wav"])

    def test_starts_from_the_snapshot_and_does_not_replay_old_calls(self):
        t1 = self.clerk(1, "c01")
        self.c.issue()
        self.assertEqual(self.call(1, t1), "A001")
        self.start_display(window_1="请A001号")
        self.wait_text("hall.txt", "A001 请到1号窗口")
        time.sleep(1)
        self.assertEqual(self.voices(), [], "a call made before the node started was said")


class DisplaySinks(DisplayTest):
    """The real sinks against the simulated screens: RS-485 text screens on a pty (frames
    decoded with the same template) and a Flaschen-Taschen panel over UDP."""

    def sim(self, *args):
        p = subprocess.Popen([*EMULATOR, SCREEN_SIM, *args], stdout=subprocess.PIPE, text=True)
        self.addCleanup(self._stop_sim, p)
        line = p.stdout.readline()
        self.assertIn("ready on", line)
        return p, line

    @staticmethod
    def _stop_sim(p):
        p.terminate()
        p.wait(10)
        p.stdout.close()

    def file(self, name):
        try:
            with open(os.path.join(self.sims, name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def wait_file(self, name, pred, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            data = self.file(name)
            if data is not None and pred(data):
                return data
            time.sleep(0.05)
        self.fail("%s never matched: %r" % (name, self.file(name)))

    def test_rs485_text_screens_and_a_flaschen_taschen_hall_panel(self):
        self.sims = os.path.join(self.tmp.name, "sims")
        link = os.path.join(self.tmp.name, "ttyRS485")
        self.sim("--rs485", link, "--out", self.sims, "--checksum", "crc16", "--charset", "GB2312")
        _, line = self.sim("--ft", "127.0.0.1:0", "--out", self.sims)
        ft_port = int(re.search(r"udp port (\d+)", line).group(1))
        with open(self.config, "w", encoding="utf-8") as f:
            f.write('[display]\nid = "display-1"\ntoken = "demo-display-1"\n'
                    '[[screen]]\nkind = "window"\nwindows = [1, 2]\nsink = "rs485:%s@19200"\n'
                    'address_offset = 10\nchecksum = "crc16"\ncharset = "GB2312"\n'
                    '[[screen]]\nkind = "hall"\nsink = "ft:127.0.0.1:%d"\n' % (link, ft_port))
        self.start_display(out=False)
        # Window 1 at address 11, window 2 (nobody signed in) at 12: 暂停服务 (R-HALL-6).
        self.wait_file("rs485-12.txt", lambda d: d.decode() == "暂停服务\n")
        t1 = self.clerk(1, "c01")
        self.wait_file("rs485-11.txt", lambda d: "欢迎光临" in d.decode())
        self.c.issue()
        self.call(1, t1)
        self.wait_file("rs485-11.txt", lambda d: d.decode() == "请A001号\n")
        stats = self.wait_file("rs485-stats.txt", lambda d: b"frames" in d).decode()
        self.assertIn("bad_frames 0", stats)
        png = self.wait_file("rs485-11.png", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n")
        self.assertEqual(int.from_bytes(png[16:20], "big"), 128)
        # The hall panel: 256×128 sent as two strips (98 KB does not fit one datagram).
        png = self.wait_file("ft.png", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(d[20:24], "big") == 128)
        self.assertEqual(int.from_bytes(png[16:20], "big"), 256)
        ft_stats = self.wait_file("ft-stats.txt", lambda d: True).decode()
        self.assertIn("bad 0", ft_stats)

    def test_onbon_bx_font_card_window_screens(self):
        """Window screens as Onbon BX font-card screens on a serial bus: A3 06 frames (escaped,
        CRC-16/ARC) decoded by the simulator, window n at screen address n + 100."""
        self.sims = os.path.join(self.tmp.name, "sims")
        link = os.path.join(self.tmp.name, "ttyBX")
        self.sim("--bx", link, "--out", self.sims)
        with open(self.config, "w", encoding="utf-8") as f:
            f.write('[display]\nid = "display-1"\ntoken = "demo-display-1"\n'
                    '[[screen]]\nkind = "window"\nwindows = [1, 2]\nsink = "bx:%s"\naddress_offset = 100\n' % link)
        self.start_display(out=False)
        self.wait_file("bx-102.txt", lambda d: d.decode() == "2号窗口 劳动保障\n暂停服务\n")
        t1 = self.clerk(1, "c01")
        self.wait_file("bx-101.txt", lambda d: d.decode() == "1号窗口 民政救助\n欢迎光临\n")
        self.c.issue()
        self.call(1, t1)
        self.wait_file("bx-101.txt", lambda d: d.decode() == "1号窗口 民政救助\n请A001号\n")
        stats = self.wait_file("bx-stats.txt", lambda d: b"frames" in d).decode()
        self.assertIn("bad_frames 0", stats)
        self.assertIn("unparsed 0", stats)
        png = self.wait_file("bx-101.png", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n")
        self.assertEqual((int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")), (128, 32))

    def test_a_flaschen_taschen_window_panel_scrolls_a_long_title(self):
        """A 96-dot panel over window 1: its 128-dot title scrolls, so frames keep coming (one
        datagram each, 25 a second at most), and calls still reach it. (What each frame shows,
        the scroll and the blink, is checked dot by dot in unit.screens.)"""
        self.sims = os.path.join(self.tmp.name, "sims")
        _, line = self.sim("--ft", "127.0.0.1:0", "--out", self.sims, "--size", "96x32")
        ft_port = int(re.search(r"udp port (\d+)", line).group(1))
        with open(self.config, "w", encoding="utf-8") as f:
            f.write('[display]\nid = "display-1"\ntoken = "demo-display-1"\n'
                    '[[screen]]\nkind = "window"\nwindows = [1]\nsink = "ft:127.0.0.1:%d"\nwidth = 96\n'
                    'scroll_speed = 48\nblink_s = 3\n' % ft_port)
        self.start_display(out=False)

        def datagrams():
            stats = self.wait_file("ft-stats.txt", lambda d: b"datagrams" in d).decode()
            return int(re.search(r"datagrams (\d+)", stats).group(1))
        first = datagrams()
        time.sleep(1.0)
        moving = datagrams() - first
        # 48 dots a second: about 48 new frames a second (at most 25 are sent: one per tick).
        self.assertGreaterEqual(moving, 15)
        self.assertLessEqual(moving, 30)
        t1 = self.clerk(1, "c01")
        self.c.issue()
        self.call(1, t1)
        png = self.wait_file("ft.png", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n")
        self.assertEqual(int.from_bytes(png[16:20], "big"), 96)


def keypad_frame(address, function, data):
    """A caller-keypad frame: FF 68 L L 68 addr func data CS 16 (hardware.md)."""
    body = bytes([address, function]) + bytes(data)
    return bytes([0xFF, 0x68, len(body), len(body), 0x68]) + body + bytes([sum(body) & 0xFF, 0x16])


# struct input_event as the node's build lays it out: 32-bit time_t on armhf (Debian 12).
ARMHF = any("qemu-arm" in e and "aarch64" not in e for e in EMULATOR)
INPUT_EVENT = "iiHHi" if ARMHF else "qqHHi"
EV_KEY, KEY_1, KEY_2, KEY_3 = 1, 2, 3, 4


class DisplayInputs(DisplayTest):
    """Caller keypads on a pty bus and a USB evaluator (evdev records through a FIFO), through the
    real node and controller: the keypad acts for the clerk signed in at its window, the
    evaluator rates the service just finished there, once (R-EVAL-1, GB/T 39734 一次一评)."""

    def setUp(self):
        super().setUp()
        self.master, slave = os.openpty()
        tty.setraw(slave)  # no echo of what the test writes, from the first byte on
        self.addCleanup(os.close, self.master)
        self.addCleanup(os.close, slave)
        self.fifo = os.path.join(self.tmp.name, "evaluator-1")
        os.mkfifo(self.fifo)
        with open(self.config, "a", encoding="utf-8") as f:
            f.write('\n[keypads]\ndevice = "%s"\nwindows = [1, 2]\ntransfer_service = "zixun"\n'
                    '\n[[evaluator]]\nwindow = 1\ndevice = "%s"\n'
                    '\n[[evaluator]]\nwindow = 2\nbus_address = 102\n' % (os.ttyname(slave), self.fifo))
        self.heard = b""

    def frames(self, timeout=5.0, until=None):
        """Frames the node sent on the bus, until one matches `until` (or the time is up).
        Frames after the match stay unread for the next call: a key's echo and the node's
        answer to it (a beep) often arrive in one read."""
        got = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r:
                self.heard += os.read(self.master, 4096)
            while True:
                i = self.heard.find(b"\xff\x68")
                if i < 0 or len(self.heard) < i + 5:
                    break
                n = self.heard[i + 2]
                if len(self.heard) < i + 7 + n:
                    break
                f = self.heard[i:i + 7 + n]
                self.heard = self.heard[i + 7 + n:]
                got.append((f[5], f[6], list(f[7:5 + n]), f))
                if until and until(got[-1]):
                    return got
        if until:
            self.fail("no such frame on the bus; heard %r" % got)
        return got

    def press(self, address, data):
        frame = keypad_frame(address, 0x01, data)
        os.write(self.master, frame)
        # Each key frame is taken with an echo of itself.
        self.frames(until=lambda g: g[3] == frame)

    def events(self, since):
        from harness import WebSocket
        ws = WebSocket(self.c.port, "/api/v1/events?since=%d" % since, token=self.c.staff_token())
        self.addCleanup(ws.close)
        return ws

    def test_keypads_work_the_queue_and_the_evaluator_rates_once(self):
        self.start_display()
        evdev = open(self.fifo, "wb", buffering=0)  # waits for the node to open its end
        self.addCleanup(evdev.close)
        _, hall = self.c.get("/api/v1/hall")
        ws = self.events(hall["seq"])
        self.clerk(1, "c01")
        for _ in range(3):
            self.c.issue()
        # The keypad's display follows the hall: 3 waiting for window 1's service, no ticket.
        self.frames(until=lambda g: g[:3] == (1, 0x02, [0, 0, 3, 0x0A, 0x0A, 0x0A]))

        self.press(1, [0x0C])  # 呼叫
        self.wait_text("window-1.txt", "请A001号")
        self.frames(until=lambda g: g[:3] == (1, 0x02, [0, 0, 2, 0, 0, 1]))
        self.assertEqual(self.wait_voices(1), ["voice-000001-A001-w1.wav"])
        self.press(1, [0x0D])  # 重呼: said again
        self.assertEqual(len(self.wait_voices(2)), 2)
        self.press(1, [0x0B])  # 评价: the service ends, the evaluator takes the rating
        self.wait_text("window-1.txt", "欢迎光临")

        # The citizen presses 非常满意 (KEY_1), then 满意: only the first counts.
        for code in (KEY_1, KEY_2):
            for value in (1, 0):  # press, release
                evdev.write(struct.pack(INPUT_EVENT, 0, 0, EV_KEY, code, value))
            time.sleep(0.3)
        seen = {}
        while "ServiceRated" not in seen:
            e = ws.recv_json()
            seen.setdefault(e["type"], []).append(e)
        self.assertEqual(seen["TicketCalled"][0]["data"]["via"], "display-1")
        self.assertEqual(seen["TicketCalled"][0]["actor"]["id"], "c01")
        rated = seen["ServiceRated"][0]
        self.assertEqual((rated["window"], rated["data"]["number"], rated["data"]["level"], rated["data"]["label"]),
                         (1, "A001", 5, "非常满意"))
        self.wait_log("rating 4 not taken: already_rated")

        # 暂停 pauses (暂停服务 on the screen); 呼叫 on a paused window resumes it and calls.
        self.press(1, [0x12])
        self.wait_text("window-1.txt", "暂停服务")
        self.press(1, [0x0C])
        self.wait_text("window-1.txt", "请A002号")
        # 0+确认 holds the ticket (挂起), 3+确认 calls it back.
        self.press(1, [0x00, 0x0F])
        self.wait_text("window-1.txt", "欢迎光临")
        self.press(1, [0x03, 0x0F])
        self.wait_text("window-1.txt", "请A002号")
        # 转移 hands it to the configured service (R-FIRST-2); 6+确认 marks the next one absent.
        self.press(1, [0x13])
        self.wait_text("window-1.txt", "欢迎光临")
        _, t = self.c.get("/api/v1/tickets?number=A002", token="demo-kiosk-1")
        self.assertEqual((t["service"], t["state"]), ("zixun", "waiting"))
        self.press(1, [0x0C])
        self.wait_text("window-1.txt", "请A003号")
        self.press(1, [0x06, 0x0F])
        self.wait_text("window-1.txt", "欢迎光临")
        _, t = self.c.get("/api/v1/tickets?number=A003", token="demo-kiosk-1")
        self.assertEqual(t["state"], "no_show")

        # Window 2's keypad: nobody signed in there, so its key is refused with a beep.
        self.press(2, [0x0C])
        self.frames(until=lambda g: g[:2] == (2, 0x03))
        # A frame with a bad checksum is not taken (no echo) and changes nothing.
        bad = bytearray(keypad_frame(1, 0x01, [0x0C]))
        bad[-2] ^= 0xFF
        os.write(self.master, bytes(bad))
        self.assertFalse([g for g in self.frames(timeout=1.0) if g[3] == bytes(bad)])
        self.assertIn("欢迎光临", self.text("window-1.txt")[1])

        # Window 2's evaluator sits on the keypad bus at address 102: after a service at window
        # 2 its 基本满意 key (the third) rates it.
        t2 = self.clerk(2, "c03")
        self.c.issue("laodong")
        self.call(2, t2)
        s, _ = self.c.post("/api/v1/windows/2/finish", {}, token=t2)
        self.assertEqual(s, 200)
        self.press(102, [0x03])
        while True:
            e = ws.recv_json()
            if e["type"] == "ServiceRated":
                break
        self.assertEqual((e["window"], e["data"]["level"], e["data"]["label"]), (2, 3, "基本满意"))

    def wait_log(self, want, timeout=10):
        deadline = time.time() + timeout
        path = os.path.join(self.tmp.name, "display.err")
        while time.time() < deadline:
            with open(path, encoding="utf-8", errors="replace") as f:
                if want in f.read():
                    return
            time.sleep(0.05)
        self.fail("the node never logged %r" % want)


class DisplayConfig(unittest.TestCase):
    def check(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False, encoding="utf-8") as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        p = subprocess.run([*EMULATOR, DISPLAY, "--check-config", f.name], capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr

    def test_example_is_valid_and_bad_ones_name_their_line(self):
        with open(os.path.join(SOURCE, "deploy", "examples", "display.toml"), encoding="utf-8") as f:
            good = f.read()
        code, out = self.check(good)
        self.assertEqual(code, 0, out)
        self.assertIn("display display-1, 2 screen(s), voice alsa, 0 evaluator(s)", out)
        code, out = self.check(good + '[keypads]\ndevice = "/dev/ttyUSB1"\n[[evaluator]]\nwindow = 1\nbus_address = 101\n'
                               '[[evaluator]]\nwindow = 2\ndevice = "/dev/input/event3"\nkeys = ["KEY_KP1", "KEY_KP2", 81, 75, 76]\n')
        self.assertEqual(code, 0, out)
        self.assertIn("keypads on /dev/ttyUSB1, 2 evaluator(s)", out)
        for bad, want in (
            (good.replace('sink = "rs485:/dev/ttyUSB0@9600"', 'sink = "rs485:/dev/ttyUSB0@9601"'), "baud rate"),
            (good.replace('checksum = "sum8"', 'checksum = "md5"'), "screen[0].checksum"),
            (good.replace('windows = "all"\nsink', 'windows = [1, 1]\nsink'), "window listed twice"),
            (good.replace('pace = 1.2', 'pace = 9'), "voice.pace"),
            (good.replace('output = "alsa"', 'output = "speaker"'), "voice.output"),
            (good.replace('sink = "ft:127.0.0.1:1337"', 'sink = "rs485:/dev/ttyUSB1"'), "hall screen is a pixel panel"),
            (good.replace('sink = "ft:127.0.0.1:1337"', 'sink = "bx:/dev/ttyUSB1"'), "hall screen is a pixel panel"),
            (good.replace('sink = "rs485:/dev/ttyUSB0@9600"', 'sink = "bx:ttyUSB0"'), "expected bx:/dev/ttyX"),
            (good.replace('sink = "rs485:/dev/ttyUSB0@9600"', 'sink = "led:/dev/ttyUSB0"'), "png, ft, rs485 or bx"),
            (good.replace('token = "demo-display-1"', 'token = "x"'), "display.token"),
            (good + '[keypads]\ndevice = "ttyUSB1"\n', "keypads.device"),
            (good + '[keypads]\ndevice = "/dev/ttyUSB1"\nchecksum = "crc"\n', "keypads.checksum"),
            (good + '[keypads]\ndevice = "/dev/ttyUSB1"\ntransfer_service = "zixun"\ntransfer_window = 6\n',
             "not both"),
            (good + '[[evaluator]]\nwindow = 1\n', "give device (evdev) or bus_address"),
            (good + '[[evaluator]]\nwindow = 1\nbus_address = 101\n', "no [keypads] bus"),
            (good + '[[evaluator]]\nwindow = 1\ndevice = "/dev/input/event3"\nkeys = ["KEY_1", "KEY_1", 4, 5, 6]\n',
             "key used twice"),
            (good + '[[evaluator]]\nwindow = 1\ndevice = "/dev/input/event3"\nkeys = ["KEY_1"]\n', "expected 5 keys"),
            (good + '[[evaluator]]\nwindow = 1\ndevice = "/dev/input/event3"\nkeys = ["KEY_1", "KEY_Q", 4, 5, 6]\n',
             "evaluator[0].keys[1]"),
            (good + '[[evaluator]]\nwindow = 1\ndevice = "/dev/input/e1"\n[[evaluator]]\nwindow = 1\ndevice = "/dev/input/e2"\n',
             "one evaluator per window"),
        ):
            code, out = self.check(bad)
            self.assertEqual(code, 1, bad)
            self.assertIn(want, out)
            self.assertRegex(out, r"\.toml:\d+")

    def test_usage_errors(self):
        p = subprocess.run([*EMULATOR, DISPLAY, "--bogus"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("Usage: hallq-display", p.stderr)


if __name__ == "__main__":
    unittest.main()
