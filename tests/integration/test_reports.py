"""The manager's side through the real controller (issue 8): complaints answered (R-COMP-1), bad
reviews followed up (R-EVAL-1), manual score items and leave, and the monthly staff scores
(R-SCORE-1..3, R-ATT-1) at GET /api/v1/reports/scores?month=YYYY-MM, line by line with the rule,
points and event each comes from, under both seed presets. The hall's clock is set per run
(--clock-start): a restart on the next morning closes the day. R-ids as in hall-rules.md."""
import unittest

from harness import Controller, example_config

MON_0840 = "2026-03-02T08:40:00+08:00"
TUE_0900 = "2026-03-03T09:00:00+08:00"


class Reports(unittest.TestCase):
    def start(self, preset="shexi-2022", clock=MON_0840):
        c = Controller(example_config(preset='"%s"' % preset), clock_start=clock)
        c.start()
        self.addCleanup(c.cleanup)
        return c

    def manager(self, c):
        s, body = c.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
        self.assertEqual(s, 201, body)
        return body["token"]

    def scores(self, c, token, month="2026-03"):
        s, body = c.get("/api/v1/reports/scores?month=" + month, token=token)
        self.assertEqual(s, 200, body)
        self.assertIsInstance(body, list)
        return {e["clerk"]: e for e in body}

    @staticmethod
    def rules(entry, rule):
        return [l for l in entry["lines"] if l["rule"] == rule]

    def monday(self, c, mgr):
        """c01 signs in 10 min late, serves one citizen who rates 非常不满意 and complains."""
        t1 = c.sign_in(1, "c01")
        c.sign_in(2, "c03")
        c.issue("minzheng")
        for action in ("call-next", "start"):
            s, body = c.post("/api/v1/windows/1/" + action, token=t1)
            self.assertEqual(s, 200, body)
        s, body = c.post("/api/v1/windows/1/finish", {"consultation": True}, token=t1)
        self.assertEqual(s, 200, body)
        s, body = c.post("/api/v1/windows/1/rate", {"level": 1}, token="demo-display-1")
        self.assertEqual(s, 201, body)
        s, body = c.post("/api/v1/complaints", {"content": "办事员态度生硬", "window": 1, "name": "李四",
                                                "phone": "13812345678"}, token="demo-kiosk-1")
        self.assertEqual(s, 201, body)
        return body["id"]

    def test_only_managers_reach_the_reports(self):
        c = self.start()
        t1 = c.sign_in(1, "c01")
        for path in ("/api/v1/reports/scores?month=2026-03", "/api/v1/complaints", "/api/v1/follow-ups",
                     "/api/v1/reports/stats?from=2026-03-01&to=2026-03-31", "/api/v1/alerts",
                     "/api/v1/leave", "/api/v1/scoring/rulebook"):
            s, body = c.get(path)
            self.assertEqual(s, 401, path)
            s, body = c.get(path, token=t1)
            self.assertEqual(s, 403, path)
            s, body = c.get(path, token="demo-kiosk-1")
            self.assertEqual(s, 403, path)
        s, _ = c.post("/api/v1/scores/adjustments", {"clerk": "c01", "rule": "praise", "reason": "x"}, token=t1)
        self.assertEqual(s, 403)
        mgr = self.manager(c)
        for month in ("2026-3", "2026-13", "x", ""):
            s, body = c.get("/api/v1/reports/scores?month=" + month, token=mgr)
            self.assertEqual(s, 422, month)
        s, body = c.get("/api/v1/reports/scores/summary?quarter=2026-Q5", token=mgr)
        self.assertEqual(s, 422)
        for q in ("from=2026-03-01", "from=2026-03-02&to=2026-03-01", "from=2025-01-01&to=2026-03-01",
                  "from=2026-03-01&to=2026-03-02&by=hour", "from=2026-03-01&to=2026-03-02&group=mood"):
            s, body = c.get("/api/v1/reports/stats?" + q, token=mgr)
            self.assertEqual(s, 422, q)
        s, body = c.get("/api/v1/scoring/rulebook", token=mgr)
        self.assertEqual(s, 200)
        self.assertEqual(body["preset"], "shexi-2022")
        self.assertEqual([x["max"] for x in body["sections"]], [30, 20, 40, 10])

    def test_complaint_follow_up_and_manual_items_feed_the_month(self):
        """R-COMP-1, R-EVAL-1, R-SCORE-1: answers and findings become lines with their events."""
        c = self.start()
        mgr = self.manager(c)
        complaint = self.monday(c, mgr)
        s, body = c.get("/api/v1/complaints", token=mgr)
        self.assertEqual(s, 200)
        [open_c] = body["open"]
        self.assertEqual(open_c["id"], complaint)
        self.assertEqual((open_c["received"], open_c["due"]), ("2026-03-02", "2026-03-09"))  # 5 working days
        self.assertEqual((open_c["clerk"], open_c["window"], open_c["content"]), ("c01", 1, "办事员态度生硬"))
        self.assertEqual(open_c["phone"], "138****5678")
        self.assertEqual(open_c["name"], "李*")
        self.assertEqual(open_c["phone_clear"], "13812345678")  # the manager answers it (R-COMP-1)
        self.assertFalse(open_c["overdue"])
        # Pending until answered: listed, 0 points.
        [pending] = self.rules(self.scores(c, mgr)["c01"], "complaint")
        self.assertTrue(pending["pending"])
        self.assertEqual(pending["points"], 0)
        s, body = c.post("/api/v1/complaints/%d/answer" % complaint, {"outcome": "maybe", "answer": "x"}, token=mgr)
        self.assertEqual(s, 422)
        s, body = c.post("/api/v1/complaints/%d/answer" % complaint,
                         {"outcome": "verified", "answer": "已批评教育，向群众致歉"}, token=mgr)
        self.assertEqual(s, 200, body)
        s, body = c.post("/api/v1/complaints/%d/answer" % complaint,
                         {"outcome": "verified", "answer": "again"}, token=mgr)
        self.assertEqual(s, 409)
        s, body = c.get("/api/v1/follow-ups", token=mgr)
        [f] = body["open"]
        self.assertEqual((f["window"], f["clerk"], f["level"], f["label"]), (1, "c01", 1, "非常不满意"))
        s, body = c.post("/api/v1/follow-ups/%d/review" % f["rating"], {"outcome": "verified", "note": "电话回访属实"},
                         token=mgr)
        self.assertEqual(s, 200, body)
        self.assertEqual(c.get("/api/v1/follow-ups", token=mgr)[1]["open"], [])
        # Manual items: the rulebook's points, with the reason; other rules are refused.
        s, body = c.post("/api/v1/scores/adjustments",
                         {"clerk": "c03", "rule": "media_city", "reason": "市电视台报道"}, token=mgr)
        self.assertEqual(s, 201, body)
        self.assertEqual((body["points"], body["month"]), (3, "2026-03"))
        s, body = c.post("/api/v1/scores/adjustments", {"clerk": "c03", "rule": "late", "reason": "x"}, token=mgr)
        self.assertEqual(s, 422)
        s, body = c.post("/api/v1/scores/adjustments", {"clerk": "c03", "rule": "praise", "points": 9,
                                                        "reason": "x"}, token=mgr)
        self.assertEqual(s, 422)
        s, body = c.post("/api/v1/scores/adjustments", {"clerk": "c03", "rule": "other", "points": 1,
                                                        "reason": "协助应急", "month": "2026-02"}, token=mgr)
        self.assertEqual(s, 201, body)

        month = self.scores(c, mgr)
        c01, c03 = month["c01"], month["c03"]
        [comp] = self.rules(c01, "complaint")
        self.assertEqual((comp["points"], comp["pending"], comp["ref"]), (-5, False, "#%d" % complaint))
        self.assertGreater(comp["event"], 0)
        self.assertEqual(self.rules(c01, "bad_review"), [])  # 001 scores the satisfaction rate instead
        [sat] = self.rules(c01, "satisfaction")
        self.assertEqual((sat["points"], sat["detail_en"], sat["detail"]), (-5, "0/1 satisfied", "满意 0 / 共 1"))
        self.assertEqual(c01["score"], 90)
        self.assertEqual(c01["sections"]["service"], 15)
        [media] = self.rules(c03, "media_city")
        self.assertEqual((media["points"], media["detail"]), (3, "市电视台报道"))
        self.assertEqual(self.rules(c03, "other"), [])  # February's item
        self.assertEqual(c03["score"], 103)
        self.assertEqual(month["c05"]["lines"][0]["rule"], "satisfaction")  # Monday is not over yet
        # The day's statistics: one ticket issued, called, served, rated 1 (not satisfied).
        s, st = c.get("/api/v1/reports/stats?from=2026-03-02&to=2026-03-02&by=day&group=service", token=mgr)
        self.assertEqual(s, 200, st)
        [row] = st["rows"]
        self.assertEqual((row["period"], row["key"], row["name"]), ("2026-03-02", "minzheng", "民政救助"))
        self.assertEqual((row["issued"], row["served"], row["consultations"], row["ratings"], row["satisfaction_rate"]),
                         (1, 1, 1, 1, 0.0))
        self.assertIsNotNone(row["wait_p50_s"])
        self.assertEqual(st["totals"]["issued"], 1)
        self.assertEqual(sum(map(sum, st["calls_by_weekday_hour"])), 1)
        self.assertEqual(st["calls_by_weekday_hour"][0][8], 1)  # Monday, 8 o'clock

    def test_the_next_morning_scores_monday_attendance_and_the_summary(self):
        """R-ATT-1, R-AB-4, R-SCORE-3: a restart on Tuesday closes Monday; late and absent days."""
        c = self.start(preset="erping-2023")
        mgr = self.manager(c)
        self.monday(c, mgr)
        s, body = c.post("/api/v1/leave", {"clerk": "c05", "from": "2026-03-02", "kind": "sick", "reason": "病假"},
                         token=mgr)
        self.assertEqual(s, 201, body)
        s, body = c.post("/api/v1/leave", {"clerk": "c05", "from": "2026-03-04", "to": "2026-03-02",
                                           "kind": "sick"}, token=mgr)
        self.assertEqual(s, 422)
        c.stop()
        c.clock_start = TUE_0900
        c.start()
        mgr = self.manager(c)
        month = self.scores(c, mgr)
        c01 = month["c01"]
        [late] = self.rules(c01, "late")
        self.assertEqual((late["date"], late["points"]), ("2026-03-02", -1))
        self.assertEqual((late["detail"], late["detail_en"]), ("08:40 签到（10 分钟）", "signed in 08:40 (10 min)"))
        # Pending findings: the bad review and the complaint wait for the manager, 0 points.
        self.assertEqual([(l["rule"], l["pending"]) for l in c01["lines"] if l["pending"]],
                         [("bad_review", True), ("complaint", True)])
        self.assertEqual(c01["score"], 99)
        # c07 (A of window 4) never came and nobody covered: 旷工 -3, linked to Monday's roll-over.
        [absent] = self.rules(month["c07"], "absent_day")
        self.assertEqual((absent["date"], absent["points"]), ("2026-03-02", -3))
        self.assertGreater(absent["event"], 0)
        # c05 was on recorded leave: excused, 0 points.
        [excused] = self.rules(month["c05"], "excused")
        self.assertEqual((excused["date"], excused["points"]), ("2026-03-02", 0))
        self.assertEqual(month["c05"]["score"], 100)
        s, body = c.get("/api/v1/reports/scores/summary?quarter=2026-Q1", token=mgr)
        self.assertEqual(s, 200, body)
        self.assertEqual(body["months"], ["2026-03"])  # the hall ran only in March
        self.assertEqual(len(body["top_clerks"]), 3)
        self.assertEqual(len(body["top_windows"]), 3)
        scores = [x["score"] for x in body["top_clerks"]]
        self.assertEqual(scores, sorted(scores, reverse=True))
        by_clerk = {x["clerk"]: x for x in body["clerks"]}
        self.assertEqual([m["score"] for m in by_clerk["c01"]["months"]], [99])
        self.assertEqual(by_clerk["c01"]["score"], 99)
        # The alerts on Tuesday 09:00: every window without A or B (the roll-over signed everyone
        # out), the bad review and the complaint still open; the same counts in /metrics.
        s, body = c.get("/api/v1/alerts", token=mgr)
        self.assertEqual(s, 200)
        kinds = [a["kind"] for a in body["alerts"]]
        self.assertEqual(kinds.count("window_unstaffed"), 6)
        self.assertIn("follow_up", kinds)
        self.assertEqual(body["alerts"][0]["severity"], "alarm")
        self.assertEqual(c.get("/api/v1/alerts")[0], 401)
        s, text = c.request("GET", "/metrics")  # Prometheus text
        self.assertIn('hallq_alerts{kind="window_unstaffed"} 6', text)
        self.assertIn('hallq_alerts{kind="follow_up"} 1', text)
        self.assertIn('hallq_alerts{kind="case_overdue"} 0', text)
        c.check_log()


    def test_the_registers_of_the_month(self):
        """Seed 004 (登记簿、统计簿，分类汇总): the case book classified by type and by item, and
        the ledger per day and per month, through the daemon."""
        c = self.start()
        mgr = self.manager(c)
        t1 = c.sign_in(1, "c01")
        cases = [{"type": "immediate", "item": "dibao", "applicant": "张三", "phone": "13812345678"},
                 {"type": "promised", "item": "linshi_jiuzhu", "applicant": "李四"},
                 {"type": "returned", "item": "dibao", "applicant": "王五", "reason": "非本镇户籍"},
                 None]
        for case in cases:
            c.issue("minzheng")
            for action in ("call-next", "start"):
                self.assertEqual(c.post("/api/v1/windows/1/" + action, token=t1)[0], 200)
            s, body = c.post("/api/v1/windows/1/finish", {"case": case} if case else {"consultation": True}, token=t1)
            self.assertEqual(s, 200, body)
        s, _ = c.post("/api/v1/windows/1/rate", {"level": 4}, token="demo-display-1")
        self.assertEqual(s, 201)
        s, book = c.get("/api/v1/reports/register?from=2026-03-01&to=2026-03-31", token=mgr)
        self.assertEqual(s, 200, book)
        self.assertEqual((book["total"], book["truncated"], book["centre"]), (3, False, "青溪镇便民服务中心"))
        self.assertEqual([(g["key"], g["count"]) for g in book["groups"]], [("immediate", 1), ("promised", 1), ("returned", 1)])
        first = book["groups"][0]["cases"][0]
        self.assertEqual((first["n"], first["applicant"], first["phone"], first["clerk"], first["window"]),
                         (1, "张*", "138****5678", "c01", 1))
        self.assertNotIn("张三", str(book))  # only masked in a filed register
        promised = book["groups"][1]["cases"][0]
        self.assertEqual((promised["result"], promised["item_name"]), ("办理中", "临时救助申请"))
        self.assertTrue(promised["deadline"] > "2026-03-02")
        self.assertEqual(book["groups"][2]["cases"][0]["result"], "已退回：非本镇户籍")
        s, by_item = c.get("/api/v1/reports/register?from=2026-03-02&to=2026-03-02&classify=item", token=mgr)
        self.assertEqual(s, 200)
        self.assertEqual([(g["key"], g["count"]) for g in by_item["groups"]], [("dibao", 2), ("linshi_jiuzhu", 1)])
        s, ledger = c.get("/api/v1/reports/ledger?from=2026-03-01&to=2026-03-31&by=day", token=mgr)
        self.assertEqual(s, 200, ledger)
        self.assertEqual(len(ledger["rows"]), 31)
        [mon] = [r for r in ledger["rows"] if r["period"] == "2026-03-02"]
        self.assertEqual((mon["issued"], mon["served"], mon["consultations"], mon["registered_total"]), (4, 4, 1, 3))
        self.assertEqual(mon["registered"]["returned"], 1)
        self.assertEqual((mon["ratings"], mon["satisfaction_rate"]), (1, 100.0))
        self.assertEqual(ledger["totals"]["issued"], 4)
        self.assertEqual([(i["item"], i["registered_total"], i["open"]) for i in ledger["items"]],
                         [("dibao", 2, 0), ("linshi_jiuzhu", 1, 1)])
        s, months = c.get("/api/v1/reports/ledger?from=2026-01-01&to=2026-03-31&by=month", token=mgr)
        self.assertEqual([(r["period"], r["issued"]) for r in months["rows"]], [("2026-01", 0), ("2026-02", 0), ("2026-03", 4)])
        for q in ("register?from=2026-03-01", "register?from=2026-03-02&to=2026-03-01", "register?from=2025-01-01&to=2026-03-01",
                  "register?from=2026-03-01&to=2026-03-02&classify=colour", "ledger?from=2026-03-01&to=2026-03-02&by=week"):
            s, body = c.get("/api/v1/reports/" + q, token=mgr)
            self.assertEqual((s, body["error"]["code"]), (422, "invalid_value"), q)
        for path in ("register", "ledger"):
            self.assertEqual(c.get("/api/v1/reports/%s?from=2026-03-01&to=2026-03-31" % path, token=t1)[0], 403)
            self.assertEqual(c.get("/api/v1/reports/%s?from=2026-03-01&to=2026-03-31" % path)[0], 401)


if __name__ == "__main__":
    unittest.main()
