#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time: new inputs go to a scratch corpus in the
# build tree, the checked-in seeds are read only. Fails on any crash, leak or abort.
#   run_fuzzer.sh FUZZER SECONDS SCRATCH_DIR SEED_DIR...
set -euo pipefail
fuzzer=$1 seconds=$2 scratch=$3
shift 3
mkdir -p "$scratch"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
  -artifact_prefix="$scratch/" "$scratch" "$@"
