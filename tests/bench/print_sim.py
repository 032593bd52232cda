#!/usr/bin/env python3
"""Time from the first byte of a ticket job to (a) the printer's status reply after it and
(b) the job written by hallq-printer-sim (decoded and rendered), over N jobs on loopback.
    tests/bench/print_sim.py [BUILD_DIR] [N]      (default build/release, 20)"""
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
with tempfile.TemporaryDirectory(prefix="hallq-print-bench-") as out:
    job_path = os.path.join(out, "ticket.job")
    subprocess.run([f"{build}/bin/hallq-print-preview", "--layout", "ticket", "--sample", "--cutter",
                    "--out-bin", job_path], check=True, capture_output=True)
    job = open(job_path, "rb").read()
    os.remove(job_path)
    sim = subprocess.Popen([f"{build}/bin/hallq-printer-sim", "--listen", "127.0.0.1:0", "--out", out],
                           stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+) ", sim.stdout.readline()).group(1))
    s = socket.create_connection(("127.0.0.1", port))
    status_ms, printed_ms = [], []
    for i in range(1, n + 1):
        t0 = time.perf_counter()
        s.sendall(job + b"\x10\x04\x04")
        assert s.recv(1) == b"\x12"
        status_ms.append((time.perf_counter() - t0) * 1000)
        target = os.path.join(out, "job-%04d.bin" % i)
        while not os.path.exists(target):
            time.sleep(0.0005)
        printed_ms.append((time.perf_counter() - t0) * 1000)
    sim.kill()
    sim.stdout.close()
    q = lambda v: "p50 %.2f ms, max %.2f ms" % (statistics.median(v), max(v))
    print(f"ticket job {len(job)} bytes x {n}: status reply after the job {q(status_ms)}; "
          f"job decoded and written by the simulator {q(printed_ms)}")
