"""ModemManager and the hall's SMS modem (issue 27): hallq-modem-udev, run by udev for each
serial port (deploy/udev/70-hallq-modem.rules), marks the port hall.toml names as [sms] device
with ID_MM_DEVICE_IGNORE and ID_MM_PORT_IGNORE, so ModemManager (running on Raspberry Pi OS)
neither probes nor holds it; any other port is left as it was. The real binary, the real
config loader, the paths udev passes ($devnode, DEVLINKS)."""
import os
import shlex
import subprocess
import tempfile
import unittest

from harness import SOURCE, example_config

HELPER = shlex.split(os.environ.get("HALLQ_EMULATOR", "")) + [
    os.environ.get("HALLQ_MODEM_UDEV", "build/dev/bin/hallq-modem-udev")]
IGNORE = "ID_MM_DEVICE_IGNORE=1\nID_MM_PORT_IGNORE=1\n"


class ModemUdevTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-udev-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def config(self, device):
        path = os.path.join(self.dir, "hall.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(example_config(device='"%s"' % device))
        return path

    def udev(self, config, devnode, devlinks=None):
        env = dict(os.environ)
        env.pop("DEVLINKS", None)
        if devlinks is not None:
            env["DEVLINKS"] = devlinks
        return subprocess.run(HELPER + ["--config", config, devnode], capture_output=True, text=True,
                              env=env, timeout=60)

    def test_the_configured_port_is_ignored_by_modemmanager(self):
        # The config names the modem by a link (as an installer should, /dev/serial/by-id/...),
        # udev names the kernel's node: they resolve to the same device.
        link = os.path.join(self.dir, "usb-Quectel_EC20-if02-port0")
        os.symlink("/dev/null", link)
        r = self.udev(self.config("serial:%s@115200" % link), "/dev/null")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, IGNORE, ""))

    def test_a_link_udev_is_still_making_matches(self):
        # On a fresh plug the by-id link does not exist yet when the rule runs; udev passes it
        # in DEVLINKS.
        link = os.path.join(self.dir, "by-id", "usb-modem-if02-port0")
        r = self.udev(self.config("serial:" + link), "/dev/ttyUSB9",
                      devlinks="/dev/serial/by-path/platform-usb-0:1.2:1.2-port0 " + link)
        self.assertEqual((r.returncode, r.stdout), (0, IGNORE))

    def test_other_ports_are_left_to_modemmanager(self):
        link = os.path.join(self.dir, "modem")
        os.symlink("/dev/null", link)
        config = self.config("serial:" + link)
        for devnode, links in (("/dev/zero", None), ("/dev/ttyUSB7", "/dev/serial/by-id/usb-other-if00")):
            r = self.udev(config, devnode, links)
            self.assertEqual((r.returncode, r.stdout), (1, ""), devnode)

    def test_no_modem_configured_changes_nothing(self):
        r = self.udev(self.config(""), "/dev/ttyUSB2")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (1, "", ""))

    def test_a_config_that_does_not_load_imports_nothing_and_says_why(self):
        path = os.path.join(self.dir, "hall.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(example_config(device='"serial:/dev/ttyUSB2@12"'))
        r = self.udev(path, "/dev/ttyUSB2")
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertIn("sms.device", r.stderr)
        r = self.udev(os.path.join(self.dir, "missing.toml"), "/dev/ttyUSB2")
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertIn("missing.toml", r.stderr)

    def test_the_rule_runs_the_packaged_helper_on_serial_ports(self):
        with open(os.path.join(SOURCE, "deploy", "udev", "70-hallq-modem.rules"), encoding="utf-8") as f:
            rule = f.read().replace("\\\n", " ")
        lines = [l for l in rule.splitlines() if l.strip() and not l.startswith("#")]
        self.assertEqual(len(lines), 1, lines)
        for part in ('SUBSYSTEM=="tty"', "ttyUSB[0-9]*", "ttyACM[0-9]*", "ttyAMA[0-9]*",
                     'IMPORT{program}="/usr/lib/hallq/hallq-modem-udev --config /etc/hallq/hall.toml $devnode"'):
            self.assertIn(part, lines[0])


if __name__ == "__main__":
    unittest.main()
