#!/usr/bin/env bash
# HallQ controller benchmark: throughput, latency, fan-out, cold start and memory.
#
#   tests/bench/run.sh            full run (a few minutes, ~1.5 GB of scratch disk)
#   tests/bench/run.sh --quick    tiny sizes, a smoke check in seconds
#
# Options: --quick, --keep (keep the scratch folder), --no-verify (skip --verify-db of the
# history), --workdir DIR (scratch folder; default a fresh mktemp -d under $TMPDIR or /tmp),
# --controller PATH (bench another build's hallq-controller, e.g. an older commit's, with this
# tree's load tool, history writer and configuration: a before/after comparison).
#
# Builds the release preset (only the three needed targets, -j2), then
#  (0) probes the storage: 4 KiB write + fdatasync latency in the scratch folder (the floor
#      of every durable commit; probed again before (b) and at the end)
#  (a) runs hallq-controller on deploy/examples/bench-hall.toml in a fresh data folder per
#      configuration and drives it with hallq-load:
#        A1 max throughput   K=16 issue clients, W=6 windows, N=0 subscribers
#        A2 fixed rate       500 issue req/s (K=16), W=6, N=50 subscribers
#        A3 fan-out stress   max throughput, K=16, W=6, N=50 subscribers
#        A4 fixed rate       500 issue req/s (K=16), W=6, N=0 (A2 without the fan-out)
#  (b) writes 1.5 M tickets of history with hallq-history, checks it with --verify-db,
#      measures the controller's start on it (exec -> "listening" line): the first start
#      (which also rolls the day over), 5 cold starts (hallq.db dropped from the page cache
#      first) and 5 warm starts, best and median; then its RSS after start and after a short
#      load.
#  (c) times the manager's reports on that history through the running controller
#      (tests/bench/reports.py): statistics for a month and for 365 days, a month's staff
#      scores and a year's summary, 3 runs each, best and median.
# Every figure is printed as `key: value`; a summary comes last.
# The benchmark processes share the host with whatever else runs: hallq-load reports
# host_cpu_other_cores, the CPU other processes took during each load.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONFIG=$ROOT/deploy/examples/bench-hall.toml
BUILD=$ROOT/build/release
CTRL=$BUILD/bin/hallq-controller
LOAD=$BUILD/bin/hallq-load
HIST=$BUILD/bin/hallq-history

QUICK=0
KEEP=0
VERIFY=1
WORKDIR=
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --keep) KEEP=1 ;;
    --no-verify) VERIFY=0 ;;
    --workdir) WORKDIR=${2:?--workdir needs a folder}; shift ;;
    --controller) CTRL=$(realpath "${2:?--controller needs a path}"); shift ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $QUICK == 1 ]]; then
  LOAD_S=3; HISTORY_TICKETS=20000; SHORT_LOAD_S=2
else
  LOAD_S=20; HISTORY_TICKETS=1500000; SHORT_LOAD_S=10
fi
COLD_RUNS=5

# ---- build ----
echo "== build (release preset: hallq-controller hallq-load hallq-history)"
if [[ ! -f $BUILD/build.ninja ]]; then
  (cd "$ROOT" && cmake --preset release >/dev/null)
fi
ninja -C "$BUILD" -j2 hallq-controller hallq-load hallq-history | tail -n 1

if [[ -z $WORKDIR ]]; then
  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/hallq-bench.XXXXXX")
else
  mkdir -p "$WORKDIR"
fi
RESULTS=$WORKDIR/results
mkdir -p "$RESULTS"

CTRL_PID=
CTRL_FD=
cleanup() {
  stop_controller
  if [[ $KEEP == 0 ]]; then rm -rf "$WORKDIR"; else echo "scratch folder kept: $WORKDIR"; fi
}
trap cleanup EXIT

now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }

# start_controller DATA_DIR: starts hallq-controller on a free port and waits for its
# "listening" line. Sets CTRL_PID, CTRL_PORT and CTRL_START_MS (exec -> line, wall clock).
start_controller() {
  local dir=$1 line t0 t1
  mkdir -p "$dir"
  t0=$(now_us)
  exec {CTRL_FD}< <(exec "$CTRL" --config "$CONFIG" --data-dir "$dir" --listen 127.0.0.1:0 2>>"$dir/controller.log")
  CTRL_PID=$!
  if ! IFS= read -r -t 120 -u "$CTRL_FD" line; then
    echo "run.sh: hallq-controller did not start; its log:" >&2
    tail -n 20 "$dir/controller.log" >&2
    exit 1
  fi
  t1=$(now_us)
  CTRL_START_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  CTRL_PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' <<<"$line")
  [[ -n $CTRL_PORT ]] || { echo "run.sh: unexpected line from hallq-controller: $line" >&2; exit 1; }
}

stop_controller() {
  if [[ -n $CTRL_PID ]]; then
    kill -TERM "$CTRL_PID" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$CTRL_PID" 2>/dev/null || break; sleep 0.05; done
    CTRL_PID=
  fi
  if [[ -n $CTRL_FD ]]; then
    exec {CTRL_FD}<&-
    CTRL_FD=
  fi
}

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# load NAME ARGS...: one hallq-load run against the running controller; output kept in
# $RESULTS/NAME.txt and printed.
load() {
  local name=$1; shift
  echo "-- $name: hallq-load $* (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$LOAD" --url "http://127.0.0.1:$CTRL_PORT" --pid "$CTRL_PID" --label "$name" "$@" | tee "$RESULTS/$name.txt"
}

# val NAME KEY: the value of `KEY: value` in a result file (everything after the first ": ").
val() { awk -v k="$2" 'index($0, k ": ") == 1 { print substr($0, length(k) + 3); exit }' "$RESULTS/$1.txt"; }

# probe NAME: storage latency in the scratch folder.
probe() {
  echo "-- $1: fdatasync probe in $WORKDIR (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$LOAD" --fsync-probe "$WORKDIR" --count 500 | tee "$RESULTS/$1.txt"
}

# Drops hallq.db from the page cache (this file only), so the next start reads it from disk.
# Dirty pages cannot be dropped: the file is synced first (the last stop checkpointed into it).
evict() {
  sync "$1/hallq.db"
  dd if="$1/hallq.db" iflag=nocache count=0 status=none
}

# starts NAME RUNS EVICT: RUNS starts of the controller on the history, each stopped again.
starts() {
  local name=$1 runs=$2 drop=$3 i all=()
  for i in $(seq 1 "$runs"); do
    [[ $drop == 1 ]] && evict "$HIST_DIR"
    start_controller "$HIST_DIR"
    stop_controller
    echo "${name}_ms_run$i: $CTRL_START_MS"
    all+=("$CTRL_START_MS")
  done
  printf '%s\n' "${all[@]}" | sort -n |
    awk -v n="$name" '{ v[NR] = $1 } END { print n "_ms_best: " v[1]; print n "_ms_median: " v[int((NR + 1) / 2)] }'
}

echo "== host: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "workdir: $WORKDIR"
# The code measured: the commit, and any uncommitted change to the controller's sources.
echo "revision: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
  git -C "$ROOT" status --porcelain -- common controller 2>/dev/null | awk '{ printf " +%s", $2 }')"
probe P0-storage-start

# ---- (a) load on a fresh hall ----
echo "== (a) load on a fresh data folder per configuration, ${LOAD_S} s each"
run_config() {
  local name=$1; shift
  start_controller "$WORKDIR/$name"
  load "$name" "$@"
  stop_controller
}
run_config A1-max-throughput --clients 16 --windows 6 --subscribers 0 --duration "$LOAD_S"
run_config A2-rate500-subs50 --clients 16 --rate 500 --windows 6 --subscribers 50 --duration "$LOAD_S"
run_config A3-max-subs50 --clients 16 --windows 6 --subscribers 50 --duration "$LOAD_S"
run_config A4-rate500-nosubs --clients 16 --rate 500 --windows 6 --subscribers 0 --duration "$LOAD_S"

# ---- (b) history, cold start, memory ----
echo "== (b) history of $HISTORY_TICKETS tickets"
HIST_DIR=$WORKDIR/history
"$HIST" --config "$CONFIG" --data-dir "$HIST_DIR" --tickets "$HISTORY_TICKETS" | tee "$RESULTS/history.txt"
if [[ $VERIFY == 1 ]]; then
  t0=$(now_us)
  "$CTRL" --verify-db --config "$CONFIG" --data-dir "$HIST_DIR"
  t1=$(now_us)
  echo "verify_db_s: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')" | tee -a "$RESULTS/history.txt"
fi

probe P1-storage-before-start
echo "== start-up on the history (exec -> \"listening\" line)"
{
  evict "$HIST_DIR"
  start_controller "$HIST_DIR"
  stop_controller
  echo "first_start_ms: $CTRL_START_MS"
  starts cold_start "$COLD_RUNS" 1
  starts warm_start "$COLD_RUNS" 0
  grep -o 'hallq.db: .* loaded in [0-9]* ms' "$HIST_DIR/controller.log" | tail -n 1 | sed 's/^/controller_log: /'
} | tee "$RESULTS/coldstart.txt"

# One more start stays up: memory after start, then after a short load.
start_controller "$HIST_DIR"
sleep 1
{
  echo "rss_after_start_kb: $(status_kb "$CTRL_PID" VmRSS)"
  echo "hwm_after_start_kb: $(status_kb "$CTRL_PID" VmHWM)"
} | tee -a "$RESULTS/coldstart.txt"
load B1-history-short-load --clients 16 --rate 500 --windows 6 --subscribers 10 --duration "$SHORT_LOAD_S"
stop_controller
# A restart later in the day also loads today's tickets (those of the short load).
{
  evict "$HIST_DIR"
  start_controller "$HIST_DIR"
  stop_controller
  echo "restart_ms_with_today: $CTRL_START_MS"
  grep -o 'hallq.db: .* loaded in [0-9]* ms' "$HIST_DIR/controller.log" | tail -n 1 | sed 's/^/restart_log: /'
} | tee -a "$RESULTS/coldstart.txt"
DB_BYTES=$(stat -c %s "$HIST_DIR/hallq.db")

# ---- (c) the manager's reports on the history ----
echo "== (c) reports on the history (3 runs each)"
start_controller "$HIST_DIR"
HIST_DAYS=$(val history days)  # "833 (2024-08-12 .. 2026-11-22)"
python3 "$ROOT/tests/bench/reports.py" "http://127.0.0.1:$CTRL_PORT" \
  "$(sed 's/.*(\([0-9-]*\) \.\..*/\1/' <<<"$HIST_DAYS")" "$(sed 's/.*\.\. \([0-9-]*\))/\1/' <<<"$HIST_DAYS")" 3 |
  tee "$RESULTS/reports.txt"
echo "rss_after_reports_kb: $(status_kb "$CTRL_PID" VmRSS), hwm $(status_kb "$CTRL_PID" VmHWM)" | tee -a "$RESULTS/reports.txt"
stop_controller
probe P2-storage-end

# ---- summary ----
cat <<EOF

== summary ($( [[ $QUICK == 1 ]] && echo quick || echo full ) run; targets in brackets)
storage fdatasync_ms p50/p99/max: start $(val P0-storage-start fdatasync_ms_p50) / $(val P0-storage-start fdatasync_ms_p99) / $(val P0-storage-start fdatasync_ms_max), before (b) $(val P1-storage-before-start fdatasync_ms_p50) / $(val P1-storage-before-start fdatasync_ms_p99) / $(val P1-storage-before-start fdatasync_ms_max), end $(val P2-storage-end fdatasync_ms_p50) / $(val P2-storage-end fdatasync_ms_p99) / $(val P2-storage-end fdatasync_ms_max)
A1 max throughput (K=16 W=6 N=0, ${LOAD_S} s):
  durable_ops_per_s: $(val A1-max-throughput durable_ops_per_s)   [>= 5000]
  issue_ops_per_s: $(val A1-max-throughput issue_ops_per_s)
  window_ops_per_s: $(val A1-max-throughput window_ops_per_s)
  issue_latency_ms p50/p90/p99/max: $(val A1-max-throughput issue_latency_ms_p50) / $(val A1-max-throughput issue_latency_ms_p90) / $(val A1-max-throughput issue_latency_ms_p99) / $(val A1-max-throughput issue_latency_ms_max)
  call_next_latency_ms p50/p99: $(val A1-max-throughput call_next_latency_ms_p50) / $(val A1-max-throughput call_next_latency_ms_p99)
  controller_events_per_commit: $(val A1-max-throughput controller_events_per_commit)
  errors_total: $(val A1-max-throughput errors_total)
  controller_cpu_cores: $(val A1-max-throughput controller_cpu_cores), host_cpu_other_cores: $(val A1-max-throughput host_cpu_other_cores)
  controller_rss_kb / hwm_kb: $(val A1-max-throughput controller_rss_kb) / $(val A1-max-throughput controller_hwm_kb)
A2 fixed rate 500/s (K=16 W=6 N=50, ${LOAD_S} s):
  issue_ops_per_s: $(val A2-rate500-subs50 issue_ops_per_s)
  issue_latency_ms p50/p90/p99/max: $(val A2-rate500-subs50 issue_latency_ms_p50) / $(val A2-rate500-subs50 issue_latency_ms_p90) / $(val A2-rate500-subs50 issue_latency_ms_p99) / $(val A2-rate500-subs50 issue_latency_ms_max)   [p99 <= 5]
  window_ops_per_s: $(val A2-rate500-subs50 window_ops_per_s)
  fanout_delay_ms p50/p99/max: $(val A2-rate500-subs50 fanout_delay_ms_p50) / $(val A2-rate500-subs50 fanout_delay_ms_p99) / $(val A2-rate500-subs50 fanout_delay_ms_max)
  events_per_subscriber min/avg/max: $(val A2-rate500-subs50 events_per_subscriber_min) / $(val A2-rate500-subs50 events_per_subscriber_avg) / $(val A2-rate500-subs50 events_per_subscriber_max) (controller published $(val A2-rate500-subs50 controller_events))
  errors_total: $(val A2-rate500-subs50 errors_total)
  controller_cpu_cores: $(val A2-rate500-subs50 controller_cpu_cores), host_cpu_other_cores: $(val A2-rate500-subs50 host_cpu_other_cores)
A3 max throughput with 50 subscribers (K=16 W=6 N=50, ${LOAD_S} s):
  durable_ops_per_s: $(val A3-max-subs50 durable_ops_per_s)
  issue_latency_ms p50/p99: $(val A3-max-subs50 issue_latency_ms_p50) / $(val A3-max-subs50 issue_latency_ms_p99)
  fanout_delay_ms p50/p99/max: $(val A3-max-subs50 fanout_delay_ms_p50) / $(val A3-max-subs50 fanout_delay_ms_p99) / $(val A3-max-subs50 fanout_delay_ms_max)
  events_per_subscriber min/avg/max: $(val A3-max-subs50 events_per_subscriber_min) / $(val A3-max-subs50 events_per_subscriber_avg) / $(val A3-max-subs50 events_per_subscriber_max) (controller published $(val A3-max-subs50 controller_events))
  subscribers_dropped by the controller: $(val A3-max-subs50 subscribers_dropped)
  controller_cpu_cores: $(val A3-max-subs50 controller_cpu_cores), host_cpu_other_cores: $(val A3-max-subs50 host_cpu_other_cores)
A4 fixed rate 500/s without subscribers (K=16 W=6 N=0, ${LOAD_S} s):
  issue_latency_ms p50/p90/p99/max: $(val A4-rate500-nosubs issue_latency_ms_p50) / $(val A4-rate500-nosubs issue_latency_ms_p90) / $(val A4-rate500-nosubs issue_latency_ms_p99) / $(val A4-rate500-nosubs issue_latency_ms_max)   [p99 <= 5]
  call_next_latency_ms p50/p99: $(val A4-rate500-nosubs call_next_latency_ms_p50) / $(val A4-rate500-nosubs call_next_latency_ms_p99)
  controller_cpu_cores: $(val A4-rate500-nosubs controller_cpu_cores), host_cpu_other_cores: $(val A4-rate500-nosubs host_cpu_other_cores)
B history ($(val history tickets) tickets, $(val history events) events, $(val history days)):
  history_file_mb: $(awk -v b="$DB_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }'), generated in $(val history time_s) s$( [[ $VERIFY == 1 ]] && echo ", verify-db $(val history verify_db_s) s")
  first_start_ms (with day roll-over, cache dropped): $(val coldstart first_start_ms)   [<= 500]
  cold_start_ms best/median (cache dropped): $(val coldstart cold_start_ms_best) / $(val coldstart cold_start_ms_median)   [<= 500]
  warm_start_ms best/median: $(val coldstart warm_start_ms_best) / $(val coldstart warm_start_ms_median)
  restart_ms_with_today (cache dropped, after the short load): $(val coldstart restart_ms_with_today) ($(val coldstart restart_log))
  rss_after_start_kb: $(val coldstart rss_after_start_kb) (hwm $(val coldstart hwm_after_start_kb))   [<= 20480]
  after ${SHORT_LOAD_S} s at 500 issue/s, W=6, N=10: controller_rss_kb $(val B1-history-short-load controller_rss_kb), hwm_kb $(val B1-history-short-load controller_hwm_kb)   [<= 20480]
  short load issue_latency_ms p99: $(val B1-history-short-load issue_latency_ms_p99), durable_ops_per_s: $(val B1-history-short-load durable_ops_per_s)
  cases $(val history cases), enquiries $(val history enquiries), ratings $(val history ratings) (bad $(val history bad_ratings)), complaints $(val history complaints)
C reports on the history (month $(val reports month), best / median of 3, ms):
  stats month by day and service: $(val reports stats_month_by_day_service_ms_best) / $(val reports stats_month_by_day_service_ms_median)
  stats month by week and clerk: $(val reports stats_month_by_week_clerk_ms_best) / $(val reports stats_month_by_week_clerk_ms_median)
  stats 365 days by month and service: $(val reports stats_year_by_month_service_ms_best) / $(val reports stats_year_by_month_service_ms_median)   [<= 10000]
  stats 365 days by day and window: $(val reports stats_year_by_day_window_ms_best) / $(val reports stats_year_by_day_window_ms_median)
  scores of the month: $(val reports scores_month_ms_best) / $(val reports scores_month_ms_median) ($(val reports scores_month_what))
  scores summary of the year: $(val reports scores_summary_year_ms_best) / $(val reports scores_summary_year_ms_median)
  controller_rss_kb after the reports: $(val reports rss_after_reports_kb)
EOF
