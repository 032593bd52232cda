#!/usr/bin/env python3
"""Checks a built HallQ .deb the way an installer would meet it (dpkg-deb --info/--contents).

    check_deb.py --deb FILE --arch ARCH --package NAME [--binary usr/bin/X]... [--max-binary-bytes N]
                 [--sysroot DIR] [--admindir DIR] [--source-dir DIR]

Asserts: control fields; Depends computed from the binaries (every needed shared library's
package is listed, and nothing else but the maintainer scripts' needs); conffiles are
exactly the /etc files; maintainer scripts parse; binaries are stripped, of the right
architecture and within the size budget; systemd units pass `systemd-analyze verify`; a
page folder (--web) is flat and ships every script, style and ES module its pages load.
Exit status 0 only if every check passes; each failure is printed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ELF_MACHINE = {"amd64": "Advanced Micro Devices X86-64", "armhf": "ARM", "arm64": "AArch64"}
failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def field(control, name):
    m = re.search(r"^%s: (.*)$" % re.escape(name), control, re.M)
    return m.group(1).strip() if m else None


def needed_sonames(path):
    out = run("readelf", "-d", path)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)


def owning_package(soname, sysroot, admindir, triplet):
    """Which installed (host or sysroot) package ships the library `soname`."""
    env = dict(os.environ)
    candidates = []
    if sysroot:
        env["DPKG_ADMINDIR"] = admindir
        for d in ("usr/lib", "lib"):
            candidates.append(os.path.join(sysroot, d, triplet, soname))
    else:
        for d in ("/usr/lib", "/lib"):
            candidates.append(os.path.join(d, triplet, soname))
    for c in candidates:
        r = subprocess.run(["dpkg-query", "-S", c], capture_output=True, text=True, env=env)
        if r.returncode == 0:
            pkg = r.stdout.split(":")[0].strip()
            # A library's shlibs may name a virtual package its package provides
            # (libspdlog1.10 provides libspdlog1.10-fmt9).
            q = subprocess.run(["dpkg-query", "-W", "-f", "${Provides}", pkg], capture_output=True,
                               text=True, env=env)
            provides = {re.split(r"[ (]", p.strip())[0] for p in q.stdout.split(",") if p.strip()}
            return pkg, {pkg} | provides
    return None, set()


def resolves_from_index(deb, sysroot, suite, arch):
    """Every Depends, down to the whole closure, resolves from the release's own package index
    (the sysroot's private APT state: empty dpkg status, that release's lists), as
    `apt install ./x.deb` on a fresh board of that release would."""
    conf = os.path.join(sysroot, ".hallq", "apt.conf")
    if not os.path.exists(conf):
        check(False, "the sysroot has its APT state (%s; rerun deploy/sysroot.sh)" % conf)
        return
    r = subprocess.run(["apt-get", "-o", "quiet=0", "-s", "install", os.path.abspath(deb)], capture_output=True, text=True,
                       env=dict(os.environ, APT_CONFIG=conf))
    why = " ".join(l.strip() for l in (r.stdout + r.stderr).splitlines() if "Depends:" in l or l.startswith("E:"))
    installs = len(re.findall(r"^Inst ", r.stdout, re.M))
    check(r.returncode == 0, "Depends resolve from Debian %s %s's index (%d packages on a fresh system) %s"
          % (suite, arch, installs, why))


def check_web(root, folder):
    """A page folder as the daemon serves it (/web/<file>, /<file>: plain names only): flat,
    and every file a page names (<script src>, <link href>) or a module imports ('./x.js',
    the shared modules of common/web among them) is shipped in it."""
    d = os.path.join(root, folder)
    check(os.path.isdir(d), "%s is shipped" % folder)
    if not os.path.isdir(d):
        return
    names = set(os.listdir(d))
    check(all(os.path.isfile(os.path.join(d, n)) for n in names), "%s is flat" % folder)
    wanted = set()
    for n in sorted(names):
        if n.endswith(".html"):
            text = open(os.path.join(d, n), encoding="utf-8").read()
            for ref in re.findall(r'(?:src|href)="([^"]+)"', text):
                ref = ref[len("/web/"):] if ref.startswith("/web/") else ref
                if re.fullmatch(r"[\w.-]+\.(?:js|css)", ref):
                    wanted.add((n, ref))
        elif n.endswith(".js"):
            text = open(os.path.join(d, n), encoding="utf-8").read()
            for ref in re.findall(r"""^\s*(?:import|export)\b[^;]*?['"]\./([^'"]+)['"]""", text, re.M):
                wanted.add((n, ref))
    missing = sorted("%s -> %s" % w for w in wanted if w[1] not in names)
    check(bool(wanted) and not missing, "%s: the %d scripts, styles and modules its pages load are shipped %s"
          % (folder, len({w[1] for w in wanted}), missing or ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deb", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--binary", action="append", default=[])
    ap.add_argument("--unit", action="append", default=[])
    ap.add_argument("--max-binary-bytes", type=int, default=0)
    ap.add_argument("--sysroot", default="")
    ap.add_argument("--triplet", default="")
    ap.add_argument("--no-reload", action="store_true", help="the service has no SIGHUP reload")
    ap.add_argument("--depends", action="append", default=[], help="a declared dependency beyond the libraries")
    ap.add_argument("--web", action="append", default=[], help="a page folder, e.g. usr/share/hallq/kiosk-web")
    a = ap.parse_args()
    admindir = os.path.join(a.sysroot, ".hallq", "dpkg") if a.sysroot else ""

    info = run("dpkg-deb", "--info", a.deb)
    control = run("dpkg-deb", "-f", a.deb)
    contents = run("dpkg-deb", "--contents", a.deb)
    files = {line.split()[-1].lstrip(".") for line in contents.splitlines() if not line.startswith("d")}
    print("== %s" % os.path.basename(a.deb))

    check(field(control, "Package") == a.package, "Package is %s" % a.package)
    check(field(control, "Architecture") == a.arch, "Architecture is %s" % a.arch)
    version = field(control, "Version") or ""
    check(bool(re.fullmatch(r"\d+\.\d+\.\d+-\d+~deb1[23]", version)),
          "Version %s is upstream-revision~debNN (the Debian release it is for)" % version)
    suite = ""
    if a.sysroot:
        suite = open(os.path.join(a.sysroot, ".hallq", "suite")).read().strip()
        number = {"bookworm": "12", "trixie": "13"}.get(suite)
        check(version.endswith("~deb%s" % number), "Version %s is for Debian %s (%s), the sysroot's" % (version, number, suite))
    check(bool(field(control, "Maintainer")) and bool(field(control, "Description")), "Maintainer and Description set")
    depends = [d.strip() for d in (field(control, "Depends") or "").split(",") if d.strip()]
    dep_names = {re.split(r"[ (]", d)[0] for d in depends}
    declared = {"passwd", "tzdata"}  # useradd in postinst; the hall's time zone
    for d in a.depends:
        check(d in dep_names, "Depends on %s (declared)" % d)
    declared |= set(a.depends)
    check(declared <= dep_names, "Depends on passwd (useradd in postinst) and tzdata (time zone)")

    tmp = tempfile.mkdtemp(prefix="hallq-deb-")
    try:
        root = os.path.join(tmp, "root")
        ctl = os.path.join(tmp, "DEBIAN")
        run("dpkg-deb", "-x", a.deb, root)
        run("dpkg-deb", "-e", a.deb, ctl)

        # Depends computed from the binaries: each needed library's package is a dependency.
        wanted = {}  # package -> the names that satisfy a dependency on it
        for b in a.binary:
            path = os.path.join(root, b)
            check(os.path.isfile(path) and os.access(path, os.X_OK), "%s is an executable" % b)
            if not os.path.isfile(path):
                continue
            header = run("readelf", "-h", path)
            check(ELF_MACHINE[a.arch] in header, "%s is built for %s" % (b, a.arch))
            sections = run("readelf", "-S", "-W", path)
            check(".symtab" not in sections and ".debug_info" not in sections, "%s is stripped" % b)
            size = os.path.getsize(path)
            print("      %s: %d bytes" % (b, size))
            if a.max_binary_bytes:
                check(size <= a.max_binary_bytes, "%s is %d bytes <= %d" % (b, size, a.max_binary_bytes))
            for soname in needed_sonames(path):
                pkg, names = owning_package(soname, a.sysroot, admindir, a.triplet)
                check(pkg is not None, "%s: the package shipping %s is known" % (b, soname))
                if pkg:
                    wanted[pkg] = names
        for pkg, names in sorted(wanted.items()):
            check(bool(names & dep_names), "Depends lists %s" % " or ".join(sorted(names)))
        libc = [d for d in depends if d.startswith("libc6 ")]
        check(bool(libc) and ">=" in libc[0], "Depends carries a minimum glibc: %s" % (libc[0] if libc else None))
        if a.sysroot:
            resolves_from_index(a.deb, a.sysroot, suite, a.arch)
        extra = dep_names - set().union(*wanted.values()) - declared
        check(not extra, "no dependency beyond the binaries' libraries, passwd, tzdata and the declared ones (%s)" % sorted(extra))

        # conffiles: exactly the shipped /etc files.
        conffiles = set()
        if os.path.exists(os.path.join(ctl, "conffiles")):
            conffiles = {l.strip() for l in open(os.path.join(ctl, "conffiles")) if l.strip()}
        etc = {f for f in files if f.startswith("/etc/")}
        check(bool(etc) and conffiles == etc, "conffiles == /etc files %s" % sorted(etc))

        # Maintainer scripts: present, executable, valid sh, create the user and data folder.
        for s in ("postinst", "prerm", "postrm"):
            p = os.path.join(ctl, s)
            check(os.path.isfile(p) and os.access(p, os.X_OK), "%s is present and executable" % s)
            if os.path.isfile(p):
                r = subprocess.run(["sh", "-n", p], capture_output=True, text=True)
                check(r.returncode == 0, "%s parses with sh -n %s" % (s, r.stderr.strip()))
        post = open(os.path.join(ctl, "postinst")).read() if os.path.exists(os.path.join(ctl, "postinst")) else ""
        check("useradd --system" in post and "/var/lib/hallq" in post, "postinst creates the hallq user and /var/lib/hallq")
        check("@" not in re.sub(r"\$@|\"\$@\"", "", post), "postinst has no unexpanded @VARIABLES@")

        # systemd units: shipped, and valid for this systemd. Exec paths are pointed into
        # the unpacked package, as the binaries are not installed on the build machine.
        for unit in a.unit:
            path = os.path.join(root, "lib/systemd/system", unit)
            check(os.path.isfile(path), "unit %s is shipped" % unit)
            if not os.path.isfile(path):
                continue
            text = open(path).read()
            for doc in re.findall(r"^Documentation=file://(\S+)", text, re.M):
                check(doc in files, "%s: Documentation %s is shipped" % (unit, doc))
            for key in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "ExecReload=",
                        "ProtectSystem=strict", "ReadWritePaths=", "NoNewPrivileges=yes"):
                if key == "ExecReload=" and a.no_reload:
                    check(key not in text, "%s has no ExecReload= (its daemon does not reload)" % unit)
                    continue
                check(key in text, "%s sets %s" % (unit, key))
            if shutil.which("systemd-analyze"):
                vdir = os.path.join(tmp, "verify")
                os.makedirs(vdir, exist_ok=True)
                with open(os.path.join(vdir, unit), "w") as f:
                    f.write(re.sub(r"(?<=[= ])/usr/bin/", root + "/usr/bin/", text))
                r = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(vdir, unit)],
                                   capture_output=True, text=True)
                check(r.returncode == 0 and not r.stderr.strip(),
                      "systemd-analyze verify %s %s" % (unit, r.stderr.strip()))
            else:
                check(False, "systemd-analyze is installed (package systemd)")

        for folder in a.web:
            check_web(root, folder)
    finally:
        shutil.rmtree(tmp)

    print("%s: %d failed checks" % (os.path.basename(a.deb), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
