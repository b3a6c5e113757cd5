#!/usr/bin/env bash
# Injector start-up: time from exec to the probe succeeding for a plan of 10
# secrets and 2 OAuth tokens against the loopback fakes (Secrets Manager + STS
# with SigV4 verification, client-credentials token endpoint), measured with
# hyperfine over many runs. Also times `run --once` (the init-container path:
# exec -> every file written -> exit 0) and `probe` alone.
#
# usage: bench/injector_startup.sh [--short] [--runs N]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

RUNS=100
while (($#)); do
  case $1 in
    --short) RUNS=10 ;;
    --runs) RUNS=$2; shift ;;
    *) echo "usage: $0 [--short] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
need hyperfine curl "$PY"
need_binaries "$INJECTOR_BIN"
echo "== injector start-up: exec -> probe succeeds (10 secrets + 2 tokens, loopback fakes) =="
machine
make_workdir
start_injector_fakes 10 2 300 3600

# The plan must work before it is timed.
"$INJECTOR_BIN" run --once --plan "$PLAN_FILE" >/dev/null 2>"$WORK/once.err" || {
  echo "injector run --once failed:" >&2; cat "$WORK/once.err" >&2; exit 1; }
echo "# files: $(ls "$OUT" | wc -l) (+ .memsecret-ready); $RUNS runs each; fakes are Python (SigV4 checked by botocore)"

hf() {  # hf NAME COMMAND...
  local name=$1
  shift
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-json "$WORK/$name.json" "$@" >"$WORK/$name.txt" 2>&1 ||
    { cat "$WORK/$name.txt" >&2; exit 1; }
  "$PY" - "$WORK/$name.json" "$name" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = sorted(r["times"])
p = lambda q: t[min(len(t) - 1, int(q * len(t)))] * 1000
print("%-22s median %7.2f ms  mean %7.2f ms  p90 %7.2f ms  min %7.2f ms  max %7.2f ms  (%d runs)" % (
    sys.argv[2], r["median"] * 1000, r["mean"] * 1000, p(0.9), r["min"] * 1000, r["max"] * 1000, len(t)))
print("RESULT injector.%s.median %.2f ms" % (sys.argv[2], r["median"] * 1000))
PYEOF
}
export BENCH_STARTUP_LOG=$WORK/startup-ms.txt
hf exec_to_probe_hyperfine "bash $BENCH_DIR/lib/start_and_probe.sh $INJECTOR_BIN $PLAN_FILE $OUT"
"$PY" - "$BENCH_STARTUP_LOG" "$RUNS" <<'PYEOF'
import statistics, sys
t = sorted(float(l) for l in open(sys.argv[1]).read().split()[-int(sys.argv[2]):])
print("%-22s median %7.2f ms  mean %7.2f ms  p90 %7.2f ms  min %7.2f ms  max %7.2f ms  (%d runs; exec -> probe exit 0, measured in the script)" % (
    "exec_to_probe", statistics.median(t), statistics.mean(t), t[min(len(t) - 1, int(0.9 * len(t)))], t[0], t[-1], len(t)))
print("RESULT injector.exec_to_probe.median %.2f ms" % statistics.median(t))
PYEOF
hf run_once --prepare "rm -f $OUT/.memsecret-ready" "$INJECTOR_BIN run --once --plan $PLAN_FILE"
hf probe_alone "$INJECTOR_BIN probe --plan $PLAN_FILE"
hf bash_baseline "bash -c true"
# Where the time goes: the injector's own CPU (user+sys of the child, bash
# `times`, ms resolution) against the wall time of a run --once.
for _ in $(seq 15); do
  rm -f "$OUT/.memsecret-ready"
  (
    t0=$EPOCHREALTIME
    "$INJECTOR_BIN" run --once --plan "$PLAN_FILE" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    times >"$WORK/times.txt"  # not in a pipe: a subshell would see no children
    echo "${t0/[.,]/} ${t1/[.,]/} $(tail -1 "$WORK/times.txt")"
  ) >>"$WORK/cpu.txt"
done
"$PY" - "$WORK/cpu.txt" <<'PYEOF'
import re, statistics, sys
def secs(t):  # bash `times`: 0m0.004s
    m = re.match(r"(\d+)m([\d.,]+)s", t)
    return int(m.group(1)) * 60 + float(m.group(2).replace(",", "."))
rows = []
for l in open(sys.argv[1]):
    f = l.split()
    rows.append(((int(f[1]) - int(f[0])) / 1e6, secs(f[2]) + secs(f[3])))
wall = statistics.median(r[0] for r in rows) * 1000
cpu = statistics.median(r[1] for r in rows) * 1000
print("run --once: injector CPU (user+sys) median %.0f ms of %.0f ms wall; "
      "the rest is waiting for the loopback fakes (15 sequential HTTP requests: 1 STS, 10 + 2 GetSecretValue, 2 token mints)" % (cpu, wall))
print("RESULT injector.run_once.cpu %.0f ms" % cpu)
PYEOF
echo "# exec_to_probe includes one bash start (see bash_baseline) and the final probe exec (see probe_alone)"
