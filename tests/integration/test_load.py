"""Issue 9, load: 20 windows calling, 5 kiosk connections issuing and 50 WebSocket subscribers
on the real daemon for a bounded period, at ten times a busy county hall's peak and beyond.

A busy county centre's peak hour is about 600 tickets over 20 windows (0.17 tickets/s); ten
times that is 1.7 tickets/s. The test issues 20 tickets/s (over a hundred times the peak),
every window loops call-next -> start -> finish as fast as tickets come (polling every 5 ms
when nobody waits), and 50 subscribers follow the event stream. Asserted: no error, every
subscriber saw every event, latency within bounds that leave a wide margin, and the memory
flat (the second half of the run grows the controller's RSS by less than 1 MiB). The figures
are printed for docs/security.md."""
import os
import re
import subprocess
import threading
import time
import unittest

from harness import BENCH, Controller, example_config

LOAD = os.environ.get("HALLQ_LOAD", os.path.join(os.path.dirname(os.environ.get("HALLQ_CONTROLLER", "")), "hallq-load"))
WINDOWS = 20
SERVICES = ["minzheng", "laodong", "yibao", "jisheng", "tugui", "zixun"]


def twenty_windows():
    text = example_config(BENCH)
    pin_hash = re.search(r'(?m)^pin_hash = "([^"]*)"', text).group(1)
    clerks = ["c%02d" % (2 * n - 1) for n in range(1, 7)]
    for n in range(7, WINDOWS + 1):
        cid = "l%02d" % n
        clerks.append(cid)
        text += '\n[[clerks]]\nid = "%s"\nname = "窗口%d"\npin_hash = "%s"\n' % (cid, n, pin_hash)
        text += '\n[[windows]]\nnumber = %d\nname = "综合%d"\nservices = [%s]\nclerk_a = "%s"\n' % (
            n, n, ", ".join('"%s"' % s for s in SERVICES), cid)
    return text, clerks


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Load(unittest.TestCase):
    def test_twenty_windows_five_kiosks_fifty_subscribers(self):
        text, clerks = twenty_windows()
        c = Controller(text)
        self.addCleanup(c.cleanup)
        c.start()
        duration = 30
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                samples.append((time.monotonic(), rss_kb(c.proc.pid)))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample)
        t0 = time.monotonic()
        sampler.start()
        try:
            r = subprocess.run([LOAD, "--url", "http://127.0.0.1:%d" % c.port, "--clients", "5", "--rate", "20",
                                "--windows", str(WINDOWS), "--clerks", ",".join(clerks), "--subscribers", "50",
                                "--duration", str(duration), "--pid", str(c.proc.pid), "--label", "issue-9-load"],
                               capture_output=True, text=True, timeout=duration + 60)
        finally:
            stop.set()
            sampler.join()
        self.assertEqual(r.returncode, 0, r.stderr)
        fig = dict(line.split(": ", 1) for line in r.stdout.splitlines() if ": " in line)
        print("\n" + r.stdout)
        self.assertEqual(int(fig["errors_total"]), 0)
        self.assertGreater(int(fig["issue_ok"]), 20 * duration * 0.9)
        self.assertGreater(int(fig["finish_ok"]), int(fig["issue_ok"]) * 0.9)
        # Every subscriber saw every event, in order (the fan-out delay is not read here: the
        # hall runs on the injected clock).
        self.assertEqual(int(fig["subscribers_connected"]), 50)
        self.assertEqual(int(fig["subscribers_dropped"]), 0)
        self.assertEqual(int(fig["events_seq_gaps"]), 0)
        self.assertEqual(int(fig["events_per_subscriber_min"]), int(fig["controller_events"]))
        # A ceiling, not a figure: the latencies are measured by tests/bench (docs/benchmarks.md).
        # On the 2-core CI machine under ASan the same build gave an issue p99 of 94 ms in one
        # run and 476 ms in the next (2026-12-07), so a tight bound here only tests the host.
        self.assertLess(float(fig["issue_latency_ms_p99"]), 1000)
        self.assertLess(float(fig["window_op_latency_ms_p99"]), 1000)
        # Memory flat: the second half of the run adds less than 1 MiB (HALLQ_RSS_GROWTH_KIB: more
        # under ASan, whose allocator keeps freed blocks in quarantine and records every new
        # allocation stack; LeakSanitizer reports unreachable memory there at exit).
        mid = [kb for t, kb in samples if t - t0 < duration / 2 and t - t0 > duration / 4]
        end = [kb for t, kb in samples if t - t0 > duration * 3 / 4 and t - t0 < duration]
        self.assertTrue(mid and end, samples)
        growth = max(end) - max(mid)
        print("RSS middle %.1f MB, end %.1f MB, growth %d KiB over the second half" % (
            max(mid) / 1024, max(end) / 1024, growth))
        self.assertLess(growth, int(os.environ.get("HALLQ_RSS_GROWTH_KIB", "1024")))
        s, m = c.get("/metrics")
        self.assertIn("hallq_commit_failures_total 0", m)


if __name__ == "__main__":
    unittest.main()
