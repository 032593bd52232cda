#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time: new inputs go to a scratch corpus in the
# build tree, the checked-in seeds are read only. Fails on any crash, leak, abort or undefined
# behaviour.
#   run_fuzzer.sh FUZZER SECONDS SCRATCH_DIR SEED_DIR...
set -euo pipefail
fuzzer=$1 seconds=$2 scratch=$3
shift 3
mkdir -p "$scratch"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# Undefined behaviour is a finding too: UBSan stops at the first report instead of going on.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
  -artifact_prefix="$scratch/" "$scratch" "$@"
