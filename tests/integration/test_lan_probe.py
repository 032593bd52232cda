"""Issue 26: the findings of an outside probe, each reproduced against the real daemon as an
attacker on the hall LAN would try it, and shown not to hold any more. Other hosts of the LAN
are other loopback addresses (127.0.0.2, 127.0.0.3 ...).

1. a clerk forging a citizen's rating (R-EVAL-1, R-SCORE-*): no route hands a ticket's rating
   key to anyone but the kiosk that issued it;
2. one host shutting the hall out with idle connections and silent event streams;
3. anyone locking any account with wrong PINs (R-ACCT-1);
4. sign-out that does not sign out;
5. the lower findings: personal data by need, device views, HTTP framing and media types,
   framing of the pages, file modes, masking."""
import json
import os
import re
import socket
import subprocess
import threading
import time
import unittest
import urllib.parse

from harness import CONTROLLER_CMD, PATIENCE, Controller, WebSocket, example_config, exchange, wait_for

FAST = dict(always_open="true", device_rate_per_s="100000", device_burst="100000")
MONTH = "2026-03"
# Issue 26 asks for a ticket within 1 s while one host floods the controller; under qemu-user
# (the armhf and arm64 presets) every request costs several times as much.
FLOOD_BOUND_S = 5.0 if os.environ.get("HALLQ_EMULATOR") else 1.0


def list_routes():
    r = subprocess.run([*CONTROLLER_CMD, "--list-routes"], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


class Probe(unittest.TestCase):
    config = dict(FAST)

    def setUp(self):
        self.c = Controller(example_config(**self.config))
        self.addCleanup(self.c.cleanup)
        self.c.start()

    def seq(self):
        return self.c.get("/api/v1/health")[1]["seq"]

    def session(self, user="m01", password="123456", source=None):
        s, body = self.c.request("POST", "/api/v1/sessions", {"user": user, "password": password}, source=source)
        self.assertEqual(s, 201, body)
        return body["token"]

    def sign_in(self, window, clerk, pin="123456", source=None):
        return self.c.request("POST", "/api/v1/windows/%d/sign-in" % window, {"clerk": clerk, "pin": pin}, source=source)


class RatingKey(Probe):
    """Finding 1: clerk c03 of window 2 rated c01's customer 非常不满意 with a key fished from
    the staff stream's request id, and c01's month went 100 -> 95."""

    def concrete(self, path, ticket):
        path, _, query = path.partition("?")
        fill = {"id": str(ticket), "n": "2", "file": "board.js", "user": "c03"}
        path = re.sub(r"\{(\w+)\}", lambda m: fill.get(m.group(1), "1"), path)
        if query:
            vals = {"seq": "0", "date": "2026-03-02", "n": "5", "rid": "k1-0001", "number": "A001", "doc": "acceptance",
                    "s": "minzheng", "month": MONTH, "q": "2026-Q1"}
            query = re.sub(r"\{(\w+)\}", lambda m: vals[m.group(1)], query)
            path += "?" + query
        return path

    def test_no_route_gives_a_clerk_the_rating_key(self):
        c = self.c
        c01 = c.sign_in(1, "c01")
        attacker = c.sign_in(2, "c03")
        manager = self.session()
        stream = WebSocket(c.port, "/api/v1/events?since=0", token=attacker)
        self.addCleanup(stream.close)
        s, t = c.issue(request_id="k1-0001")
        self.assertEqual(s, 201, t)
        key = t["rate_key"]  # the issuing kiosk prints it in the QR
        self.assertRegex(key, "^[0-9a-f]{16}$")
        tried = []

        def check(what, status, body):
            tried.append(what)
            self.assertNotIn(key, json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body, what)

        # The staff stream: the issue event carries no request id (nor the key).
        while True:
            e = stream.recv_json()
            if e["type"] == "TicketIssued":
                break
        self.assertNotIn("request_id", e["data"])
        check("staff stream TicketIssued", 0, e)
        # The lookup and the replay of the request id.
        s, body = c.get("/api/v1/tickets?request_id=k1-0001", token=attacker)
        self.assertEqual(s, 404, body)
        check("GET /api/v1/tickets?request_id as c03", s, body)
        s, body = c.post("/api/v1/tickets", {"service": "minzheng", "request_id": "k1-0001"}, token=attacker)
        self.assertEqual(s, 201, body)  # a counter ticket of its own, not kiosk-1's
        self.assertNotEqual(body["id"], t["id"])
        self.assertNotIn("rate_key", body)
        check("POST /api/v1/tickets replaying the id as c03", s, body)
        # Another kiosk replaying kiosk-1's id gets neither kiosk-1's ticket nor its key.
        s, body = c.get("/api/v1/tickets?request_id=k1-0001", token="demo-kiosk-2")
        self.assertEqual(s, 404, body)
        check("GET /api/v1/tickets?request_id as kiosk-2", s, body)
        s, body = c.post("/api/v1/tickets", {"service": "minzheng", "request_id": "k1-0001"}, token="demo-kiosk-2")
        self.assertEqual(s, 201, body)
        self.assertNotEqual(body["id"], t["id"])
        self.assertNotEqual(body.get("rate_key"), key)
        check("POST /api/v1/tickets replaying the id as kiosk-2", s, body)
        # The retry of the kiosk that issued it still gets its own ticket and key.
        s, body = c.get("/api/v1/tickets?request_id=k1-0001", token="demo-kiosk-1")
        self.assertEqual((s, body["id"], body["rate_key"]), (200, t["id"], key))
        # Every read the API has, as every other credential and none.
        for who, token in (("c03", attacker), ("kiosk-2", "demo-kiosk-2"), ("display-1", "demo-display-1"),
                           ("m01", manager), ("nobody", None)):
            for r in list_routes():
                if r["method"] != "GET" or r["path"] == "/api/v1/events?since={seq}":
                    continue
                path = self.concrete(r["path"], t["id"])
                s, body = c.get(path, token=token)
                check("GET %s as %s" % (path, who), s, body)
            backlog = WebSocket(c.port, "/api/v1/events?since=0", token=token)
            for _ in range(self.seq()):
                check("event stream backlog as %s" % who, 0, backlog.recv_json())
            backlog.close()
        # The window serves the citizen; the clerk of window 2 guesses at the rating.
        for step, body in (("call-next", {}), ("start", {}), ("finish", {"consultation": True})):
            s, r = c.post("/api/v1/windows/1/" + step, body, token=c01)
            self.assertEqual(s, 200, r)
        before = self.seq()
        for guess in ("0" * 16, key[::-1], t["request_id"] if "request_id" in t else "k1-0001"):
            s, body = c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 1, "key": guess})
            self.assertIn(s, (400, 403), body)
            s, body = c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 1, "key": guess}, token=attacker)
            self.assertEqual(s, 403, body)
        self.assertEqual(self.seq(), before)
        s, scores = c.get("/api/v1/reports/scores?month=" + MONTH, token=manager)
        self.assertEqual({x["clerk"]: x["score"] for x in scores}["c01"], 100)
        self.assertEqual(c.get("/api/v1/follow-ups", token=manager)[1]["open"], [])
        # Every place tried, once per place (each GET route as all five credentials).
        places = sorted({re.sub(r" as \S+$", "", t) for t in tried})
        print("\n%d reads as c03, kiosk-2, display-1, m01 and no credential, none with the rating key:\n  %s"
              % (len(tried), "\n  ".join(places)))
        self.assertGreater(len(tried), 150)
        # The citizen, with the key of the printed QR, rates on the phone; the manager sees
        # where each rating came from.
        s, body = c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 5, "key": key})
        self.assertEqual(s, 201, body)
        s, sources = c.get("/api/v1/reports/ratings?from=2026-03-01&to=2026-03-31", token=manager)
        self.assertEqual(s, 200, sources)
        self.assertEqual(sources["by_channel"]["phone"], 1)
        self.assertEqual([(x["channel"], x["from"], x["ratings"]) for x in sources["sources"]], [("phone", "127.0.0.1", 1)])
        self.assertEqual(sources["recent"][0]["number"], t["number"])
        self.assertEqual(c.get("/api/v1/reports/ratings?from=2026-03-01&to=2026-03-31", token=attacker)[0], 403)


class PhoneRatingLimit(Probe):
    config = dict(FAST, phone_rating_per_hour="1", phone_rating_burst="3")

    def test_ratings_without_a_credential_are_limited_per_address(self):
        c = self.c
        s, t = c.issue(request_id="lim-1")
        tries = [c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 5, "key": "0" * 16})[0] for _ in range(3)]
        self.assertEqual(tries, [403, 403, 403])
        s, body = c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 5, "key": "0" * 16})
        self.assertEqual((s, body["error"]["code"]), (429, "too_many_requests"))
        form = urllib.parse.urlencode({"k": "0" * 16, "level": "5"}).encode()
        s, _ = c.request("POST", "/t/%d" % t["id"], raw=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(s, 429)
        # Another phone is not held up; the kiosk (a credential) is not limited this way.
        s, body = c.request("POST", "/api/v1/tickets/%d/rating" % t["id"], {"level": 5, "key": "0" * 16}, source="127.0.0.2")
        self.assertEqual(s, 403, body)
        s, body = c.post("/api/v1/tickets/%d/rating" % t["id"], {"level": 5, "key": "0" * 16}, token="demo-kiosk-1")
        self.assertEqual(s, 403, body)


class Flood(Probe):
    """Finding 2: 520 silent connections from one host filled max_connections (512), and every
    kiosk then got 503 for the 60 s idle timeout."""

    def test_600_idle_connections_from_one_address(self):
        c = self.c
        held = []
        try:
            for _ in range(600):
                held.append(socket.create_connection(("127.0.0.1", c.port), timeout=5,
                                                     source_address=("127.0.0.1", 0)))
            time.sleep(0.5)
            t0 = time.monotonic()
            s, t = c.request("POST", "/api/v1/tickets", {"service": "minzheng", "request_id": "flood-1"},
                             token="demo-kiosk-1", source="127.0.0.2")
            issued = time.monotonic() - t0
            self.assertEqual(s, 201, t)
            self.assertLess(issued, FLOOD_BOUND_S)
            t0 = time.monotonic()
            s, body = self.sign_in(1, "c01", source="127.0.0.3")
            self.assertEqual(s, 200, body)
            s, called = c.request("POST", "/api/v1/windows/1/call-next", {}, token=body["token"], source="127.0.0.3")
            took = time.monotonic() - t0
            self.assertEqual((s, called["id"]), (200, t["id"]))
            self.assertLess(took, FLOOD_BOUND_S)
            s, m = c.request("GET", "/metrics", source="127.0.0.4")
            refused = int(re.search(r'hallq_connections_refused_total\{reason="address"\} (\d+)', m).group(1))
            self.assertGreaterEqual(refused, 600 - 32)
            print("\n600 idle connections from 127.0.0.1 (%d turned away): a kiosk on 127.0.0.2 issued in %.0f ms, "
                  "a clerk on 127.0.0.3 signed in and called in %.0f ms" % (refused, issued * 1000, took * 1000))
        finally:
            for s in held:
                s.close()


class Reserve(Probe):
    config = dict(FAST, max_connections="64", max_connections_per_address="64", reserved_connections="16")

    def test_the_last_places_are_for_devices_and_staff(self):
        c = self.c
        held = [socket.create_connection(("127.0.0.1", c.port), source_address=("127.0.0.1", 0)) for _ in range(60)]
        self.addCleanup(lambda: [s.close() for s in held])
        time.sleep(0.5)
        # Without a credential, another host is turned away: the open share (48) is full.
        s, body = c.request("GET", "/api/v1/health", source="127.0.0.4")
        self.assertEqual((s, body["error"]["code"]), (503, "too_many_connections"))
        # A kiosk, a clerk signing in, and that clerk at work are served.
        s, t = c.request("POST", "/api/v1/tickets", {"service": "minzheng"}, token="demo-kiosk-1", source="127.0.0.2")
        self.assertEqual(s, 201, t)
        s, body = self.sign_in(1, "c01", source="127.0.0.3")
        self.assertEqual(s, 200, body)
        s, called = c.request("POST", "/api/v1/windows/1/call-next", {}, token=body["token"], source="127.0.0.3")
        self.assertEqual(s, 200, called)
        # A wrong PIN in the reserve does not keep its place.
        s, body = self.sign_in(1, "c02", pin="000000", source="127.0.0.5")
        self.assertEqual(s, 401, body)


class SilentStreams(Probe):
    config = dict(FAST, first_request_timeout_s="2", stream_idle_s="4", max_anonymous_streams_per_address="3")

    def silent_stream(self):
        """A WebSocket upgrade that then never reads nor answers anything."""
        s = socket.create_connection(("127.0.0.1", self.c.port), timeout=30)
        s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" % self.c.port).encode())
        return s

    def closed_after(self, s):
        t0 = time.monotonic()
        while True:
            try:
                if not s.recv(65536):
                    return time.monotonic() - t0
            except (ConnectionResetError, socket.timeout):
                return time.monotonic() - t0

    def test_silent_connections_and_streams_are_closed(self):
        s = socket.create_connection(("127.0.0.1", self.c.port), timeout=30)
        took = self.closed_after(s)
        s.close()
        self.assertLess(took, 2 + 1.5)
        # A stream that never answers the controller's pings is closed; one that does stays.
        talking = WebSocket(self.c.port, "/api/v1/events", timeout=60)
        self.addCleanup(talking.close)
        heard = []

        def listen():
            try:
                while True:
                    heard.append(talking.recv_json()["type"])  # answers the pings on the way
            except (EOFError, OSError):
                heard.append("closed")
        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        silent = self.silent_stream()
        took_stream = self.closed_after(silent)
        silent.close()
        self.assertGreater(took_stream, 3)
        self.assertLess(took_stream, 4 + 3)
        time.sleep(2)  # past another ping of the talking stream
        self.c.issue()
        wait_for(lambda: heard, "the talking stream heard nothing")
        self.assertEqual(heard[0], "TicketIssued")
        print("\nsilent connection closed after %.1f s, silent event stream after %.1f s" % (took, took_stream))

    def test_anonymous_streams_are_capped_per_address(self):
        streams = [WebSocket(self.c.port, "/api/v1/events") for _ in range(3)]
        for ws in streams:
            self.addCleanup(ws.close)
            self.assertEqual(ws.status, 101)
        extra = WebSocket(self.c.port, "/api/v1/events")
        self.addCleanup(extra.close)
        self.assertEqual(extra.status, 503)
        other = WebSocket(self.c.port, "/api/v1/events", source="127.0.0.2")
        self.addCleanup(other.close)
        self.assertEqual(other.status, 101)
        staff = WebSocket(self.c.port, "/api/v1/events", token=self.c.staff_token())
        self.addCleanup(staff.close)
        self.assertEqual(staff.status, 101)  # a credential is not counted against the cap


class Guessing(Probe):
    def alerts(self):
        s, body = self.c.request("GET", "/api/v1/alerts", token=self.manager, source="127.0.0.9")
        self.assertEqual(s, 200, body)
        return [a for a in body["alerts"] if a["kind"] == "sign_in_guessing"]


class LockOut(Guessing):
    """Finding 3: five wrong tries with no credential locked any account everywhere."""

    def test_guessing_from_one_address_does_not_lock_the_clerk_out(self):
        self.manager = self.session(source="127.0.0.9")
        for _ in range(5):
            s, body = self.sign_in(1, "c01", pin="000000", source="127.0.0.2")
            self.assertEqual(s, 401, body)
        s, body = self.sign_in(1, "c01", source="127.0.0.2")
        self.assertEqual((s, body["error"]["code"]), (429, "locked_out"), body)
        s, body = self.sign_in(1, "c01", source="127.0.0.1")
        self.assertEqual(s, 200, body)
        log = self.c.log()
        failures = [l for l in log.splitlines() if "wrong PIN or password for 'c01'" in l and "127.0.0.2" in l]
        self.assertEqual(len(failures), 5)
        self.assertIn("locked out for 300 s", failures[-1])
        [alert] = self.alerts()
        self.assertEqual((alert["user"], alert["addresses"], alert["locked"]), ("c01", ["127.0.0.2"], False))


class DailyCap(Guessing):
    config = dict(FAST, pin_daily_failures="8", pin_max_failures="2")

    def test_the_daily_cap_stops_guessing_and_a_manager_unlocks(self):
        self.manager = self.session(source="127.0.0.9")
        s, body = self.sign_in(1, "c01", source="127.0.0.1")  # the clerk's own PC, known
        self.assertEqual(s, 200, body)
        for host in ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"):
            for _ in range(2):
                self.assertEqual(self.sign_in(1, "c01", pin="000000", source=host)[0], 401)
        s, body = self.sign_in(1, "c01", source="127.0.0.6")
        self.assertEqual((s, body["error"]["code"]), (429, "account_locked"), body)
        self.assertIn("reached policy.pin_daily_failures", self.c.log())
        [alert] = self.alerts()
        self.assertEqual((alert["user"], alert["failures"], alert["locked"], alert["severity"]), ("c01", 8, True, "alarm"))
        self.assertEqual(self.sign_in(1, "c01", source="127.0.0.1")[0], 200)  # its usual PC still works
        s, body = self.c.request("POST", "/api/v1/accounts/c01/unlock", {}, token=self.manager, source="127.0.0.9")
        self.assertEqual((s, body["was_locked"]), (200, True), body)
        self.assertEqual(self.sign_in(1, "c01", source="127.0.0.6")[0], 200)
        self.assertEqual(self.alerts(), [])
        self.assertIn("account 'c01' unlocked by m01", self.c.log())


class SignOut(Probe):
    """Finding 4: a second token of the same clerk kept working after sign-out, and a staff
    stream kept receiving full events after its session was deleted."""

    def test_sign_out_ends_every_session_of_the_clerk_at_the_window(self):
        c = self.c
        first = c.sign_in(1, "c01")
        second = c.sign_in(1, "c01")  # a second PC, or a second tab signed in again
        other = c.sign_in(2, "c03")
        ws = WebSocket(c.port, "/api/v1/events?since=0", token=second)
        self.addCleanup(ws.close)
        s, body = c.post("/api/v1/windows/1/sign-out", {}, token=first)
        self.assertEqual(s, 200, body)
        t0 = time.monotonic()
        with self.assertRaises(EOFError):
            while True:
                ws.recv_json()
        closed = time.monotonic() - t0
        self.assertLess(closed, 5)
        self.assertEqual(ws.close_code, 1008)
        for method, path, body in (("GET", "/api/v1/windows/1/console", None), ("POST", "/api/v1/windows/1/call-next", {}),
                                   ("GET", "/api/v1/appointments", None), ("POST", "/api/v1/tickets", {"service": "minzheng"}),
                                   ("POST", "/api/v1/appointments", {"service": "minzheng"})):
            s, reply = c.request(method, path, body, token=second)
            self.assertEqual(s, 401, (method, path, reply))
        again = WebSocket(c.port, "/api/v1/events?since=0", token=second)
        self.addCleanup(again.close)
        self.assertEqual(again.status, 401)
        self.assertEqual(c.get("/api/v1/windows/2/console", token=other)[0], 200)  # other clerks are not touched
        print("\nthe second session's event stream closed %.2f s after sign-out" % closed)

    def test_a_deleted_session_closes_its_stream(self):
        c = self.c
        one, two = self.session(), self.session()
        ws = WebSocket(c.port, "/api/v1/events?since=0", token=two)
        self.addCleanup(ws.close)
        s, body = c.request("DELETE", "/api/v1/sessions", {"everywhere": True}, token=one)
        self.assertEqual((s, body["sessions"]), (200, 2), body)
        t0 = time.monotonic()
        with self.assertRaises(EOFError):
            while True:
                ws.recv_json()
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(c.get("/api/v1/alerts", token=two)[0], 401)


class ExpiredSession(unittest.TestCase):
    def test_an_expired_session_closes_its_stream(self):
        # 600 hall seconds a second: a one-hour session ends after about 6 s.
        c = Controller(example_config(session_hours="1", **FAST), extra_args=["--clock-rate", "600"])
        self.addCleanup(c.cleanup)
        c.start()
        tok = c.sign_in(1, "c01")
        ws = WebSocket(c.port, "/api/v1/events?since=0", token=tok, timeout=PATIENCE)
        self.addCleanup(ws.close)
        t0 = time.monotonic()
        with self.assertRaises(EOFError):
            while True:
                ws.recv_json()
        took = time.monotonic() - t0
        self.assertGreater(took, 3)
        self.assertLess(took, 6 + 5)
        self.assertEqual(c.get("/api/v1/windows/1/console", token=tok)[0], 401)


class Hygiene(Probe):
    """Finding 5, the lower ones."""

    def test_appointments_in_clear_only_for_whoever_serves_them(self):
        c = self.c
        c01, c03, c11 = c.sign_in(1, "c01"), c.sign_in(2, "c03"), c.sign_in(6, "c11")
        s, a = c.post("/api/v1/appointments", {"service": "minzheng", "item": "dibao", "channel": "phone", "name": "王五",
                                               "phone": "13700002222", "day": "2026-03-02", "slot": "15:00"}, token=c01)
        self.assertEqual(s, 201, a)
        for who, token, clear in (("c01 (booked it)", c01, True), ("c03 (window 2, laodong)", c03, False),
                                  ("c11 (window 6 serves minzheng)", c11, True), ("m01", c.staff_token(), True)):
            s, one = c.get("/api/v1/appointments/%d" % a["id"], token=token)
            self.assertEqual(s, 200, one)
            self.assertEqual(("name_clear" in one, "phone_clear" in one, "code" in one), (clear, clear, clear), who)
            self.assertEqual(one["name"], "王*")
            s, listing = c.get("/api/v1/appointments", token=token)
            [mine] = [x for x in listing["appointments"] if x["id"] == a["id"]]
            self.assertEqual("code" in mine, clear, who)
            s, _ = c.get("/api/v1/appointments/%d/qr.svg" % a["id"], token=token)
            self.assertEqual(s, 200 if clear else 403, who)

    def test_the_public_ticket_view_names_no_clerk(self):
        c = self.c
        c01 = c.sign_in(1, "c01")
        s, t = c.issue()
        for step, body in (("call-next", {}), ("transfer", {"service": "laodong"})):
            self.assertEqual(c.post("/api/v1/windows/1/" + step, body, token=c01)[0], 200)
        s, public = c.get("/api/v1/tickets/%d" % t["id"])
        self.assertEqual(s, 200, public)
        self.assertNotIn("first_clerk", public)
        self.assertEqual(len(public["transfers"]), 1)
        self.assertNotIn("from_clerk", public["transfers"][0])
        self.assertNotIn("c01", json.dumps(public))
        s, device = c.get("/api/v1/tickets/%d" % t["id"], token="demo-kiosk-1")
        self.assertNotIn("c01", json.dumps(device))
        s, staff = c.get("/api/v1/tickets/%d" % t["id"], token=c.staff_token())
        self.assertEqual((staff["first_clerk"], staff["transfers"][0]["from_clerk"]), ("c01", "c01"))

    def test_transfer_encoding_other_than_chunked_is_refused(self):
        before = self.seq()
        smuggled = (b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-kiosk-1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 22\r\n\r\n{\"service\":\"minzheng\"}")
        for te in (b"identity", b"gzip", b"chunked, identity", b"identity\r\nTransfer-Encoding: chunked"):
            _, out = exchange(self.c.port, b"POST /api/v1/help-requests HTTP/1.1\r\nHost: x\r\n"
                                            b"Transfer-Encoding: " + te + b"\r\n\r\n" + smuggled)
            self.assertEqual(out.count(b"HTTP/1.1 "), 1, out)
            self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assertEqual(self.seq(), before)

    def test_api_bodies_must_be_json(self):
        body = json.dumps({"clerk": "c01", "pin": "123456"}).encode()
        # What a form or a script of any web page may send without asking (a "simple" request).
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""):
            s, reply = self.c.request("POST", "/api/v1/windows/1/sign-in", raw=body, headers={"Content-Type": ctype})
            self.assertEqual((s, reply["error"]["code"]), (415, "unsupported_media_type"), ctype)
        self.assertEqual(self.seq(), 1)
        s, reply = self.c.request("POST", "/api/v1/windows/1/sign-in", raw=body,
                                  headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(s, 200, reply)

    def test_pages_are_not_framed_and_run_only_their_own_scripts(self):
        s, t = self.c.issue()
        import http.client
        for path in ("/board", "/counter", "/admin", "/t/%d" % t["id"], "/web/admin.js", "/web/ticket.css"):
            conn = http.client.HTTPConnection("127.0.0.1", self.c.port, timeout=10)
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            conn.close()
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.getheader("X-Frame-Options"), "DENY", path)
            csp = r.getheader("Content-Security-Policy") or ""
            self.assertIn("frame-ancestors 'none'", csp, path)
            self.assertIn("script-src 'self'", csp, path)
            self.assertNotIn("unsafe-inline", csp, path)

    def test_a_one_character_name_is_masked(self):
        c = self.c
        c01 = c.sign_in(1, "c01")
        c.issue()
        for step in ("call-next", "start"):
            c.post("/api/v1/windows/1/" + step, {}, token=c01)
        s, body = c.post("/api/v1/windows/1/finish", {"case": {"type": "immediate", "item": "dibao", "applicant": "李"}},
                         token=c01)
        self.assertEqual(s, 200, body)
        s, case = c.get("/api/v1/cases/%d" % body["case"]["id"], token=c.staff_token())
        self.assertEqual(case["applicant"], "*")


class FileModes(unittest.TestCase):
    def test_the_database_is_not_readable_by_others_whatever_the_umask(self):
        c = Controller(example_config(**FAST))
        self.addCleanup(c.cleanup)
        c.start(preexec_fn=lambda: os.umask(0o022))
        self.assertEqual(c.issue()[0], 201)
        wait_for(lambda: os.path.exists(os.path.join(c.data_dir, "hallq.db-wal")), "no WAL file")
        for name in ("hallq.db", "hallq.db-wal", "hallq.db-shm", "case.key"):
            mode = os.stat(os.path.join(c.data_dir, name)).st_mode & 0o777
            self.assertEqual(mode & 0o027, 0, "%s is %o" % (name, mode))
        c.stop()
        # A database left readable by an older version is tightened at start.
        os.chmod(os.path.join(c.data_dir, "hallq.db"), 0o644)
        c.start()
        self.assertEqual(os.stat(os.path.join(c.data_dir, "hallq.db")).st_mode & 0o777, 0o640)
        self.assertIn("was readable by others", c.log())


if __name__ == "__main__":
    unittest.main()
