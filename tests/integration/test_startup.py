"""Start-up refusals: a bad config, a database from a newer schema, a foreign or corrupt file:
a clear message, exit status 1, and the file left untouched (R-HALL-8)."""
import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from harness import CONTROLLER_CMD, Controller, example_config


def run(*args):
    return subprocess.run([*CONTROLLER_CMD, *args], capture_output=True, text=True, timeout=30)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Startup(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-it-")
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, text):
        p = os.path.join(self.tmp.name, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def test_flags(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^hallq-controller \d+\.\d+\.\d+")
        r = run("--help")
        self.assertIn("--config FILE", r.stdout)
        r = run("--bogus")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option", r.stderr)

    def test_check_config(self):
        good = self.write("good.toml", example_config())
        r = run("--check-config", good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("6 windows", r.stdout)
        bad = self.write("bad.toml", example_config(recall_limit="\"two\""))
        r = run("--check-config", bad)
        self.assertEqual(r.returncode, 1)
        line = example_config().splitlines().index("recall_limit = 2") + 1
        self.assertIn("bad.toml:%d" % line, r.stderr)
        self.assertIn("recall_limit", r.stderr)
        # The daemon refuses to start on it, with the same message.
        r = run("--config", bad, "--data-dir", os.path.join(self.tmp.name, "d"), "--listen", "127.0.0.1:0")
        self.assertEqual(r.returncode, 1)
        self.assertIn("recall_limit", r.stderr)

    def refuse(self, make_db, expect):
        data = os.path.join(self.tmp.name, "data")
        os.makedirs(data)
        db = os.path.join(data, "hallq.db")
        make_db(db)
        before = digest(db)
        cfg = self.write("hall.toml", example_config(always_open="true"))
        r = run("--config", cfg, "--data-dir", data, "--listen", "127.0.0.1:0")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(expect, r.stderr)
        self.assertEqual(digest(db), before)

    def test_newer_schema_is_refused_untouched(self):
        def make(db):
            c = Controller(example_config(always_open="true"), data_dir=os.path.dirname(db))
            c.start()
            c.issue()
            c.stop()
            c.cleanup()
            con = sqlite3.connect(db)
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute("PRAGMA user_version=99")
            con.commit()
            con.close()
        self.refuse(make, "newer")

    def test_foreign_database_is_refused_untouched(self):
        def make(db):
            con = sqlite3.connect(db)
            con.execute("CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT)")
            con.execute("INSERT INTO accounts VALUES (1, 'x')")
            con.commit()
            con.close()
        self.refuse(make, "not a HallQ database")

    def test_garbage_file_is_refused_untouched(self):
        def make(db):
            with open(db, "wb") as f:
                f.write(os.urandom(8192))
        self.refuse(make, "hallq.db")

    def test_data_dir_in_use(self):
        c = Controller(example_config(always_open="true"))
        self.addCleanup(c.cleanup)
        c.start()
        r = run("--config", c.config_path, "--data-dir", c.data_dir, "--listen", "127.0.0.1:0")
        self.assertEqual(r.returncode, 1)
        self.assertIn("in use", r.stderr)


if __name__ == "__main__":
    unittest.main()


class SystemdNotify(unittest.TestCase):
    """Type=notify: READY once serving, WATCHDOG pings at half of WatchdogSec, RELOADING and
    READY around a SIGHUP reload, STOPPING on SIGTERM — over a NOTIFY_SOCKET like systemd's."""

    def test_notify_protocol(self):
        tmp = tempfile.TemporaryDirectory(prefix="hallq-notify-")
        self.addCleanup(tmp.cleanup)
        path = os.path.join(tmp.name, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(15)

        def receive_until(word, limit=50):
            seen = []
            for _ in range(limit):
                msg = sock.recv(4096).decode()
                seen.append(msg)
                if word in msg.split("\n"):
                    return seen
            self.fail("no %s among %r" % (word, seen))

        c = Controller()
        # WATCHDOG_USEC without WATCHDOG_PID: meant for the process that reads it.
        c.env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"}
        c.start()
        self.addCleanup(lambda: c.proc and c.stop())
        seen = receive_until("READY=1")
        ready = [m for m in seen if "READY=1" in m][0]
        self.assertIn("STATUS=serving", ready)
        self.assertIn("6 windows", ready)
        # Pings keep coming at about 200 ms while the hall is idle and after a command.
        t0 = time.monotonic()
        pings = 0
        while pings < 4:
            if sock.recv(4096).decode() == "WATCHDOG=1":
                pings += 1
        elapsed = time.monotonic() - t0
        self.assertGreater(elapsed, 0.3, "pings come at half the interval, not in a burst")
        status, body = c.issue()
        self.assertEqual(status, 201, body)
        receive_until("WATCHDOG=1")

        # A wedged database (another process holds SQLite's write lock; the store waits up
        # to its 5 s busy timeout): the command waits for storage and the pings stop, so
        # systemd would restart the daemon. They resume once the command is stored.
        holder = sqlite3.connect(os.path.join(c.data_dir, "hallq.db"), isolation_level=None, timeout=10)
        holder.execute("BEGIN EXCLUSIVE")
        result = {}
        issuer = threading.Thread(target=lambda: result.update(r=c.issue()))
        issuer.start()
        time.sleep(0.25)  # one tick sees the command queued
        while True:  # drop pings sent before the tick that saw it
            sock.settimeout(0.01)
            try:
                sock.recv(4096)
            except socket.timeout:
                break
        sock.settimeout(0.1)
        stalled_pings = 0
        t_end = time.monotonic() + 1.5
        while time.monotonic() < t_end:
            try:
                if sock.recv(4096).decode() == "WATCHDOG=1":
                    stalled_pings += 1
            except socket.timeout:
                pass
        holder.execute("ROLLBACK")
        holder.close()
        issuer.join(10)
        sock.settimeout(15)
        self.assertEqual(stalled_pings, 0, "no pings while a command waits for the database")
        self.assertEqual(result["r"][0], 201, result)
        receive_until("WATCHDOG=1")
        self.assertIn("commands have waited for storage", c.log())

        c.proc.send_signal(signal.SIGHUP)
        receive_until("RELOADING=1")
        receive_until("READY=1")
        c.proc.send_signal(signal.SIGTERM)
        receive_until("STOPPING=1")
        self.assertEqual(c.proc.wait(10), 0)
        c._closed()
        c.check_log()

