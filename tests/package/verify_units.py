#!/usr/bin/env python3
"""systemd-analyze verify on every unit in deploy/systemd, including those whose programs
are not installed on the build machine (chromium, cage): Exec* programs are replaced by
/bin/true in a scratch copy, so what is checked is every section, key and value against
this systemd. Any message from systemd-analyze is a failure."""
import glob
import os
import re
import subprocess
import sys
import tempfile

source = os.environ.get("HALLQ_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
units = sorted(glob.glob(os.path.join(source, "deploy", "systemd", "*.service")))
failed = 0
with tempfile.TemporaryDirectory(prefix="hallq-units-") as tmp:
    for unit in units:
        text = open(unit, encoding="utf-8").read()
        scratch = os.path.join(tmp, os.path.basename(unit))
        with open(scratch, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^(Exec\w*=[-@:+!]*)/\S+", r"\1/bin/true", text))
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", scratch], capture_output=True, text=True)
        ok = r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip()
        print("%s  %s %s" % ("ok  " if ok else "FAIL", os.path.basename(unit), (r.stderr + r.stdout).strip()))
        failed += not ok
if not units:
    print("FAIL  no units found in deploy/systemd")
    failed = 1
print("%d passed, %d failed" % (len(units) - failed, failed))
sys.exit(1 if failed else 0)
