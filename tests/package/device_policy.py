#!/usr/bin/env python3
"""The packaged units let each daemon open the devices its config may name, and nothing more.

    device_policy.py [--unit NODE=FILE]...

Reads each unit's effective device policy (PrivateDevices=, DevicePolicy=, DeviceAllow=, as
systemd.resource-control(5) and systemd.exec(5) define them) and checks it against every
device path the node's example config names, in its values and in the comments that show an
installer what to write there (`serial:/dev/ttyUSB2`, `/dev/gpiochip0`, an evdev
`/dev/input/by-id/...` link, the ALSA card behind `output = "alsa"`):
  - each such device is reachable with the access its driver needs (rw; evdev r);
  - the policy is closed: no device group is open that no config path needs, no mknod, and
    every group is a name the kernel lists in /proc/devices;
  - each group served by a loadable driver has that driver in the package's modules-load.d
    list (CMakeLists.txt MODULES), since systemd resolves char-<group> when the unit starts.
A self-test first runs the checker on a unit with PrivateDevices=yes (the units before issue
27) and requires it to fail. Exit status 0 only if every check passes.
"""
import argparse
import os
import re
import sys

SOURCE = os.environ.get("HALLQ_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
NODES = {  # node -> (unit, example config, package)
    "controller": ("hallq-controller.service", "hall.toml", "hallq-controller"),
    "kiosk": ("hallq-kiosk.service", "kiosk.toml", "hallq-kiosk"),
    "display": ("hallq-display.service", "display.toml", "hallq-display"),
}
# Device node -> (the kernel's device group in /proc/devices, access, the driver module that
# registers the group when it is not built in). Majors: Documentation/admin-guide/devices.txt;
# gpiochip's is dynamic.
GROUPS = [
    (r"/dev/ttyUSB\d+$", "ttyUSB", "rw", "usbserial"),
    (r"/dev/ttyACM\d+$", "ttyACM", "rw", "cdc_acm"),
    (r"/dev/ttyAMA\d+$", "ttyAMA", "rw", None),
    (r"/dev/ttyS\d+$", "ttyS", "rw", None),
    (r"/dev/serial/by-id/usb-", "ttyUSB|ttyACM", "rw", None),
    (r"/dev/usb/lp\d+$", "usb", "rw", "usblp"),
    (r"/dev/gpiochip\d+$", "gpiochip", "rw", None),
    (r"/dev/input/(event\d+|by-id/.*event.*)$", "input", "r", None),
    (r"/dev/snd/", "alsa", "rw", None),
]
KNOWN = {"ttyUSB", "ttyACM", "ttyAMA", "ttyS", "usb", "gpiochip", "input", "alsa"}
failures = []


def check(cond, what, quiet=False):
    if not quiet:
        print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)
    return cond


def config_devices(text):
    """Every device path the config names, in values or comments, with its line."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in re.finditer(r"/dev/[A-Za-z0-9_./-]*[A-Za-z0-9_]", line):
            if line[m.end():].startswith(("…", "-…")):
                continue  # "/dev/serial/by-id/usb-…-if02-port0": a pattern, matched below
            found.append((m.group(0), n))
        if re.match(r'\s*#?\s*output\s*=\s*"alsa"', line):
            found += [("/dev/snd/pcmC0D0p", n), ("/dev/snd/controlC0", n)]
        if "/dev/serial/by-id/usb-" in line:
            found.append(("/dev/serial/by-id/usb-", n))
    return sorted(set(found))


def policy(unit_text):
    """(private_devices, device_policy, {group: access}, [other entries]) from [Service]."""
    service = unit_text.split("[Service]", 1)[-1].split("\n[", 1)[0]
    private = re.search(r"^PrivateDevices=(yes|true|1|on)\s*$", service, re.M) is not None
    m = re.search(r"^DevicePolicy=(\S+)", service, re.M)
    pol = m.group(1) if m else "auto"
    allow, other = {}, []
    for spec, access in re.findall(r"^DeviceAllow=(\S+)\s*(\S*)", service, re.M):
        if spec.startswith("char-"):
            allow[spec[5:]] = access or "rwm"
        else:
            other.append(spec)
    return private, pol, allow, other


def reachable(pol_tuple, groups, access):
    private, pol, allow, _ = pol_tuple
    if private:
        return False, "PrivateDevices=yes hides every hardware device"
    if pol == "auto" and not allow:
        return True, "DevicePolicy=auto with no DeviceAllow= opens every device"
    for g in groups.split("|"):
        if g in allow and all(c in allow[g] for c in access):
            return True, "DeviceAllow=char-%s %s" % (g, allow[g])
    return False, "no DeviceAllow=char-%s %s" % (groups, access)


def check_node(node, unit_text, config_text, modules, quiet=False):
    unit, config, package = NODES[node]
    pol = policy(unit_text)
    needed = set()
    for path, line in config_devices(config_text):
        kind = next((g for g in GROUPS if re.match(g[0], path)), None)
        if not check(kind is not None, "%s:%d names %s, a device kind the test knows" % (config, line, path), quiet):
            continue
        ok, why = reachable(pol, kind[1], kind[2])
        check(ok, "%s:%d names %s: %s opens it (%s)" % (config, line, path, unit, why), quiet)
        needed.update(kind[1].split("|"))
    private, pol_name, allow, other = pol
    check(private or pol_name in ("closed", "strict"), "%s: DevicePolicy=%s is closed" % (unit, pol_name), quiet)
    check(not other, "%s: no device opened by path (%s)" % (unit, other), quiet)
    for g, access in sorted(allow.items()):
        check(g in KNOWN, "%s: char-%s is a device group HallQ's devices use" % (unit, g), quiet)
        check(g in needed, "%s: char-%s is needed by a device %s names" % (unit, g, config), quiet)
        check("m" not in access, "%s: char-%s without mknod (%s)" % (unit, g, access), quiet)
        module = next((k[3] for k in GROUPS if k[1] == g and k[3]), None)
        if module:
            check(module in modules, "%s: %s (char-%s) is loaded at boot by modules-load.d" % (package, module, g), quiet)


def package_modules(package):
    cm = open(os.path.join(SOURCE, "CMakeLists.txt"), encoding="utf-8").read()
    m = re.search(r"PACKAGE %s\b(.*?)\n\s*CONFIGS" % re.escape(package), cm, re.S)
    mods = re.search(r"^\s*MODULES ([^\n]*)", m.group(1), re.M) if m else None
    return set(mods.group(1).split()) if mods else set()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit", action="append", default=[], help="NODE=FILE: check FILE instead of the packaged unit")
    a = ap.parse_args()
    overrides = dict(u.split("=", 1) for u in a.unit)
    read = lambda p: open(p, encoding="utf-8").read()

    # Self-test: the checker must refuse the controller unit as it was before issue 27.
    before = len(failures)
    old_unit = re.sub(r"(?m)^(DevicePolicy|DeviceAllow)=.*\n", "", read(os.path.join(SOURCE, "deploy/systemd/hallq-controller.service")))
    old_unit = old_unit.replace("[Service]\n", "[Service]\nPrivateDevices=yes\n", 1)
    check_node("controller", old_unit, read(os.path.join(SOURCE, "deploy/examples/hall.toml")), set(), quiet=True)
    caught = len(failures) > before
    del failures[before:]
    check(caught, "self-test: a controller unit with PrivateDevices=yes fails this check")

    for node, (unit, config, package) in NODES.items():
        print("== %s: %s against %s" % (node, unit, config))
        unit_path = overrides.get(node, os.path.join(SOURCE, "deploy/systemd", unit))
        check_node(node, read(unit_path), read(os.path.join(SOURCE, "deploy/examples", config)), package_modules(package))
    print("%d failed checks" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
