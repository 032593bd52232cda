"""Ratings after the window (issue 8; R-EVAL-1, GB/T 39734 一次一评) through the real
controller: the ticket's QR carries its own key; with it the phone page (/t/{id}?k=) takes the
service's one rating, and so does a kiosk that scanned the QR (POST /api/v1/tickets/{id}/rating);
without it, or with a wrong one, nothing is rated. One rating per service whichever channel
comes first, within policy.late_rating_hours, across restarts on later days; the log replays to
the same rows (--verify-db)."""
import http.client
import re
import subprocess
import unittest
import urllib.parse

from harness import CONTROLLER_CMD, Controller, WebSocket, example_config

MON_1000 = "2026-03-02T10:00:00+08:00"
WED_1000 = "2026-03-04T10:00:00+08:00"
THU_1001 = "2026-03-05T10:01:00+08:00"
KIOSK = "demo-kiosk-1"
EVALUATOR = "demo-display-1"  # the display node carrying window 1's and 2's evaluators
FORM = "请您对本次服务进行评价"


class LateRatings(unittest.TestCase):
    def start(self, clock=MON_1000, data_dir=None):
        c = Controller(example_config(always_open="true", device_rate_per_s="1000", device_burst="1000"),
                       data_dir=data_dir, clock_start=clock)
        c.start()
        self.addCleanup(c.cleanup)
        return c

    def restart(self, c, clock):
        c.stop()
        return self.start(clock, data_dir=c.data_dir)

    def seq(self, c):
        s, hall = c.get("/api/v1/hall")
        self.assertEqual(s, 200)
        return hall["seq"]

    def post_form(self, c, path, fields):
        """A phone's form post: urlencoded, no credential; (status, location, page)."""
        conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=10)
        conn.request("POST", path, body=urllib.parse.urlencode(fields),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        page = r.read().decode("utf-8")
        conn.close()
        return r.status, r.getheader("Location"), page

    def serve(self, c, token, window=1):
        """Issues a ticket at the kiosk and serves it to the end at `window`: the kiosk's reply."""
        s, t = c.issue()
        self.assertEqual(s, 201, t)
        s, called = c.post("/api/v1/windows/%d/call-next" % window, token=token)
        self.assertEqual((s, called["id"]), (200, t["id"]))
        s, body = c.post("/api/v1/windows/%d/finish" % window, {"consultation": True}, token=token)
        self.assertEqual(s, 200, body)
        return t

    def events(self, c, since):
        ws = WebSocket(c.port, "/api/v1/events?since=%d" % since, token=c.staff_token())
        self.addCleanup(ws.close)
        out = []
        while len(out) < self.seq(c) - since:
            out.append(ws.recv_json())
        return out

    def test_the_phone_page_takes_one_rating_with_the_tickets_key(self):
        c = self.start()
        clerk = c.sign_in(1, "c01")
        s, t = c.issue(request_id="rate-1")
        self.assertEqual(s, 201)
        key = t["rate_key"]
        self.assertRegex(key, r"^[0-9a-f]{16}$")
        # The key goes to the kiosk that prints the ticket (also when it asks again after a lost
        # answer), never to anyone reading the ticket.
        s, again = c.get("/api/v1/tickets?request_id=rate-1", token=KIOSK)
        self.assertEqual((s, again["rate_key"]), (200, key))
        s, public = c.get("/api/v1/tickets/%d" % t["id"])
        self.assertNotIn("rate_key", public)
        s, by_number = c.get("/api/v1/tickets?number=%s" % t["number"], token=KIOSK)
        self.assertNotIn("rate_key", by_number)  # a typed number proves nothing
        # While waiting the page shows progress and refreshes; no rating yet.
        s, page = c.get("/t/%d?k=%s" % (t["id"], key))
        self.assertEqual(s, 200)
        self.assertIn('http-equiv="refresh"', page)
        self.assertNotIn(FORM, page)
        c.post("/api/v1/windows/1/call-next", token=clerk)
        c.post("/api/v1/windows/1/finish", {"consultation": True}, token=clerk)
        s, done = c.get("/api/v1/tickets/%d" % t["id"])
        self.assertEqual((done["state"], done["rated"]), ("done", False))
        self.assertTrue(done["rating_until"].startswith("2026-03-05T10:00"), done["rating_until"])

        # Without the key, or with another ticket's or a made-up one: the progress page only.
        _, other = c.issue()
        for k in ("", other["rate_key"], "0123456789abcdef", "<script>", key.upper()):
            s, page = c.get("/t/%d?k=%s" % (t["id"], urllib.parse.quote(k)))
            self.assertEqual(s, 200, k)
            self.assertIn("已办结", page)
            self.assertNotIn(FORM, page, k)
            self.assertNotIn("<script>", page)
        # With it: five levels, no refresh (a half-chosen rating is not reloaded away).
        s, page = c.get("/t/%d?k=%s" % (t["id"], key))
        self.assertIn(FORM, page)
        self.assertNotIn('http-equiv="refresh"', page)
        self.assertEqual(re.findall(r'name="level" value="(\d)"', page), ["5", "4", "3", "2", "1"])
        for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "一次一评"):
            self.assertIn(label, page)

        # A wrong key, a bad level: refused, nothing recorded.
        before = self.seq(c)
        for fields, status in (({"k": other["rate_key"], "level": "4"}, 403),
                               ({"k": "", "level": "4"}, 403),
                               ({"level": "4"}, 403),
                               ({"k": key, "level": "9"}, 422),
                               ({"k": key, "level": "四"}, 422),
                               ({"k": key}, 422)):
            s, _, page = self.post_form(c, "/t/%d" % t["id"], fields)
            self.assertEqual(s, status, (fields, page))
        self.assertEqual(self.seq(c), before)

        # The rating: post, then redirect to the page that thanks (reloading it rates nothing).
        s, location, _ = self.post_form(c, "/t/%d" % t["id"], {"k": key, "level": "4"})
        self.assertEqual(s, 303)
        self.assertEqual(location, "/t/%d?k=%s&rated=1" % (t["id"], key))
        s, page = c.get(location)
        self.assertIn("感谢您的评价", page)
        self.assertEqual(self.seq(c), before + 1)
        (e,) = self.events(c, before)
        self.assertEqual((e["type"], e["window"], e["data"]["channel"], e["data"]["level"], e["data"]["clerk"],
                          e["actor"]["kind"]), ("ServiceRated", 1, "phone", 4, "c01", "system"))
        # 一次一评: not again on the phone, not at the window's evaluator, not at a kiosk.
        s, _, page = self.post_form(c, "/t/%d" % t["id"], {"k": key, "level": "1"})
        self.assertEqual(s, 409)
        self.assertIn("本次服务已评价", page)
        s, body = c.post("/api/v1/windows/1/rate", {"level": 1}, EVALUATOR)
        self.assertEqual((s, body["error"]["code"]), (409, "already_rated"))
        s, body = c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 1, "key": key}, KIOSK)
        self.assertEqual((s, body["error"]["code"]), (409, "already_rated"))
        s, page = c.get("/t/%d?k=%s" % (t["id"], key))
        self.assertIn("本次服务已评价", page)
        self.assertNotIn(FORM, page)
        self.assertEqual(self.seq(c), before + 1)
        s, done = c.get("/api/v1/tickets/%d" % t["id"])
        self.assertTrue(done["rated"])
        self.assertNotIn("level", done)  # whether, never how

    def test_the_kiosk_rates_with_the_scanned_key_and_only_citizens_rate(self):
        c = self.start()
        clerk = c.sign_in(1, "c01")
        t = self.serve(c, clerk)
        _, waiting = c.issue()
        path = "/api/v1/tickets/%d/rating" % t["id"]
        before = self.seq(c)
        s, m = c.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
        manager = m["token"]
        for body, token, status, code in (
                ({"level": 5, "key": t["rate_key"]}, clerk, 403, "forbidden"),
                ({"level": 5, "key": t["rate_key"]}, manager, 403, "forbidden"),
                ({"level": 5, "key": t["rate_key"]}, EVALUATOR, 403, "forbidden"),  # a display is no kiosk
                ({"level": 5, "key": waiting["rate_key"]}, KIOSK, 403, "wrong_key"),
                ({"level": 5}, KIOSK, 400, "bad_field"),
                ({"level": 0, "key": t["rate_key"]}, KIOSK, 422, "invalid_value"),
                ({"level": "5", "key": t["rate_key"]}, KIOSK, 400, "bad_field")):
            s, reply = c.post(path, body, token)
            self.assertEqual((s, reply["error"]["code"]), (status, code), (body, token))
        # A ticket still waiting cannot be rated yet; one that does not exist, never.
        s, reply = c.post("/api/v1/tickets/%d/rating" % waiting["id"], {"level": 5, "key": waiting["rate_key"]}, KIOSK)
        self.assertEqual((s, reply["error"]["code"]), (409, "wrong_state"))
        self.assertEqual(self.seq(c), before)
        s, reply = c.post(path, {"level": 2, "key": t["rate_key"]}, KIOSK)
        self.assertEqual((s, reply["label"], reply["window"], reply["number"]), (201, "不满意", 1, t["number"]))
        (e,) = self.events(c, before)
        self.assertEqual((e["data"]["channel"], e["data"]["bad"], e["actor"]["id"]), ("kiosk", True, "kiosk-1"))
        # The wall board learns only that a rating was made.
        public = WebSocket(c.port, "/api/v1/events?since=%d" % before)
        self.addCleanup(public.close)
        p = public.recv_json()
        for k in ("level", "label", "bad", "clerk", "number", "ticket", "channel"):
            self.assertNotIn(k, p["data"], k)
        # A bad review from the kiosk opens the manager's follow-up, like one from the window.
        s, follow = c.get("/api/v1/follow-ups", token=manager)
        self.assertEqual(s, 200, follow)
        self.assertIn(t["number"], str(follow))
        # The phone may no longer rate it either.
        s, _, page = self.post_form(c, "/t/%d" % t["id"], {"k": t["rate_key"], "level": "5"})
        self.assertEqual(s, 409)

    def test_late_ratings_survive_restarts_until_the_period_ends(self):
        c = self.start(MON_1000)
        clerk = c.sign_in(1, "c01")
        a = self.serve(c, clerk)
        b = self.serve(c, clerk)
        d = self.serve(c, clerk)
        # Wednesday: two days later, after a restart; the phone rates a, the kiosk b.
        c = self.restart(c, WED_1000)
        s, location, _ = self.post_form(c, "/t/%d" % a["id"], {"k": a["rate_key"], "level": "5"})
        self.assertEqual(s, 303)
        s, reply = c.post("/api/v1/tickets/%d/rating" % b["id"], {"level": 3, "key": b["rate_key"]}, KIOSK)
        self.assertEqual(s, 201, reply)
        # Thursday past 72 hours: d's period is over; a stays rated.
        c = self.restart(c, THU_1001)
        s, page = c.get("/t/%d?k=%s" % (d["id"], d["rate_key"]))
        self.assertIn("评价期限已过", page)
        self.assertNotIn(FORM, page)
        s, reply = c.post("/api/v1/tickets/%d/rating" % d["id"], {"level": 3, "key": d["rate_key"]}, KIOSK)
        self.assertEqual((s, reply["error"]["code"]), (409, "rating_closed"))
        s, page = c.get("/t/%d?k=%s" % (a["id"], a["rate_key"]))
        self.assertIn("本次服务已评价", page)
        # The month's statistics count them by channel.
        s, m = c.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
        s, stats = c.get("/api/v1/reports/stats?from=2026-03-01&to=2026-03-31", token=m["token"])
        self.assertEqual(s, 200, stats)
        self.assertEqual(stats["totals"]["ratings_by_channel"], {"evaluator": 0, "kiosk": 1, "phone": 1})
        self.assertEqual(stats["totals"]["ratings"], 2)
        # The log replays to the same rows, ratings on tickets of earlier days included.
        c.stop()
        r = subprocess.run([*CONTROLLER_CMD, "--verify-db", "--config", c.config_path, "--data-dir", c.data_dir],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
