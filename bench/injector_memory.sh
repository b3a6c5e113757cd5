#!/usr/bin/env bash
# Injector memory: peak and steady RSS of the sidecar over many refresh
# cycles. Plan: 10 secrets + 2 OAuth tokens against the loopback fakes, driven
# fast through the plan's own settings (no bench-only knob): secrets re-read
# every 1 s (refreshIntervalSeconds: 1), tokens issued with a 2 s TTL and
# minted again 1 s later (tokenMinRemainingSeconds: 1), and every secret
# rotated to a new version every 2 s so files are really re-rendered and
# rewritten. A "cycle" is one refresh of one file (fetch or mint, render,
# compare, atomic write when changed, audit line). Peak RSS from GNU time
# (ru_maxrss) and /proc VmHWM; steady RSS and growth from /proc/PID/status
# VmRSS sampled every 200 ms. With --metrics the plan turns the metrics
# endpoint on and /metrics is scraped every second during the run.
#
# usage: bench/injector_memory.sh [--short] [--cycles N] [--metrics]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

CYCLES=1000
while (($#)); do
  case $1 in
    --short) CYCLES=60 ;;
    --cycles) CYCLES=$2; shift ;;
    --metrics) METRICS_PORT=$(free_port) ;;
    *) echo "usage: $0 [--short] [--cycles N] [--metrics]" >&2; exit 2 ;;
  esac
  shift
done
need curl "$PY"
[[ -x /usr/bin/time ]] || need gnu-time
need_binaries "$INJECTOR_BIN"
echo "== injector memory: RSS over $CYCLES refresh cycles (10 secrets + 2 tokens, 1 s interval, 2 s token TTL${METRICS_PORT:+, metrics scraped every 1 s}) =="
machine
make_workdir
start_injector_fakes 10 2 1 2 1
AUDIT=$WORK/audit.jsonl
/usr/bin/time -f '%M' -o "$WORK/time.txt" "$INJECTOR_BIN" run --plan "$PLAN_FILE" >"$AUDIT" 2> >(cat >/dev/null) &
TIME_PID=$!
BENCH_PIDS+=("$TIME_PID")
INJ_PID=
for _ in $(seq 500); do
  INJ_PID=$(pgrep -f -x "$INJECTOR_BIN run --plan $PLAN_FILE" || true)
  [[ -n $INJ_PID ]] && break
  sleep 0.01
done
BENCH_PIDS+=("$INJ_PID")
wait_ready "$PLAN_FILE" "$INJ_PID"
T0=$SECONDS
(  # rotation: a new version of every secret every 2 s
  while sleep 2; do
    "$PY" "$BENCH_DIR/lib/injector_plan.py" "$AWS_URL" x "$OUT" "$WORK/web-identity-token" --secrets 10 --rotate || exit 0
  done
) &
BENCH_PIDS+=($!)
if [[ -n ${METRICS_PORT:-} ]]; then
  (  # Prometheus, scraping every second
    while sleep 1; do
      curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" >>"$WORK/scrapes.txt" || echo SCRAPE-FAILED >>"$WORK/scrapes.txt"
    done
  ) &
  BENCH_PIDS+=($!)
fi

SAMPLES=$WORK/samples.txt
: >"$SAMPLES"
deadline=$((SECONDS + CYCLES / 4 + 60))
while :; do
  cycles=$(wc -l <"$AUDIT")
  rss=$(rss_kib "$INJ_PID" VmRSS)
  [[ -n $rss ]] || { echo "injector exited" >&2; exit 1; }
  echo "$((SECONDS - T0)) $cycles $rss $(rss_kib "$INJ_PID" RssAnon)" >>"$SAMPLES"
  ((cycles >= CYCLES + 12)) && break
  ((SECONDS < deadline)) || { echo "only $cycles cycles before the deadline" >&2; break; }
  sleep 0.2
done
HWM=$(rss_kib "$INJ_PID" VmHWM)
PSS=$(awk '/^Pss:/ {print $2}' "/proc/$INJ_PID/smaps_rollup" 2>/dev/null || echo 0)
FILE_RSS=$(rss_kib "$INJ_PID" RssFile)
# The same binary doing nothing (probe: parse the plan, stat one file): the
# part of RSS that is the mapped shared libraries, not the sidecar's work.
/usr/bin/time -f '%M' -o "$WORK/probe-time.txt" "$INJECTOR_BIN" probe --plan "$PLAN_FILE" >/dev/null 2>&1 || true
PROBE_RSS=$(tail -1 "$WORK/probe-time.txt")
THREADS=$(awk '/^Threads:/ {print $2}' "/proc/$INJ_PID/status")
kill -TERM "$INJ_PID"
wait "$TIME_PID" || true
GNU_MAX=$(tail -1 "$WORK/time.txt")
SUFFIX=${METRICS_PORT:+_metrics}
if [[ -n ${METRICS_PORT:-} ]]; then
  ok=$(grep -c '^# TYPE memsecret_injector_version_age_seconds' "$WORK/scrapes.txt" || true)
  failed=$(grep -c '^SCRAPE-FAILED' "$WORK/scrapes.txt" || true)
  echo "metrics: $ok scrapes answered, $failed failed"
fi
"$PY" - "$SAMPLES" "$AUDIT" "$GNU_MAX" "$HWM" "$THREADS" "${PSS:-0}" "${FILE_RSS:-0}" "${PROBE_RSS:-0}" <<'PYEOF' |
import json, statistics, sys
samples = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
pss, file_rss, probe_rss = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
anon_peak = max(s[3] for s in samples)
audit = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
gnu_max, hwm, threads = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
outcomes = {}
for a in audit:
    k = (a.get("kind"), a.get("outcome"))
    outcomes[k] = outcomes.get(k, 0) + 1
cycles = len(audit)
secs = samples[-1][0] - samples[0][0] or 1
n = len(samples)
first = [s[2] for s in samples if s[1] <= max(cycles * 0.2, samples[0][1] + 1)]
last = [s[2] for s in samples[int(n * 0.8):]]
early, late = statistics.median(first), statistics.median(last)
second = samples[n // 2:]
if len(second) > 2 and second[-1][1] != second[0][1]:
    xs, ys = [s[1] for s in second], [s[2] for s in second]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sum((x - mx) ** 2 for x in xs) or 1)
else:
    slope = 0.0
print("cycles: %d in ~%d s (%s)" % (cycles, secs, ", ".join("%s %s: %d" % (k[0], k[1], v) for k, v in sorted(outcomes.items()))))
print("RSS: peak %.2f MiB (GNU time %d KiB, VmHWM %d KiB); steady %.2f MiB (median of the last 20%% of samples)" % (
    max(gnu_max, hwm) / 1024, gnu_max, hwm, late / 1024))
print("growth: first 20%% of cycles %.2f MiB -> last 20%% %.2f MiB (%+d KiB); slope over the second half %+.1f KiB per 1000 cycles; %s threads" % (
    early / 1024, late / 1024, late - early, slope * 1000, threads))
print("breakdown: anonymous (private heap/stacks) peak %.2f MiB; file-backed shared library pages %.2f MiB; PSS %.2f MiB; "
      "the same binary doing nothing (probe) peaks at %.2f MiB" % (anon_peak / 1024, file_rss / 1024, pss / 1024, probe_rss / 1024))
print("RESULT injector.cycles %d" % cycles)
print("RESULT injector.rss_anon_peak %.2f MiB" % (anon_peak / 1024))
print("RESULT injector.pss %.2f MiB" % (pss / 1024))
print("RESULT injector.probe_rss %.2f MiB" % (probe_rss / 1024))
print("RESULT injector.rss_peak %.2f MiB" % (max(gnu_max, hwm) / 1024))
print("RESULT injector.rss_steady %.2f MiB" % (late / 1024))
print("RESULT injector.rss_growth %+d KiB" % (late - early))
print("RESULT injector.rss_slope %+.1f KiB/1000-cycles" % (slope * 1000))
errors = sum(v for k, v in outcomes.items() if k[1] == "error")
print("RESULT injector.refresh_errors %d" % errors)
PYEOF
  sed "s/^RESULT injector\.\([a-z_]*\)/RESULT injector.\1$SUFFIX/"
