#!/usr/bin/env bash
# Take-a-ticket to printed-and-confirmed, through the kiosk's ticket desk, against the real
# controller (bench hall) and hallq-printer-sim on loopback.
#   tests/bench/desk_sim.sh [BUILD_DIR] [N]      (default build/release, 50)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$ROOT/build/release}
N=${2:-50}
WORK=$(mktemp -d)
trap 'kill $CTRL_PID $SIM_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/sim"
"$BUILD/bin/hallq-controller" --config "$ROOT/deploy/examples/bench-hall.toml" --data-dir "$WORK/data" \
  --listen 127.0.0.1:0 --clock-start 2026-03-02T10:00:00+08:00 >"$WORK/ctl.out" 2>"$WORK/ctl.err" &
CTRL_PID=$!
"$BUILD/bin/hallq-printer-sim" --listen 127.0.0.1:0 --out "$WORK/sim" >"$WORK/sim.out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$WORK/ctl.out" 2>/dev/null && grep -q 'listening on' "$WORK/sim.out" 2>/dev/null && break
  sleep 0.1
done
CPORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$WORK/ctl.out" | head -1)
PPORT=$(sed -n 's|.*listening on 127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$WORK/sim.out" | head -1)
"$BUILD/bin/hallq-desk-bench" --controller "http://127.0.0.1:$CPORT" --token demo-kiosk-1 \
  --printer "tcp://127.0.0.1:$PPORT" --n "$N" --journal "$WORK/journal.json" 2>"$WORK/bench.err"
