#!/usr/bin/env bash
# Runs every memsecret benchmark and prints a summary table against the
# targets. On a fresh Debian machine it installs what it needs with apt-get
# (build dependencies, wrk, nginx-light, hyperfine, GNU time, strace, curl,
# python3-botocore), builds Release into build-bench and runs:
#   mutate_micro.sh      Google Benchmark of the pure mutation (1/10/50 containers)
#   webhook_load.sh      memsecret-webhook vs nginx over TLS at 1/16/64 connections
#   injector_startup.sh  exec -> probe success, 10 secrets + 2 tokens (hyperfine)
#   injector_memory.sh   peak/steady RSS over >= 1,000 refresh cycles
#   injector_idle.sh     syscalls per minute with nothing due (strace -c -f)
#   agent_load.sh        the Agent-compatible endpoint: req/s, p50/p99 at 16 connections; RSS off/on
#   api_cost.py          backend calls per pod-hour and fleet cost
#   mass_start.sh        300 init pods at once against quota-enforcing fakes (AWS):
#                        all-ready and p50 readiness against the quota limit, calls
#                        accepted and throttled per kind
# Benchmarks print figures; they do not assert targets. Exit status: 0 when
# every benchmark ran, 1 when one failed, 77 when one was skipped (a tool or
# binary missing and --no-install given).
#
# usage: bench/run_all.sh [--short] [--no-install] [--build-dir DIR] [--log-dir DIR]
#   --short       CI mode: every benchmark briefly (< 2 minutes in all)
#   --no-install  never call apt-get (missing tools skip their benchmark)
#   --build-dir   use the binaries of an existing build instead of building
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
SHORT=
INSTALL=1
BUILD_DIR=
LOG_DIR=
while (($#)); do
  case $1 in
    --short) SHORT=--short ;;
    --no-install) INSTALL= ;;
    --build-dir) BUILD_DIR=$(cd "$2" && pwd); shift ;;
    --log-dir) LOG_DIR=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--short] [--no-install] [--build-dir DIR] [--log-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done
START=$SECONDS

# --- tools from Debian ---------------------------------------------------
if [[ -n $INSTALL ]]; then
  pkgs=(wrk hyperfine time strace curl openssl python3 python3-botocore procps)
  command -v nginx >/dev/null 2>&1 || pkgs+=(nginx-light)
  if [[ -z $BUILD_DIR ]]; then
    pkgs+=(cmake ninja-build g++ pkg-config libcpp-httplib-dev libssl-dev nlohmann-json3-dev
           libyaml-cpp-dev libspdlog-dev libbenchmark-dev)
  fi
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    SUDO=
    [[ $(id -u) == 0 ]] || SUDO="sudo -n"
    echo "run_all: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
      echo "run_all: apt-get failed; benchmarks needing those tools will be skipped" >&2
  fi
fi

# --- Release build ---------------------------------------------------------
if [[ -z $BUILD_DIR ]]; then
  BUILD_DIR=$REPO_DIR/build-bench
  echo "run_all: building Release into $BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  cmake -S "$REPO_DIR" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMSECRET_BUILD_TESTS=OFF \
    -DMEMSECRET_BUILD_BENCH=ON >"$BUILD_DIR/bench-build.log" 2>&1 &&
    ninja -C "$BUILD_DIR" memsecret-webhook memsecret-injector mutate_bench >>"$BUILD_DIR/bench-build.log" 2>&1 ||
    { echo "run_all: build failed (log: $BUILD_DIR/bench-build.log)" >&2; tail -20 "$BUILD_DIR/bench-build.log" >&2; exit 1; }
fi
export MEMSECRET_BENCH_BUILD_DIR=$BUILD_DIR
[[ -n $LOG_DIR ]] || LOG_DIR=$BUILD_DIR/bench-results/$(date -u +%Y%m%dT%H%M%SZ)${SHORT:+-short}
mkdir -p "$LOG_DIR"

source "$BENCH_DIR/lib/common.sh"
echo "== memsecret benchmarks${SHORT:+ (short mode: figures are indicative only)} =="
machine
echo "# build: $BUILD_DIR ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null))"
echo "# logs: $LOG_DIR"

STATUS=0
declare -A RAN
for b in mutate_micro.sh webhook_load.sh injector_startup.sh injector_memory.sh injector_idle.sh agent_load.sh api_cost.py mass_start.sh; do
  echo
  [[ -z $SHORT ]] && settle 30  # figures from a quiet machine, not the previous benchmark's tail
  t0=$SECONDS
  "$BENCH_DIR/$b" $SHORT 2>&1 | tee "$LOG_DIR/${b%.*}.log"
  rc=${PIPESTATUS[0]}
  case $rc in
    0) RAN[$b]="ok ($((SECONDS - t0)) s)" ;;
    77) RAN[$b]="SKIPPED"; ((STATUS == 0)) && STATUS=77 ;;
    *) RAN[$b]="FAILED (exit $rc)"; STATUS=1 ;;
  esac
done

cat "$LOG_DIR"/*.log | sed -n 's/^RESULT //p' >"$LOG_DIR/results.txt"
echo
echo "== summary ($(basename "$LOG_DIR")) =="
machine | sed -n 1p
"$PY" - "$LOG_DIR/results.txt" <<'PYEOF'
import sys
r = {}
for line in open(sys.argv[1]):
    parts = line.split(None, 2)
    if len(parts) >= 2:
        r[parts[0]] = (parts[1], parts[2].strip() if len(parts) > 2 else "")

def num(k):
    try:
        return float(r[k][0])
    except (KeyError, ValueError):
        return None

rows = [  # (figure, key, unit, target text, predicate)
    ("mutation, 10 containers", "mutate.c10", "us", "<= 50 us", lambda v: v <= 50),
    ("mutation, 1 / 50 containers", ("mutate.c1", "mutate.c50"), "us", "-", None),
    ("Admit (decode+mutate+encode), 10 containers", "admit.c10", "us", "-", None),
]
for c in (1, 16, 64):
    rows += [
        ("webhook req/s, %d conn (nginx)" % c, ("webhook.c%d.rps" % c, "nginx.c%d.rps" % c), "req/s", "-", None),
        ("webhook/nginx ratio, %d conn" % c, "ratio.c%d" % c, "", ">= 0.7" if c > 1 else "-",
         (lambda v: v >= 0.7) if c > 1 else None),
        ("webhook p50 / p99, %d conn" % c, ("webhook.c%d.p50" % c, "webhook.c%d.p99" % c), "ms",
         "p99 <= 5 ms" if c == 64 else "-", None),
        ("nginx p50 / p99, %d conn" % c, ("nginx.c%d.p50" % c, "nginx.c%d.p99" % c), "ms", "-", None),
        ("webhook errors, %d conn" % c, "webhook.c%d.errors" % c, "", "0", lambda v: v == 0),
    ]
rows += [
    ("webhook peak RSS", "webhook.rss_peak", "MiB", "<= 30 MiB", lambda v: v <= 30),
    ("injector exec -> probe ok (median)", "injector.exec_to_probe.median", "ms", "<= 30 ms", lambda v: v <= 30),
    ("injector run --once (median)", "injector.run_once.median", "ms", "-", None),
    ("injector refresh cycles measured", "injector.cycles", "", ">= 1000 (full mode)", None),
    ("injector peak RSS", "injector.rss_peak", "MiB", "<= 8 MiB", lambda v: v <= 8),
    ("injector steady RSS", "injector.rss_steady", "MiB", "-", None),
    ("injector RSS growth (first->last 20%)", "injector.rss_growth", "KiB", "none", lambda v: v <= 64),
    ("injector idle syscalls", "injector.idle_syscalls_per_min", "/min", "a handful", lambda v: v <= 10),
    ("Agent endpoint req/s, 16 conn", "agent.c16.rps", "req/s", "-", None),
    ("Agent endpoint p50 / p99, 16 conn", ("agent.c16.p50", "agent.c16.p99"), "ms", "p99 < 5 ms", None),
    ("Agent endpoint errors, 16 conn", "agent.c16.errors", "", "0", lambda v: v == 0),
    ("injector peak RSS, endpoint off / on", ("injector.agent_off.rss_peak", "injector.agent_on.rss_peak"), "MiB", "-", None),
    ("GetSecretValue / pod-hour (example pod)", "api.memsecret_example.calls_per_pod_hour", "", "-", None),
    ("500 pods / month, memsecret vs naive", ("api.memsecret_example.usd_per_month", "api.naive_example.usd_per_month"), "USD", "-", None),
    ("mass start: all ready / quota limit", ("mass.aws.all_ready", "mass.aws.limit"), "s", "<= 1.25x", None),
    ("mass start: all ready, p50 (x the limit)", ("mass.aws.all_ready_ratio", "mass.aws.p50_ratio"), "", "<= 1.25 / 0.6",
     lambda v: v <= 1.25),
    ("mass start: SM accepted / throttled", ("mass.aws.secretsmanager.accepted", "mass.aws.secretsmanager.throttled"), "", "-", None),
    ("mass start: STS accepted / throttled", ("mass.aws.sts.accepted", "mass.aws.sts.throttled"), "", "throttled <= accepted", None),
    ("mass start: failed pods", "mass.aws.failed", "", "0", lambda v: v == 0),
]
print("%-44s %-22s %-20s %s" % ("figure", "measured", "target", "met"))
print("-" * 94)
wh_p99 = num("webhook.c64.p99")
for name, key, unit, target, ok in rows:
    keys = key if isinstance(key, tuple) else (key,)
    vals = [r.get(k, ("n/a",))[0] for k in keys]
    shown = " / ".join(vals) + (" " + unit if unit and all(v != "n/a" for v in vals) else "")
    met = ""
    if ok is not None and num(keys[0]) is not None:
        met = "yes" if ok(num(keys[0])) else "NO"
    if name.startswith("webhook p50 / p99, 64") and wh_p99 is not None:
        met = "yes" if wh_p99 <= 5 else "NO"
    print("%-44s %-22s %-20s %s" % (name, shown, target, met))
PYEOF
echo
for b in mutate_micro.sh webhook_load.sh injector_startup.sh injector_memory.sh injector_idle.sh agent_load.sh api_cost.py mass_start.sh; do
  printf '%-22s %s\n' "$b" "${RAN[$b]:-not run}"
done
echo "run_all: $((SECONDS - START)) s${SHORT:+ (short mode)}; exit $STATUS"
exit $STATUS
