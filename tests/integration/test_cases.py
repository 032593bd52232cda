"""The case register through the real controller (issue 7): cases registered on finishing a
ticket or later the same day, every case type's flow, deadlines on the example hall's official
2025/2026 calendar, the notices printed at window 1's printer (decoded by hallq-printer-sim from
the real ESC/POS bytes), personal data sealed in the database and masked outside the clerk's own
view, the enquiry log, and a restart that keeps it all. R-ids as in hall-rules.md."""
import glob
import os
import re
import shlex
import subprocess
import tempfile
import time
import unittest

from harness import Controller, WebSocket, example_config

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
SIM = os.environ.get("HALLQ_PRINTER_SIM", "build/dev/bin/hallq-printer-sim")

DIBAO = ["最低生活保障申请书（户主签字）",
         "申请人及共同生活家庭成员的居民身份证、户口簿原件及复印件",
         "家庭经济状况核对授权书（家庭成员均须签字）",
         "家庭收入及财产状况申报表",
         "婚姻状况证明（结婚证、离婚证或离婚判决书）",
         "因病、因残申请的，提供残疾人证或县级以上医院诊断证明",
         "近期免冠一寸照片2张"]


def flat(text):
    """Printed text without the line breaks and indents that wrapping put in."""
    return re.sub(r"\s+", "", text)


class CaseRegister(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-cases-")
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "printer-w1")
        os.makedirs(self.out)
        self.sim = subprocess.Popen([*EMULATOR, SIM, "--listen", "127.0.0.1:0", "--out", self.out, "--paper", "576"],
                                    stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_sim)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.sim.stdout.readline())
        self.assertTrue(m)
        text = example_config(always_open="true")
        text = text.replace('# printer = "tcp://192.168.1.61:9100"', 'printer = "tcp://127.0.0.1:%s"' % m.group(1), 1)
        self.c = Controller(text)
        self.c.start()
        self.addCleanup(self.c.cleanup)
        self.c01 = self.c.sign_in(1, "c01")

    def stop_sim(self):
        self.sim.kill()
        self.sim.wait(5)
        self.sim.stdout.close()

    def printed(self, n, timeout=15):
        """The text of the first n jobs the window printer printed (decoded by the simulator)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            jobs = sorted(glob.glob(os.path.join(self.out, "job-*.txt")))
            if len(jobs) >= n:
                time.sleep(0.2)  # the .txt is written whole before it is renamed; be safe anyway
                out = []
                for j in jobs[:n]:
                    with open(j, encoding="utf-8") as f:
                        out.append(f.read())
                return out
            time.sleep(0.1)
        self.fail("the window printer printed %d of %d jobs" % (len(glob.glob(os.path.join(self.out, "job-*.txt"))), n))

    def serve(self, window=1, token=None, service="minzheng"):
        token = token or self.c01
        _, t = self.c.issue(service)
        s, called = self.c.post("/api/v1/windows/%d/call-next" % window, token=token)
        self.assertEqual((s, called["id"]), (200, t["id"]), called)
        s, _ = self.c.post("/api/v1/windows/%d/start" % window, token=token)
        self.assertEqual(s, 200)
        return t

    def finish(self, case, window=1, token=None):
        s, body = self.c.post("/api/v1/windows/%d/finish" % window, {"case": case}, token=token or self.c01)
        self.assertEqual(s, 200, body)
        return body["case"]

    def wait_step(self, case_id, what, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            _, c = self.c.get("/api/v1/cases/%d" % case_id, token=self.c01)
            steps = [s for s in c["steps"] if s["what"] == what]
            if steps:
                return steps
            time.sleep(0.1)
        self.fail("no %s step on case %d" % (what, case_id))

    # ---- deadlines ----

    def test_deadline_api_on_the_official_calendar(self):
        """R-TIME-1/2: GET /api/v1/calendar/deadline counts working days from the day after."""
        for received, days, deadline in (("2026-09-30", 5, "2026-10-13"), ("2025-09-30", 3, "2025-10-11"),
                                         ("2025-12-31", 1, "2026-01-04"), ("2026-03-02", 30, "2026-04-14"),
                                         ("2026-02-13", 2, "2026-02-24"), ("2026-05-08", 0, "2026-05-08")):
            s, body = self.c.get("/api/v1/calendar/deadline?received=%s&days=%d" % (received, days))
            self.assertEqual((s, body), (200, {"received": received, "days": days, "deadline": deadline}))
        s, body = self.c.get("/api/v1/calendar/deadline?received=2026-12-30&days=5")
        self.assertEqual((s, body["error"]["code"]), (422, "outside_calendar"))
        self.assertIn("2025-2026", body["error"]["message"])
        s, body = self.c.get("/api/v1/calendar/deadline?received=2024-12-30&days=1")
        self.assertEqual((s, body["error"]["code"]), (422, "outside_calendar"))
        for bad in ("received=2026-02-30&days=1", "received=2026-3-2&days=1", "received=2026-03-02&days=-1",
                    "received=2026-03-02&days=x", "days=3", "received=2026-03-02&days=366"):
            s, body = self.c.get("/api/v1/calendar/deadline?" + bad)
            self.assertEqual((s, body["error"]["code"]), (422, "invalid_value"), bad)

    # ---- case types and their notices ----

    def test_supplement_case_prints_every_missing_material_in_two_copies(self):
        """R-ONCE-2/3, R-CASE-6: a supplement case prints the one-time notice, then the acceptance
        notice with the deadline once the materials are complete (R-TIME-1)."""
        t = self.serve()
        missing = DIBAO[2:6]
        c = self.finish({"type": "supplement", "item": "dibao", "applicant": "张三丰", "phone": "13812345678",
                         "id_number": "510104199001011234", "received": DIBAO[:2], "missing": missing})
        self.assertEqual((c["state"], c["type_label"], c["ticket"], c["number"]),
                         ("awaiting_materials", "补办件", t["id"], t["number"]))
        self.assertIsNone(c["deadline"])
        self.assertEqual(c["no"], "20260302-001")
        notice = flat(self.printed(1)[0])
        self.assertEqual(notice.count("补正材料一次性告知书"), 2)
        self.assertIn("（申请人留存）", notice)
        self.assertIn("（窗口留存）", notice)
        for m in missing:
            self.assertEqual(notice.count(flat(m)), 2, m)  # every missing material, on both copies
        for m in DIBAO[:2] + DIBAO[6:]:
            self.assertNotIn(flat(m), notice)  # and nothing else
        self.assertIn("申请人：张三丰", notice)  # in clear on the paper the citizen takes home
        self.assertIn("编号：20260302-001", notice)
        self.assertIn("30个工作日内办结", notice)
        self.assertIn("2026年3月2日", notice)
        self.assertIn("经办人：", notice)
        self.assertEqual(self.wait_step(c["id"], "printed")[0]["note"], "supplement: printed")

        s, back = self.c.post("/api/v1/cases/%d/materials-complete" % c["id"], token=self.c01)
        self.assertEqual((s, back["state"], back["deadline"], back["clock_start"]), (200, "open", "2026-04-14", "2026-03-02"))
        acceptance = flat(self.printed(2)[1])
        self.assertIn("受理通知书", acceptance)
        self.assertIn("承诺办结日期：2026年4月14日（30个工作日）", acceptance)
        self.assertIn(flat(DIBAO[0]), acceptance)  # the materials received
        # A reprint from the console (the window's copy got lost).
        s, body = self.c.post("/api/v1/cases/%d/print" % c["id"], {"doc": "supplement"}, token=self.c01)
        self.assertEqual((s, body["queued"]), (202, True))
        self.assertEqual(flat(self.printed(3)[2]), notice)
        s, body = self.c.post("/api/v1/cases/%d/print" % c["id"], {"doc": "extension"}, token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (409, "wrong_state"))  # never extended

    def test_promised_case_extension_suspension_completion_and_notice(self):
        """R-CASE-2, R-TIME-3, R-CASE-4, R-TIME-4 through the API, notices from the printer."""
        self.serve()
        c = self.finish({"type": "promised", "item": "linshi_jiuzhu", "applicant": "李四", "phone": "13900001111",
                         "received": ["临时救助申请书", "银行账户（一卡通）复印件"]})
        self.assertEqual((c["state"], c["deadline"], c["days_left"]), ("open", "2026-03-16", 10))
        acceptance = flat(self.printed(1)[0])
        self.assertIn("受理通知书", acceptance)
        self.assertIn("承诺办结日期：2026年3月16日（10个工作日）", acceptance)
        url = "/api/v1/cases/%d/" % c["id"]
        s, body = self.c.post(url + "extend", {"days": 6, "reason": "需入户调查"}, token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (422, "invalid_argument"))
        s, body = self.c.post(url + "extend", {"days": 3}, token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (422, "invalid_argument"))
        s, body = self.c.post(url + "extend", {"days": 3, "reason": "需入户调查"}, token=self.c01)
        self.assertEqual((s, body["deadline"]), (200, "2026-03-19"))
        extension = flat(self.printed(2)[1])
        self.assertEqual(extension.count("延期办理告知书"), 2)
        self.assertIn("因需入户调查", extension)
        self.assertIn("原承诺办结日期：2026年3月16日", extension)
        self.assertIn("延期后办结日期：2026年3月19日", extension)
        s, body = self.c.post(url + "suspend", {"reason": "申请人未到场核验"}, token=self.c01)
        self.assertEqual((s, body["state"]), (200, "suspended"))
        s, body = self.c.post(url + "complete", token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (409, "wrong_state"))
        s, body = self.c.post(url + "resume", token=self.c01)
        self.assertEqual((s, body["state"], body["suspended_days"]), (200, "open", 0))  # the same day
        s, body = self.c.post(url + "complete", {"note": "已发放"}, token=self.c01)
        self.assertEqual((s, body["state"], body["to_notify"], body["overdue_days"]), (200, "done", True, 0))
        s, body = self.c.post(url + "notify", {"channel": "phone"}, token=self.c01)
        self.assertEqual((s, body["notify_channel"], body["to_notify"]), (200, "phone", False))
        # The steps are the case's history, in order.
        s, full = self.c.get("/api/v1/cases/%d" % c["id"], token=self.c01)
        steps = [x["what"] for x in full["steps"] if x["what"] != "printed"]
        self.assertEqual(steps, ["registered", "extended", "suspended", "resumed", "completed", "notified"])

    def test_returned_joint_escalated_and_agency_cases(self):
        """R-CASE-3/4/5/7: each type's steps, with the participating window reporting back."""
        self.serve()
        s, body = self.c.post("/api/v1/windows/1/finish", {"case": {"type": "returned", "item": "dibao", "applicant": "王五"}},
                              token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (422, "invalid_argument"))  # the written reason is required
        self.assertEqual(self.c.get("/api/v1/hall")[1]["windows"][0]["state"], "serving")  # nothing changed
        r = self.finish({"type": "returned", "item": "dibao", "applicant": "王五", "reason": "非本镇户籍，请向户籍地申请"})
        self.assertEqual(r["state"], "returned")
        returned = flat(self.printed(1)[0])
        self.assertEqual(returned.count("退件通知书"), 2)
        self.assertIn("非本镇户籍，请向户籍地申请", returned)

        self.serve()
        j = self.finish({"type": "joint", "item": "tekun", "applicant": "赵六", "participants": [2, 3]})
        self.assertEqual([p["window"] for p in j["participants"]], [2, 3])
        c03 = self.c.sign_in(2, "c03")
        c05 = self.c.sign_in(3, "c05")
        url = "/api/v1/cases/%d/" % j["id"]
        s, body = self.c.post(url + "complete", token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (409, "wrong_state"))
        s, body = self.c.post(url + "report", {"note": "就业状况已核"}, token=c03)  # its own window, 2
        self.assertEqual((s, [p["reported"] for p in body["participants"]]), (200, [True, False]))
        s, body = self.c.post(url + "report", {"window": 2}, token=c05)
        self.assertEqual((s, body["error"]["code"]), (403, "not_your_case"))
        s, _ = self.c.post(url + "report", token=c05)
        s, body = self.c.post(url + "complete", token=self.c01)
        self.assertEqual((s, body["state"]), (200, "done"))
        # Window 2 sees the joint case in its list (a participant), without the applicant's data.
        s, lst = self.c.get("/api/v1/cases?window=2", token=c03)
        mine = [x for x in lst["cases"] if x["id"] == j["id"]]
        self.assertEqual((len(mine), mine[0]["applicant"], mine[0]["personal"]), (1, "赵*", "masked"))

        self.serve()
        e = self.finish({"type": "escalated", "item": "canji_butie", "applicant": "钱七"})
        url = "/api/v1/cases/%d/" % e["id"]
        self.assertEqual(self.c.post(url + "complete", token=self.c01)[0], 409)
        self.assertEqual(self.c.post(url + "report-upward", {"note": "报县残联"}, token=self.c01)[0], 200)
        self.assertEqual(self.c.post(url + "complete", token=self.c01)[1]["state"], "done")

        self.serve()
        a = self.finish({"type": "agency", "item": "dibao", "applicant": "孙八", "received": DIBAO[:1]})
        url = "/api/v1/cases/%d/" % a["id"]
        s, body = self.c.post(url + "assign", {"handler": "c02"}, token=self.c01)
        self.assertEqual((s, body["handler"]), (200, "c02"))
        # Printed: the return notice, the joint and escalated acceptance notices, the agency
        # receipt and the handler's responsibility slip.
        texts = [flat(t) for t in self.printed(5)]
        self.assertIn("受理通知书", texts[1])
        self.assertIn("受理通知书", texts[2])
        self.assertIn("代办受理回执", texts[3])
        self.assertIn("代办责任单", texts[4])
        self.assertRegex(texts[4], r"代办人：[^：]*（c02）")
        self.assertIn("代办人签字：", texts[4])
        self.assertIn("代办人对本事项全程负责", texts[4])
        # What citizens are handed names no internal rule ids (R-CASE-7 and the like).
        for text in texts:
            self.assertNotRegex(text, r"R-[A-Z]+-[0-9]")
        s, body = self.c.post(url + "complete", token=self.c01)
        self.assertEqual(s, 200)
        s, body = self.c.post(url + "feedback", {"note": "很满意，不用跑腿"}, token=self.c01)
        self.assertEqual((s, body["feedback"]), (200, "很满意，不用跑腿"))

    def test_unregistered_tickets_are_listed_until_registered(self):
        """R-CASE-8: a ticket finished without a case stays on the console's list."""
        t = self.serve()
        s, _ = self.c.post("/api/v1/windows/1/finish", token=self.c01)
        self.assertEqual(s, 200)
        s, lst = self.c.get("/api/v1/cases?window=1", token=self.c01)
        self.assertEqual([u["ticket"] for u in lst["unregistered"]], [t["id"]])
        s, c = self.c.post("/api/v1/cases", {"ticket": t["id"], "type": "immediate", "item": "dibao", "applicant": "周九"},
                           token=self.c01)
        self.assertEqual((s, c["ticket"], c["state"]), (201, t["id"], "done"))
        s, lst = self.c.get("/api/v1/cases?window=1", token=self.c01)
        self.assertEqual(lst["unregistered"], [])
        # An enquiry only: nothing to register.
        self.serve()
        s, _ = self.c.post("/api/v1/windows/1/finish", {"consultation": True}, token=self.c01)
        self.assertEqual(self.c.get("/api/v1/cases?window=1", token=self.c01)[1]["unregistered"], [])

    # ---- who sees what ----

    def test_personal_data_is_sealed_and_masked_outside_the_clerks_own_view(self):
        self.serve()
        ws = WebSocket(self.c.port, "/api/v1/events?since=0", token=self.c01)
        board = WebSocket(self.c.port, "/api/v1/events?since=0")
        c = self.finish({"type": "promised", "item": "linshi_jiuzhu", "applicant": "张三丰", "phone": "13812345678",
                         "id_number": "51010419900101123X"})
        self.assertEqual((c["applicant"], c["phone"], c["id_number"]), ("张**", "138****5678", "5101**********123X"))
        s, own = self.c.get("/api/v1/cases/%d" % c["id"], token=self.c01)
        self.assertEqual((own["applicant"], own["phone"], own["id_number"], own["personal"]),
                         ("张三丰", "13812345678", "51010419900101123X", "clear"))
        # The B post of the same window covers with A's authority (R-AB-1).
        c02 = self.c.sign_in(2, "c04")  # window 2's B post: another window
        s, other = self.c.get("/api/v1/cases/%d" % c["id"], token=c02)
        self.assertEqual((other["applicant"], other["phone"], other["personal"]), ("张**", "138****5678", "masked"))
        s, mgr = self.c.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
        s, seen = self.c.get("/api/v1/cases/%d" % c["id"], token=mgr["token"])
        self.assertEqual((seen["applicant"], seen["personal"]), ("张**", "masked"))
        s, body = self.c.get("/api/v1/cases", token="demo-kiosk-1")
        self.assertEqual(s, 403)
        s, body = self.c.get("/api/v1/cases")
        self.assertEqual(s, 401)
        # The event stream carries the masked form only; the wall board not even that.
        registered = None
        while registered is None:
            e = ws.recv_json()
            if e["type"] == "CaseRegistered":
                registered = e
        self.assertEqual((registered["data"]["applicant"], registered["data"]["phone"]), ("张**", "138****5678"))
        self.assertNotIn("s1:", str(registered))
        while True:
            e = board.recv_json()
            if e["type"] == "CaseRegistered":
                self.assertEqual(e["data"], {})
                break
        ws.close()
        board.close()
        # Nothing in clear in the database files.
        blob = b""
        for name in ("hallq.db", "hallq.db-wal"):
            path = os.path.join(self.c.data_dir, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    blob += f.read()
        self.assertIn("张**".encode(), blob)
        for secret in ("张三丰", "13812345678", "51010419900101123X"):
            self.assertNotIn(secret.encode(), blob, secret)
        key = os.path.join(self.c.data_dir, "case.key")
        self.assertEqual((os.stat(key).st_size, os.stat(key).st_mode & 0o777), (32, 0o600))

    def test_enquiries_are_logged_with_masked_callers(self):
        """R-FIRST-3: subject, caller, phone (masked after entry), forwarded to whom."""
        s, q = self.c.post("/api/v1/enquiries", {"subject": "临时救助需要什么材料", "caller": "吴十", "phone": "13700002222",
                                                 "forwarded_to": "1号窗口 民政救助"}, token=self.c01)
        self.assertEqual((s, q["caller"], q["phone"], q["window"], q["channel"]), (201, "吴*", "137****2222", 1, "phone"))
        s, body = self.c.post("/api/v1/enquiries", {"subject": ""}, token=self.c01)
        self.assertEqual(s, 422)
        s, body = self.c.post("/api/v1/enquiries", {"subject": "x", "phone": "12ab"}, token=self.c01)
        self.assertEqual(s, 422)
        s, lst = self.c.get("/api/v1/enquiries", token=self.c01)
        self.assertEqual((lst["enquiries"][0]["caller"], lst["enquiries"][0]["phone_clear"]), ("吴十", "13700002222"))
        other = self.c.sign_in(2, "c03")
        s, lst = self.c.get("/api/v1/enquiries", token=other)
        self.assertEqual((lst["enquiries"][0]["caller"], "phone_clear" in lst["enquiries"][0]), ("吴*", False))

    def test_bad_input_changes_nothing_and_a_restart_keeps_every_case(self):
        self.serve()
        for bad, code in (({"type": "urgent", "item": "dibao", "applicant": "x"}, "invalid_value"),
                          ({"type": "promised", "item": "nope", "applicant": "x"}, "invalid_argument"),
                          ({"type": "promised", "item": "dibao"}, "bad_field"),
                          ({"type": "promised", "item": "dibao", "applicant": "x", "phone": "12345"}, "invalid_value"),
                          ({"type": "promised", "item": "dibao", "applicant": "x", "id_number": "1234"}, "invalid_value"),
                          ({"type": "promised", "item": "dibao", "applicant": "x", "received": ["户口本"]}, "invalid_argument"),
                          ({"type": "promised", "item": "dibao", "applicant": "x", "received": "身份证"}, "bad_field"),
                          ({"type": "joint", "item": "dibao", "applicant": "x", "participants": [99]}, "unknown_window")):
            s, body = self.c.post("/api/v1/windows/1/finish", {"case": bad}, token=self.c01)
            self.assertEqual(body["error"]["code"], code, bad)
        s, hall = self.c.get("/api/v1/hall")
        self.assertEqual(hall["windows"][0]["state"], "serving")  # the ticket is still being served
        c = self.finish({"type": "promised", "item": "dibao", "applicant": "郑十一", "phone": "13600003333"})
        s, _ = self.c.post("/api/v1/cases/%d/extend" % c["id"], {"days": 2, "reason": "需公示"}, token=self.c01)
        self.assertEqual(s, 200)
        self.c.stop()
        self.c.start()
        token = self.c.sign_in(1, "c01")
        s, again = self.c.get("/api/v1/cases/%d" % c["id"], token=token)
        self.assertEqual((s, again["deadline"], again["applicant"], again["phone"], len(again["extensions"])),
                         (200, "2026-04-16", "郑十一", "13600003333", 1))
        s, lst = self.c.get("/api/v1/cases", token=token)
        self.assertEqual([x["id"] for x in lst["cases"]], [c["id"]])
        # The next case continues the day's numbering.
        self.serve(token=token)
        c2 = self.finish({"type": "immediate", "item": "dibao", "applicant": "x"}, token=token)
        self.assertEqual(c2["no"], "20260302-002")

    def test_a_window_without_a_printer_says_so(self):
        c03 = self.c.sign_in(2, "c03")
        self.serve(window=2, token=c03, service="laodong")
        c = self.finish({"type": "promised", "item": "yanglao_daiyu", "applicant": "x"}, window=2, token=c03)
        s, body = self.c.post("/api/v1/cases/%d/print" % c["id"], {"doc": "acceptance"}, token=c03)
        self.assertEqual((s, body["error"]["code"]), (409, "no_printer"))
        s, body = self.c.post("/api/v1/cases/%d/print" % c["id"], {"doc": "acceptance"}, token=self.c01)
        self.assertEqual((s, body["error"]["code"]), (403, "not_your_case"))


if __name__ == "__main__":
    unittest.main()
