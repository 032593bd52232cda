"""Issue 9, crash safety (R-HALL-8): many rounds of kill -9 at a random moment under load.
HALLQ_KILL_ROUNDS sets how many (CMake's HALLQ_KILL_ROUNDS: 200 in the dev build (ASan + UBSan),
50 in the builds tested under qemu, where each round costs several times as much)."""
import os
import random
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import BENCH, CONTROLLER_CMD, Controller, example_config


class KillRounds(unittest.TestCase):
    """Issue 9, crash safety: HALLQ_KILL_ROUNDS (200) rounds of kill -9 at a random moment under a load of issues
    (three kiosk connections) and calls (a clerk looping call-next -> start -> finish). After
    every restart each acknowledged issue is there with its number and each acknowledged
    finish is done; at the end no number was given twice, no request made two tickets, and
    the event log replays to the tables (--verify-db). The restart time is measured."""

    ROUNDS = int(os.environ.get("HALLQ_KILL_ROUNDS", "200"))

    def test_kill9_rounds_lose_nothing(self):
        rng = random.Random(9)
        c = Controller(example_config(BENCH))
        self.addCleanup(c.cleanup)
        c.start()
        clerk = c.sign_in(1, "c01")
        acked = {}      # request id -> (ticket id, number)
        finished = set()  # ticket ids whose finish was acknowledged
        starts = []
        lock = threading.Lock()
        k = 0
        for rnd in range(self.ROUNDS):
            stop = threading.Event()
            round_acked = {}

            def kiosk(n):
                i = 0
                while not stop.is_set():
                    rid = "r%d-k%d-%d" % (rnd, n, i)
                    i += 1
                    try:
                        s, t = c.issue("minzheng", request_id=rid)
                    except OSError:
                        return
                    if s == 201:
                        with lock:
                            round_acked[rid] = (t["id"], t["number"])

            def window():
                while not stop.is_set():
                    try:
                        s, t = c.post("/api/v1/windows/1/call-next", {}, token=clerk)
                        if s == 409:  # a ticket from before the crash is still at the window
                            c.post("/api/v1/windows/1/start", {}, token=clerk)
                            s2, t2 = c.post("/api/v1/windows/1/finish", {"consultation": True}, token=clerk)
                            continue
                        if s != 200:
                            time.sleep(0.002)
                            continue
                        c.post("/api/v1/windows/1/start", {}, token=clerk)
                        s, done = c.post("/api/v1/windows/1/finish", {"consultation": True}, token=clerk)
                        if s == 200:
                            with lock:
                                finished.add(done["id"])
                    except OSError:
                        return

            threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(3)] + [threading.Thread(target=window)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.02, 0.25))
            c.kill9()
            stop.set()
            for t in threads:
                t.join()
            acked.update(round_acked)
            t0 = time.monotonic()
            c.start()
            starts.append(time.monotonic() - t0)
            # What this round acknowledged survived, with its number.
            for rid, (tid, number) in round_acked.items():
                s, t = c.get("/api/v1/tickets?request_id=" + rid, token="demo-kiosk-1")
                self.assertEqual((s, t["id"], t["number"]), (200, tid, number), (rnd, rid))
            k += len(round_acked)
        self.assertGreater(len(acked), self.ROUNDS)  # the load was real
        for tid in finished:
            s, t = c.get("/api/v1/tickets/%d" % tid)
            self.assertEqual((s, t["state"]), (200, "done"), tid)
        c.stop()
        db = sqlite3.connect(os.path.join(c.data_dir, "hallq.db"))
        dup_numbers = db.execute("SELECT service, number, count(*) FROM tickets GROUP BY day, service, number "
                                 "HAVING count(*) > 1").fetchall()
        db.close()
        self.assertEqual(dup_numbers, [])
        self.assertEqual(len({v[0] for v in acked.values()}), len(acked))  # one ticket per request
        r = subprocess.run([*CONTROLLER_CMD, "--verify-db", "--config", c.config_path, "--data-dir", c.data_dir],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        starts.sort()
        print("\n%d kill -9 rounds: %d issues and %d finishes acknowledged, all present; restart to listening "
              "p50 %.0f ms, p99 %.0f ms, max %.0f ms" % (self.ROUNDS, len(acked), len(finished),
                                                         1000 * starts[len(starts) // 2],
                                                         1000 * starts[int(len(starts) * 0.99) - 1], 1000 * starts[-1]))


if __name__ == "__main__":
    unittest.main()
