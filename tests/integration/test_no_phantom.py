"""No phantom tickets (issue 4, docs/printing.md): the real controller, the printer
simulator and the kiosk's ticket desk (hallq-kiosk-take) in every branch of the contract —
paper out before, during and after a job, a silent printer, a network cut between issue and
print, a kiosk killed while printing. After each, the hall agrees with the paper: every
waiting ticket was printed, every ticket that did not print is voided, and the kiosk's state
is visible in the hall snapshot and /metrics."""
import json
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import Controller, Proxy, example_config

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
SIM = os.environ.get("HALLQ_PRINTER_SIM", "build/dev/bin/hallq-printer-sim")
TAKE = os.environ.get("HALLQ_KIOSK_TAKE", "build/dev/bin/hallq-kiosk-take")
STATUS_URL = "http://192.168.1.10:8080/t/{id}"


class NoPhantom(unittest.TestCase):
    def setUp(self):
        self.c = Controller(example_config(always_open="true", device_rate_per_s="1000", device_burst="1000"))
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-np-")
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "sim")
        os.mkdir(self.out)
        self.sim = subprocess.Popen([*EMULATOR, SIM, "--listen", "127.0.0.1:0", "--out", self.out],
                                    stdout=subprocess.PIPE, text=True)
        self.addCleanup(self._stop_sim)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.sim.stdout.readline())
        self.assertTrue(m)
        self.printer = "tcp://127.0.0.1:%s" % m.group(1)
        self.journal = os.path.join(self.tmp.name, "journal.json")
        self.proxy = Proxy(self.c.port)
        self.addCleanup(self.proxy.close)

    def _stop_sim(self):
        self.sim.kill()
        self.sim.wait(5)
        self.sim.stdout.close()

    def fault(self, name):
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write(name)

    def args(self, *extra, via_proxy=False):
        port = self.proxy.port if via_proxy else self.c.port
        return [*EMULATOR, TAKE, "--controller", "http://127.0.0.1:%d" % port, "--device", "kiosk-1",
                "--token", "demo-kiosk-1", "--printer", self.printer, "--journal", self.journal,
                "--status-url", STATUS_URL, *extra]

    def take(self, *extra, via_proxy=False, service="minzheng"):
        r = subprocess.run(self.args("--service", service, *extra, via_proxy=via_proxy),
                           capture_output=True, text=True, timeout=120)
        lines = [json.loads(x) for x in r.stdout.splitlines()]
        self.assertTrue(lines, r.stderr)
        return r.returncode, lines[-1]

    def resolve(self):
        r = subprocess.run(self.args("--resolve"), capture_output=True, text=True, timeout=60)
        return r.returncode, json.loads(r.stdout.splitlines()[-1])

    def pending(self):
        with open(self.journal) as f:
            return json.load(f)["pending"]

    def hall(self):
        s, body = self.c.get("/api/v1/hall", token="demo-kiosk-2")
        self.assertEqual(s, 200)
        return body

    def kiosk(self):
        return {d["id"]: d for d in self.hall()["devices"]}["kiosk-1"]

    def ticket(self, tid):
        s, t = self.c.get("/api/v1/tickets/%d" % tid)
        self.assertEqual(s, 200)
        return t

    def issued_events(self):
        """Every ticket the controller ever issued, with its final state."""
        s, text = self.c.get("/metrics")
        issued = int(re.search(r"hallq_tickets_issued_total (\d+)", text).group(1))
        return [self.ticket(i) for i in range(1, issued + 1)]

    def jobs(self):
        return sorted(f for f in os.listdir(self.out) if f.endswith(".bin"))

    def assert_hall_matches_paper(self):
        """Every ticket still waiting was printed; every other one is voided (or served)."""
        printed = set()
        for name in self.jobs():
            z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(self.out, name[:-4] + ".png")],
                               capture_output=True, text=True)
            for line in z.stdout.splitlines():
                m = re.match(r"http://192\.168\.1\.10:8080/t/(\d+)$", line)
                if m:
                    printed.add(int(m.group(1)))
        for t in self.issued_events():
            if t["state"] == "waiting":
                self.assertIn(t["id"], printed, "ticket %s waits but was never printed" % t["number"])
            else:
                self.assertEqual(t["state"], "voided", t)
                self.assertNotIn(t["id"], printed, "a voided ticket %s came out of the printer" % t["number"])

    # ---- the branches ----

    def test_ok_prints_and_reports(self):
        code, o = self.take("--item", "dibao")
        self.assertEqual((code, o["result"], o["print"]["confirmed"]), (0, "printed", True), o)
        self.assertEqual(o["ticket"]["state"], "waiting")
        self.assertEqual(self.pending(), [])
        k = self.kiosk()
        self.assertEqual((k["printer"], k["accepting"], k["online"]), ("ok", True, True))
        self.assertEqual(self.jobs(), ["job-0001.bin"])
        self.assert_hall_matches_paper()

    def test_paper_out_before_issues_nothing(self):
        self.fault("paper-out")
        code, o = self.take()
        self.assertEqual((code, o["result"], o["code"]), (1, "printer_unavailable", "paper_out"), o)
        self.assertEqual(o["message_zh"], "取号机打印纸已用完，暂停取号，请到咨询台办理。")
        self.assertEqual(self.issued_events(), [])
        k = self.kiosk()
        self.assertEqual((k["printer"], k["accepting"]), ("paper_out", False))
        s, text = self.c.get("/metrics")
        self.assertIn('hallq_device_accepting{device="kiosk-1"} 0', text)
        self.assertIn('hallq_device_printer_status{device="kiosk-1",state="paper_out"} 1', text)
        # Paper loaded: the check reports it and the kiosk offers tickets again.
        self.fault("ok")
        r = subprocess.run(self.args("--check"), capture_output=True, text=True, timeout=60)
        self.assertEqual(json.loads(r.stdout)["accepting"], True)
        self.assertEqual(self.kiosk()["accepting"], True)

    def test_paper_out_during_a_job_voids_the_ticket(self):
        self.fault("paper-out-after:300")
        code, o = self.take("--reprint-within", "1500")
        self.assertEqual((code, o["result"], o["prints"]), (1, "voided", 1), o)
        self.assertEqual(o["print"]["outcome"], "suspect")
        self.assertEqual(o["message_zh"], "号票打印失败，本次取号已作废，请到咨询台办理。")
        t = self.ticket(o["ticket"]["id"])
        self.assertEqual((t["state"], t["close_reason"]), ("voided", "print_failed"))
        self.assertEqual(self.pending(), [])
        self.assertEqual(self.kiosk()["accepting"], False)
        s, text = self.c.get("/metrics")
        self.assertIn("hallq_tickets_voided_total 1", text)
        self.assertEqual(self.hall()["services"][0]["waiting"], 0)
        self.assert_hall_matches_paper()

    def test_paper_out_during_a_job_then_loaded_in_time_reprints(self):
        self.fault("paper-out-after:300")
        threading.Timer(1.5, self.fault, args=("ok",)).start()
        code, o = self.take("--reprint-within", "8000")
        self.assertEqual((code, o["result"], o["prints"]), (0, "reprinted", 2), o)
        self.assertEqual(self.ticket(o["ticket"]["id"])["state"], "waiting")
        self.assertEqual(self.kiosk()["accepting"], True)
        # The first ticket's rest came out once paper was back, then the whole reprint.
        self.assertGreaterEqual(len(self.jobs()), 1)
        self.assert_hall_matches_paper()

    def test_paper_out_right_after_a_job_keeps_the_ticket_and_stops_the_kiosk(self):
        code, first = self.take()
        self.assertEqual(first["result"], "printed")
        size = os.path.getsize(os.path.join(self.out, "job-0001.bin"))
        # The roll holds exactly one more ticket of the same size: the first of another
        # service whose name is as long (nobody ahead, so no wait line either).
        self.fault("paper-out-after:%d" % size)
        code, o = self.take(service="laodong")
        self.assertEqual((code, o["result"], o["print"]["confirmed"], o["print"]["after"]),
                         (0, "printed", True, "paper_out"), o)
        self.assertEqual((o["accepting"], self.kiosk()["accepting"]), (False, False))
        code, third = self.take()
        self.assertEqual(third["result"], "printer_unavailable")
        self.assertEqual(len(self.issued_events()), 2)
        self.assert_hall_matches_paper()

    def test_silent_printer_still_prints(self):
        self.fault("silent")
        code, o = self.take()
        self.assertEqual((code, o["result"], o["printer"], o["print"]["confirmed"]), (0, "printed", "unknown", False), o)
        self.assertEqual(self.kiosk()["printer"], "unknown")
        self.assertEqual(self.kiosk()["accepting"], True)
        self.assertEqual(len(self.jobs()), 1)

    def test_controller_down_issues_nothing(self):
        port = self.c.port
        self.c.stop()
        r = subprocess.run([*EMULATOR, TAKE, "--controller", "http://127.0.0.1:%d" % port, "--device", "kiosk-1",
                            "--token", "demo-kiosk-1", "--printer", self.printer, "--journal", self.journal,
                            "--service", "minzheng"], capture_output=True, text=True, timeout=60)
        o = json.loads(r.stdout.splitlines()[-1])
        self.assertEqual((r.returncode, o["result"]), (1, "controller_unreachable"), o)
        self.assertEqual(o["message_zh"], "暂停取号，请到咨询台办理。")
        self.assertEqual(self.jobs(), [], "never a number the controller did not issue")
        self.assertEqual(self.pending(), [])

    def test_network_cut_between_issue_and_answer_is_voided_on_reconnect(self):
        self.proxy.mode = "drop_answer"
        code, o = self.take(via_proxy=True)
        self.assertEqual((code, o["result"]), (1, "issue_unconfirmed"), o)
        self.assertEqual(self.jobs(), [])
        self.assertEqual(self.proxy.requests.count("POST /api/v1/tickets"), 3)  # 3 tries, one request id
        issued = self.issued_events()
        self.assertEqual([t["state"] for t in issued], ["waiting"], "retries made no second ticket")
        self.assertEqual(len(self.pending()), 1)
        self.assertEqual(self.pending()[0]["stage"], "issuing")
        # The network is back: the kiosk finds the ticket by its request id and voids it.
        code, r = self.resolve()
        self.assertEqual((code, r["pending_before"], r["pending"]), (0, 1, 0), r)
        t = self.ticket(issued[0]["id"])
        self.assertEqual((t["state"], t["close_reason"]), ("voided", "issue_unconfirmed"))
        self.assert_hall_matches_paper()

    def test_network_cut_before_the_void_is_sent_later(self):
        self.fault("paper-out-after:300")
        self.proxy.mode = "pass"
        # Cut the network once the ticket is issued: the void's answer is lost.
        def cut():
            while not self.issued_events():
                time.sleep(0.05)
            self.proxy.mode = "drop_answer"
        threading.Thread(target=cut, daemon=True).start()
        code, o = self.take("--reprint-within", "1000", via_proxy=True)
        self.assertEqual(o["result"], "void_pending", o)
        self.assertEqual(o["message_zh"], "号票打印失败，本次取号已作废，请到咨询台办理。")
        tid = o["ticket"]["id"]
        # The void did reach the controller (only its answer was lost) — or not; either way
        # the journal keeps it, and resolving it again is answered alike.
        self.assertEqual([p["stage"] for p in self.pending()], ["void_pending"])
        code, r = self.resolve()
        self.assertEqual((code, r["pending"]), (0, 0), r)
        self.assertEqual(self.ticket(tid)["state"], "voided")
        self.assert_hall_matches_paper()

    def test_kiosk_killed_while_printing_voids_on_restart(self):
        self.fault("paper-out-after:300")
        p = subprocess.Popen(self.args("--service", "minzheng", "--reprint-within", "20000"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if os.path.exists(self.journal) and any(e["stage"] == "printing" for e in self.pending()):
                break
            time.sleep(0.05)
        time.sleep(0.5)  # inside the reprint wait
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=10)
        self.assertEqual([e["stage"] for e in self.pending()], ["printing"])
        code, r = self.resolve()
        self.assertEqual((code, r["pending"]), (0, 0), r)
        t = self.issued_events()[0]
        self.assertEqual((t["state"], t["close_reason"]), ("voided", "print_unconfirmed"))
        self.assert_hall_matches_paper()


if __name__ == "__main__":
    unittest.main()
