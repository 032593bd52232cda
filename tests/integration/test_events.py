"""The event stream (/api/v1/events, WebSocket): durable events in order, a reconnect with
`since` misses nothing, the public view carries no personal data."""
import unittest

from harness import ControllerTest, WebSocket, example_config

FAST = dict(always_open="true", device_rate_per_s="1000", device_burst="1000")


class Events(ControllerTest):
    config = example_config(**FAST)

    def test_live_and_replayed_events_in_order(self):
        ws = WebSocket(self.c.port, "/api/v1/events?since=0", token=self.c.staff_token())
        self.addCleanup(ws.close)
        self.assertEqual(ws.status, 101)
        first = ws.recv_json()
        self.assertEqual((first["seq"], first["type"]), (1, "DayRolledOver"))
        _, t = self.c.issue(request_id="ev-1")
        tok = self.c.sign_in(1, "c01")
        self.c.post("/api/v1/windows/1/call-next", token=tok)
        got = [ws.recv_json() for _ in range(3)]
        self.assertEqual([e["type"] for e in got], ["TicketIssued", "ClerkSignedIn", "TicketCalled"])
        self.assertEqual([e["seq"] for e in got], [2, 3, 4])
        self.assertEqual(got[0]["data"]["number"], t["number"])
        self.assertEqual(got[2]["window"], 1)
        self.assertEqual(got[2]["actor"], {"kind": "clerk", "id": "c01"})
        # A call carries what screens and the voice need: number, service, window.
        self.assertEqual((got[2]["data"]["number"], got[2]["data"]["service"]), (t["number"], "minzheng"))

        # Reconnect from seq 2: the missed events arrive first, in order, then live ones.
        ws2 = WebSocket(self.c.port, "/api/v1/events?since=2", token=self.c.staff_token())
        self.addCleanup(ws2.close)
        self.c.post("/api/v1/windows/1/start", token=tok)
        seqs = [ws2.recv_json()["seq"] for _ in range(3)]
        self.assertEqual(seqs, [3, 4, 5])
        self.assertEqual(ws.recv_json()["seq"], 5)

    def test_public_view_has_no_personal_data(self):
        # The wall board, and (issue 26) the kiosks and display nodes: they draw what the
        # board draws and get the board's view, not the staff's.
        streams = {who: WebSocket(self.c.port, "/api/v1/events?since=0", token=token)
                   for who, token in (("board", None), ("kiosk", "demo-kiosk-1"), ("display", "demo-display-1"))}
        for ws in streams.values():
            self.addCleanup(ws.close)
        self.c.issue(request_id="secret-request")
        tok = self.c.sign_in(1, "c01")
        self.c.post("/api/v1/windows/1/call-next", token=tok)
        s, _ = self.c.post("/api/v1/complaints", {"categories": ["attitude"], "content": "窗口人员态度差",
                                                  "name": "投诉人", "phone": "13912345678", "window": 1}, token=tok)
        self.assertEqual(s, 201)
        for who, ws in streams.items():
            events = [ws.recv_json() for _ in range(5)]
            self.assertEqual(events[3]["type"], "TicketCalled", who)
            self.assertEqual(events[3]["data"]["number"], "A001")  # the board shows and says it
            self.assertEqual(events[4]["type"], "ComplaintFiled", who)
            for e in events:
                self.assertNotIn("actor", e, who)
                for k in ("clerk", "request_id", "content", "name", "phone"):
                    self.assertNotIn(k, e["data"], (who, e))
        s, hall = self.c.get("/api/v1/hall")
        self.assertNotIn("clerk", hall["windows"][0])

    def test_subscriber_count_in_metrics(self):
        ws = WebSocket(self.c.port, "/api/v1/events")
        self.addCleanup(ws.close)
        self.c.issue()
        ws.recv_json()  # subscribed once an event arrives
        s, text = self.c.get("/metrics")
        self.assertIn("hallq_websocket_clients 1", text)


if __name__ == "__main__":
    unittest.main()
