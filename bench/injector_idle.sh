#!/usr/bin/env bash
# Injector idle cost: system calls made while nothing is due. Plan: 10
# secrets + 2 tokens with the defaults (secrets re-read every 5 min, tokens
# valid 1 h, STS credentials valid 1 h); after the first write, `strace -c -f`
# is attached to every thread for the window (60 s) and counts the calls;
# context switches from /proc over the same window as a cross-check. With
# --metrics the plan turns the metrics endpoint on (one scrape before the
# window proves it serves; Prometheus' scrapes are not counted as idle).
#
# usage: bench/injector_idle.sh [--short] [--seconds N] [--metrics]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

WINDOW=60
while (($#)); do
  case $1 in
    --short) WINDOW=5 ;;
    --seconds) WINDOW=$2; shift ;;
    --metrics) METRICS_PORT=$(free_port) ;;
    *) echo "usage: $0 [--short] [--seconds N] [--metrics]" >&2; exit 2 ;;
  esac
  shift
done
need strace curl "$PY"
need_binaries "$INJECTOR_BIN"
SUFFIX=${METRICS_PORT:+_metrics}
echo "== injector idle: syscalls over ${WINDOW}s with nothing due (10 secrets + 2 tokens, defaults${METRICS_PORT:+, metrics on}) =="
machine
make_workdir
start_injector_fakes 10 2 300 3600
"$INJECTOR_BIN" run --plan "$PLAN_FILE" >/dev/null 2> >(cat >/dev/null) &
INJ_PID=$!
BENCH_PIDS+=("$INJ_PID")
wait_ready "$PLAN_FILE" "$INJ_PID"
if [[ -n ${METRICS_PORT:-} ]]; then
  curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" | grep -c '^memsecret_injector_' |
    sed 's/^/metrics: one scrape before the window, series: /'
fi
sleep 1  # let the first pass's audit/log writes finish

ctx() {
  local t total=0
  for t in /proc/$INJ_PID/task/*/status; do
    total=$((total + $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t")))
  done
  echo $total
}
THREADS=$(awk '/^Threads:/ {print $2}' "/proc/$INJ_PID/status")
C0=$(ctx)
timeout -s INT "$WINDOW" strace -c -f -o "$WORK/strace.txt" -p "$INJ_PID" 2>"$WORK/strace.err" || true
if ! grep -q attached "$WORK/strace.err"; then
  echo "SKIPPED: strace cannot attach (ptrace not permitted here):" >&2
  cat "$WORK/strace.err" >&2
  exit 77
fi
C1=$(ctx)
# strace -c prints no table at all when no call completed in the window.
if [[ -s $WORK/strace.txt ]]; then
  cat "$WORK/strace.txt"
  CALLS=$(awk '$NF == "total" {print $4}' "$WORK/strace.txt")  # % time, seconds, usecs/call, calls
else
  echo "(strace -c: no system call completed in the window; the threads sat in one blocking wait each)"
fi
CALLS=${CALLS:-0}
PER_MIN=$(awk -v c="$CALLS" -v w="$WINDOW" 'BEGIN {printf "%.0f", c * 60 / w}')
echo "idle: $CALLS syscalls in ${WINDOW}s (= $PER_MIN per minute) over $THREADS threads; $((C1 - C0)) context switches (incl. strace's own stops)"
result "injector.idle_syscalls_per_min$SUFFIX" "$PER_MIN" /min
result "injector.idle_ctxsw$SUFFIX" "$((C1 - C0))" "in ${WINDOW}s"
