#!/usr/bin/env bash
# Builds (or reuses) a sysroot for cross-building HallQ for Raspberry Pi boards:
#   deploy/sysroot.sh armhf|arm64 [bookworm|trixie]   prints the sysroot's path on its last line
#
# The sysroot is made from Debian's own armhf/arm64 packages of the given release (default
# bookworm, Debian 12; trixie is Debian 13, the base of Raspberry Pi OS since October 2025):
# apt resolves the -dev packages below with a private APT state (its own sources list,
# architecture, package lists, empty dpkg status and download cache), so the host's package
# set and sources are never touched, and each .deb is
# unpacked with dpkg-deb -x. Host multiarch is deliberately not used: it needs the same
# version of every -dev package on both architectures, and a mirror lagging on one
# architecture breaks the host.
#
# Next to the files, a small dpkg database (in <sysroot>/.hallq/dpkg) records which package
# ships which file and each library package's shlibs/symbols, so that dpkg-shlibdeps can
# compute the .deb packages' Depends for the target architecture (see cmake/HallqPackaging).
#
# Cached: a sysroot whose stamp matches this script and its package list is reused as is;
# downloaded .deb files are kept, so a rebuild needs the network only for new versions.
# Environment: HALLQ_SYSROOT_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/hallq).
set -euo pipefail

arch=${1:-}
suite=${2:-bookworm}
case "$arch" in
  armhf) triplet=arm-linux-gnueabihf ;;
  arm64) triplet=aarch64-linux-gnu ;;
  *) echo "usage: $0 armhf|arm64 [bookworm|trixie]" >&2; exit 2 ;;
esac
# The Boost version differs per release; everything else has the same -dev name.
case "$suite" in
  bookworm) boost=1.81 ;;
  trixie) boost=1.83 ;;
  *) echo "usage: $0 armhf|arm64 [bookworm|trixie]" >&2; exit 2 ;;
esac

# Every -dev package HallQ builds against (and so, through their dependencies, the runtime
# libraries the unit tests need under qemu). The compiler is the build machine's GCC 12
# cross compiler on both releases; libstdc++-12-dev (in both) gives it the target's
# libstdc++.so link.
packages=(
  libc6-dev libstdc++-12-dev
  "libboost$boost-dev" "libboost-json$boost-dev"
  libsqlite3-dev libtomlplusplus-dev libspdlog-dev libsodium-dev libsystemd-dev
  libqrencode-dev libpng-dev libfreetype-dev libgpiod-dev libasound2-dev catch2 libssl-dev
)

cache=${HALLQ_SYSROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hallq}
root="$cache/sysroot-$suite-$arch"
aptdir="$cache/apt-$suite-$arch"
stamp_want=$( { cat "$0"; printf '%s\n' "${packages[@]}"; } | sha256sum | cut -c1-16)

if [ -f "$root/.hallq/stamp" ] && [ "$(cat "$root/.hallq/stamp")" = "$stamp_want" ]; then
  echo "sysroot: $suite $arch is cached"
  echo "$root"
  exit 0
fi

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "sysroot: $tool is missing" >&2; exit 1; }
done

# The host's Debian mirror (deb822 or one-line sources), else Debian's default; the suite's
# own sources list, so the host's other sources (other releases, other architectures) are
# never read.
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\([^ ]*debian\)\/\?$/\1/p' | head -n1 || true)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*debian\)\/\? .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1 || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { echo "sysroot: $keyring is missing (apt install debian-archive-keyring)" >&2; exit 1; }

mkdir -p "$aptdir/state/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/etc"
: > "$aptdir/state/status"
cat > "$aptdir/etc/sources.list" <<SOURCES
deb [signed-by=$keyring] $mirror $suite main
deb [signed-by=$keyring] $mirror $suite-updates main
deb [signed-by=$keyring] ${mirror%/debian}/debian-security $suite-security main
SOURCES
apt_opts=(
  -o "Dir::Etc::SourceList=$aptdir/etc/sources.list" -o "Dir::Etc::SourceParts=$aptdir/etc/none"
  -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
  -o "Dir::State=$aptdir/state" -o "Dir::State::status=$aptdir/state/status"
  -o "Dir::Cache=$aptdir/cache" -o "Debug::NoLocking=true"
  -o "APT::Install-Recommends=false" -o "APT::Get::Assume-Yes=true"
  -o "APT::Sandbox::User=root" -o "quiet=2"
)

echo "sysroot: resolving ${#packages[@]} packages for $suite $arch with a private APT state in $aptdir"
# A broken index on one suite (e.g. a security mirror lagging on this architecture) should
# not stop the build when the main suite resolves; apt says which one failed.
if ! apt-get "${apt_opts[@]}" update; then
  echo "sysroot: warning: some $arch package lists failed to update; using what was fetched" >&2
fi

# The exact package versions apt chose, as "name version" lines.
mapfile -t chosen < <(apt-get "${apt_opts[@]}" -s install "${packages[@]}" \
  | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p')
if [ ${#chosen[@]} -eq 0 ]; then
  echo "sysroot: apt resolved no packages for $arch" >&2
  exit 1
fi
apt-get "${apt_opts[@]}" install --download-only "${packages[@]}"

tmp="$root.new"
rm -rf "$tmp"
mkdir -p "$tmp/.hallq/dpkg/info" "$tmp/.hallq/control"
: > "$tmp/.hallq/dpkg/status"
for line in "${chosen[@]}"; do
  name=${line%% *}
  version=${line#* }
  name=${name%%:*}
  deb="$aptdir/cache/archives/${name}_${version//:/%3a}_"
  if [ -f "${deb}${arch}.deb" ]; then deb="${deb}${arch}.deb"; else deb="${deb}all.deb"; fi
  [ -f "$deb" ] || { echo "sysroot: $deb was not downloaded" >&2; exit 1; }
  dpkg-deb -x "$deb" "$tmp"

  # The package's entry in the sysroot's own dpkg database. Paths are recorded as the
  # absolute paths of the final sysroot (dpkg-shlibdeps looks libraries up by the path it
  # found them at), under both the /lib and the merged /usr/lib spelling.
  pkgarch=$(dpkg-deb -f "$deb" Architecture)
  multiarch=$(dpkg-deb -f "$deb" Multi-Arch)
  key=$name
  [ "$multiarch" = same ] && key="$name:$pkgarch"
  dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' -e '/^$/d' \
    | awk -v root="$root" '{ print root $0 } $0 ~ /^\/(lib|bin|sbin)(\/|$)/ { print root "/usr" $0 }' \
    > "$tmp/.hallq/dpkg/info/$key.list"
  ctl="$tmp/.hallq/control/$name"
  dpkg-deb -e "$deb" "$ctl"
  for f in shlibs symbols; do
    [ -f "$ctl/$f" ] && cp "$ctl/$f" "$tmp/.hallq/dpkg/info/$key.$f"
  done
  {
    dpkg-deb -f "$deb" Package
    echo "Status: install ok installed"
    dpkg-deb -f "$deb" Priority Section Maintainer Architecture Multi-Arch Source Version \
      Depends Pre-Depends Provides Description | grep -v '^Package:' || true
    echo
  } | sed '1s/^/Package: /' >> "$tmp/.hallq/dpkg/status"
done
rm -rf "$tmp/.hallq/control"
: > "$tmp/.hallq/dpkg/available"
echo 1 > "$tmp/.hallq/dpkg/info/format"  # multiarch layout: info/<pkg>:<arch>.list
mkdir -p "$tmp/.hallq/dpkg/updates"

# Merged /usr, as on Debian 12/13 and Raspberry Pi OS: /lib, /bin, /sbin are links.
for d in lib bin sbin; do
  mkdir -p "$tmp/usr/$d"
  if [ -d "$tmp/$d" ] && [ ! -L "$tmp/$d" ]; then
    cp -a "$tmp/$d/." "$tmp/usr/$d/"
    rm -rf "${tmp:?}/$d"
  fi
  ln -sfn "usr/$d" "$tmp/$d"
done

# Absolute symlinks (e.g. libfoo.so -> /lib/<triplet>/libfoo.so.1) would point into the
# host; make them relative to the sysroot.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  dir=$(dirname "$link")
  ln -sfn "$(realpath -m --relative-to="$dir" "$tmp$target")" "$link"
done < <(find "$tmp" -type l -lname '/*' -print0)

[ -e "$tmp/usr/lib/$triplet/libc.so.6" ] || { echo "sysroot: libc is missing for $arch" >&2; exit 1; }
echo "$suite" > "$tmp/.hallq/suite"
# The same private APT state as an apt.conf, so the package checks can ask whether a .deb's
# Depends resolve from this release's index (APT_CONFIG=... apt-get -s install ./x.deb).
for ((i = 1; i < ${#apt_opts[@]}; i += 2)); do
  printf '%s "%s";\n' "${apt_opts[i]%%=*}" "${apt_opts[i]#*=}"
done > "$tmp/.hallq/apt.conf"
echo "$stamp_want" > "$tmp/.hallq/stamp"
rm -rf "$root"
mv "$tmp" "$root"
echo "sysroot: $suite $arch ready, ${#chosen[@]} packages, $(du -sm "$root" | cut -f1) MB"
echo "$root"
