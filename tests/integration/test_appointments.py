"""Appointments through the real controller (issue 8; R-APPT-1, R-HOURS-3, R-HALL-7): a clerk
books a slot, the citizen checks in with the booking's code for a ticket called before walk-ins,
slots hold only their capacity, requests are answered within one working day or flagged (alert,
/metrics), bookings nobody checked in for are missed at the day's end, and weekends open for
appointments only. The hall's clock is set per run (--clock-start); a restart on a later day
closes the days between."""
import json
import re
import unittest

from harness import Controller, WebSocket, example_config

MON_1000 = "2026-03-02T10:00:00+08:00"
WED_0900 = "2026-03-04T09:00:00+08:00"
THU_0900 = "2026-03-05T09:00:00+08:00"
FRI_1000 = "2026-03-06T10:00:00+08:00"
SAT_0945 = "2026-03-07T09:45:00+08:00"
KIOSK = "demo-kiosk-1"


class Appointments(unittest.TestCase):
    def start(self, clock=MON_1000, data_dir=None, **config):
        c = Controller(example_config(**config), data_dir=data_dir, clock_start=clock)
        c.start()
        self.addCleanup(c.cleanup)
        return c

    def restart(self, c, clock, **config):
        """The same data folder, a later hall clock."""
        c.stop()
        return self.start(clock, data_dir=c.data_dir, **config)

    def manager(self, c):
        s, body = c.post("/api/v1/sessions", {"user": "m01", "password": "123456"})
        self.assertEqual(s, 201, body)
        return body["token"]

    def book(self, c, token, day="2026-03-02", slot="10:30", service="minzheng", item="dibao", expect=201, **more):
        body = {"service": service, "item": item, "channel": "phone", "name": "张三丰", "phone": "13812345678",
                "day": day, "slot": slot}
        body.update(more)
        s, reply = c.post("/api/v1/appointments", body, token=token)
        self.assertEqual(s, expect, reply)
        return reply

    def listing(self, c, token, day=""):
        s, body = c.get("/api/v1/appointments" + ("?day=" + day if day else ""), token=token)
        self.assertEqual(s, 200, body)
        return body

    def metric(self, c, name):
        s, text = c.get("/metrics")
        self.assertEqual(s, 200)
        m = re.search(r"(?m)^%s (\d+)$" % re.escape(name), text)
        self.assertIsNotNone(m, name)
        return int(m.group(1))

    def test_a_booked_citizen_checks_in_at_the_kiosk_and_is_called_first(self):
        c = self.start()
        clerk = c.sign_in(1, "c01")
        # The day's slots: window 6 takes minzheng over lunch, so 08:30..17:00 without a break.
        s, day = c.get("/api/v1/appointments/slots?service=minzheng&day=2026-03-02", token=KIOSK)
        self.assertEqual(s, 200, day)
        starts = [x["start"] for x in day["slots"]]
        self.assertEqual(len(starts), 18)
        self.assertEqual((starts[0], starts[-1]), ("08:30", "17:00"))
        by_start = {x["start"]: x for x in day["slots"]}
        self.assertFalse(by_start["10:00"]["open"])  # begun
        self.assertTrue(by_start["10:30"]["open"])
        self.assertEqual(by_start["10:30"]["free"], 2)
        self.assertIn("1号", day["place"])

        a = self.book(c, clerk)
        self.assertRegex(a["code"], r"^\d{6}$")
        self.assertEqual((a["state"], a["day"], a["slot"], a["slot_end"]), ("confirmed", "2026-03-02", "10:30", "11:00"))
        self.assertEqual((a["checkin_from"], a["checkin_until"]), ("10:00", "10:45"))
        s, services = c.get("/api/v1/services")
        dibao = [i for sv in services["services"] for i in sv["items"] if i["id"] == "dibao"][0]
        self.assertEqual(a["materials"], dibao["materials"])  # the item's full list (R-ONCE-1)
        self.assertEqual(a["item_name"], dibao["name"])
        self.assertEqual(a["name"], "张**")
        self.assertEqual(a["phone"], "138****5678")
        b = self.book(c, clerk)
        self.assertNotEqual(a["code"], b["code"])
        full = self.book(c, clerk, expect=409)
        self.assertEqual(full["error"]["code"], "slot_full")
        later = self.book(c, clerk, slot="11:30")

        # Refused bookings change nothing.
        self.assertEqual(self.book(c, clerk, slot="10:15", expect=422)["error"]["code"], "no_such_slot")
        self.assertEqual(self.book(c, clerk, slot="09:30", expect=422)["error"]["code"], "no_such_slot")
        self.assertEqual(self.book(c, clerk, day="2026-03-17", expect=422)["error"]["code"], "no_such_slot")
        self.assertEqual(self.book(c, clerk, day="2026-3-3", expect=422)["error"]["code"], "invalid_value")
        self.assertEqual(self.book(c, clerk, slot="25:00", expect=422)["error"]["code"], "invalid_value")
        self.assertEqual(self.book(c, clerk, service="nope", expect=422)["error"]["code"], "unknown_service")
        self.assertEqual(self.book(c, clerk, item="nope", expect=422)["error"]["code"], "invalid_argument")
        self.assertEqual(self.book(c, clerk, phone="12ab", expect=422)["error"]["code"], "invalid_value")
        self.assertEqual(self.book(c, clerk, name="", expect=422)["error"]["code"], "invalid_value")
        self.assertEqual(self.book(c, KIOSK, expect=403)["error"]["code"], "forbidden")
        self.assertEqual(self.book(c, None, expect=401)["error"]["code"], "unauthorized")
        s, _ = c.get("/api/v1/appointments", token=KIOSK)
        self.assertEqual(s, 403)
        self.assertEqual(len(self.listing(c, clerk)["appointments"]), 3)

        # A walk-in takes a ticket first; the booked citizen checks in after and is called first.
        s, walk_in = c.issue()
        self.assertEqual(s, 201, walk_in)
        s, t = c.post("/api/v1/appointments/check-in", {"code": a["code"], "request_id": "k-1"}, token=KIOSK)
        self.assertEqual(s, 201, t)
        self.assertEqual((t["priority"], t["channel"], t["appointment"]), ("appointment", "appointment", a["id"]))
        s, again = c.post("/api/v1/appointments/check-in", {"code": a["code"], "request_id": "k-1"}, token=KIOSK)
        self.assertEqual((s, again["id"]), (201, t["id"]))
        s, twice = c.post("/api/v1/appointments/check-in", {"code": a["code"], "request_id": "k-2"}, token=KIOSK)
        self.assertEqual((s, twice["error"]["code"]), (409, "wrong_state"))
        self.assertIn(t["number"], twice["error"]["message_zh"])
        # The booking's QR reads HQA:<code>.
        s, t2 = c.post("/api/v1/appointments/check-in", {"code": "HQA:" + b["code"]}, token=KIOSK)
        self.assertEqual(s, 201, t2)
        s, early = c.post("/api/v1/appointments/check-in", {"code": later["code"]}, token=KIOSK)
        self.assertEqual((s, early["error"]["code"]), (409, "too_early"))
        self.assertIn("11:00", early["error"]["message_zh"])
        for code, status, err in (("000000", 404, "unknown_appointment"), ("12345", 422, "invalid_argument")):
            s, body = c.post("/api/v1/appointments/check-in", {"code": code}, token=KIOSK)
            self.assertEqual((s, body["error"]["code"]), (status, err), code)
        s, _ = c.post("/api/v1/appointments/check-in", {"code": later["code"]}, token="demo-display-1")
        self.assertEqual(s, 403)

        s, called = c.post("/api/v1/windows/1/call-next", token=clerk)
        self.assertEqual(s, 200, called)
        self.assertEqual(called["number"], t["number"])
        states = {x["id"]: x for x in self.listing(c, clerk, "2026-03-02")["appointments"]}
        self.assertEqual(states[a["id"]]["state"], "checked_in")
        self.assertEqual(states[a["id"]]["number"], t["number"])
        self.assertEqual(states[later["id"]]["state"], "confirmed")

        # The slip's QR (staff only; a booking still to check in).
        s, svg = c.get("/api/v1/appointments/%d/qr.svg" % later["id"], token=clerk)
        self.assertEqual(s, 200)
        self.assertTrue(svg.startswith("<svg"), svg[:40])
        self.assertEqual(c.get("/api/v1/appointments/%d/qr.svg" % later["id"])[0], 401)
        self.assertEqual(c.get("/api/v1/appointments/%d/qr.svg" % later["id"], token=KIOSK)[0], 403)
        self.assertEqual(c.get("/api/v1/appointments/%d/qr.svg" % a["id"], token=clerk)[0], 404)  # checked in

        # Cancelling frees the place; the wall board's stream never sees a booking or its code.
        s, body = c.post("/api/v1/appointments/%d/cancel" % later["id"], {"reason": "群众来电改期"}, token=clerk)
        self.assertEqual((s, body["state"]), (200, "cancelled"))
        ws = WebSocket(c.port, "/api/v1/events?since=0")
        seen = []
        try:
            while True:
                e = ws.recv_json()
                if e.get("type", "").startswith("Appointment"):
                    seen.append(e)
                    self.assertEqual(e["data"], {}, e)
                if e.get("type") == "AppointmentCancelled":
                    break
        finally:
            ws.close()
        self.assertEqual(len(seen), 6)  # 3 booked, 2 checked in, 1 cancelled

    def test_requests_are_answered_within_a_working_day_or_flagged_and_unkept_bookings_are_missed(self):
        c = self.start()
        s, r1 = c.post("/api/v1/appointments/requests",
                       {"service": "laodong", "item": "yanglao_daiyu", "name": "李四", "phone": "13900001111",
                        "note": "想办养老待遇"}, token=KIOSK)
        self.assertEqual(s, 201, r1)
        self.assertEqual((r1["state"], r1["channel"], r1["due"]), ("requested", "kiosk", "2026-03-03"))
        self.assertNotIn("code", r1)
        clerk = c.sign_in(2, "c03")
        s, r2 = c.post("/api/v1/appointments/requests", {"service": "laodong", "name": "王五", "channel": "letter"},
                       token=clerk)
        self.assertEqual(s, 201, r2)
        s, bad = c.post("/api/v1/appointments/requests", {"service": "laodong", "name": "王五", "channel": "phone"},
                        token=KIOSK)
        self.assertEqual((s, bad["error"]["code"]), (422, "invalid_argument"))
        self.assertEqual(self.metric(c, "hallq_appointments_unanswered"), 0)

        c = self.restart(c, WED_0900)
        self.assertEqual(self.metric(c, "hallq_appointments_unanswered"), 2)
        self.assertEqual(self.metric(c, 'hallq_alerts{kind="appointment_unanswered"}'), 2)
        mgr = self.manager(c)
        s, alerts = c.get("/api/v1/alerts", token=mgr)
        self.assertEqual(s, 200, alerts)
        flagged = [x for x in alerts["alerts"] if x["kind"] == "appointment_unanswered"]
        self.assertEqual(len(flagged), 2)
        self.assertIn("李*", flagged[0]["message"] + flagged[1]["message"])
        # Staff calling back see the name and phone in clear on the request itself only.
        s, one = c.get("/api/v1/appointments/%d" % r1["id"], token=mgr)
        self.assertEqual((s, one["name_clear"], one["phone_clear"], one["overdue"]), (200, "李四", "13900001111", True))
        listed = self.listing(c, mgr)
        self.assertEqual(listed["unanswered"], 2)
        self.assertNotIn("13900001111", json.dumps(listed, ensure_ascii=False))

        s, ok = c.post("/api/v1/appointments/%d/answer" % r1["id"], {"accept": True, "day": "2026-03-04", "slot": "14:00"},
                       token=mgr)
        self.assertEqual(s, 201, ok)
        self.assertEqual((ok["state"], ok["answered_late"], ok["slot"]), ("confirmed", True, "14:00"))
        self.assertGreater(len(ok["materials"]), 1)
        s, no = c.post("/api/v1/appointments/%d/answer" % r2["id"], {"accept": False, "reason": ""}, token=mgr)
        self.assertEqual(s, 422, no)
        s, no = c.post("/api/v1/appointments/%d/answer" % r2["id"], {"accept": False, "reason": "该事项无需预约，可直接到窗口办理"},
                       token=mgr)
        self.assertEqual((s, no["state"]), (200, "declined"))
        s, again = c.post("/api/v1/appointments/%d/answer" % r2["id"], {"accept": False, "reason": "x"}, token=mgr)
        self.assertEqual((s, again["error"]["code"]), (409, "wrong_state"))
        s, _ = c.post("/api/v1/appointments/99/answer", {"accept": False, "reason": "x"}, token=mgr)
        self.assertEqual(s, 404)
        self.assertEqual(self.metric(c, "hallq_appointments_unanswered"), 0)

        # Nobody came on Wednesday: Thursday's start closes the day and the booking is missed.
        c = self.restart(c, THU_0900)
        mgr = self.manager(c)
        past = {x["id"]: x for x in self.listing(c, mgr, "2026-03-04")["appointments"]}
        self.assertEqual(past[r1["id"]]["state"], "missed")
        s, gone = c.get("/api/v1/appointments/%d" % r1["id"], token=mgr)
        self.assertEqual(s, 404)

    def test_weekends_open_for_appointments_only(self):
        c = self.start(FRI_1000, weekend_service="true")
        clerk = c.sign_in(6, "c11")
        s, sat = c.get("/api/v1/appointments/slots?service=tugui&day=2026-03-07", token=clerk)
        self.assertEqual(s, 200, sat)
        self.assertTrue(sat["appointments_only"])
        self.assertEqual(sat["slots"][0]["start"], "09:00")
        a = self.book(c, clerk, day="2026-03-07", slot="10:00", service="tugui", item="zhaijidi")
        c = self.restart(c, SAT_0945, weekend_service="true")
        s, body = c.issue("tugui")
        self.assertEqual((s, body["error"]["code"]), (409, "appointments_only"))
        self.assertIn("预约", body["error"]["message_zh"])
        s, t = c.post("/api/v1/appointments/check-in", {"code": a["code"]}, token=KIOSK)
        self.assertEqual(s, 201, t)
        self.assertEqual(t["service"], "tugui")

    def test_a_hall_without_appointments_says_so(self):
        c = self.start(enabled="false")
        clerk = c.sign_in(1, "c01")
        for method, path in (("GET", "/api/v1/appointments"), ("GET", "/api/v1/appointments/slots?service=minzheng&day=2026-03-02"),
                             ("POST", "/api/v1/appointments/check-in")):
            s, body = c.request(method, path, body={"code": "123456"} if method == "POST" else None, token=clerk)
            self.assertEqual((s, body["error"]["code"]), (404, "not_offered"), path)
            # Without a credential the access check answers first: a caller who may not ask
            # learns nothing of what the hall offers.
            s, body = c.request(method, path, body={"code": "123456"} if method == "POST" else None)
            self.assertEqual((s, body["error"]["code"]), (401, "unauthorized"), path)
        # Tickets marked as appointments are then the counter's to give (as before appointments).
        s, t = c.issue(priority="appointment")
        self.assertEqual(s, 201, t)


if __name__ == "__main__":
    unittest.main()
