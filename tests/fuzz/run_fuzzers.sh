#!/usr/bin/env bash
# Bounded fuzzing: runs every tests/fuzz target for SECONDS each (as many at a
# time as there are cores), starting from its committed corpus, and prints a
# table of executions per target. New corpus entries stay in a temp dir; a
# crash leaves its input in BUILD_DIR/fuzz-artifacts/ and fails the run (add
# that input to tests/fuzz/corpus/<target>/ as a regression once fixed).
# Usage: tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SECS=$2
SRC=$(cd "$(dirname "$0")" && pwd)
JOBS=${MEMSECRET_FUZZ_JOBS:-$(nproc)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ARTIFACTS=$BUILD/fuzz-artifacts
mkdir -p "$ARTIFACTS"

# -timeout: one input running longer is reported as a hang; 60 s leaves room for a loaded machine
# and the sanitizers (no input of these parsers needs more than milliseconds).
run_one() {
  local t=$1
  mkdir -p "$WORK/$t/corpus"
  local rc=0
  "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$ARTIFACTS/$t-" "$WORK/$t/corpus" "$SRC/corpus/$t" >"$WORK/$t/log" 2>&1 || rc=$?
  echo "$rc" >"$WORK/$t/rc"
}

start=$SECONDS
targets=$(cd "$SRC/corpus" && ls)
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  run_one "$t" &
done
wait

failed=0
total=0
printf '\nfuzz: %s s per target, %s at a time\n' "$SECS" "$JOBS"
printf '%-18s %12s %10s %8s %8s  %s\n' target executions exec/s cov corpus result
for t in $targets; do
  log=$WORK/$t/log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  rc=$(cat "$WORK/$t/rc")
  result=ok
  if [ "$rc" != 0 ]; then result="FAILED (exit $rc)"; failed=1; fi
  total=$((total + ${execs:-0}))
  printf '%-18s %12s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${corp:-?}" "$result"
done
printf '%-18s %12s   (%s s wall)\n' total "$total" "$((SECONDS - start))"
if [ "$failed" != 0 ]; then
  for t in $targets; do
    [ "$(cat "$WORK/$t/rc")" = 0 ] && continue
    echo "== fuzz_$t log (tail)"
    tail -n 60 "$WORK/$t/log"
  done
  echo "fuzz: crashing inputs are in $ARTIFACTS"
  exit 1
fi
