#!/usr/bin/env python3
"""What TLS on the LAN costs (docs/security.md "TLS on the LAN"): the controller on the example hall with
a TLS listener (a self-signed EC P-256 certificate made by the openssl tool), measured from
Python's http.client and ssl on loopback:

  new connection per request   GET /api/v1/health, N times over http:// and https:// (the
                               devices' HttpController opens one connection per request)
  one kept-alive connection    the same request N times on one connection, both ways
  controller CPU               its user+system time per request in each mode (/proc/PID/stat)
  RSS                          the controller's resident memory after all of it

    tests/bench/tls.py [--controller PATH] [-n N]

PATH defaults to build/release/bin/hallq-controller, else build/dev/bin/hallq-controller.
Prints `key: value` lines. The client is Python: its own cost is in the latencies (the
controller's share is the CPU line)."""
import argparse
import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--controller")
    ap.add_argument("-n", type=int, default=500)
    a = ap.parse_args()
    ctrl = a.controller or next(p for p in (os.path.join(ROOT, "build/release/bin/hallq-controller"),
                                            os.path.join(ROOT, "build/dev/bin/hallq-controller")) if os.path.exists(p))
    tmp = tempfile.mkdtemp(prefix="hallq-tls-bench-")
    try:
        cert, key = os.path.join(tmp, "c.crt"), os.path.join(tmp, "c.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "3650", "-subj", "/CN=hallq-controller", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        os.chmod(key, 0o600)
        with open(os.path.join(ROOT, "deploy/examples/hall.toml"), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("max_connections = 512\n", 'max_connections = 512\ntls_listen = "127.0.0.1:0"\n'
                            'tls_cert = "%s"\ntls_key = "%s"\n' % (cert, key), 1)
        config = os.path.join(tmp, "hall.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.Popen([ctrl, "--config", config, "--data-dir", os.path.join(tmp, "data"), "--listen",
                              "127.0.0.1:0", "--log-level", "warn", "--clock-start", "2026-03-02T10:00:00+08:00"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        plain = int(re.search(r"http://127\.0\.0\.1:(\d+)/", p.stdout.readline()).group(1))
        tls = int(re.search(r"https://127\.0\.0\.1:(\d+)/", p.stdout.readline()).group(1))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE

        def conn(secure):
            if secure:
                return http.client.HTTPSConnection("127.0.0.1", tls, timeout=10, context=ctx)
            return http.client.HTTPConnection("127.0.0.1", plain, timeout=10)

        def get(c):
            c.request("GET", "/api/v1/health")
            r = c.getresponse()
            r.read()
            assert r.status == 200, r.status

        print("controller: %s" % ctrl)
        print("requests_per_case: %d" % a.n)
        for secure in (False, True):
            for fresh in (True, False):
                name = "%s_%s" % ("https" if secure else "http", "new_connection" if fresh else "kept_alive")
                lat = []
                cpu0 = cpu_seconds(p.pid)
                c = None if fresh else conn(secure)
                for _ in range(a.n):
                    t0 = time.perf_counter()
                    if fresh:
                        c = conn(secure)
                    get(c)
                    if fresh:
                        c.close()
                    lat.append((time.perf_counter() - t0) * 1000)
                if not fresh:
                    c.close()
                cpu = cpu_seconds(p.pid) - cpu0
                print("%s_p50_ms: %.2f" % (name, pct(lat, 50)))
                print("%s_p99_ms: %.2f" % (name, pct(lat, 99)))
                print("%s_controller_cpu_us_per_request: %.0f" % (name, cpu / a.n * 1e6))
        print("controller_rss_kib: %d" % rss_kib(p.pid))
        p.terminate()
        p.wait(10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
