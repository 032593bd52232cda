"""Issue 9, personal data retention ([policy] personal_data_days): applicants' names, phones
and ID numbers are sealed under a key of the month they were taken; once that month is the
set number of days past, its key is destroyed and the data can never be read again, while
the counts and statistics stay and the event log still replays (crypto-shredding). A month
that a live case still needs is kept until the case is closed."""
import json
import os
import sqlite3
import subprocess
import unittest

from harness import CONTROLLER_CMD, Controller, example_config


class Retention(unittest.TestCase):
    def setUp(self):
        text = example_config(always_open="true")
        self.assertIn("personal_data_days = 0", text)
        self.c = Controller(text.replace("personal_data_days = 0", "personal_data_days = 30", 1))
        self.addCleanup(self.c.cleanup)
        self.c.start()

    def at(self, clock):
        """Restarts the controller at another hall time (the same data folder)."""
        self.c.stop()
        self.c.clock_start = clock
        self.c.start()

    def manager(self):
        s, body = self.c.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
        self.assertEqual(s, 201, body)
        return body["token"]

    def register(self, clerk, case):
        _, t = self.c.issue("minzheng")
        for step in ("call-next", "start"):
            s, body = self.c.post("/api/v1/windows/1/" + step, token=clerk)
            self.assertEqual(s, 200, body)
        s, body = self.c.post("/api/v1/windows/1/finish", {"case": case}, token=clerk)
        self.assertEqual(s, 200, body)
        return body["case"]

    def case(self, clerk, case_id):
        s, body = self.c.get("/api/v1/cases/%d" % case_id, token=clerk)
        self.assertEqual(s, 200, body)
        return body

    def stats(self, mgr):
        s, body = self.c.get("/api/v1/reports/stats?from=2026-03-01&to=2026-03-31", token=mgr)
        self.assertEqual(s, 200, body)
        return body

    def key(self, month):
        return os.path.join(self.c.data_dir, "keys", month + ".key")

    def test_a_month_past_its_days_is_destroyed_and_the_statistics_stay(self):
        # March (the harness's Monday 2026-03-02): a case done at once, one that stays open for
        # weeks, an enquiry and a complaint that is answered.
        c01 = self.c.sign_in(1, "c01")
        done = self.register(c01, {"type": "immediate", "item": "dibao", "applicant": "张三丰", "phone": "13812345678",
                                   "id_number": "51010419900101123X"})
        open_case = self.register(c01, {"type": "promised", "item": "linshi_jiuzhu", "applicant": "李四",
                                        "phone": "13900001111"})
        s, body = self.c.post("/api/v1/enquiries", {"subject": "低保怎么办", "caller": "吴十", "phone": "13700002222"},
                              token=c01)
        self.assertEqual(s, 201, body)
        s, complaint = self.c.post("/api/v1/complaints", {"content": "等太久", "window": 1, "name": "赵六",
                                                          "phone": "13600003333"}, token="demo-kiosk-1")
        self.assertEqual(s, 201, complaint)
        mgr = self.manager()
        s, body = self.c.post("/api/v1/complaints/%d/answer" % complaint["id"],
                              {"outcome": "not_verified", "answer": "已电话解释"}, token=mgr)
        self.assertEqual(s, 200, body)
        self.assertEqual(self.case(c01, done["id"])["applicant"], "张三丰")
        self.assertTrue(os.path.exists(self.key("2026-03")))
        mode = os.stat(self.key("2026-03")).st_mode & 0o777
        self.assertEqual((os.path.getsize(self.key("2026-03")), mode), (32, 0o600))

        # 2026-04-30: March ended 30 days ago, not more: kept.
        self.at("2026-04-30T10:00:00+08:00")
        self.assertTrue(os.path.exists(self.key("2026-03")))
        c01 = self.c.sign_in(1, "c01")
        self.assertEqual(self.case(c01, done["id"])["personal"], "clear")

        # 2026-05-06: March is due, but the open case still needs it (its clerk must reach 李四).
        self.at("2026-05-06T10:00:00+08:00")
        self.assertTrue(os.path.exists(self.key("2026-03")))
        self.assertIn("personal data of 2026-03 kept past its 30 days", self.c.log())
        c01 = self.c.sign_in(1, "c01")
        self.assertEqual(self.case(c01, open_case["id"])["applicant"], "李四")
        s, body = self.c.post("/api/v1/cases/%d/complete" % open_case["id"], {"note": "已发放"}, token=c01)
        self.assertEqual(s, 200, body)
        s, body = self.c.post("/api/v1/cases/%d/notify" % open_case["id"], {"channel": "phone"}, token=c01)
        self.assertEqual(s, 200, body)
        march = self.stats(self.manager())  # March's figures with every case closed
        # May's data is sealed under May's key.
        may = self.register(c01, {"type": "immediate", "item": "dibao", "applicant": "钱七", "phone": "13500004444"})

        # The next day: the case is closed, March's key goes; May's stays.
        self.at("2026-05-07T10:00:00+08:00")
        self.assertFalse(os.path.exists(self.key("2026-03")))
        self.assertTrue(os.path.exists(self.key("2026-05")))
        self.assertIn("personal data of 2026-03 destroyed", self.c.log())
        c01 = self.c.sign_in(1, "c01")
        for case_id, masked in ((done["id"], "张**"), (open_case["id"], "李*")):
            seen = self.case(c01, case_id)
            self.assertEqual((seen["applicant"], seen["personal"]), (masked, "purged"))
        seen = self.case(c01, done["id"])
        self.assertEqual((seen["phone"], seen["id_number"]), ("138****5678", "5101**********123X"))
        self.assertEqual(self.case(c01, may["id"])["applicant"], "钱七")
        mgr = self.manager()
        # Counts, registers and statistics do not need the names: the same as before.
        after = self.stats(mgr)
        self.assertEqual(json.dumps(after, sort_keys=True), json.dumps(march, sort_keys=True))
        self.c.stop()

        # The log still replays to the tables, and no clear March data is left in the files.
        r = subprocess.run([*CONTROLLER_CMD, "--verify-db", "--config", self.c.config_path, "--data-dir", self.c.data_dir],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        db = sqlite3.connect(os.path.join(self.c.data_dir, "hallq.db"))
        dump = "\n".join(db.iterdump())
        db.close()
        for secret in ("张三丰", "13812345678", "李四", "吴十", "13700002222", "赵六", "13600003333"):
            self.assertNotIn(secret, dump)
        self.assertIn("s2:2026-03:", dump)  # still there, sealed, but nothing can open it

    def test_the_setting_is_checked(self):
        bad = example_config().replace("personal_data_days = 0", "personal_data_days = 7", 1)
        path = os.path.join(self.c.tmp, "bad.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(bad)
        r = subprocess.run([*CONTROLLER_CMD, "--check-config", path], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("policy.personal_data_days", r.stderr)
        self.assertIn("at least 30", r.stderr)


if __name__ == "__main__":
    unittest.main()
