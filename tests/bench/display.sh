#!/usr/bin/env bash
# Call-next acknowledged → window screen frame → hall screen frame → first voice sample, with
# the real controller (bench hall) and the real hallq-display on its simulated sinks (--out:
# PNG files and one WAV per call), on loopback.
#   tests/bench/display.sh [BUILD_DIR] [CALLS]      (default build/release, 1000)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$ROOT/build/release}
CALLS=${2:-1000}
WORK=$(mktemp -d)
trap 'kill $CTRL_PID $DISP_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BUILD/bin/hallq-controller" --config "$ROOT/deploy/examples/bench-hall.toml" --data-dir "$WORK/data" \
  --listen 127.0.0.1:0 --clock-start 2026-03-02T10:00:00+08:00 >"$WORK/ctl.out" 2>"$WORK/ctl.err" &
CTRL_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$WORK/ctl.out" 2>/dev/null && break; sleep 0.1; done
CPORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$WORK/ctl.out" | head -1)
"$BUILD/bin/hallq-display" --config "$ROOT/deploy/examples/display.toml" --controller "http://127.0.0.1:$CPORT" \
  --out "$WORK/out" --log-level warn >"$WORK/disp.out" 2>"$WORK/disp.err" &
DISP_PID=$!
for _ in $(seq 100); do [ -f "$WORK/out/hall.png" ] && break; sleep 0.1; done
"$BUILD/bin/hallq-display-bench" --controller "http://127.0.0.1:$CPORT" --out "$WORK/out" --calls "$CALLS"
echo "display_rss_kb: $(awk '/VmRSS/ {print $2}' /proc/$DISP_PID/status)"
echo "display_threads: $(ls /proc/$DISP_PID/task | wc -l)"
echo "display_log_errors: $(grep -c -i ' error ' "$WORK/disp.err" || true)"
