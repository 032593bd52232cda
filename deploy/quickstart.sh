#!/usr/bin/env bash
# The README's two commands:
#   deploy/quickstart.sh demo   install what is missing, build, start the example hall
#   deploy/quickstart.sh test   install what is missing, build, run every test
# Environment: HALLQ_PORT (demo controller, default 8080), HALLQ_KIOSK_PORT (demo kiosks, 8090
# and 8091), HALLQ_PRINTER_PORT (their printer simulators, 9100 and 9101), HALLQ_JOBS (build
# jobs, default: cores).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${HALLQ_JOBS:-$(nproc)}

bash deploy/bootstrap.sh

case "${1:-}" in
  demo)
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$jobs" --target hallq-controller hallq-printer-sim hallq-modem-sim hallq-kiosk hallq-display hallq_scan_sim
    data=$(mktemp -d /tmp/hallq-demo.XXXXXX)
    port=${HALLQ_PORT:-8080}
    kport=${HALLQ_KIOSK_PORT:-8090}
    pport=${HALLQ_PRINTER_PORT:-9100}
    bin=$root/build/release/bin
    # A real hall closes at night; the demo hall takes tickets at any hour.
    # Window 1 prints its case notices on a third printer simulator; result SMS go to a
    # simulated GSM modem (nothing is sent).
    sed -e 's/^always_open = false/always_open = true/' \
        -e "s|^# printer = \"tcp://192.168.1.61:9100\"|printer = \"tcp://127.0.0.1:$((pport + 2))\"|" \
        -e "s|^device = \"\"|device = \"serial:$data/modem\"|" \
        deploy/examples/hall.toml > "$data/hall.toml"
    # kiosk-1: the touch kiosk, with a simulated QR scanner (a FIFO of input events).
    sed -e "s|^data_dir = .*|data_dir = \"$data/kiosk-1\"|" deploy/examples/kiosk.toml > "$data/kiosk-1.toml"
    printf '\n[scanner]\ndevice = "sim:%s/scanner"\n' "$data" >> "$data/kiosk-1.toml"
    # kiosk-2: a button box (简易取号机) with a simulated panel and its own printer.
    sed -e "s|^data_dir = .*|data_dir = \"$data/kiosk-2\"|" -e 's/^id = "kiosk-1"/id = "kiosk-2"/' \
        -e 's/^token = "demo-kiosk-1"/token = "demo-kiosk-2"/' -e 's/^mode = "touch"/mode = "buttons"/' \
        deploy/examples/kiosk.toml > "$data/kiosk-2.toml"
    printf '\n[buttons]\nchip = "sim:%s/buttons"\nled_line = 17\n[[buttons.button]]\nline = 5\nservice = "minzheng"\n[[buttons.button]]\nline = 6\nservice = "laodong"\n' \
      "$data" >> "$data/kiosk-2.toml"
    mkdir -p "$data/printer" "$data/printer-2" "$data/printer-w1"
    cat <<MSG

HallQ demo hall — 青溪镇便民服务中心 (demo credentials, never for a real hall)
  data folder      $data
  kiosk page       http://127.0.0.1:$kport/   (the touch kiosk kiosk-1; open it in a browser)
  clerk console    http://127.0.0.1:$port/counter   (window 1: clerk c01 or c02, PIN 123456;
                   window 2: c03 or c04; ... window 6: c11 or c12)
  wall board       http://127.0.0.1:$port/board
  printed tickets  $data/printer/job-NNNN.png and .txt  (the printer simulator on port $pport)
  window 1 notices $data/printer-w1/job-NNNN.png  (受理通知书 and the other case notices, port $((pport + 2)))
  result SMS       $data/sms/sms-NNNN.txt  (the simulated GSM modem at $data/modem)
  LED screens      $data/display/window-N.png, hall.png and .txt  (display node display-1)
  voice calls      $data/display/voice-NNNNNN-A001-w1.wav  (play with: play FILE)
  health           http://127.0.0.1:$port/api/v1/health
  hall snapshot    http://127.0.0.1:$port/api/v1/hall
  service guides   http://127.0.0.1:$port/api/v1/services
  event stream     ws://127.0.0.1:$port/api/v1/events?since=0
  metrics          http://127.0.0.1:$port/metrics
Try:
  echo paper-out > $data/printer/fault    (the kiosk stops issuing; echo ok to refill)
  $bin/hallq_scan_sim http://192.168.1.10:8080/t/1 > $data/scanner
                                          (scan ticket 1's QR at kiosk-1: its progress)
  echo 5 > $data/buttons                  (press 民政救助 on the button box kiosk-2: a ticket
                                          in $data/printer-2; its LED is in $data/buttons.led)
  T=\$(curl -s http://127.0.0.1:$port/api/v1/windows/1/sign-in --json '{"clerk":"c01","pin":"123456"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s -XPOST http://127.0.0.1:$port/api/v1/windows/1/call-next -H "Authorization: Bearer \$T"
                                          (window 1 calls: its screen, the hall screen, a WAV)
Stop with Ctrl-C.

MSG
    pids=()
    trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
    "$bin/hallq-printer-sim" --listen "127.0.0.1:$pport" --out "$data/printer" >"$data/printer.log" 2>&1 &
    pids+=($!)
    "$bin/hallq-printer-sim" --listen "127.0.0.1:$((pport + 1))" --out "$data/printer-2" >"$data/printer-2.log" 2>&1 &
    pids+=($!)
    "$bin/hallq-printer-sim" --listen "127.0.0.1:$((pport + 2))" --out "$data/printer-w1" --paper 576 >"$data/printer-w1.log" 2>&1 &
    pids+=($!)
    "$bin/hallq-modem-sim" --link "$data/modem" --out "$data/sms" >"$data/modem.log" 2>&1 &
    pids+=($!)
    "$bin/hallq-controller" --config "$data/hall.toml" --data-dir "$data" --listen "0.0.0.0:$port" &
    pids+=($!)
    "$bin/hallq-kiosk" --config "$data/kiosk-1.toml" --controller "http://127.0.0.1:$port" \
      --printer "tcp://127.0.0.1:$pport" --listen "127.0.0.1:$kport" >"$data/kiosk-1.log" 2>&1 &
    pids+=($!)
    "$bin/hallq-kiosk" --config "$data/kiosk-2.toml" --controller "http://127.0.0.1:$port" \
      --printer "tcp://127.0.0.1:$((pport + 1))" --listen "127.0.0.1:$((kport + 1))" >"$data/kiosk-2.log" 2>&1 &
    pids+=($!)
    "$bin/hallq-display" --config deploy/examples/display.toml --controller "http://127.0.0.1:$port" \
      --out "$data/display" >"$data/display.log" 2>&1 &
    pids+=($!)
    wait -n
    ;;
  test)
    # playwright-core for the browser tests, at the version the lock file pins (no browser
    # download: the tests drive Debian's chromium).
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
    # Every unit, integration and browser test, built with AddressSanitizer and UBSan (the
    # harnesses fail on any sanitizer report in a daemon's log). As one unit per batch of
    # source files (a unity build): a cold build takes about a third less time.
    cmake --preset dev -DCMAKE_UNITY_BUILD=ON >/dev/null
    cmake --build --preset dev -j "$jobs"
    ctest --preset dev -j "$jobs"
    # libFuzzer harnesses (clang, ASan + UBSan), 20 s each on the checked-in seeds.
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz -j "$jobs"
    ctest --preset fuzz -j "$jobs"
    # Raspberry Pi builds for both Debian releases (Raspberry Pi OS bookworm and trixie),
    # cross-compiled against sysroots of Debian's armhf/arm64 packages (cached). Each builds
    # and checks its .deb packages; trixie arm64 and bookworm armhf also run the unit and
    # integration tests under qemu-user (both libgpiod APIs, both Boost versions, both word
    # sizes), and the arm64 packages of both releases are installed in chroots. Why this split:
    # docs/raspberry-pi.md.
    for preset in trixie-arm64 bookworm-armhf bookworm-arm64 trixie-armhf; do
      sysroot=$(bash deploy/sysroot.sh "${preset#*-}" "${preset%-*}" | tail -n 1)
      HALLQ_SYSROOT=$sysroot cmake --preset "$preset" >/dev/null
      cmake --build --preset "$preset" -j "$jobs"
      ctest --preset "$preset" -j "$jobs"
    done
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
