"""hallq-printer-sim behaves like a LAN thermal printer (hardware.md, printer section): it
answers DLE EOT n from its fault state, prints jobs to PNG (read back with zbarimg), holds jobs
and finally stops reading while out of paper or with the cover open, never answers when
silent, and drops connections when told to disconnect."""
import os
import re
import shlex
import socket
import subprocess
import tempfile
import threading
import time
import unittest

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
SIM = os.environ.get("HALLQ_PRINTER_SIM", "build/dev/bin/hallq-printer-sim")
SAMPLE = os.environ.get("HALLQ_ESCPOS_SAMPLE", "build/dev/bin/hallq_escpos_sample")
SEND = os.environ.get("HALLQ_PRINT_SEND", "build/dev/bin/hallq-print-send")
URL = "http://192.168.1.10:8080/t/20260302-A012"


class SimBase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-sim-")
        self.addCleanup(self.tmp.cleanup)
        self.out = self.tmp.name
        self.proc = subprocess.Popen([*EMULATOR, SIM, "--listen", "127.0.0.1:0", "--out", self.out],
                                     stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.stop)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        self.assertTrue(m, line)
        self.port = int(m.group(1))
        job = os.path.join(self.out, "sample.job")
        subprocess.run([*EMULATOR, SAMPLE, job], check=True)
        with open(job, "rb") as f:
            self.job = f.read()
        os.remove(job)

    def stop(self):
        self.proc.kill()
        self.proc.wait(5)
        self.proc.stdout.close()

    def fault(self, name):
        with open(os.path.join(self.out, "fault"), "w") as f:
            f.write(name)

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.addCleanup(s.close)
        return s

    def query(self, s, n, timeout=2.0):
        s.settimeout(timeout)
        s.sendall(bytes([0x10, 0x04, n]))
        try:
            b = s.recv(1)
            return b[0] if b else None
        except socket.timeout:
            return None

    def jobs(self):
        return sorted(f for f in os.listdir(self.out) if f.endswith(".bin"))

    def wait_jobs(self, n, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.jobs()) >= n:
                return self.jobs()
            time.sleep(0.05)
        return self.jobs()



class PrinterSim(SimBase):
    def test_ok_status_and_a_printed_job(self):
        s = self.connect()
        self.assertEqual([self.query(s, n) for n in (1, 2, 3, 4)], [0x12, 0x12, 0x12, 0x12])
        s.sendall(self.job)
        jobs = self.wait_jobs(1)
        self.assertEqual(jobs, ["job-0001.bin"])
        with open(os.path.join(self.out, jobs[0]), "rb") as f:
            self.assertEqual(f.read(), self.job)  # the status queries are not part of the job
        z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(self.out, "job-0001.png")],
                           capture_output=True, text=True)
        self.assertEqual(z.stdout.strip(), URL)

    def test_paper_out_holds_the_job_until_paper_is_back(self):
        self.fault("paper-out")
        s = self.connect()
        self.assertEqual(self.query(s, 1), 0x1A)  # offline
        self.assertEqual(self.query(s, 2), 0x32)  # stopped at paper end
        self.assertEqual(self.query(s, 4), 0x72)  # paper end sensor
        s.sendall(self.job)
        time.sleep(1.0)
        self.assertEqual(self.jobs(), [], "nothing prints without paper")
        self.fault("ok")
        self.assertEqual(self.wait_jobs(1), ["job-0001.bin"])
        self.assertEqual(self.query(s, 4), 0x12)

    def test_out_of_paper_printer_stops_reading_and_writes_stall(self):
        self.fault("paper-out")
        s = self.connect()
        s.settimeout(1.0)
        sent = 0
        with self.assertRaises(socket.timeout):
            while sent < 64 * 1024 * 1024:
                sent += s.send(b"\x1b\x40" + b"x" * 65534)
        self.assertLess(sent, 64 * 1024 * 1024)

    def test_cover_open_near_end_silent(self):
        s = self.connect()
        self.fault("cover-open")
        self.assertEqual(self.query(s, 2), 0x16)
        self.fault("near-end")
        self.assertEqual(self.query(s, 4), 0x1E)
        s.sendall(self.job)
        self.assertEqual(len(self.wait_jobs(1)), 1, "near end still prints")
        self.fault("silent")
        self.assertIsNone(self.query(s, 1, timeout=0.8))
        s.sendall(self.job)
        self.assertEqual(len(self.wait_jobs(2)), 2, "a silent printer still prints")

    def test_automatic_status_back(self):
        """GS a n: a 4-byte block at once, then one on every change (hardware.md)."""
        s = self.connect()
        s.settimeout(2)
        s.sendall(bytes([0x1D, 0x61, 0x0E]))
        self.assertEqual(s.recv(4), bytes([0x10, 0x00, 0x00, 0x00]))
        self.fault("paper-out")
        self.assertEqual(s.recv(4), bytes([0x18, 0x00, 0x0F, 0x00]))
        self.fault("cover-open")
        self.assertEqual(s.recv(4), bytes([0x38, 0x00, 0x00, 0x00]))
        self.fault("ok")
        self.assertEqual(s.recv(4), bytes([0x10, 0x00, 0x00, 0x00]))
        s.sendall(self.job)
        self.assertEqual(self.wait_jobs(1), ["job-0001.bin"])
        with open(os.path.join(self.out, "job-0001.bin"), "rb") as f:
            self.assertEqual(f.read(), self.job, "GS a is not part of the job")

    def test_disconnect(self):
        self.fault("disconnect")
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.addCleanup(s.close)
        s.settimeout(5)
        try:
            data = s.recv(1)
        except ConnectionResetError:
            data = b""
        self.assertEqual(data, b"")



class PrinterClient(SimBase):
    """hallq-print-send (the kiosk's printer client: status before, write with a deadline,
    status after) against the simulator in every fault state."""

    def send(self, *extra, job=True, jobs=1):
        """Sends the sample job `jobs` times over one connection; the fields of the last
        outcome line (self.lines has them all)."""
        path = os.path.join(self.out, "sample.bin.in")
        with open(path, "wb") as f:
            f.write(self.job)
        args = [*EMULATOR, SEND, "--printer", "tcp://127.0.0.1:%d" % self.port]
        args += [path] * jobs if job else ["--status"]
        r = subprocess.run(args + list(extra), capture_output=True, text=True, timeout=60)
        self.lines = [dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line)) for line in r.stdout.splitlines()]
        return r.returncode, (self.lines[-1] if self.lines else {})

    def test_printed(self):
        code, f = self.send()
        self.assertEqual((code, f["outcome"], f["before"], f["after"], f["confirmed"]),
                         (0, "printed", "ok", "ok", "yes"), f)
        # GS r is answered once the job is printed: the PNG is there when the sender returns.
        self.assertEqual(self.jobs(), ["job-0001.bin"])
        with open(os.path.join(self.out, "job-0001.bin"), "rb") as f:
            self.assertEqual(f.read(), self.job, "queries are not part of the job")

    def test_printer_without_gs_r_is_confirmed_by_status(self):
        code, f = self.send("--no-gs-r")
        self.assertEqual((code, f["outcome"], f["after"], f["confirmed"]), (0, "printed", "ok", "no"), f)

    def test_refused_before_when_out_of_paper_or_cover_open(self):
        for fault in ("paper-out", "cover-open"):
            self.fault(fault)
            code, f = self.send()
            self.assertEqual((code, f["outcome"], f["before"]), (1, "refused", fault.replace("-", "_")), f)
        time.sleep(0.5)
        self.assertEqual(self.jobs(), [], "a refused job sends nothing")

    def test_silent_printer_still_prints_with_status_unknown(self):
        self.fault("silent")
        code, f = self.send()
        self.assertEqual((code, f["outcome"], f["before"], f["after"], f["confirmed"]),
                         (0, "printed", "unknown", "unknown", "no"), f)
        self.assertEqual(len(self.wait_jobs(1)), 1)

    def test_near_end_prints_and_says_so(self):
        self.fault("near-end")
        code, f = self.send()
        self.assertEqual((code, f["outcome"], f["after"]), (0, "printed", "paper_near_end"), f)

    def test_paper_runs_out_during_a_large_job_write_deadline(self):
        # Paper runs out 8 KiB into a 24 MB job (more than the kernel's socket buffers on
        # both sides hold): the printer stops reading and the write misses its deadline; the
        # outcome is failed, never printed.
        self.job = self.job * (24 * 1024 * 1024 // len(self.job))
        self.fault("paper-out-after:8192")
        code, f = self.send("--write-timeout", "1500")
        self.assertEqual((code, f["outcome"], f["before"]), (1, "failed", "ok"), f)
        self.assertIn("stopped taking data", f["error"])

    def test_paper_runs_out_in_the_middle_of_a_job_is_suspect(self):
        # The whole ticket was taken in, but the paper ended 500 bytes into it: GS r is never
        # answered, and DLE EOT says paper out.
        self.fault("paper-out-after:500")
        code, f = self.send()
        self.assertEqual((code, f["outcome"], f["before"], f["after"], f["confirmed"]),
                         (1, "suspect", "ok", "paper_out", "no"), f)
        self.assertLess(int(f["took_ms"]), 3000, "noticed by polling, not by the deadline")
        self.assertEqual(self.jobs(), [])

    def test_paper_runs_out_right_after_a_job_is_printed_and_the_next_refused(self):
        # The roll ends exactly with the ticket: the ticket is whole (GS r answered), the
        # status after says paper out, and the next job is refused without sending.
        self.fault("paper-out-after:%d" % len(self.job))
        code, f = self.send(jobs=2)
        first, second = self.lines
        self.assertEqual((first["outcome"], first["after"], first["confirmed"]), ("printed", "paper_out", "yes"), first)
        self.assertEqual((second["outcome"], second["before"]), ("refused", "paper_out"), second)
        self.assertEqual(code, 1)
        self.assertEqual(self.jobs(), ["job-0001.bin"])

    def test_a_held_job_prints_when_paper_is_loaded(self):
        self.fault("paper-out-after:500")
        code, f = self.send()
        self.assertEqual(f["outcome"], "suspect")
        self.fault("ok")
        self.assertEqual(self.wait_jobs(1), ["job-0001.bin"], "the rest comes out once paper is back")

    def test_unreachable_printer(self):
        self.fault("disconnect")
        code, f = self.send()
        self.assertEqual(code, 1)
        self.assertIn(f["outcome"], ("failed",), f)

    def test_file_transport_appends_the_job(self):
        target = os.path.join(self.out, "printer.out")
        path = os.path.join(self.out, "sample.bin.in")
        with open(path, "wb") as f:
            f.write(self.job)
        r = subprocess.run([*EMULATOR, SEND, "--printer", "file:" + target, path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("outcome=printed before=unknown after=unknown", r.stdout)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), self.job)

    def test_bad_printer_specs_are_refused(self):
        for spec in ("lp0", "tcp://:9100", "tcp://host:0", "tcp://host:99999", "usb:lp0", "serial:/dev/ttyS0@1234"):
            r = subprocess.run([*EMULATOR, SEND, "--printer", spec, "--status"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, spec)
            self.assertIn("printer '%s'" % spec, r.stderr)

    def test_status_only(self):
        self.assertEqual(self.send(job=False), (0, {"status": "ok"}))
        self.fault("paper-out")
        self.assertEqual(self.send(job=False), (1, {"status": "paper_out"}))


class PtyPrinter(unittest.TestCase):
    """The serial and USB transports (serial:DEV@BAUD, usb:DEV) against a fake printer on the
    master side of a pseudo-terminal: answers DLE EOT, GS r and GS a like a printer, or stays
    silent."""

    def setUp(self):
        import pty
        import tty
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self.addCleanup(os.close, self.master)
        self.addCleanup(os.close, slave)
        self.received = bytearray()
        self.silent = False
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        self.addCleanup(self._stop)
        job = os.path.join(tempfile.mkdtemp(prefix="hallq-pty-"), "sample.bin")
        subprocess.run([*EMULATOR, SAMPLE, job], check=True)
        with open(job, "rb") as f:
            self.job = f.read()
        self.job_path = job

    def _stop(self):
        self.stop = True
        self.thread.join(5)

    def _serve(self):
        import select
        while not self.stop:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if not r:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            self.received += data
            # Answer a query when it is the last thing received (the sender waits for it).
            if select.select([self.master], [], [], 0.02)[0] or self.silent:
                continue
            tail = bytes(self.received[-3:])
            if tail[:2] == b"\x10\x04" and 1 <= tail[2] <= 4:
                os.write(self.master, b"\x12")
            elif tail == b"\x1d\x72\x01":
                os.write(self.master, b"\x00")
            elif tail == b"\x1d\x61\x0e":
                os.write(self.master, b"\x10\x00\x00\x00")

    def send(self, spec):
        r = subprocess.run([*EMULATOR, SEND, "--printer", spec, self.job_path],
                           capture_output=True, text=True, timeout=60)
        return r.returncode, dict(re.findall(r'(\w+)=("[^"]*"|\S+)', r.stdout))

    def test_serial_printer_prints_and_confirms(self):
        code, f = self.send("serial:%s@115200" % self.path)
        self.assertEqual((code, f["outcome"], f["before"], f["after"], f["confirmed"]),
                         (0, "printed", "ok", "ok", "yes"), f)
        self.assertIn(self.job + b"\x1d\x72\x01", bytes(self.received))

    def test_usb_printer_prints_and_confirms(self):
        code, f = self.send("usb:%s" % self.path)
        self.assertEqual((code, f["outcome"], f["confirmed"]), (0, "printed", "yes"), f)
        self.assertIn(self.job, bytes(self.received))

    def test_silent_serial_printer_still_prints(self):
        self.silent = True
        code, f = self.send("serial:%s" % self.path)
        self.assertEqual((code, f["outcome"], f["before"], f["confirmed"]), (0, "printed", "unknown", "no"), f)
        self.assertIn(self.job, bytes(self.received))

    def test_missing_device(self):
        code, f = self.send("serial:/dev/nonexistent-printer")
        self.assertEqual((code, f["outcome"]), (1, "failed"), f)
        self.assertIn("No such file", f["error"])


if __name__ == "__main__":
    unittest.main()
