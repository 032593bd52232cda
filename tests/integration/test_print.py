"""Printed jobs checked by tools that are not ours (hardware.md, printer section): the QR on
the rendered paper is read back with zbarimg (Debian zbar-tools), and the text runs the
encoder sent after FS & / FS . are converted with iconv -f GB18030. The job comes from the
encoder (tests/tools/escpos_sample.cpp); the PNG from hallq-print-preview."""
import os
import re
import shlex
import subprocess
import tempfile
import unittest

EMULATOR = shlex.split(os.environ.get("HALLQ_EMULATOR", ""))
SAMPLE = os.environ.get("HALLQ_ESCPOS_SAMPLE", "build/dev/bin/hallq_escpos_sample")
PREVIEW = os.environ.get("HALLQ_PRINT_PREVIEW", "build/dev/bin/hallq-print-preview")
URL = "http://192.168.1.10:8080/t/20260302-A012"
GOLDEN = os.path.join(os.environ.get("HALLQ_SOURCE_DIR", "../.."), "tests", "data", "print")


def text_runs(job):
    """GB18030 bytes of each printed line: what follows FS & or FS . up to the next control
    byte, joined per line feed. A deliberately small parser of our own, independent of the
    decoder under test; it skips ESC/GS commands with the argument counts the encoder uses."""
    lines, cur, i = [], b"", 0
    args = {0x1B: {0x40: 0, 0x61: 1, 0x45: 1, 0x64: 1, 0x4A: 1}, 0x1D: {0x21: 1, 0x56: 2},
            0x1C: {0x26: 0, 0x2E: 0}}
    while i < len(job):
        b = job[i]
        if b == 0x0A:
            lines.append(cur)
            cur = b""
            i += 1
        elif b in args and i + 1 < len(job) and job[i + 1] in args[b]:
            i += 2 + args[b][job[i + 1]]
        elif b == 0x1D and job[i + 1] == 0x28:  # GS ( k pL pH ...
            i += 5 + job[i + 3] + 256 * job[i + 4]
        elif b == 0x1D and job[i + 1] == 0x76:  # GS v 0 m xL xH yL yH data
            i += 8 + (job[i + 4] + 256 * job[i + 5]) * (job[i + 6] + 256 * job[i + 7])
        elif b < 0x20:
            i += 1
        else:
            cur += bytes([b])
            i += 1
    return lines


def iconv_gb18030(data):
    r = subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8"], input=data, capture_output=True, check=True)
    return r.stdout.decode("utf-8")


def zbar(png):
    r = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True)
    return r.returncode, r.stdout.strip()


class Printed(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallq-print-")
        self.addCleanup(self.tmp.cleanup)

    def job(self, *flags):
        path = os.path.join(self.tmp.name, "job-%d.bin" % len(os.listdir(self.tmp.name)))
        subprocess.run([*EMULATOR, SAMPLE, path, *flags], check=True)
        with open(path, "rb") as f:
            return path, f.read()

    def render(self, job_path, paper="384"):
        png = job_path[:-4] + ".png"
        r = subprocess.run([*EMULATOR, PREVIEW, job_path, "--out-png", png, "--paper", paper],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.getsize(png) > 0)
        return png, r.stdout

    def test_text_is_gb18030_that_iconv_reads(self):
        _, data = self.job()
        lines = [iconv_gb18030(l) for l in text_runs(data)]
        self.assertEqual(lines[0], "青溪镇便民服务中心")
        self.assertIn("A012", lines)
        self.assertIn("民政救助 Civil affairs", lines)
        self.assertIn("前面还有 3 人，预计等待 15 分钟", lines)
        # The materials list (R-ONCE-1) wraps to 32 columns with a hanging indent and loses
        # nothing: joined back it is the whole list.
        start = next(i for i, l in enumerate(lines) if l.startswith("请携带"))
        joined = "".join(l.strip() for l in lines[start:start + 3])
        self.assertEqual(joined, "请携带：1. 居民身份证原件及复印件；2. 户口簿；3. 低保申请书（本人签字）")
        for l in lines:
            self.assertLessEqual(sum(2 if ord(c) > 0x7F else 1 for c in l), 32, l)

    def test_rare_character_prints_as_raster_not_as_4_byte_code(self):
        _, data = self.job()
        self.assertNotIn("𠮷".encode("gb18030"), data)  # printers without it print garbage
        self.assertIn(b"\x1d\x76\x30\x00", data)
        lines = [iconv_gb18030(l) for l in text_runs(data)]
        self.assertNotIn("申请人：张𠮷", lines)  # drawn, not sent as text

    def test_native_qr_reads_back_with_zbar(self):
        path, data = self.job()
        self.assertIn(b"\x1d\x28\x6b", data)
        png, out = self.render(path)
        code, text = zbar(png)
        self.assertEqual(code, 0, "zbarimg found no code")
        self.assertEqual(text, URL)
        self.assertIn("青溪镇便民服务中心", out)

    def test_raster_qr_reads_back_with_zbar(self):
        path, data = self.job("--raster-qr")
        self.assertNotIn(b"\x1d\x28\x6b", data)
        self.assertIn(b"\x1d\x76\x30\x00", data)
        png, _ = self.render(path)
        self.assertEqual(zbar(png), (0, URL))

    def test_80mm_paper(self):
        path, data = self.job("--paper", "576", "--cutter")
        self.assertIn(b"\x1d\x56\x42\x03", data)
        png, out = self.render(path, "576")
        self.assertEqual(zbar(png), (0, URL))
        self.assertIn("1 cuts", out)
        lines = [iconv_gb18030(l) for l in text_runs(data)]
        start = next(i for i, l in enumerate(lines) if l.startswith("请携带"))
        self.assertEqual(len([l for l in lines[start:] if l.startswith("   ")]), 1, lines)



class Layouts(unittest.TestCase):
    """The golden jobs of the three layouts (tests/data/print), read with zbarimg and iconv."""

    def read(self, name):
        tmp = tempfile.TemporaryDirectory(prefix="hallq-layout-")
        self.addCleanup(tmp.cleanup)
        path = os.path.join(GOLDEN, name + ".bin")
        with open(path, "rb") as f:
            data = f.read()
        png = os.path.join(tmp.name, name + ".png")
        r = subprocess.run([*EMULATOR, PREVIEW, path, "--out-png", png], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True)
        text = "\n".join(iconv_gb18030(l) for l in text_runs(data))
        return data, sorted(z.stdout.split()), text

    def test_ticket(self):
        data, qr, text = self.read("ticket")
        self.assertEqual(qr, ["http://192.168.1.10:8080/guide/dibao", "http://192.168.1.10:8080/t/20260302-A012"])
        for want in ("青溪镇便民服务中心", "A012", "民政救助", "【老年人优先】", "前面还有 3 人，约等 15 分钟",
                     "取号时间 2026-03-02 10:00", "请备齐以下材料（一次性告知）：", "1. 居民身份证原件及复印件",
                     "5. 残疾证或病历（如有）", "投诉电话 0571-12345", "过号请重新取号"):
            self.assertIn(want, text)
        self.assertIn(b"\x1d\x21\x33", data)  # the number at 4x4

    def test_supplement_notice_two_copies(self):
        data, qr, text = self.read("supplement-notice")
        self.assertEqual(qr, ["http://192.168.1.10:8080/case/QX-20260302-0007"] * 2)
        self.assertEqual(text.count("补正材料一次性告知书"), 2)
        self.assertEqual(text.count("（申请人留存）") + text.count("（窗口留存）"), 2)
        self.assertEqual(text.count("1. 户口簿原件及复印件"), 2)
        # Wrapped lines joined back (a break drops the space it falls on).
        self.assertEqual(text.replace("\n", "").replace(" ", "").count("10个工作日内办结（受理当日不计）"), 2)
        self.assertNotIn("𠮷".encode("gb18030"), data)

    def test_acceptance_notice_deadline(self):
        data, qr, text = self.read("acceptance-notice")
        self.assertEqual(qr, ["http://192.168.1.10:8080/case/QX-20260302-0008"])
        joined = text.replace("\n", "").replace(" ", "")
        self.assertIn("承诺办结日期：2026年3月16日（10个工作日）", joined)
        for want in ("受理通知书", "申请人：王秀英", "收件时间：2026年3月2日 10:20", "4. 家庭收入及财产状况申报表"):
            self.assertIn(want, text)


if __name__ == "__main__":
    unittest.main()
