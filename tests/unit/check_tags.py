#!/usr/bin/env python3
"""Every test case of a Catch2 binary runs: CTest runs each binary once per tag group
(unit.<tag>), so a case that carries none of the registered tags would never run.

    check_tags.py TAG[,TAG...] -- [EMULATOR...] BINARY

Asks the binary (Catch2 2 or 3) to list the cases that carry none of TAGS ("~[a]~[b]") and
fails, listing them, unless there are none; and checks that it lists any cases at all."""
import re
import subprocess
import sys


def listing(command, *args):
    """The binary's --list-tests output and the number of cases it reports."""
    out = subprocess.run(command + list(args) + ["--list-tests"], capture_output=True, text=True, check=False)
    m = re.search(r"^(\d+) (?:matching )?test cases?$", out.stdout, re.M)
    if not m:
        raise SystemExit("no case count in the listing of %s:\n%s%s" % (command[-1], out.stdout, out.stderr))
    return out.stdout, int(m.group(1))


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    tags = [t for t in argv[1].split(",") if t]
    command = argv[3:]
    _, total = listing(command)
    text, left_out = listing(command, "".join("~[%s]" % t for t in tags))
    if total == 0:
        print("%s lists no test cases" % command[-1])
        return 1
    print("%d test cases, %d in the tag groups %s" % (total, total - left_out, ", ".join(tags)))
    if left_out:
        print("these carry none of those tags and would never run:\n" + text)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
