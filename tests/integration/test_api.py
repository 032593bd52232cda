"""The controller's HTTP API through the real daemon: answers as specified, errors that change
nothing (ARCHITECTURE "every network input is untrusted")."""
import json
import os
import sqlite3
import unittest

from harness import Controller, ControllerTest, WebSocket, example_config

FAST = dict(always_open="true", device_rate_per_s="1000", device_burst="1000")


class Api(ControllerTest):
    config = example_config(**FAST)

    def hall(self):
        status, body = self.c.get("/api/v1/hall")
        self.assertEqual(status, 200)
        return body

    def test_health_and_snapshot(self):
        status, body = self.c.get("/api/v1/health")
        self.assertEqual((status, body["status"]), (200, "ok"))
        hall = self.hall()
        self.assertEqual(hall["seq"], body["seq"])
        self.assertEqual([s["prefix"] for s in hall["services"]], list("ABCDEF"))
        self.assertEqual([w["number"] for w in hall["windows"]], [1, 2, 3, 4, 5, 6])
        self.assertTrue(all(w["state"] == "closed" for w in hall["windows"]))
        self.assertEqual(hall["day"], "2026-03-02")  # the injected clock, not today

    def test_services_carry_full_guides(self):
        """R-ITEM-1 / R-ONCE-1: every item has its materials, time limit, fee and phone."""
        status, body = self.c.get("/api/v1/services")
        self.assertEqual(status, 200)
        items = [i for s in body["services"] for i in s["items"]]
        self.assertGreater(len(items), 5)
        for i in items:
            self.assertIn(i["kind"], ("immediate", "promised"))
            self.assertTrue(i["phone"], i["name"])
            if i["kind"] == "promised":
                self.assertGreater(i["time_limit_days"], 0)
                self.assertTrue(i["materials"], i["name"])
        with_materials = [i for i in items if i["materials"]]
        self.assertGreaterEqual(len(with_materials), len(items) - 2)  # only enquiries need none

    def test_issue_numbers_and_idempotent_retry(self):
        s1, t1 = self.c.issue(request_id="kiosk-1/0001")
        s2, t2 = self.c.issue(request_id="kiosk-1/0002")
        s3, t3 = self.c.issue(request_id="kiosk-1/0001")  # a retry of the first request
        self.assertEqual((s1, s2, s3), (201, 201, 201))
        self.assertEqual((t1["number"], t2["number"]), ("A001", "A002"))
        self.assertEqual(t3["id"], t1["id"])
        self.assertEqual(t2["ahead"], 1)
        self.assertGreater(t2["estimated_wait_s"], 0)
        for k in ("id", "number", "service", "ahead", "estimated_wait_s", "issued_at"):
            self.assertIn(k, t1)
        self.assertEqual(self.hall()["services"][0]["waiting"], 2)
        status, t = self.c.get("/api/v1/tickets/%d" % t1["id"])
        self.assertEqual((status, t["number"], t["state"]), (200, "A001", "waiting"))

    def test_bad_input_is_refused_and_changes_nothing(self):
        before = self.hall()["seq"]
        cases = [
            (self.c.request("POST", "/api/v1/tickets", raw=b"{not json", token="demo-kiosk-1"), 400, "bad_json"),
            (self.c.request("POST", "/api/v1/tickets", raw=b"[1,2]", token="demo-kiosk-1"), 400, "bad_json"),
            (self.c.post("/api/v1/tickets", {"priority": "normal"}, "demo-kiosk-1"), 400, "bad_field"),
            (self.c.post("/api/v1/tickets", {"service": 7}, "demo-kiosk-1"), 400, "bad_field"),
            (self.c.post("/api/v1/tickets", {"service": "nope"}, "demo-kiosk-1"), 422, "unknown_service"),
            (self.c.post("/api/v1/tickets", {"service": "minzheng", "priority": "vip"}, "demo-kiosk-1"), 422, "invalid_value"),
            (self.c.post("/api/v1/tickets", {"service": "minzheng", "request_id": "x" * 65}, "demo-kiosk-1"), 422, "invalid_value"),
            (self.c.post("/api/v1/tickets", {"service": "minzheng"}), 401, "unauthorized"),
            (self.c.post("/api/v1/tickets", {"service": "minzheng"}, "wrong-token"), 401, "unauthorized"),
            (self.c.post("/api/v1/tickets", {"service": "minzheng"}, "demo-display-1"), 403, "forbidden"),
            (self.c.request("POST", "/api/v1/tickets", raw=b"{" + b" " * (65 * 1024) + b"}", token="demo-kiosk-1"), 413, "body_too_large"),
            (self.c.get("/api/v1/nothing-here"), 404, "not_found"),
            (self.c.get("/api/v1/tickets/999999"), 404, "unknown_ticket"),
            (self.c.get("/api/v1/tickets/abc"), 404, "unknown_ticket"),
            (self.c.request("DELETE", "/api/v1/hall"), 405, "method_not_allowed"),
            (self.c.post("/api/v1/windows/1/call-next"), 401, "unauthorized"),
            (self.c.post("/api/v1/windows/99/sign-in", {"clerk": "c01", "pin": "123456"}), 404, "unknown_window"),
        ]
        for (status, body), want_status, want_code in cases:
            self.assertEqual(status, want_status, body)
            self.assertEqual(body["error"]["code"], want_code, body)
            self.assertTrue(body["error"]["message"])
        self.assertEqual(self.hall()["seq"], before)
        self.assertEqual(self.hall()["services"][0]["waiting"], 0)

    def test_window_flow(self):
        """R-HALL-5 call, R-FIRST-2 transfer, R-HALL-6 pause, R-ATT-1 sign-in/out."""
        _, a1 = self.c.issue()
        _, a2 = self.c.issue()
        _, old = self.c.issue(priority="elderly")  # R-HALL-7: called first
        tok = self.c.sign_in(1, "c01")
        s, called = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual((s, called["id"], called["state"], called["window"]), (200, old["id"], "called", 1))
        s, body = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual((s, body["error"]["code"]), (409, "window_busy"))
        s, body = self.c.post("/api/v1/windows/1/recall", token=tok)
        self.assertEqual((s, body["recalls"]), (200, 1))
        s, body = self.c.post("/api/v1/windows/1/start", token=tok)
        self.assertEqual((s, body["state"]), (200, "serving"))
        # R-CASE-8: the case registered with the finish (the cases tests cover the register).
        s, body = self.c.post("/api/v1/windows/1/finish",
                              {"case": {"type": "promised", "item": "linshi_jiuzhu", "applicant": "张三"}}, token=tok)
        self.assertEqual((s, body["state"], body["case"]["type"], body["case"]["applicant"]), (200, "done", "promised", "张*"))
        s, called = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual(called["id"], a1["id"])
        s, moved = self.c.post("/api/v1/windows/1/transfer", {"service": "laodong"}, token=tok)
        self.assertEqual((s, moved["service"], moved["state"]), (200, "laodong", "waiting"))
        self.assertEqual(moved["transfers"][0]["from_window"], 1)
        self.assertEqual(moved["transfers"][0]["from_clerk"], "c01")
        self.assertEqual(moved["first_clerk"], "c01")
        s, called = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual(called["id"], a2["id"])
        s, body = self.c.post("/api/v1/windows/1/skip", token=tok)
        self.assertEqual(body["state"], "no_show")
        s, body = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual(s, 204)
        s, body = self.c.post("/api/v1/windows/1/pause", {"reason": "暂离 3 分钟"}, token=tok)
        self.assertEqual((s, body["state"]), (200, "paused"))
        w1 = self.hall()["windows"][0]
        self.assertEqual((w1["state"], w1["pause_reason"]), ("paused", "暂离 3 分钟"))
        s, body = self.c.post("/api/v1/windows/1/resume", token=tok)
        self.assertEqual((s, body["state"]), (200, "open"))
        # Another window's clerk may not act here, and the transferred ticket waits at window 2.
        tok2 = self.c.sign_in(2, "c03")
        s, body = self.c.post("/api/v1/windows/1/call-next", token=tok2)
        self.assertEqual(s, 403)
        s, called = self.c.post("/api/v1/windows/2/call-next", token=tok2)
        self.assertEqual((s, called["id"]), (200, a1["id"]))
        s, body = self.c.post("/api/v1/windows/1/sign-out", token=tok)
        self.assertEqual((s, body["state"]), (200, "closed"))
        s, body = self.c.post("/api/v1/windows/1/call-next", token=tok)  # the session ended
        self.assertEqual(s, 401)

    def test_keypad_acts_for_the_signed_in_clerk(self):
        """A display node's caller keypad works the queue of its windows for the clerk signed in
        there, and the events name the device it came through."""
        before = self.hall()["seq"]
        _, t = self.c.issue()
        key = "demo-display-1"
        s, body = self.c.post("/api/v1/windows/1/call-next", token=key)
        self.assertEqual((s, body["error"]["code"]), (409, "window_closed"))  # nobody signed in
        tok = self.c.sign_in(1, "c01")
        ws = WebSocket(self.c.port, "/api/v1/events?since=%d" % before, token=self.c.staff_token())
        self.addCleanup(ws.close)
        s, called = self.c.post("/api/v1/windows/1/call-next", token=key)
        self.assertEqual((s, called["id"], called["window"]), (200, t["id"], 1))
        for action, state in (("recall", "called"), ("start", "serving")):
            s, body = self.c.post("/api/v1/windows/1/" + action, token=key)
            self.assertEqual((s, body["state"]), (200, state), action)
        types = {}
        while "ServiceStarted" not in types:
            e = ws.recv_json()
            types[e["type"]] = e
        self.assertEqual(types["TicketCalled"]["actor"], {"kind": "clerk", "id": "c01"})
        self.assertEqual(types["TicketCalled"]["data"]["via"], "display-1")
        self.assertEqual(types["ServiceStarted"]["data"]["via"], "display-1")
        # The keypad cannot sign anyone in or out, nor act at a window it does not carry; a kiosk
        # credential is no keypad.
        for path, token, status in (("/api/v1/windows/1/sign-out", key, 403),
                                    ("/api/v1/windows/9/call-next", key, 403),
                                    ("/api/v1/windows/1/finish", "demo-kiosk-1", 403)):
            s, body = self.c.post(path, token=token)
            self.assertEqual((s, body["error"]["code"]), (status, "forbidden"), path)
        self.assertEqual(self.hall()["windows"][0]["state"], "serving")
        s, body = self.c.post("/api/v1/windows/1/finish", token=key)
        self.assertEqual((s, body["state"]), (200, "done"))
        s, body = self.c.post("/api/v1/windows/1/pause", token=key)
        self.assertEqual((s, body["state"]), (200, "paused"))
        s, body = self.c.post("/api/v1/windows/1/resume", token=key)
        self.assertEqual((s, body["state"]), (200, "open"))
        self.c.post("/api/v1/windows/1/sign-out", token=tok)

    def test_one_rating_per_service(self):
        """R-EVAL-1 / GB/T 39734 一次一评: the window's evaluator rates the service finished there,
        once; clerks cannot rate; the wall board never sees the level."""
        before = self.hall()["seq"]
        key = "demo-display-1"
        tok = self.c.sign_in(2, "c03")
        _, t = self.c.issue("laodong")
        s, body = self.c.post("/api/v1/windows/2/rate", {"level": 5}, key)
        self.assertEqual((s, body["error"]["code"]), (409, "nothing_to_rate"))
        s, called = self.c.post("/api/v1/windows/2/call-next", token=tok)
        self.assertEqual(called["id"], t["id"])
        s, body = self.c.post("/api/v1/windows/2/finish", token=tok)
        self.assertEqual(s, 200)
        for body, token, status, code in (({"level": 5}, tok, 403, "forbidden"),
                                          ({"level": 5}, "demo-kiosk-1", 403, "forbidden"),
                                          ({"level": 5}, None, 401, "unauthorized"),
                                          ({"level": 6}, key, 422, "invalid_value"),
                                          ({"level": "5"}, key, 400, "bad_field"),
                                          ({}, key, 400, "bad_field")):
            s, reply = self.c.post("/api/v1/windows/2/rate", body, token)
            self.assertEqual((s, reply["error"]["code"]), (status, code), (body, token))
        seq = self.hall()["seq"]
        s, body = self.c.post("/api/v1/windows/2/rate", {"level": 1}, key)
        self.assertEqual((s, body["number"], body["label"], body["window"]), (201, t["number"], "非常不满意", 2))
        s, body = self.c.post("/api/v1/windows/2/rate", {"level": 5}, key)
        self.assertEqual((s, body["error"]["code"]), (409, "already_rated"))
        self.assertEqual(self.hall()["seq"], seq + 1)  # exactly one event: the first rating
        full = WebSocket(self.c.port, "/api/v1/events?since=%d" % seq, token=self.c.staff_token())
        self.addCleanup(full.close)
        public = WebSocket(self.c.port, "/api/v1/events?since=%d" % seq)
        self.addCleanup(public.close)
        e = full.recv_json()
        self.assertEqual((e["type"], e["data"]["level"], e["data"]["bad"], e["data"]["clerk"]),
                         ("ServiceRated", 1, True, "c03"))
        p = public.recv_json()
        self.assertEqual(p["type"], "ServiceRated")
        for k in ("level", "label", "bad", "clerk", "number", "ticket"):
            self.assertNotIn(k, p["data"])
        self.c.post("/api/v1/windows/2/sign-out", token=tok)

    def test_pin_lockout(self):
        s, body = self.c.post("/api/v1/windows/1/sign-in", {"clerk": "nobody", "pin": "123456"})
        self.assertEqual((s, body["error"]["code"]), (401, "bad_credentials"))  # same answer as a wrong PIN
        for _ in range(5):
            s, body = self.c.post("/api/v1/windows/1/sign-in", {"clerk": "c01", "pin": "000000"})
            self.assertEqual(s, 401)
        s, body = self.c.post("/api/v1/windows/1/sign-in", {"clerk": "c01", "pin": "123456"})
        self.assertEqual((s, body["error"]["code"]), (429, "locked_out"))
        s, body = self.c.post("/api/v1/windows/1/sign-in", {"clerk": "c03", "pin": "123456"})
        self.assertEqual((s, body["error"]["code"]), (403, "not_assigned"))  # R-ACCT-1

    def test_manager_sessions(self):
        s, body = self.c.post("/api/v1/sessions", {"user": "admin", "password": "admin123456"})
        self.assertEqual((s, body["role"]), (201, "admin"))
        tok = body["token"]
        s, _ = self.c.post("/api/v1/sessions", {"user": "admin", "password": "wrong"})
        self.assertEqual(s, 401)
        s, _ = self.c.post("/api/v1/sessions", {"user": "c01", "password": "123456"})
        self.assertEqual(s, 403)  # clerks sign in at a window
        s, body = self.c.request("DELETE", "/api/v1/sessions", token=tok)
        self.assertEqual(s, 200)
        s, body = self.c.get("/api/v1/hall", token=tok)
        self.assertEqual(s, 401)

    def test_metrics(self):
        self.c.issue()
        s, text = self.c.get("/metrics")
        self.assertEqual(s, 200)
        self.assertIn("hallq_tickets_issued_total 1", text)
        self.assertIn('hallq_waiting_tickets{service="minzheng"} 1', text)
        self.assertIn("hallq_request_duration_seconds_bucket", text)
        self.assertIn("hallq_websocket_clients 0", text)

    def test_ticket_by_number(self):
        """A citizen asks a kiosk about today's A002 (the kiosk's progress screen, issue 5):
        found while waiting and after it was called and finished; credentials required."""
        _, a = self.c.issue(request_id="kiosk-1/n1")
        _, b = self.c.issue(request_id="kiosk-1/n2")
        s, t = self.c.get("/api/v1/tickets?number=A002", token="demo-kiosk-2")
        self.assertEqual((s, t["id"], t["state"], t["ahead"]), (200, b["id"], "waiting", 1))
        tok = self.c.sign_in(1, "c01")
        for action, body in (("call-next", None), ("start", None), ("finish", {"consultation": True})):
            s, r = self.c.post("/api/v1/windows/1/" + action, body, token=tok)
            self.assertEqual(s, 200, r)
        s, t = self.c.get("/api/v1/tickets?number=A001", token="demo-kiosk-1")
        self.assertEqual((s, t["id"], t["state"], t["window"]), (200, a["id"], "done", 1))
        s, t = self.c.get("/api/v1/tickets?number=A002", token="demo-kiosk-1")
        self.assertEqual((s, t["ahead"]), (200, 0))
        for path, token, want in [
            ("/api/v1/tickets?number=A002", None, (401, "unauthorized")),
            ("/api/v1/tickets?number=A999", "demo-kiosk-1", (404, "unknown_ticket")),
            ("/api/v1/tickets?number=a002", "demo-kiosk-1", (422, "invalid_value")),
            ("/api/v1/tickets?number=A002%27--", "demo-kiosk-1", (422, "invalid_value")),
        ]:
            s, body = self.c.get(path, token=token)
            self.assertEqual((s, body["error"]["code"]), want, path)

    def test_help_requests(self):
        """R-HALL-3 帮办代办: a kiosk calls a staff member; the hall shows it with the kiosk's
        place until a clerk answers; pressing again changes nothing; only staff answer."""
        before = self.hall()["seq"]
        for (status, body), want in [
            (self.c.post("/api/v1/help-requests", {}), (401, "unauthorized")),
            (self.c.post("/api/v1/help-requests", {}, "demo-display-1"), (403, "forbidden")),
            (self.c.post("/api/v1/help-requests", {"kind": "coffee"}, "demo-kiosk-1"), (422, "invalid_argument")),
            (self.c.post("/api/v1/help-requests", {"kind": 5}, "demo-kiosk-1"), (400, "bad_field")),
        ]:
            self.assertEqual((status, body["error"]["code"]), want, body)
        self.assertEqual(self.hall()["seq"], before)

        s, h = self.c.post("/api/v1/help-requests", {"kind": "help"}, "demo-kiosk-1")
        self.assertEqual((s, h["device"], h["location"], h["state"]), (200, "kiosk-1", "大厅入口", "open"))
        s, again = self.c.post("/api/v1/help-requests", {}, "demo-kiosk-1")
        self.assertEqual((s, again["id"]), (200, h["id"]))
        self.assertEqual(self.hall()["seq"], before + 1)
        self.assertEqual([r["id"] for r in self.hall()["help_requests"]], [h["id"]])
        s, body = self.c.get("/metrics")
        self.assertIn("hallq_help_requests_open 1", body)

        path = "/api/v1/help-requests/%d/answer" % h["id"]
        for token, want in [(None, 401), ("demo-kiosk-1", 403)]:
            s, body = self.c.post(path, {}, token)
            self.assertEqual(s, want, body)
        tok = self.c.sign_in(6, "c11")
        # Every clerk's console shows it (R-HALL-7), with where the kiosk stands.
        s, console = self.c.get("/api/v1/windows/6/console", token=tok)
        self.assertEqual((s, [(r["id"], r["location"]) for r in console["help_requests"]]), (200, [(h["id"], "大厅入口")]))
        s, body = self.c.post("/api/v1/help-requests/999/answer", {}, tok)
        self.assertEqual((s, body["error"]["code"]), (404, "unknown_help_request"))
        s, answered = self.c.post(path, {}, tok)
        self.assertEqual((s, answered["state"], answered["answered_by"]), (200, "answered", "c11"))
        s, body = self.c.post(path, {}, tok)
        self.assertEqual((s, body["error"]["code"]), (409, "wrong_state"))
        self.assertEqual(self.hall()["help_requests"], [])
        self.assertEqual(self.c.get("/api/v1/windows/6/console", token=tok)[1]["help_requests"], [])
        s, listed = self.c.get("/api/v1/help-requests", token=tok)
        self.assertEqual((s, listed["help_requests"]), (200, []))

    def test_complaints(self):
        """R-COMP-1: a complaint from a kiosk, due in 5 working days; the phone is masked in
        every answer and event; the public stream carries neither name, phone nor content."""
        before = self.hall()["seq"]
        for (status, body), want in [
            (self.c.post("/api/v1/complaints", {"categories": ["waiting"]}), (401, "unauthorized")),
            (self.c.post("/api/v1/complaints", {"categories": ["waiting"]}, "demo-display-1"), (403, "forbidden")),
            (self.c.post("/api/v1/complaints", {}, "demo-kiosk-1"), (422, "invalid_argument")),
            (self.c.post("/api/v1/complaints", {"categories": "waiting"}, "demo-kiosk-1"), (400, "bad_field")),
            (self.c.post("/api/v1/complaints", {"categories": ["nope"]}, "demo-kiosk-1"), (422, "invalid_argument")),
            (self.c.post("/api/v1/complaints", {"categories": ["fees"], "window": 99}, "demo-kiosk-1"), (404, "unknown_window")),
            (self.c.post("/api/v1/complaints", {"categories": ["fees"], "window": "3"}, "demo-kiosk-1"), (400, "bad_field")),
            (self.c.post("/api/v1/complaints", {"categories": ["fees"], "phone": "12ab5678"}, "demo-kiosk-1"), (422, "invalid_value")),
        ]:
            self.assertEqual((status, body["error"]["code"]), want, body)
        self.assertEqual(self.hall()["seq"], before)

        ws = WebSocket(self.c.port, "/api/v1/events?since=%d" % before)
        self.addCleanup(ws.close)
        s, c = self.c.post("/api/v1/complaints", {"categories": ["attitude", "waiting"], "window": 3,
                                                  "phone": "13812345678", "name": "张三"}, "demo-kiosk-1")
        self.assertEqual((s, c["id"], c["received"], c["due"], c["phone"], c["window"]),
                         (201, 1, "2026-03-02", "2026-03-09", "138****5678", 3))
        e = ws.recv_json()
        self.assertEqual(e["type"], "ComplaintFiled")
        for k in ("phone", "name", "content"):
            self.assertNotIn(k, e["data"])  # the wall board's view
        self.assertEqual(e["data"]["due"], "2026-03-09")
        s, body = self.c.get("/metrics")
        self.assertIn("hallq_complaints_total 1", body)
        # Issue 9: stored sealed, like an applicant's data; the database holds no clear phone or name.
        db = sqlite3.connect(os.path.join(self.c.data_dir, "hallq.db"))
        self.addCleanup(db.close)
        [data] = [json.loads(r[0]) for r in db.execute("SELECT data FROM events WHERE type = 'ComplaintFiled'")]
        self.assertEqual((data["phone"]["masked"], data["name"]["masked"]), ("138****5678", "张*"))
        self.assertTrue(data["phone"]["sealed"].startswith("s2:2026-03:"), data)
        dump = "\n".join(db.iterdump())
        self.assertNotIn("13812345678", dump)
        self.assertNotIn("张三", dump)

    def test_void_contract(self):
        """No phantom tickets (issue 4): the issuing kiosk voids a waiting ticket it could not
        print; retries are answered alike; nobody else can; the number is never called."""
        _, a = self.c.issue(request_id="kiosk-1/r1")
        _, b = self.c.issue(request_id="kiosk-1/r2")
        _, other = self.c.issue(token="demo-kiosk-2", request_id="kiosk-2/r1")
        path = "/api/v1/tickets/%d/void" % a["id"]
        before = self.hall()["seq"]
        refusals = [
            (self.c.post(path, {"reason": "print_failed"}), 401, "unauthorized"),
            (self.c.post(path, {"reason": "print_failed"}, "demo-display-1"), 403, "forbidden"),
            (self.c.post(path, {"reason": "print_failed"}, "demo-kiosk-2"), 403, "not_your_ticket"),
            (self.c.post(path, {"reason": "paper jam"}, "demo-kiosk-1"), 422, "invalid_argument"),
            (self.c.post(path, {}, "demo-kiosk-1"), 400, "bad_field"),
            (self.c.post("/api/v1/tickets/999999/void", {"reason": "print_failed"}, "demo-kiosk-1"), 404, "unknown_ticket"),
            (self.c.post("/api/v1/tickets/%d/cancel" % a["id"], {"reason": "x"}, "demo-kiosk-2"), 403, "not_your_ticket"),
        ]
        for (status, body), want_status, want_code in refusals:
            self.assertEqual((status, body["error"]["code"]), (want_status, want_code), body)
        self.assertEqual(self.hall()["seq"], before)

        s, v = self.c.post(path, {"reason": "print_failed"}, "demo-kiosk-1")
        self.assertEqual((s, v["state"], v["close_reason"], v["number"]), (200, "voided", "print_failed", "A001"))
        s, again = self.c.post(path, {"reason": "print_failed"}, "demo-kiosk-1")  # a retry
        self.assertEqual((s, again["state"], again["id"]), (200, "voided", a["id"]))
        self.assertEqual(self.hall()["seq"], before + 1)
        s, t = self.c.get("/api/v1/tickets/%d" % b["id"])
        self.assertEqual(t["ahead"], 0)
        s, body = self.c.get("/metrics")
        self.assertIn("hallq_tickets_voided_total 1", body)

        # A kiosk that never got its answer finds the ticket by its request id (its own only).
        s, found = self.c.get("/api/v1/tickets?request_id=kiosk-1/r2", token="demo-kiosk-1")
        self.assertEqual((s, found["id"]), (200, b["id"]))
        s, body = self.c.get("/api/v1/tickets?request_id=kiosk-2/r1", token="demo-kiosk-1")
        self.assertEqual((s, body["error"]["code"]), (404, "unknown_request"))
        s, body = self.c.get("/api/v1/tickets?request_id=kiosk-1/never", token="demo-kiosk-1")
        self.assertEqual(s, 404)
        s, body = self.c.get("/api/v1/tickets?request_id=kiosk-1/r2")
        self.assertEqual(s, 401)

        # Called: the kiosk can no longer void it; the voided number is never called.
        tok = self.c.sign_in(1, "c01")
        s, called = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual(called["id"], b["id"])
        s, body = self.c.post("/api/v1/tickets/%d/void" % b["id"], {"reason": "print_failed"}, "demo-kiosk-1")
        self.assertEqual((s, body["error"]["code"]), (409, "wrong_state"))
        s, body = self.c.post("/api/v1/windows/1/skip", token=tok)
        s, called = self.c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual(called["id"], other["id"])

    def test_ticket_page_for_the_qr(self):
        """The page a ticket's QR opens on a phone (printing.ticket_url)."""
        hall = self.hall()
        self.assertEqual(hall["printing"]["ticket_url"], "http://192.168.1.10:8080/t/{id}?k={key}")
        self.assertEqual(len(hall["printing"]["footer"]), 2)
        _, a = self.c.issue()
        _, b = self.c.issue()
        s, page = self.c.get("/t/%d" % b["id"])
        self.assertEqual(s, 200)
        self.assertIn("A002", page)
        self.assertIn("前面还有 1 人", page)
        self.assertIn('http-equiv="refresh"', page)
        tok = self.c.sign_in(1, "c01")
        self.c.post("/api/v1/windows/1/call-next", token=tok)
        s, page = self.c.get("/t/%d" % a["id"])
        self.assertIn("请到 1 号窗口", page)
        s, page = self.c.get("/t/999")
        self.assertEqual(s, 404)
        self.assertIn("没有该号码", page)
        s, page = self.c.get("/t/<script>")
        self.assertEqual(s, 404)
        self.assertNotIn("<script>", page)

    def test_device_status_in_snapshot_and_metrics(self):
        """A kiosk out of paper is visible in the hall snapshot and /metrics; a heartbeat that
        changes nothing writes nothing."""
        devices = {d["id"]: d for d in self.hall()["devices"]}
        self.assertEqual(set(devices), {"kiosk-1", "kiosk-2", "display-1"})
        self.assertFalse(devices["kiosk-1"]["online"])
        self.assertIsNone(devices["kiosk-1"]["printer"])
        path = "/api/v1/devices/kiosk-1/status"
        before = self.hall()["seq"]
        for (status, body), want_status, want_code in [
            (self.c.post(path, {"printer": "ok", "accepting": True}), 401, "unauthorized"),
            (self.c.post(path, {"printer": "ok", "accepting": True}, "demo-kiosk-2"), 403, "forbidden"),
            (self.c.post(path, {"printer": "jammed", "accepting": True}, "demo-kiosk-1"), 422, "invalid_argument"),
            (self.c.post(path, {"printer": "ok", "accepting": "yes"}, "demo-kiosk-1"), 422, "invalid_value"),
            (self.c.post(path, {"printer": "ok"}, "demo-kiosk-1"), 422, "missing_field"),
        ]:
            self.assertEqual((status, body["error"]["code"]), (want_status, want_code), body)
        self.assertEqual(self.hall()["seq"], before)

        s, d = self.c.post(path, {"printer": "ok", "accepting": True}, "demo-kiosk-1")
        self.assertEqual((s, d["printer"], d["accepting"], d["online"]), (200, "ok", True, True))
        s, d = self.c.post(path, {"printer": "ok", "accepting": True, "detail": "heartbeat"}, "demo-kiosk-1")
        self.assertEqual(self.hall()["seq"], before + 1)
        s, d = self.c.post(path, {"printer": "paper_out", "accepting": False, "detail": "缺纸"}, "demo-kiosk-1")
        self.assertEqual((s, d["printer"], d["accepting"], d["detail"]), (200, "paper_out", False, "缺纸"))
        self.assertEqual(self.hall()["seq"], before + 2)
        k1 = {d["id"]: d for d in self.hall()["devices"]}["kiosk-1"]
        self.assertEqual((k1["printer"], k1["accepting"], k1["online"]), ("paper_out", False, True))
        s, text = self.c.get("/metrics")
        self.assertIn('hallq_device_up{device="kiosk-1"} 1', text)
        self.assertIn('hallq_device_up{device="display-1"} 0', text)
        self.assertIn('hallq_device_accepting{device="kiosk-1"} 0', text)
        self.assertIn('hallq_device_printer_status{device="kiosk-1",state="paper_out"} 1', text)
        self.assertIn('hallq_device_printer_status{device="kiosk-1",state="ok"} 0', text)
        # The event stream carries the change, so /admin and the boards see it at once.
        ws = WebSocket(self.c.port, "/api/v1/events?since=%d" % before)
        try:
            changes = [ws.recv_json() for _ in range(2)]
        finally:
            ws.close()
        self.assertEqual([e["type"] for e in changes], ["DeviceStatusChanged"] * 2)
        self.assertEqual(changes[1]["data"]["printer"], "paper_out")


class RateLimit(ControllerTest):
    config = example_config(always_open="true", device_rate_per_s="1", device_burst="5")

    def test_device_gets_429_past_its_burst(self):
        statuses = [self.c.issue()[0] for _ in range(12)]
        self.assertEqual(statuses[:5], [201] * 5)
        self.assertIn(429, statuses[5:])
        s, hall = self.c.get("/api/v1/hall")
        self.assertEqual(hall["services"][0]["waiting"], statuses.count(201))


class OpeningHours(unittest.TestCase):
    """R-HOURS-1/2/3 through the real daemon with the example hall's real hours."""

    def at(self, when):
        c = Controller(example_config(), clock_start=when)
        self.addCleanup(c.cleanup)
        return c.start()

    def test_hours(self):
        cases = [
            ("2026-03-02T07:00:00+08:00", "minzheng", 409),   # Monday before 08:30
            ("2026-03-02T10:00:00+08:00", "minzheng", 201),
            ("2026-03-02T12:30:00+08:00", "minzheng", 201),   # window 6 serves minzheng over lunch
            ("2026-03-02T22:00:00+08:00", "minzheng", 409),   # after 17:30
            ("2026-03-07T10:00:00+08:00", "minzheng", 409),   # Saturday, weekend service off
            ("2026-10-01T10:00:00+08:00", "minzheng", 409),   # National Day holiday
            ("2026-02-14T10:00:00+08:00", "minzheng", 201),   # Saturday made a working day (调休)
        ]
        for when, service, want in cases:
            c = self.at(when)
            s, body = c.issue(service)
            self.assertEqual(s, want, (when, body))
            if want == 409:
                self.assertEqual(body["error"]["code"], "hall_closed")
                self.assertTrue(body["error"]["message_zh"])
            c.cleanup()


if __name__ == "__main__":
    unittest.main()


class Reload(ControllerTest):
    """SIGHUP re-reads the hall file; an invalid file is refused and the running hall stays."""
    config = example_config(**FAST)

    def reload_with(self, text):
        import signal
        import time
        with open(self.c.config_path, "w", encoding="utf-8") as f:
            f.write(text)
        self.c.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)

    def test_sighup(self):
        _, t = self.c.issue()
        self.reload_with(example_config(**FAST).replace("name = \"青溪镇便民服务中心\"", "name = \"青溪镇便民服务中心（新）\"", 1))
        s, hall = self.c.get("/api/v1/hall")
        self.assertEqual(hall["centre"], "青溪镇便民服务中心（新）")
        self.assertEqual(hall["services"][0]["waiting"], 1)  # the live queue survived
        self.reload_with("this is not toml [")
        s, hall = self.c.get("/api/v1/hall")
        self.assertEqual((s, hall["centre"]), (200, "青溪镇便民服务中心（新）"))
        self.assertIn("reload refused", self.c.log())
        s, again = self.c.get("/api/v1/tickets/%d" % t["id"])
        self.assertEqual(again["number"], t["number"])
