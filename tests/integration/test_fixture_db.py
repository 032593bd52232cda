"""R-HALL-8: replay rebuilds the state, also for a database an older controller wrote (issue 28).

tests/fixtures/db-009360b holds a data folder written by hallq-controller at commit 009360b
(tests/fixtures/make_fixture_009360b.py drove it through its HTTP API over five hall days) with
every event type that version's engine writes. On a copy of it, today's controller must:
- replay the event log to exactly the stored projections (--verify-db);
- start, answer /api/v1/health, and show the old state through the API: cases with their
  personal data unsealed by the old keys, complaints, appointments, ratings, counters that
  continue where the old controller stopped;
- keep the old events as they were written (the log is append-only), and replay again after
  adding its own (a roll-over).
The fixture's README lists its event types with their counts; the database must hold exactly
those, so the fixture cannot shrink unnoticed."""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import CONTROLLER_CMD, SOURCE, Controller

FIXTURE = os.path.join(SOURCE, "tests", "fixtures", "db-009360b")
# The morning after the fixture's last day (Tue 2026-12-01): the controller rolls that day over.
NEXT_MORNING = "2026-12-02T09:00:00+08:00"
FIXTURE_EVENTS = 218

# Every event type the engine of 009360b writes (make_event in controller/src/engine/*.cpp there).
TYPES_009360B = set("""
AppointmentCancelled AppointmentCheckedIn AppointmentConfirmed AppointmentDeclined AppointmentMissed
AppointmentRequested CaseCompleted CaseExtended CaseFeedback CaseHandlerAssigned CaseMaterialsCompleted
CaseNoticePrinted CaseNotified CaseParticipantReported CaseRegistered CaseReportedUpward CaseResumed
CaseReturned CaseSupplementRequested CaseSuspended ClerkSignedIn ClerkSignedOut ComplaintAnswered
ComplaintFiled DayRolledOver DeviceStatusChanged EnquiryLogged HelpAnswered HelpRequested LeaveRecorded
RatingReviewed ScoreAdjusted ServiceRated ServiceStarted TicketCalled TicketCancelled TicketClosed
TicketFinished TicketHeld TicketIssued TicketNoShow TicketRecalled TicketResumed TicketReturned
TicketTransferred TicketVoided WindowPauseOverrun WindowPaused WindowResumed""".split())


def readme_counts():
    """{type: count} from the table in the fixture's README."""
    with open(os.path.join(FIXTURE, "README.md"), encoding="utf-8") as f:
        return {m.group(1): int(m.group(2)) for m in re.finditer(r"(?m)^\| ([A-Z][A-Za-z]+) \| (\d+) \|$", f.read())}


class FixtureDb009360b(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.mkdtemp(prefix="hallq-fixture-")
        self.addCleanup(shutil.rmtree, tmp, True)
        self.data = os.path.join(tmp, "data")
        shutil.copytree(os.path.join(FIXTURE, "data"), self.data)
        # git keeps no file modes, and the controller refuses a key others can read.
        keys = [os.path.join(self.data, "case.key")]
        keys += [os.path.join(self.data, "keys", k) for k in os.listdir(os.path.join(self.data, "keys"))]
        for k in keys:
            os.chmod(k, 0o600)
        with open(os.path.join(FIXTURE, "hall.toml"), encoding="utf-8") as f:
            self.config_text = f.read()

    def query(self, sql):
        db = sqlite3.connect(os.path.join(self.data, "hallq.db"))
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def verify(self, config_path):
        r = subprocess.run([*CONTROLLER_CMD, "--verify-db", "--config", config_path, "--data-dir", self.data],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("replaying the event log gives the stored projections", r.stdout)

    def test_every_listed_event_type_is_in_the_database(self):
        listed = readme_counts()
        self.assertEqual(set(listed), TYPES_009360B, "the README lists every event type of 009360b")
        stored = dict(self.query("SELECT type, count(*) FROM events GROUP BY type"))
        self.assertEqual(stored, listed)
        self.assertEqual(sum(stored.values()), FIXTURE_EVENTS)

    def test_the_current_controller_replays_and_serves_the_old_database(self):
        c = Controller(self.config_text, data_dir=self.data, clock_start=NEXT_MORNING)
        self.addCleanup(c.cleanup)
        old_log = self.query("SELECT * FROM events ORDER BY seq")
        self.assertEqual(len(old_log), FIXTURE_EVENTS)
        self.verify(c.config_path)

        c.start()
        s, health = c.get("/api/v1/health")
        self.assertEqual((s, health["status"]), (200, "ok"), health)
        self.assertGreaterEqual(health["seq"], FIXTURE_EVENTS)
        mgr = c.staff_token()

        # Cases: one still waiting for materials, one completed two working days late.
        s, case = c.get("/api/v1/cases/1", token=mgr)
        self.assertEqual(s, 200, case)
        self.assertEqual((case["no"], case["type"], case["state"], case["once_failures"], case["missing"]),
                         ("20261123-001", "supplement", "awaiting_materials", 1, ["近期免冠一寸照片2张"]))
        self.assertEqual((case["applicant"], case["personal"]), ("张**", "masked"))
        s, late = c.get("/api/v1/cases/8", token=mgr)
        self.assertEqual(s, 200, late)
        self.assertEqual((late["state"], late["deadline"], late["overdue_days"], late["notify_channel"]),
                         ("done", "2026-11-25", 2, "sms"))
        s, joint = c.get("/api/v1/cases/3", token=mgr)
        self.assertEqual((s, joint["type"], [p["reported"] for p in joint["participants"]]),
                         (200, "joint", [True, True]))
        # The case's own clerk reads the applicant's data, sealed under the old month key.
        c01 = c.sign_in(1, "c01")
        s, own = c.get("/api/v1/cases/1", token=c01)
        self.assertEqual((s, own["applicant"], own["phone"], own["id_number"], own["personal"]),
                         (200, "张三丰", "13812345678", "510104199001011234", "clear"))

        # Complaints: of three filed, the one from the manager's page is still open.
        s, complaints = c.get("/api/v1/complaints", token=mgr)
        self.assertEqual(s, 200, complaints)
        self.assertEqual([(x["id"], x["channel"]) for x in complaints["open"]], [(3, "admin")])
        # Appointments of the first day: one checked in, one missed at the roll-over.
        s, day = c.get("/api/v1/appointments?day=2026-11-23", token=mgr)
        self.assertEqual(s, 200, day)
        states = {a["id"]: a["state"] for a in day["appointments"]}
        self.assertEqual((states.get(1), states.get(2)), ("checked_in", "missed"))
        # Ratings by every channel, and the kiosk's bad review still to be followed up.
        s, stats = c.get("/api/v1/reports/stats?from=2026-11-01&to=2026-11-30", token=mgr)
        self.assertEqual(s, 200, stats)
        self.assertEqual(stats["totals"]["ratings_by_channel"], {"evaluator": 3, "kiosk": 2, "phone": 1})
        s, follow = c.get("/api/v1/follow-ups", token=mgr)
        self.assertEqual([(f["number"], f["level"]) for f in follow["open"]], [("A006", 2)])

        # New work continues the old counters: the next ticket id, a new day's first number.
        s, t = c.issue("minzheng", request_id="after-009360b-1")
        self.assertEqual((s, t["id"], t["number"]), (201, 33, "A001"), t)
        c.stop()

        # The old events are kept as written; the whole log, old and new, replays again.
        self.assertEqual(self.query("SELECT * FROM events WHERE seq <= %d ORDER BY seq" % FIXTURE_EVENTS), old_log)
        self.assertGreater(self.query("SELECT max(seq) FROM events")[0][0], FIXTURE_EVENTS)
        self.verify(c.config_path)


if __name__ == "__main__":
    unittest.main()
