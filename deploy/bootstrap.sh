#!/usr/bin/env bash
# Installs the Debian 12 packages HallQ builds and tests with. Idempotent and
# non-interactive: packages already present are left alone, and apt is only asked when
# something is missing. Run as root (or through sudo).
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config make
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3 libqrencode-dev catch2 libtomlplusplus-dev
  libsodium-dev libspdlog-dev libsystemd-dev libpng-dev
  # Optional TLS on the LAN (the controller serves HTTPS/WSS, devices pin its key); the
  # openssl tool makes certificates for the tests and for installers.
  libssl-dev openssl
  # Printing: GNU Unifont glyphs for rendering jobs, zbarimg to read QR codes back in tests.
  unifont zbar-tools
  # Rare characters (CJK Ext-B+ in names) printed as raster glyphs: FreeType + HanaMin fonts.
  libfreetype-dev fonts-hanazono fonts-wqy-microhei libgpiod-dev
  # libFuzzer (preset fuzz).
  clang libclang-rt-14-dev
  python3 tzdata curl procps
  # Raspberry Pi cross builds for Debian 12 and 13 (deploy/sysroot.sh, presets bookworm-* and
  # trixie-*; the archive keyring carries trixie's keys), their tests under qemu-user, and the
  # .deb packages (dpkg-shlibdeps, file, systemd-analyze).
  g++-arm-linux-gnueabihf g++-aarch64-linux-gnu qemu-user-static binfmt-support debootstrap
  debian-archive-keyring dpkg-dev file systemd
  # Browser tests (tests/browser): Debian's chromium, driven by playwright-core from npm.
  chromium
  # The display node's default voice clips: espeak-ng from pinyin, sox.
  espeak-ng sox
  # The display node's voice output (ALSA).
  libasound2-dev
)
# Node.js and npm for the browser tests: Debian's, unless a node is already installed (a
# NodeSource nodejs package carries its own npm and conflicts with Debian's).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    exec sudo "$0" "$@"
  fi
  echo "bootstrap: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
