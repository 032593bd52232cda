#!/usr/bin/env bash
# Installs a HallQ .deb into a Debian chroot of the release it was built for (its version says
# which: ~deb12 bookworm, ~deb13 trixie, as Raspberry Pi OS of the same name) and of the
# package's architecture, run through qemu-user and binfmt_misc, the way an installer does on
# a board:   apt install ./hallq-controller_<version>~deb13_arm64.deb
# (without Recommends: the kiosk's browser stack — chromium, cage, CJK fonts — is hundreds of
# MB and not what this test checks)
# then checks what the installer gets — the hallq user, /var/lib/hallq, /etc/hallq modes,
# the unit enabled at boot and valid for that systemd, the binary's --version and
# --check-config — starts the daemon as user hallq, asks it over HTTP for a ticket, stops it
# with SIGTERM, and removes and purges the package (the hall's records stay).
#
#   install_test.sh ARCH DEB
#
# The chroot (debootstrap minbase + systemd, udev) is cached as a tarball next to the sysroots;
# each run unpacks a fresh copy. Needs root, debootstrap, qemu-user-static, and the network
# to Debian's mirror (apt fetches the package's Depends like on a real board).
set -euo pipefail

arch=${1:?arch}
deb=$(realpath "${2:?deb}")
# qemu emulates the oldest board's CPU, as the cross presets do (cmake/toolchain-*.cmake); its
# default model has SVE on arm64, which Debian 13's glibc uses and qemu runs slowly. qemu-user
# started by binfmt_misc reads QEMU_CPU from the environment.
case "$arch" in
  armhf) qemu=arm; export QEMU_CPU=cortex-a7 ;;
  arm64) qemu=aarch64; export QEMU_CPU=cortex-a53 ;;
  amd64) qemu= ;;
  *) echo "install_test: unknown architecture $arch" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "install_test: needs root (chroot, mknod)" >&2; exit 1; }
pkg=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
case "$version" in
  *~deb12) suite=bookworm ;;
  *~deb13) suite=trixie ;;
  *) echo "install_test: $version names no Debian release (~deb12 or ~deb13)" >&2; exit 2 ;;
esac
case "$pkg" in
  hallq-kiosk) config=/etc/hallq/kiosk.toml ;;
  hallq-display) config=/etc/hallq/display.toml ;;
  *) config=/etc/hallq/hall.toml ;;
esac
cache=${HALLQ_SYSROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hallq}
tarball="$cache/chroot-$suite-$arch.tar"
mkdir -p "$cache"

# Foreign binaries run through binfmt_misc; the F flag makes the kernel keep the (static)
# interpreter open, so it works inside the chroot.
if [ -n "$qemu" ] && [ "$(dpkg --print-architecture)" != "$arch" ]; then
  binfmt=/proc/sys/fs/binfmt_misc
  [ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" \
    || { echo "install_test: cannot mount binfmt_misc (needs a VM or a privileged container)" >&2; exit 1; }
  if ! grep -qs '^enabled' "$binfmt/qemu-$qemu"; then
    update-binfmts --enable "qemu-$qemu" >/dev/null 2>&1 || true
  fi
  grep -qs '^enabled' "$binfmt/qemu-$qemu" \
    || { echo "install_test: qemu-$qemu is not registered with binfmt_misc (install qemu-user-static binfmt-support)" >&2; exit 1; }
  grep -qs '^flags: .*F' "$binfmt/qemu-$qemu" \
    || { echo "install_test: qemu-$qemu binfmt entry lacks the F flag" >&2; exit 1; }
fi

# The host's Debian mirror (deb822 or one-line sources), else Debian's default.
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\([^ ]*debian\)\/\?$/\1/p' | head -n1 || true)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*debian\)\/\? .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1 || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

work=$(mktemp -d /tmp/hallq-chroot.XXXXXX)
root="$work/root"
cleanup() {
  set +e
  [ -n "${daemon_pid:-}" ] && kill -9 "$daemon_pid" 2>/dev/null
  for m in proc dev/pts; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

# The three packages' tests run at once: one of them makes the chroot, the others wait for it.
exec 9>"$tarball.lock"
flock 9
if [ ! -f "$tarball" ]; then
  echo "install_test: creating the $arch $suite chroot (once; cached in $tarball)"
  t0=$(date +%s)
  debootstrap --arch="$arch" --variant=minbase --include=systemd,udev,curl "$suite" "$root.new" "$mirror" \
    > "$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$root.new/var/cache/apt/archives/"*.deb
  tar -C "$root.new" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$root.new"
  echo "install_test: chroot made in $(( $(date +%s) - t0 )) s"
fi
flock -u 9
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 ${QEMU_CPU:+QEMU_CPU=$QEMU_CPU} "$@"; }

fail=0
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; fail=1; }
expect() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

cp "$deb" "$root/tmp/"
echo "install_test: apt install ./$(basename "$deb") in the $suite $arch chroot"
if ! in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ./tmp/$(basename "$deb")" \
    > "$work/apt.log" 2>&1; then
  tail -n 30 "$work/apt.log" >&2
  bad "apt install ./$(basename "$deb")"
  exit 1
fi
ok "apt install ./$(basename "$deb") (Depends resolved from Debian $suite $arch: $(grep -c '^Setting up' "$work/apt.log") packages set up)"

status=$(in_root dpkg-query -W -f '${Status}' "$pkg")
expect "dpkg status of $pkg is '$status'" test "$status" = "install ok installed"
# Owners are read inside the chroot: the build machine has no hallq user.
user=$(in_root getent passwd hallq || true)
expect "system user hallq exists: $user" test -n "$user"
expect "hallq is a system account with no login shell" grep -q ':/usr/sbin/nologin$' <<<"$user"
mode() { in_root stat -c '%U:%G %a' "$1"; }
expect "/var/lib/hallq is hallq:hallq 750" test "$(mode /var/lib/hallq)" = "hallq:hallq 750"
expect "$config is root:hallq 640" test "$(mode "$config")" = "root:hallq 640"
expect "unit enabled at boot" test -L "$root/etc/systemd/system/multi-user.target.wants/$pkg.service"
version=$(in_root "/usr/bin/$pkg" --version)
expect "$pkg --version runs on $arch: $version" test -n "$version"
if [ "$pkg" = hallq-kiosk ]; then
  gpiod_major=1
  [ "$suite" = trixie ] && gpiod_major=2
  expect "the kiosk's button panel runs on libgpiod $gpiod_major, as $suite ships it" \
    grep -q "libgpiod $gpiod_major\." <<<"$version"
fi
expect "$pkg --check-config $config" in_root "/usr/bin/$pkg" --check-config "$config"
verify=$(in_root systemd-analyze verify --man=no "/lib/systemd/system/$pkg.service" 2>&1 || echo "exit $?")
expect "systemd-analyze verify $pkg.service (the chroot's systemd) ${verify}" test -z "$verify"

expect "/usr/lib/modules-load.d/$pkg.conf loads the drivers of the unit's device groups: $(grep -v '^#' "$root/usr/lib/modules-load.d/$pkg.conf" 2>/dev/null | tr '\n' ' ')" \
  grep -q '^usbserial$' "$root/usr/lib/modules-load.d/$pkg.conf"

# ModemManager: the installed udev helper, run as udev runs it (root, the installed config
# with a modem configured), marks that port to be ignored; udevadm verify checks the rule
# where the release's udev has it (systemd 254 and later: trixie).
if [ "$pkg" = hallq-controller ]; then
  sed 's|^device = ""|device = "serial:/dev/null"|' "$root/etc/hallq/hall.toml" > "$root/tmp/hall-modem.toml"
  udev_out=$(in_root /usr/lib/hallq/hallq-modem-udev --config /tmp/hall-modem.toml /dev/null | tr '\n' ' ' || true)
  expect "hallq-modem-udev marks the configured modem for ModemManager: $udev_out" \
    grep -q 'ID_MM_DEVICE_IGNORE=1 ID_MM_PORT_IGNORE=1' <<<"$udev_out"
  expect "the udev rule is installed" test -f "$root/usr/lib/udev/rules.d/70-hallq-modem.rules"
  if in_root udevadm verify --help >/dev/null 2>&1; then
    verify_rules=$(in_root udevadm verify --no-style /usr/lib/udev/rules.d/70-hallq-modem.rules 2>&1 || echo "exit $?")
    expect "udevadm verify 70-hallq-modem.rules: $(tr '\n' ' ' <<<"$verify_rules")" \
      grep -q 'Success: 1' <<<"$verify_rules"
  else
    echo "info  this release's udevadm has no verify (systemd < 254)"
  fi
fi

# Start it as the service would (user hallq, the packaged config and data folder), on a
# free loopback port and at a fixed Monday 10:00 so the hall is open.
if [ "$pkg" = hallq-controller ]; then
  mkfifo "$work/out"
  umask_unit=$(sed -n 's/^UMask=//p' "$root/lib/systemd/system/$pkg.service")
  chroot --userspec=hallq:hallq "$root" /usr/bin/env -i PATH=/usr/bin:/bin ${QEMU_CPU:+QEMU_CPU=$QEMU_CPU} \
    /bin/sh -c "umask ${umask_unit:-0022}; exec \"\$@\"" sh /usr/bin/hallq-controller --config /etc/hallq/hall.toml --data-dir /var/lib/hallq \
    --listen 127.0.0.1:0 --clock-start 2026-03-02T10:00:00+08:00 > "$work/out" 2> "$work/daemon.log" &
  daemon_pid=$!
  port=$(timeout 60 sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p;T;q' "$work/out" || true)
  if [ -n "$port" ]; then
    ok "daemon started as hallq under qemu on port $port"
    health=$(curl -s "http://127.0.0.1:$port/api/v1/health" || true)
    expect "GET /api/v1/health: $health" grep -q '"ok"' <<<"$health"
    ticket=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/tickets" -H 'Authorization: Bearer demo-kiosk-1' \
      -H 'Content-Type: application/json' -d '{"service":"minzheng"}' || true)
    expect "ticket issued and stored in /var/lib/hallq: $ticket" grep -q '"number":"A001"' <<<"$ticket"
    kill -TERM "$daemon_pid"
    code=0; wait "$daemon_pid" || code=$?
    daemon_pid=
    expect "daemon exits 0 on SIGTERM" test "$code" = 0
    expect "database owned by hallq" test "$(mode /var/lib/hallq/hallq.db)" = "hallq:hallq 640"
  else
    bad "daemon did not start: $(cat "$work/daemon.log")"
  fi
fi
# The kiosk with no controller and its printer a file: it serves its page, says it is
# offline, issues nothing, and stops cleanly.
if [ "$pkg" = hallq-kiosk ]; then
  mkfifo "$work/out"
  chroot --userspec=hallq:hallq "$root" /usr/bin/env -i PATH=/usr/bin:/bin ${QEMU_CPU:+QEMU_CPU=$QEMU_CPU} \
    /usr/bin/hallq-kiosk --config "$config" --listen 127.0.0.1:0 --controller http://127.0.0.1:9 \
    --printer file:/var/lib/hallq/kiosk/printer.out > "$work/out" 2> "$work/daemon.log" &
  daemon_pid=$!
  port=$(timeout 60 sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p;T;q' "$work/out" || true)
  if [ -n "$port" ]; then
    ok "kiosk started as hallq under qemu on port $port"
    page=$(curl -s "http://127.0.0.1:$port/" || true)
    expect "the page is served from /usr/share/hallq/kiosk-web" grep -qi '<html' <<<"$page"
    sleep 2
    state=$(curl -s "http://127.0.0.1:$port/api/state" || true)
    expect "GET /api/state says offline: ${state:0:120}" grep -q '"online":false' <<<"$state"
    kill -TERM "$daemon_pid"
    code=0; wait "$daemon_pid" || code=$?
    daemon_pid=
    expect "kiosk exits 0 on SIGTERM" test "$code" = 0
    expect "journal folder owned by hallq" test "$(mode /var/lib/hallq/kiosk)" = "hallq:hallq 750"
  else
    bad "kiosk did not start: $(cat "$work/daemon.log")"
  fi
fi

# The display node with no controller, its screens and voice switched to the simulators: it
# draws its screens from the installed font, loads the installed clips, and stops cleanly.
if [ "$pkg" = hallq-display ]; then
  mkfifo "$work/out"
  chroot --userspec=hallq:hallq "$root" /usr/bin/env -i PATH=/usr/bin:/bin ${QEMU_CPU:+QEMU_CPU=$QEMU_CPU} \
    /usr/bin/hallq-display --config "$config" --controller http://127.0.0.1:9 \
    --out /var/lib/hallq/display-out > "$work/out" 2> "$work/daemon.log" &
  daemon_pid=$!
  line=$(timeout 60 head -n1 "$work/out" || true)
  if grep -q running <<<"$line"; then
    ok "display node started as hallq under qemu: $line"
    expect "the installed voice clips were loaded: $(grep -o 'voice: .*' "$work/daemon.log")" \
      grep -q '44 clips from /usr/share/hallq/voice' "$work/daemon.log"
    sleep 2
    kill -TERM "$daemon_pid"
    code=0; wait "$daemon_pid" || code=$?
    daemon_pid=
    expect "display node exits 0 on SIGTERM" test "$code" = 0
  else
    bad "display node did not start: $(cat "$work/daemon.log")"
  fi
fi

in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq $pkg" > "$work/remove.log" 2>&1 \
  || bad "apt-get remove $pkg"
expect "remove: binary gone" test ! -e "$root/usr/bin/$pkg"
expect "remove: conffile kept" test -f "$root$config"
in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $pkg" > "$work/purge.log" 2>&1 \
  || bad "apt-get purge $pkg"
expect "purge: /etc/hallq removed" test ! -e "$root/etc/hallq"
expect "purge: the hall's records in /var/lib/hallq kept" test -d "$root/var/lib/hallq"
expect "purge: unit no longer enabled" test ! -e "$root/etc/systemd/system/multi-user.target.wants/$pkg.service"

if [ "$fail" -ne 0 ]; then
  echo "install_test: $pkg on $arch: FAILED" >&2
  exit 1
fi
echo "install_test: $pkg on $arch: installed, ran, removed and purged cleanly"
