"""The clerk console's API through the real controller (issue 7): GET /api/v1/windows/{n}/console
(who may read it; the current ticket with its recalls left; today's counts; the A/B posts and who
covers whom; the hand-over log of the session before), the 3-minute pause alert (R-AB-3) with the
hall clock running 60 times faster (--clock-rate), a case notice for the browser's print at a
window without a printer, and the result told by SMS through hallq-modem-sim (a GSM modem on a
pty: nothing is sent) (R-TIME-4). R-ids as in hall-rules.md."""
import glob
import os
import re
import shlex
import socket
import subprocess
import tempfile
import time
import unittest

from harness import CONTROLLER_CMD, Controller, WebSocket, example_config

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
MODEM_SIM = os.environ.get("HALLQ_MODEM_SIM", "build/dev/bin/hallq-modem-sim")


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
        public = WebSocket(c.port, "/api/v1/events?since=0")  # the wall board's view
        self.addCleanup(public.close)
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
        # The wall board learns of the alert but not whose pause it was nor why.
        e = public.recv_json()
        while e["type"] != "WindowPauseOverrun":
            e = public.recv_json()
        self.assertEqual((e["window"], e["data"]), (1, {}))
        # Ten more checks of the pause loop (every 5 s of hall time: 100 ms here): no second
        # alert for the same pause.
        ws.sock.settimeout(1.5)
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

    def test_still_missing_prints_a_new_notice_and_records_an_incomplete_one(self):
        """R-CASE-6/R-ONCE-4: more materials asked for after the notice: a new notice with every
        one, the clock stopped, and a material the last notice did not list recorded."""
        c = self.start()
        t = c.sign_in(1, "c01")
        c.issue("minzheng")
        c.post("/api/v1/windows/1/call-next", token=t)
        s, body = c.post("/api/v1/windows/1/finish", {"case": {
            "type": "supplement", "item": "dibao", "applicant": "张三丰",
            "missing": ["家庭收入及财产状况申报表"]}}, token=t)
        self.assertEqual(s, 200, body)
        case = body["case"]["id"]
        s, body = c.post("/api/v1/cases/%d/supplement" % case, {"missing": ["近期免冠一寸照片2张"]}, token=t)
        self.assertEqual(s, 200, body)
        self.assertEqual(body["state"], "awaiting_materials")
        self.assertEqual(body["missing"], ["近期免冠一寸照片2张"])
        self.assertEqual(body["once_failures"], 1)
        s, n = c.get("/api/v1/cases/%d/notice?doc=supplement" % case, token=t)
        texts = "".join(b.get("text", "") for b in n["blocks"])
        self.assertIn("近期免冠一寸照片2张", texts)
        self.assertNotIn("家庭收入及财产状况申报表", texts)
        s, e = c.post("/api/v1/cases/%d/supplement" % case, {"missing": "照片"}, token=t)
        self.assertEqual((s, e["error"]["code"]), (400, "bad_field"))
        s, e = c.post("/api/v1/cases/%d/supplement" % case, {"missing": ["结婚证原件"]}, token=t)
        self.assertEqual((s, e["error"]["code"]), (422, "invalid_argument"))

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

class SmsNotice(unittest.TestCase):
    """R-TIME-4: a completed case told by SMS through the hall's modem is recorded once the
    network took it; a refused SMS records nothing."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-sms-")
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "sms")
        link = os.path.join(self.tmp.name, "modem")
        self.sim = subprocess.Popen([*EMULATOR, MODEM_SIM, "--link", link, "--out", self.out],
                                    stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_sim)
        self.assertIn("ready on", self.sim.stdout.readline())
        text = example_config(always_open="true")
        text = re.sub(r'(?m)^device = ""$', 'device = "serial:%s"' % link, text, count=1)
        self.c = Controller(text)
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.t = self.c.sign_in(1, "c01")

    def stop_sim(self):
        self.sim.terminate()
        self.sim.wait(10)
        self.sim.stdout.close()

    def completed_case(self, phone="13812345678"):
        self.c.issue("minzheng")
        self.c.post("/api/v1/windows/1/call-next", token=self.t)
        case = {"type": "promised", "item": "linshi_jiuzhu", "applicant": "李四"}
        if phone:
            case["phone"] = phone
        s, body = self.c.post("/api/v1/windows/1/finish", {"case": case}, token=self.t)
        self.assertEqual(s, 200, body)
        cid = body["case"]["id"]
        s, body = self.c.post("/api/v1/cases/%d/complete" % cid, {}, token=self.t)
        self.assertEqual(s, 200, body)
        return cid, body["no"]

    def messages(self):
        return sorted(glob.glob(os.path.join(self.out, "sms-*.txt")))

    def test_result_sms_is_sent_then_recorded(self):
        cid, no = self.completed_case()
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "sms"}, token=self.t)
        self.assertEqual(s, 200, body)
        self.assertEqual(body["notify_channel"], "sms")
        self.assertFalse(body["to_notify"])
        deadline = time.time() + 10
        while not self.messages() and time.time() < deadline:
            time.sleep(0.05)
        with open(self.messages()[0], encoding="utf-8") as f:
            msg = f.read()
        self.assertTrue(msg.startswith("to +8613812345678\nparts "), msg)
        for part in ("【青溪镇便民服务中心】", "李四您好", "临时救助", no, "1号窗口"):
            self.assertIn(part, msg)
        step = [x for x in body["steps"] if x["what"] == "notified"][0]
        self.assertIn("短信已发送", step["note"])
        # Told once: a second SMS is refused before anything is sent.
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "sms"}, token=self.t)
        self.assertEqual((s, body["error"]["code"]), (409, "wrong_state"))
        self.assertEqual(len(self.messages()), 1)

    def test_a_refused_sms_records_nothing(self):
        cid, _ = self.completed_case()
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write("error\n")
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "sms"}, token=self.t)
        self.assertEqual((s, body["error"]["code"]), (502, "sms_failed"), body)
        self.assertIn("+CMS ERROR: 500", body["error"]["message"])
        _, case = self.c.get("/api/v1/cases/%d" % cid, token=self.t)
        self.assertTrue(case["to_notify"])
        self.assertIsNone(case["notified_at"])
        # The network is back: the same request goes through.
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write("ok\n")
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "sms"}, token=self.t)
        self.assertEqual(s, 200, body)

    def test_no_phone_no_sms(self):
        cid, _ = self.completed_case(phone=None)
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "sms"}, token=self.t)
        self.assertEqual((s, body["error"]["code"]), (422, "no_phone"))
        other = self.c.sign_in(2, "c03")
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "sms"}, token=other)
        self.assertEqual((s, body["error"]["code"]), (403, "not_your_case"))
        # A phone call is recorded as before.
        s, body = self.c.post("/api/v1/cases/%d/notify" % cid, {"channel": "phone"}, token=self.t)
        self.assertEqual(s, 200, body)
        self.assertEqual(self.messages(), [])


if __name__ == "__main__":
    unittest.main()
