#!/usr/bin/env bash
# Micro-benchmark of the pure mutation (Google Benchmark, bench/mutate_bench.cc):
# Mutate() and the whole Admit() (decode + mutate + encode) for pods with 1,
# 10 and 50 containers and 6 memsecret annotations; medians of repetitions.
# usage: bench/mutate_micro.sh [--short]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
REPS=5
MIN_TIME=0.5
[[ ${1:-} == --short ]] && { REPS=1; MIN_TIME=0.1; }
BIN=${MUTATE_BENCH_BIN:-$BUILD_DIR/bench/mutate_bench}
need_binaries "$BIN"
echo "== mutation micro-benchmark (Google Benchmark, $REPS repetition(s)) =="
machine
make_workdir
"$BIN" --benchmark_repetitions="$REPS" --benchmark_min_time="$MIN_TIME" \
  --benchmark_out="$WORK/mb.json" --benchmark_out_format=json >"$WORK/mb.txt" 2>&1 ||
  { cat "$WORK/mb.txt" >&2; exit 1; }
"$PY" - "$WORK/mb.json" <<'PYEOF'
import json, statistics, sys
rows = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") == "iteration":
        rows.setdefault(b["run_name"], []).append(b["cpu_time"])  # microseconds (Unit kMicrosecond)
for name, times in rows.items():
    fn, n = (name.split("/") + ["load-fixture"])[:2]
    label = "%3s containers" % n if n.isdigit() else "webhook_load.sh's review (3 containers)"
    print("%-20s %s: median %8.1f us (min %.1f, %d reps)" % (fn, label, statistics.median(times), min(times), len(times)))
    key = fn.replace("BM_", "").lower() + (".c" + n if n.isdigit() else "")
    print("RESULT %s %.1f us" % (key, statistics.median(times)))
PYEOF
