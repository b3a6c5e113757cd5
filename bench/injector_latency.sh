#!/usr/bin/env bash
# Pod start-up under backend latency: sequential vs concurrent first pass, and
# the app's start gated by a startupProbe vs a postStart hook.
#
# The loopback fakes (Secrets Manager + STS, OAuth token endpoint) answer each
# call after MEMSECRET_FAKE_LATENCY_MS: a fixed 100 ms, then 50-200 ms
# uniform. For 1, 10 and 30 secrets + 2 tokens, each configuration is started
# RUNS times and prints the medians of
#   write: injector exec -> readiness marker renamed into place (the first
#          complete write; the marker's mtime);
#   app:   first complete write -> the moment the app would be started:
#          before = a kubelet startupProbe (`probe`, periodSeconds 1, its ticker
#          at a random phase: the prober ticks from pod add, not from the
#          container's start); after = the postStart hook `probe --wait`
#          returning. (The kubelet's own reaction after either is not included.)
#   before = MEMSECRET_CONCURRENCY=1 + startupProbe, after = the default
#   (8 in flight) + postStart hook.
# Then, for 10 secrets + 2 tokens, backend calls in a WINDOW-second run with
# compressed intervals (secrets re-read every 10 s, tokens of 30 s TTL) scaled
# to one pod-hour, and the injector's peak RSS (VmHWM) in each mode.
#
# usage: bench/injector_latency.sh [--short] [--runs N] [--sizes "1 10 30"] [--latencies "100 50-200"]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

RUNS=5
WINDOW=30
SIZES=(1 10 30)
LATENCIES=(100 50-200)
while (($#)); do
  case $1 in
    --short) RUNS=1 WINDOW=10 SIZES=(10) ;;
    --runs) RUNS=$2; shift ;;
    --sizes) read -r -a SIZES <<<"$2"; shift ;;
    --latencies) read -r -a LATENCIES <<<"$2"; shift ;;
    *) echo "usage: $0 [--short] [--runs N] [--sizes LIST] [--latencies LIST]" >&2; exit 2 ;;
  esac
  shift
done
need curl "$PY"
need_binaries "$INJECTOR_BIN"
echo "== injector start-up under backend latency: sequential + startupProbe vs concurrent + postStart =="
machine
make_workdir

ms_between() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
median() { tr ' ' '\n' | sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# one_start CONCURRENCY GATE -> "WRITE_MS APP_MS HWM_KIB"
one_start() {
  local conc=$1 gate=$2 t0 pid t_app marker hwm phase next now
  rm -f "$OUT"/* "$OUT"/.memsecret-ready
  t0=${EPOCHREALTIME/,/.}
  MEMSECRET_CONCURRENCY=$conc "$INJECTOR_BIN" run --plan "$PLAN_FILE" >/dev/null 2>>"$WORK/run.err" &
  pid=$!
  if [[ $gate == poststart ]]; then
    "$INJECTOR_BIN" probe --wait 60s --plan "$PLAN_FILE"  # the hook, started with the container
    t_app=${EPOCHREALTIME/,/.}
  else
    phase=$(awk -v r=$RANDOM 'BEGIN {printf "%.3f", r / 32768}')
    next=$(awk -v a="$t0" -v p="$phase" 'BEGIN {printf "%.6f", a + p}')
    while :; do
      now=${EPOCHREALTIME/,/.}
      sleep "$(awk -v n="$next" -v t="$now" 'BEGIN {d = n - t; printf "%.6f", (d > 0 ? d : 0)}')"
      if "$INJECTOR_BIN" probe --plan "$PLAN_FILE" 2>/dev/null; then break; fi
      next=$(awk -v n="$next" 'BEGIN {printf "%.6f", n + 1}')
      kill -0 $pid 2>/dev/null || { echo "injector exited" >&2; cat "$WORK/run.err" >&2; exit 1; }
    done
    t_app=${EPOCHREALTIME/,/.}
  fi
  marker=$(date -r "$OUT/.memsecret-ready" +%s.%N)
  hwm=$(rss_kib $pid VmHWM)
  kill -TERM $pid
  wait $pid || true
  echo "$(ms_between "$t0" "$marker") $(ms_between "$marker" "$t_app") $hwm"
}

declare -A PEAK=([before]=0 [after]=0)
for lat in "${LATENCIES[@]}"; do
  for n in "${SIZES[@]}"; do
    export MEMSECRET_FAKE_LATENCY_MS=$lat
    start_injector_fakes "$n" 2 300 3600
    for mode in before after; do
      if [[ $mode == before ]]; then conc=1 gate=probe; else conc=8 gate=poststart; fi
      writes=() apps=()
      for ((i = 0; i < RUNS; i++)); do
        read -r w a h < <(one_start $conc $gate)
        writes+=("$w") apps+=("$a")
        ((h > PEAK[$mode])) && PEAK[$mode]=$h
      done
      w=$(echo "${writes[*]}" | median) a=$(echo "${apps[*]}" | median)
      printf '%-9s %2d secrets + 2 tokens  %-6s (concurrency %d, %-9s)  write %8.1f ms  app after write %7.1f ms  (median of %d)\n' \
        "${lat}ms" "$n" "$mode" "$conc" "$gate" "$w" "$a" "$RUNS"
      result "injector.latency_${lat/-/_}ms.${n}s2t.${mode}.first_write" "$w" ms
      result "injector.latency_${lat/-/_}ms.${n}s2t.${mode}.write_to_app" "$a" ms
    done
    for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    BENCH_PIDS=()
  done
done

# Backend calls per pod-hour: the same plan, compressed intervals, WINDOW s each.
export MEMSECRET_FAKE_LATENCY_MS=100
for mode in before after; do
  [[ $mode == before ]] && conc=1 || conc=8
  start_injector_fakes 10 2 10 30 5
  rm -f "$OUT"/* "$OUT"/.memsecret-ready
  MEMSECRET_CONCURRENCY=$conc "$INJECTOR_BIN" run --plan "$PLAN_FILE" >/dev/null 2>>"$WORK/run.err" &
  pid=$!
  sleep "$WINDOW"
  hwm=$(rss_kib $pid VmHWM)
  kill -TERM $pid
  wait $pid || true
  ((hwm > PEAK[$mode])) && PEAK[$mode]=$hwm
  calls=$(curl -fsS "$AWS_URL/_control/stats" | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s.get("GetSecretValue",0) + s.get("AssumeRoleWithWebIdentity",0))')
  mints=$(curl -fsS "$OAUTH_URL/_control/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["mints"])')
  per_hour=$(( (calls + mints) * 3600 / WINDOW ))
  printf '%-6s backend calls in %d s (refresh 10 s, token TTL 30 s): %d AWS + %d mints -> %d per pod-hour at these intervals\n' \
    "$mode" "$WINDOW" "$calls" "$mints" "$per_hour"
  result "injector.latency.${mode}.calls_per_pod_hour_compressed" "$per_hour"
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  BENCH_PIDS=()
done
for mode in before after; do
  printf '%-6s peak RSS (VmHWM, largest of every run above): %s MiB\n' "$mode" "$(kib_to_mib "${PEAK[$mode]}")"
  result "injector.latency.${mode}.peak_rss" "$(kib_to_mib "${PEAK[$mode]}")" MiB
done
