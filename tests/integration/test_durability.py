"""R-HALL-8: a power cut loses nothing acknowledged. kill -9 during a burst of issues, restart,
and every acknowledged ticket is still there with its number; no number is reused."""
import os
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import BENCH, CONTROLLER_CMD, Controller, example_config

FAST = dict(always_open="true", device_rate_per_s="100000", device_burst="100000")


class KillDuringBurst(unittest.TestCase):
    def test_kill9_loses_nothing_acknowledged(self):
        c = Controller(example_config(BENCH))
        self.addCleanup(c.cleanup)
        c.start()
        services = ["minzheng", "laodong", "yibao"]
        acked = {}  # request_id -> ticket
        lock = threading.Lock()
        stop = threading.Event()

        def client(k):
            n = 0
            while not stop.is_set():
                rid = "burst-%d-%d" % (k, n)
                n += 1
                try:
                    status, t = c.issue(services[k % 3], request_id=rid)
                except OSError:
                    return  # the controller died under us: this request was never answered
                if status == 201:
                    with lock:
                        acked[rid] = t

        threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        deadline = time.time() + 10
        while len(acked) < 300 and time.time() < deadline:
            time.sleep(0.01)
        c.kill9()  # mid-burst: requests are in flight
        stop.set()
        for t in threads:
            t.join()
        self.assertGreaterEqual(len(acked), 300)

        c.start()
        numbers_before = {}
        for rid, t in acked.items():
            status, now = c.get("/api/v1/tickets/%d" % t["id"])
            self.assertEqual(status, 200, rid)
            self.assertEqual((now["number"], now["service"]), (t["number"], t["service"]), rid)
            numbers_before[(t["service"], t["number"])] = t["id"]
        # A retry of an acknowledged request gets the same ticket, not a new one.
        some = list(acked.items())[:20]
        for rid, t in some:
            status, again = c.issue(t["service"], request_id=rid)
            self.assertEqual((status, again["id"]), (201, t["id"]))
        # New tickets continue the numbering: no number is reused.
        for s in services:
            status, t = c.issue(s, request_id="after-restart-" + s)
            self.assertEqual(status, 201)
            self.assertNotIn((s, t["number"]), numbers_before)
        # Every number of the day is unique in the database, and the log replays to it.
        c.stop()
        db = sqlite3.connect(os.path.join(c.data_dir, "hallq.db"))
        rows = db.execute("SELECT service, number, count(*) FROM tickets GROUP BY service, number HAVING count(*) > 1").fetchall()
        db.close()
        self.assertEqual(rows, [])
        r = subprocess.run([*CONTROLLER_CMD, "--verify-db", "--config", c.config_path, "--data-dir", c.data_dir],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_restart_keeps_windows_sessions_and_queue(self):
        c = Controller(example_config(**FAST))
        self.addCleanup(c.cleanup)
        c.start()
        for _ in range(3):
            c.issue()
        tok = c.sign_in(1, "c01")
        s, called = c.post("/api/v1/windows/1/call-next", token=tok)
        self.assertEqual(s, 200)
        c.kill9()
        c.start()
        s, hall = c.get("/api/v1/hall")
        w1 = hall["windows"][0]
        self.assertEqual((w1["state"], w1["current"]["id"]), ("serving", called["id"]))
        self.assertEqual(hall["services"][0]["waiting"], 2)
        self.assertEqual(hall["recent_calls"][0]["number"], called["number"])
        # The clerk's session survived the power cut: no sign-in needed to go on.
        s, body = c.post("/api/v1/windows/1/finish", token=tok)
        self.assertEqual((s, body["state"]), (200, "done"))


if __name__ == "__main__":
    unittest.main()


class DiskFull(unittest.TestCase):
    """A full disk (here: a file-size limit on the daemon): commands that cannot be stored are
    answered 503 and change nothing; what was acknowledged before stays; after the disk has
    room again the hall goes on without a restart."""

    def test_full_disk(self):
        import resource

        c = Controller(example_config(BENCH))
        self.addCleanup(c.cleanup)
        c.start()
        c.issue(request_id="warm-up")
        c.stop()
        db = os.path.join(c.data_dir, "hallq.db")
        # Room for a few dozen tickets beyond what the files hold now.
        limit = max(os.path.getsize(db), 1 << 20) + 256 * 1024
        c.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
        acked, refused = [], 0
        for i in range(5000):
            s, t = c.issue(request_id="fill-%d" % i)
            if s == 201:
                acked.append(t)
            else:
                self.assertEqual((s, t["error"]["code"]), (503, "storage_failed"), t)
                refused += 1
                if refused >= 20:
                    break
        self.assertGreater(len(acked), 10)
        self.assertEqual(refused, 20)
        s, health = c.get("/api/v1/health")  # still serving
        self.assertEqual(s, 200)
        self.assertEqual(health["seq"], 2 + len(acked))  # roll-over, warm-up, acknowledged
        c.stop()
        c.start()  # without the limit: the disk has room again
        for t in acked:
            s, now = c.get("/api/v1/tickets/%d" % t["id"])
            self.assertEqual((s, now["number"]), (200, t["number"]))
        s, t = c.issue(request_id="after")
        self.assertEqual(s, 201)
        self.assertEqual(int(t["number"][1:]), int(acked[-1]["number"][1:]) + 1)  # refused ones used no number


class SessionExpiry(unittest.TestCase):
    def test_sessions_expire_and_are_purged(self):
        c = Controller(example_config(always_open="true"))
        self.addCleanup(c.cleanup)
        c.start()
        old = c.sign_in(1, "c01")
        c.stop()
        # Thirteen hours later (session_hours = 12): the old token is refused...
        c.clock_start = "2026-03-02T23:00:00+08:00"
        c.start()
        s, body = c.post("/api/v1/windows/1/call-next", token=old)
        self.assertEqual(s, 401)
        # ...and the next sign-in removes its row from the database.
        c.sign_in(2, "c03")
        c.stop()
        db = sqlite3.connect(os.path.join(c.data_dir, "hallq.db"))
        users = [r[0] for r in db.execute("SELECT user FROM sessions")]
        db.close()
        self.assertEqual(users, ["c03"])


class DiskFullTmpfs(unittest.TestCase):
    """Issue 9, a really full disk: the data folder on a 3 MiB tmpfs. Issues are acknowledged
    until the space runs out, then refused 503 storage_failed with nothing half-written; when
    the file system is grown (remount, no restart) the hall goes on, numbering after the last
    acknowledged ticket, and the log verifies. Needs root for mount (the README's test command
    runs as root)."""

    def test_full_tmpfs_then_room_again(self):
        self.assertEqual(os.geteuid(), 0, "this test mounts a tmpfs: run the tests as root")
        c = Controller(example_config(BENCH))
        self.addCleanup(c.cleanup)
        mnt = os.path.join(c.tmp, "small")
        os.makedirs(mnt)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt], check=True)
        self.addCleanup(lambda: subprocess.run(["umount", "-l", mnt]))
        c.data_dir = os.path.join(mnt, "data")
        c.start()
        acked, refused = [], 0
        for i in range(50000):
            s, t = c.issue(request_id="full-%d" % i)
            if s == 201:
                acked.append(t)
                continue
            self.assertEqual((s, t["error"]["code"]), (503, "storage_failed"), t)
            refused += 1
            if refused >= 10:
                break
        self.assertEqual(refused, 10)
        self.assertGreater(len(acked), 100)
        s, health = c.get("/api/v1/health")
        self.assertEqual((s, health["seq"]), (200, 1 + len(acked)))  # roll-over and the acknowledged
        # Room again, without a restart.
        subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
        s, room = c.issue(request_id="room-again")
        self.assertEqual(s, 201, room)
        self.assertEqual(int(room["number"][1:]), int(acked[-1]["number"][1:]) + 1)
        c.stop()
        c.start()
        for t in acked[-50:]:
            s, now = c.get("/api/v1/tickets/%d" % t["id"])
            self.assertEqual((s, now["number"]), (200, t["number"]))
        c.stop()
        r = subprocess.run([*CONTROLLER_CMD, "--verify-db", "--config", c.config_path, "--data-dir", c.data_dir],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        print("\ntmpfs of 3 MiB: %d tickets acknowledged, then 503 storage_failed; after growing it the next "
              "ticket is %s" % (len(acked), room["number"]))
