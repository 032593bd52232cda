"""The clerk console's API through the real controller (issue 7): GET /api/v1/windows/{n}/console
(who may read it; the current ticket with its recalls left; today's counts; the A/B posts and who
covers whom; the hand-over log of the session before), the 3-minute pause alert (R-AB-3) with the
hall clock running 60 times faster (--clock-rate), and a case notice for the browser's print at a
window without a printer. R-ids as in hall-rules.md."""
import socket
import subprocess
import time
import unittest

from harness import CONTROLLER_CMD, Controller, WebSocket, example_config


class Console(unittest.TestCase):
    def start(self, *extra):
        c = Controller(example_config(always_open="true"), extra_args=list(extra))
        c.start()
        self.addCleanup(c.cleanup)
        return c

    def console(self, c, window, token, status=200):
        s, body = c.get("/api/v1/windows/%d/console" % window, token=token)
        self.assertEqual(s, status, body)
        return body

    def test_who_may_read_a_window_console(self):
        """Only the window's signed-in clerk (or a manager) reads its console."""
        c = self.start()
        t1 = c.sign_in(1, "c01")
        t2 = c.sign_in(2, "c03")
        self.assertEqual(self.console(c, 1, None, 401)["error"]["code"], "unauthorized")
        self.assertEqual(self.console(c, 1, t2, 403)["error"]["code"], "forbidden")
        self.assertEqual(self.console(c, 1, "demo-kiosk-1", 403)["error"]["code"], "forbidden")
        self.assertEqual(self.console(c, 999, t1, 403)["error"]["code"], "forbidden")
        v = self.console(c, 1, t1)
        self.assertEqual(v["me"]["id"], "c01")
        self.assertEqual(v["window"]["post"], "A")
        s, _ = c.post("/api/v1/windows/1/console", {}, token=t1)
        self.assertEqual(s, 405)

    def test_current_ticket_recalls_left_waiting_and_today(self):
        """R-HALL-5: the recalls left; the waiting per service; the clerk's counts of the day."""
        c = self.start()
        t = c.sign_in(1, "c01")
        for _ in range(3):
            c.issue("minzheng")
        v = self.console(c, 1, t)
        self.assertEqual([(w["service"], w["waiting"]) for w in v["waiting"]], [("minzheng", 3)])
        c.post("/api/v1/windows/1/call-next", token=t)
        c.post("/api/v1/windows/1/recall", token=t)
        v = self.console(c, 1, t)
        self.assertEqual(v["current"]["number"], "A001")
        self.assertEqual(v["current"]["recalls_left"], v["recall_limit"] - 1)
        c.post("/api/v1/windows/1/start", token=t)
        s, _ = c.post("/api/v1/windows/1/finish", {"consultation": True}, token=t)
        self.assertEqual(s, 200)
        c.post("/api/v1/windows/1/call-next", token=t)
        c.post("/api/v1/windows/1/hold", token=t)
        c.post("/api/v1/windows/1/call-next", token=t)
        s, _ = c.post("/api/v1/windows/1/finish", {}, token=t)
        v = self.console(c, 1, t)
        self.assertEqual([h["number"] for h in v["held"]], ["A002"])
        today = v["today"]
        self.assertEqual((today["called"], today["served"], today["consultations"], today["held"], today["unregistered"]),
                         (3, 2, 1, 1, 1))
        self.assertEqual(v["last_finished"]["number"], "A003")
        self.assertEqual(v["waiting"][0]["waiting"], 0)

    def test_b_covers_a_and_a_returns_to_the_hand_over_log(self):
        """R-AB-1: B covering an absent A is shown as such; A's return brings B's session."""
        c = self.start()
        a = c.sign_in(1, "c01")
        self.assertIsNone(self.console(c, 1, a)["covering"])
        c.post("/api/v1/windows/1/sign-out", token=a)
        b = c.sign_in(1, "c02")
        v = self.console(c, 1, b)
        self.assertEqual(v["covering"], {"clerk": "c02", "for": "c01", "for_name": "刘春梅"})
        self.assertEqual(v["posts"]["A"]["signed_in_at"], None)
        self.assertEqual(v["posts"]["B"]["signed_in_at"], 1)
        c.issue("minzheng")
        c.post("/api/v1/windows/1/call-next", token=b)
        c.post("/api/v1/windows/1/finish", {"consultation": True}, token=b)
        s, _ = c.post("/api/v1/enquiries", {"subject": "问低保", "phone": "13800001111"}, token=b)
        self.assertEqual(s, 201)
        a = c.sign_in(1, "c01")  # A is back: B hands over
        v = self.console(c, 1, a)
        self.assertIsNone(v["covering"])
        h = v["handover"]
        self.assertEqual(h["from"]["id"], "c02")
        types = [e["type"] for e in h["events"]]
        self.assertEqual(types[:2], ["TicketCalled", "TicketFinished"], types)
        self.assertIn("EnquiryLogged", types)
        self.assertEqual(types[-1], "ClerkSignedOut")
        finished = next(e for e in h["events"] if e["type"] == "TicketFinished")
        self.assertEqual(finished["data"]["number"], "A001")
        enquiry = next(e for e in h["events"] if e["type"] == "EnquiryLogged")
        self.assertNotIn("13800001111", str(enquiry), "the hand-over log masks personal data")
        # Every event of the log was B's at window 1, ending with B handing the window over.
        self.assertTrue(all(e["window"] == 1 for e in h["events"]))
        self.assertTrue(all(e["actor"]["id"] == "c02" for e in h["events"][:-1]), h["events"])
        self.assertEqual(h["events"][-1]["data"], {"clerk": "c02", "reason": "handover"})

    def test_a_pause_past_three_minutes_alerts_the_manager(self):
        """R-AB-3: with the hall clock at 60x, a pause passes 3 minutes in 3 s and is flagged once."""
        c = self.start("--clock-rate", "60")
        t = c.sign_in(1, "c01")
        s, _ = c.post("/api/v1/windows/1/pause", {"reason": "临时离岗"}, token=t)
        self.assertEqual(s, 200)
        v = self.console(c, 1, t)
        self.assertFalse(v["window"]["pause_alerted"])
        self.assertEqual(v["pause_alert_minutes"], 3)
        ws = WebSocket(c.port, "/api/v1/events?since=0", token=t)
        self.addCleanup(ws.close)
        overrun = []
        deadline = time.time() + 20
        while time.time() < deadline and not overrun:
            e = ws.recv_json()
            if e["type"] == "WindowPauseOverrun":
                overrun.append(e)
        self.assertEqual(len(overrun), 1, "the pause was flagged")
        self.assertEqual(overrun[0]["window"], 1)
        self.assertEqual(overrun[0]["data"]["reason"], "临时离岗")
        self.assertEqual(overrun[0]["data"]["minutes"], 3)
        self.assertTrue(self.console(c, 1, t)["window"]["pause_alerted"])
        s, metrics = c.request("GET", "/metrics")
        self.assertIn('hallq_window_pause_overrun{window="1"} 1', metrics)
        # Two more checks of the pause loop (every 5 s): no second alert for the same pause.
        ws.sock.settimeout(11)
        with self.assertRaises(socket.timeout):
            while True:
                e = ws.recv_json()
                self.assertNotEqual(e["type"], "WindowPauseOverrun")
        c.post("/api/v1/windows/1/resume", token=t)
        self.assertNotIn("pause_alerted", self.console(c, 1, t)["window"])
        s, metrics = c.request("GET", "/metrics")
        self.assertIn('hallq_window_pause_overrun{window="1"} 0', metrics)

    def test_notice_for_the_browser_print(self):
        """R-ONCE-2: a window without a printer gets the supplement notice to print in the browser."""
        c = self.start()
        t = c.sign_in(1, "c01")
        other = c.sign_in(2, "c03")
        c.issue("minzheng")
        c.post("/api/v1/windows/1/call-next", token=t)
        s, body = c.post("/api/v1/windows/1/finish", {"case": {
            "type": "supplement", "item": "dibao", "applicant": "张三丰",
            "missing": ["家庭收入及财产状况申报表", "近期免冠一寸照片2张"]}}, token=t)
        self.assertEqual(s, 200, body)
        case = body["case"]["id"]
        s, n = c.get("/api/v1/cases/%d/notice?doc=supplement" % case, token=t)
        self.assertEqual(s, 200, n)
        texts = "".join(b.get("text", "") for b in n["blocks"])
        self.assertIn("家庭收入及财产状况申报表", texts)
        self.assertIn("近期免冠一寸照片2张", texts)
        self.assertIn("张三丰", texts)
        self.assertEqual(sum(1 for b in n["blocks"] if b.get("cut")), 2, "two copies (R-ONCE-3)")
        s, e = c.get("/api/v1/cases/%d/notice?doc=supplement" % case, token=other)
        self.assertEqual((s, e["error"]["code"]), (403, "not_your_case"))
        s, e = c.get("/api/v1/cases/%d/notice?doc=acceptance" % case, token=t)
        self.assertEqual((s, e["error"]["code"]), (409, "wrong_state"), "no deadline before the materials are complete")
        s, e = c.get("/api/v1/cases/%d/notice?doc=poster" % case, token=t)
        self.assertEqual(s, 422)
        s, e = c.post("/api/v1/cases/%d/print" % case, {"doc": "supplement"}, token=t)
        self.assertEqual((s, e["error"]["code"]), (409, "no_printer"))

    def test_counter_page_is_served(self):
        c = self.start()
        s, body = c.request("GET", "/counter")
        self.assertEqual(s, 200)
        self.assertIn('src="/web/counter.js"', body)
        s, _ = c.request("GET", "/web/counter.js")
        self.assertEqual(s, 200)

    def test_clock_rate_needs_a_start_and_a_sane_rate(self):
        for args in (["--clock-rate", "0"], ["--clock-rate", "abc"], ["--clock-rate", "1000"],
                     ["--clock-rate", "10"]):  # the last one without --clock-start
            r = subprocess.run([*CONTROLLER_CMD, "--config", "/nonexistent", *args], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn("--clock-rate", r.stderr)

if __name__ == "__main__":
    unittest.main()
