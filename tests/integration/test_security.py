"""Issue 9, credentials on every route: the route table comes from the controller itself
(`hallq-controller --list-routes`, the table its router admits), and every route that is not
open to anyone is called without a credential, with an unknown one and with each real
credential that is not its own (a kiosk, the other kiosk, the display node, the clerk of
another window, the manager, the admin): every one is refused with 401/403 and changes
nothing (the event log does not move). Then the right credential is shown to pass the same
check, so the refusals are about the credential and not about the request."""
import json
import subprocess
import unittest

from harness import CONTROLLER_CMD, Controller, example_config

FAST = dict(always_open="true", device_rate_per_s="100000", device_burst="100000")
DAY = "2026-03-02"

# Who passes each access class of the table (routes.hpp). The window is 1, the device
# kiosk-1, the case one of window 1's, the ticket one kiosk-1 issued.
PRINCIPALS = ["none", "garbage", "kiosk1", "kiosk2", "display1", "clerk1", "clerk2", "manager", "admin"]
ALLOWED = {
    "credential": {"kiosk1", "kiosk2", "display1", "clerk1", "clerk2", "manager", "admin"},
    "kiosk": {"kiosk1", "kiosk2"},
    "kiosk_or_staff": {"kiosk1", "kiosk2", "clerk1", "clerk2", "manager", "admin"},
    "staff": {"clerk1", "clerk2", "manager", "admin"},
    "clerk": {"clerk1", "clerk2"},
    "case_clerk": {"clerk1", "manager", "admin"},
    "case_own_clerk": {"clerk1"},
    "manager": {"manager", "admin"},
    "window_clerk": {"clerk1"},
    "window_console": {"clerk1", "manager", "admin"},
    "window_keypad": {"clerk1", "display1"},
    "window_evaluator": {"display1"},
    "own_device": {"kiosk1"},
}
# Narrower than their class, by what the route acts on.
ROUTE_ALLOWED = {
    "POST /api/v1/tickets/{id}/void": {"kiosk1"},  # only the kiosk that issued the ticket
}

# A body for every state-changing route: valid enough that, with the right credential, only
# the hall's state could refuse it. A route the table gains must be added here.
BODIES = {
    "POST /t/{id}": None,  # a form, below
    "POST /api/v1/tickets": {"service": "minzheng", "request_id": "sec-1"},
    "POST /api/v1/tickets/{id}/rating": {"level": 5},
    "POST /api/v1/tickets/{id}/void": {"reason": "print_failed"},
    "POST /api/v1/tickets/{id}/cancel": {"reason": "安全测试"},
    "POST /api/v1/tickets/{id}/return": {},
    "POST /api/v1/windows/{n}/sign-in": {"clerk": "c01"},
    "POST /api/v1/windows/{n}/call-next": {},
    "POST /api/v1/windows/{n}/recall": {},
    "POST /api/v1/windows/{n}/skip": {},
    "POST /api/v1/windows/{n}/start": {},
    "POST /api/v1/windows/{n}/finish": {"consultation": True},
    "POST /api/v1/windows/{n}/transfer": {"service": "laodong"},
    "POST /api/v1/windows/{n}/hold": {},
    "POST /api/v1/windows/{n}/unhold": {"ticket": 1},
    "POST /api/v1/windows/{n}/pause": {"reason": "会议"},
    "POST /api/v1/windows/{n}/resume": {},
    "POST /api/v1/windows/{n}/sign-out": {},
    "POST /api/v1/windows/{n}/rate": {"level": 4},
    "POST /api/v1/devices/{id}/status": {"printer": "near_end", "accepting": True},
    "POST /api/v1/help-requests": {"kind": "help"},
    "POST /api/v1/help-requests/{id}/answer": {},
    "POST /api/v1/complaints": {"categories": ["waiting"], "content": "等候太久"},
    "POST /api/v1/sessions": {"user": "m01"},
    "DELETE /api/v1/sessions": None,
    "POST /api/v1/cases": {"ticket": 0, "type": "immediate", "item": "dibao", "applicant": "周九"},
    "POST /api/v1/cases/{id}/print": {"doc": "acceptance"},
    "POST /api/v1/cases/{id}/materials-complete": {},
    "POST /api/v1/cases/{id}/supplement": {"missing": ["户口簿"]},
    "POST /api/v1/cases/{id}/complete": {},
    "POST /api/v1/cases/{id}/return": {"reason": "材料不符"},
    "POST /api/v1/cases/{id}/extend": {"days": 5, "reason": "需实地核查"},
    "POST /api/v1/cases/{id}/suspend": {"reason": "等待鉴定"},
    "POST /api/v1/cases/{id}/resume": {},
    "POST /api/v1/cases/{id}/notify": {"channel": "phone"},
    "POST /api/v1/cases/{id}/feedback": {"note": "已回访"},
    "POST /api/v1/cases/{id}/assign": {"handler": "c02"},
    "POST /api/v1/cases/{id}/report": {"note": "已办理"},
    "POST /api/v1/cases/{id}/report-upward": {"note": "上报县级"},
    "POST /api/v1/enquiries": {"channel": "phone", "subject": "低保政策", "phone": "13812345678"},
    "POST /api/v1/appointments/check-in": {"code": "000000", "request_id": "sec-ci"},
    "POST /api/v1/appointments/requests": {"service": "minzheng", "item": "dibao", "name": "李四",
                                           "phone": "13900001111", "channel": "phone"},
    "POST /api/v1/appointments": {"service": "minzheng", "item": "dibao", "channel": "phone", "name": "王五",
                                  "phone": "13700002222", "day": DAY, "slot": "15:00"},
    "POST /api/v1/appointments/{id}/answer": {"accept": False, "reason": "名额已满"},
    "POST /api/v1/appointments/{id}/cancel": {"reason": "本人取消"},
    "POST /api/v1/complaints/{id}/answer": {"outcome": "not_verified", "answer": "经核实，窗口按规定办理"},
    "POST /api/v1/follow-ups/{id}/review": {"outcome": "verified", "note": "电话回访属实"},
    "POST /api/v1/leave": {"clerk": "c05", "from": DAY, "kind": "sick", "reason": "病假"},
    "POST /api/v1/scores/adjustments": {"clerk": "c01", "rule": "praise", "reason": "锦旗一面", "month": "2026-03"},
    "POST /api/v1/accounts/{user}/unlock": {},
}
QUERY = {"seq": "0", "date": DAY, "n": "5", "rid": "sec-setup-2", "number": "A001", "doc": "acceptance",
         "s": "minzheng", "month": "2026-03", "q": "2026-Q1"}


def list_routes():
    r = subprocess.run([*CONTROLLER_CMD, "--list-routes"], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


class Credentials(unittest.TestCase):
    def setUp(self):
        self.c = Controller(example_config(**FAST))
        self.addCleanup(self.c.cleanup)
        self.c.start()
        c = self.c
        self.tokens = {"garbage": "not-a-real-token-" + "0" * 40, "kiosk1": "demo-kiosk-1",
                       "kiosk2": "demo-kiosk-2", "display1": "demo-display-1"}
        self.tokens["clerk1"] = c.sign_in(1, "c01")
        self.tokens["clerk2"] = c.sign_in(2, "c03")
        self.tokens["manager"] = self.session("m01", "123456")
        self.tokens["admin"] = self.session("admin", "admin123456")
        # A served ticket with a case of window 1 and a bad review (a follow-up); a waiting
        # ticket of kiosk-1's; a help request; a complaint; a booking.
        s, served = c.issue(request_id="sec-setup-1")
        self.assertEqual(s, 201, served)
        self.served = served
        for step in ("call-next", "start"):
            s, body = c.post("/api/v1/windows/1/" + step, {}, token=self.tokens["clerk1"])
            self.assertEqual(s, 200, body)
        s, body = c.post("/api/v1/windows/1/finish", {"case": {
            "type": "promised", "item": "linshi_jiuzhu", "applicant": "李四", "phone": "13900001111"}},
            token=self.tokens["clerk1"])
        self.assertEqual(s, 200, body)
        self.case = body["case"]["id"]
        s, body = c.post("/api/v1/windows/1/rate", {"level": 1}, token="demo-display-1")
        self.assertEqual(s, 201, body)
        s, waiting = c.issue(request_id="sec-setup-2")
        self.assertEqual(s, 201, waiting)
        self.waiting = waiting
        s, self.help = c.post("/api/v1/help-requests", {"kind": "help"}, token="demo-kiosk-1")
        self.assertEqual(s, 200, self.help)
        s, self.complaint = c.post("/api/v1/complaints", {"categories": ["attitude"], "window": 1},
                                   token="demo-kiosk-1")
        self.assertEqual(s, 201, self.complaint)
        s, self.booking = c.post("/api/v1/appointments", dict(BODIES["POST /api/v1/appointments"], slot="16:00"),
                                 token=self.tokens["clerk1"])
        self.assertEqual(s, 201, self.booking)
        s, fu = c.get("/api/v1/follow-ups", token=self.tokens["manager"])
        self.assertEqual(s, 200, fu)
        self.follow_up = fu["open"][0]["rating"]

    def session(self, user, password):
        s, body = self.c.post("/api/v1/sessions", {"user": user, "password": password})
        self.assertEqual(s, 201, body)
        return body["token"]

    def seq(self):
        s, h = self.c.get("/api/v1/health")
        self.assertEqual(s, 200)
        return h["seq"]

    def concrete(self, path):
        """The route's path with its placeholders filled for this hall."""
        path, _, query = path.partition("?")
        segs = path.split("/")
        out = []
        for i, seg in enumerate(segs):
            if seg.startswith("{"):
                head = segs[i - 1]
                seg = {"tickets": str(self.waiting["id"] if "void" in path or "cancel" in path or "return" in path
                                      else self.served["id"]),
                       "t": str(self.served["id"]), "windows": "1", "devices": "kiosk-1",
                       "help-requests": str(self.help["id"]), "cases": str(self.case),
                       "appointments": str(self.booking["id"]), "complaints": str(self.complaint["id"]),
                       "follow-ups": str(self.follow_up), "web": "board.js", "accounts": "c05"}[head]
            out.append(seg)
        path = "/".join(out)
        if query:
            parts = []
            for kv in query.split("&"):
                k, _, v = kv.partition("=")
                parts.append(k + "=" + QUERY[v.strip("{}")])
            path += "?" + "&".join(parts)
        return path

    def call(self, route, who, body=None):
        method, path = route["method"], self.concrete(route["path"])
        token = self.tokens.get(who)
        if route["path"] == "/t/{id}" and method == "POST":
            import urllib.parse
            raw = urllib.parse.urlencode(body or {"level": "5"}).encode()
            return self.c.request(method, path, raw=raw, token=token,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        key = method + " " + route["path"]
        data = body if body is not None else BODIES.get(key)
        if method == "GET":
            return self.c.request(method, path, token=token)
        return self.c.request(method, path, body=data, token=token)

    def assert_refused(self, route, who, body=None, codes=(401, 403)):
        before = self.seq()
        status, reply = self.call(route, who, body)
        where = "%s %s as %s" % (route["method"], route["path"], who)
        self.assertIn(status, codes, "%s: %s %s" % (where, status, reply))
        self.assertEqual(self.seq(), before, where + " changed the event log")
        return status, reply

    def test_every_route_refuses_the_wrong_credential(self):
        routes = list_routes()
        self.assertGreaterEqual(len(routes), 80)
        keys = {r["method"] + " " + r["path"] for r in routes}
        # Every state-changing route has a body here: a new route cannot slip past this test.
        changing = {k for k in keys if not k.startswith("GET ")}
        self.assertEqual(changing - set(BODIES), set(), "routes without a body in this test")
        self.assertEqual(set(BODIES) - changing, set(), "bodies for routes the controller no longer has")
        checked = 0
        for route in routes:
            key = route["method"] + " " + route["path"]
            access = route["access"]
            if access == "anyone":
                # Open routes still refuse a credential that is not one.
                self.assert_refused(route, "garbage")
                continue
            if access in ("ticket_key", "pin", "password"):
                continue  # below: the proof is in the body
            allowed = ROUTE_ALLOWED.get(key, ALLOWED[access])
            for who in PRINCIPALS:
                if who in allowed:
                    continue
                self.assert_refused(route, who)
                checked += 1
            # The right credential passes the credential check (the hall's state may still
            # refuse: 409, 404, 422 are fine here; 401 and 403 are not).
            who = sorted(allowed)[0]
            status, reply = self.call(route, who)
            self.assertNotIn(status, (401, 403), "%s as %s: %s %s" % (key, who, status, reply))
            if key == "POST /api/v1/windows/{n}/sign-out":
                self.tokens["clerk1"] = self.c.sign_in(1, "c01")
            if key == "DELETE /api/v1/sessions":
                self.tokens[who] = self.session("admin" if who == "admin" else "m01",
                                                "admin123456" if who == "admin" else "123456")
        self.assertGreater(checked, 350)  # 396 with the table of 85 routes

    def test_routes_proved_by_a_secret_in_the_body(self):
        routes = {r["method"] + " " + r["path"]: r for r in list_routes()}
        # Late ratings: the ticket's QR key is the proof; staff and displays never rate.
        rating = routes["POST /api/v1/tickets/{id}/rating"]
        self.assert_refused(rating, "none", {"level": 5}, codes=(400,))  # no key at all
        self.assert_refused(rating, "none", {"level": 5, "key": "0" * 16})
        s, t = self.c.get("/api/v1/tickets?request_id=sec-setup-1", token="demo-kiosk-1")
        self.assertEqual(s, 200, t)
        key = t["rate_key"]
        for who in ("garbage", "display1", "clerk1", "clerk2", "manager", "admin"):
            self.assert_refused(rating, who, {"level": 5, "key": key})
        page = routes["POST /t/{id}"]
        self.assert_refused(page, "none", {"level": "5"}, codes=(400, 403))
        self.assert_refused(page, "none", {"level": "5", "k": "f" * 16})
        # Sign-in: the PIN; a wrong one is refused (and counted towards the lock-out).
        sign_in = routes["POST /api/v1/windows/{n}/sign-in"]
        status, _ = self.call(sign_in, "none", {"clerk": "c01"})
        self.assertEqual(status, 400)  # no PIN at all
        self.assert_refused(sign_in, "none", {"clerk": "c01", "pin": "654321"})
        self.assert_refused(sign_in, "none", {"clerk": "nobody", "pin": "123456"})
        # Sessions: the password.
        sessions = routes["POST /api/v1/sessions"]
        self.assert_refused(sessions, "none", {"user": "m01", "password": "wrong"})
        self.assert_refused(sessions, "none", {"user": "c01", "password": "123456"})  # a clerk has no session here
        # The real proofs pass.
        s, body = self.c.post("/api/v1/tickets/%d/rating" % self.served["id"], {"level": 5, "key": key})
        self.assertIn(s, (201, 409), body)  # 409: the window's evaluator rated it first
        self.assertEqual(self.c.post("/api/v1/windows/2/sign-in", {"clerk": "c04", "pin": "123456"})[0], 200)

    def test_a_clerk_token_is_bound_to_its_window(self):
        tok = self.tokens["clerk2"]
        for action in ("call-next", "pause", "resume", "sign-out"):
            s, body = self.c.post("/api/v1/windows/1/" + action, {}, token=tok)
            self.assertEqual(s, 403, (action, body))
        s, body = self.c.post("/api/v1/windows/2/call-next", {}, token=tok)
        self.assertIn(s, (200, 204), body)

    def test_the_table_is_the_whole_api(self):
        # Anything the table does not list is 404, a listed path with another method 405.
        for method, path in (("GET", "/api/v1/nothing"), ("POST", "/api/v1/cases/1/delete"),
                             ("GET", "/api/v1/windows/1/call-next/extra"), ("PUT", "/api/v1/windows/1/call-next")):
            status, body = self.c.request(method, path, token=self.tokens["admin"])
            self.assertIn(status, (404, 405), (method, path, body))
        self.assertEqual(self.c.request("PUT", "/api/v1/tickets", token="demo-kiosk-1")[0], 405)
        self.assertEqual(self.c.request("GET", "/api/v1/events")[0], 426)  # a WebSocket, not a page
        # Every listed route answers something other than 404-no-such-path.
        for r in list_routes():
            if r["method"] != "GET" or "{" in r["path"]:
                continue
            status, body = self.call(r, "admin")
            if status == 404:
                self.assertNotEqual(body["error"]["code"], "not_found", r)


if __name__ == "__main__":
    unittest.main()


class DemoCredentials(unittest.TestCase):
    """The example hall's credentials are public: a hall that is not a demo ([centre] demo =
    false) will not start with the demo device tokens and refuses the demo PINs and passwords."""

    def run_tool(self, flag, stdin):
        r = subprocess.run([*CONTROLLER_CMD, flag], input=stdin + "\n", capture_output=True, text=True, check=True)
        return r.stdout.strip()

    def test_demo_tokens_stop_a_real_hall_from_starting(self):
        c = Controller(example_config(demo="false"))
        self.addCleanup(c.cleanup)
        r = subprocess.run([*CONTROLLER_CMD, "--check-config", c.config_path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("devices[0].token_hash", r.stderr)
        self.assertIn("public demo token", r.stderr)
        with self.assertRaises(RuntimeError):
            c.start(timeout=5)
        self.assertEqual(c.proc.wait(10), 1)
        self.assertIn("public demo token", c.log())

    def test_demo_pins_and_passwords_are_refused(self):
        import re
        text = example_config(demo="false", **FAST)
        real = {}
        for dev in ("kiosk-1", "kiosk-2", "display-1"):
            real[dev] = "real-%s-7f3a9c21d0b84e56" % dev
            demo_digest = self.run_tool("--token-digest", "demo-" + dev)
            self.assertIn(demo_digest, text)
            text = text.replace(demo_digest, self.run_tool("--token-digest", real[dev]))
        new_pin = self.run_tool("--hash-secret", "864209")
        text, n = re.subn(r'(id = "c01"\n(?:#.*\n|\w+ = .*\n)*?pin_hash = )"[^"]*"',
                          lambda m: m.group(1) + '"%s"' % new_pin, text, count=1)
        self.assertEqual(n, 1)
        c = Controller(text)
        self.addCleanup(c.cleanup)
        c.start()
        s, body = c.post("/api/v1/windows/2/sign-in", {"clerk": "c03", "pin": "123456"})
        self.assertEqual((s, body["error"]["code"]), (403, "demo_credential"), body)
        for user, password in (("m01", "123456"), ("admin", "admin123456")):
            s, body = c.post("/api/v1/sessions", {"user": user, "password": password})
            self.assertEqual((s, body["error"]["code"]), (403, "demo_credential"), body)
        self.assertEqual(c.issue(token="demo-kiosk-1")[0], 401)
        s, t = c.issue(token=real["kiosk-1"], request_id="real-1")
        self.assertEqual(s, 201, t)
        s, body = c.post("/api/v1/windows/1/sign-in", {"clerk": "c01", "pin": "864209"})
        self.assertEqual(s, 200, body)
        s, health = c.get("/api/v1/health")
        self.assertEqual(health["seq"], 3)  # roll-over, the ticket, the one sign-in
        self.assertIn("public demo PIN", c.log())
