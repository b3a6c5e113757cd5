#!/usr/bin/env bash
# The injector's endpoint compatible with the AWS Secrets Manager Agent
# (agent-port): requests/s and latency (p50/p99) of cache hits at 16
# keep-alive connections (bench/lib/agent_client.py, one process per
# connection), against the Agent's stated target of < 5 ms per cache hit; and
# the sidecar's peak RSS with the endpoint off and on (same plan: 10 secrets
# re-read every 5 s from the loopback AWS fake; "on" under that load). Prints
# figures; asserts only that every answer was a 200 with the secret.
#
# usage: bench/agent_load.sh [--short] [--duration SECONDS] [--connections N]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

DURATION=10
CONNS=16
while (($#)); do
  case $1 in
    --short) DURATION=2 ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    *) echo "usage: $0 [--short] [--duration S] [--connections N]" >&2; exit 2 ;;
  esac
  shift
done
need curl "$PY"
need_binaries "$INJECTOR_BIN"
echo "== injector Agent endpoint: cache hits at $CONNS connections for ${DURATION}s; peak RSS off vs on =="
machine
make_workdir
start_injector_fakes 10 0 5 60

# run_injector PLAN: starts the sidecar, waits for its first write; sets INJ_PID.
run_injector() {
  "$INJECTOR_BIN" run --plan "$1" >/dev/null 2> >(cat >/dev/null) &
  INJ_PID=$!
  BENCH_PIDS+=("$INJ_PID")
  wait_ready "$1" "$INJ_PID"
}
stop_injector() {
  kill -TERM "$INJ_PID"
  wait "$INJ_PID" 2>/dev/null || true
}

# --- off: the same plan without agentPort, for the same time -------------
run_injector "$PLAN_FILE"
sleep "$DURATION"
OFF_KIB=$(rss_kib "$INJ_PID" VmHWM)
stop_injector

# --- on: agentPort set, under load ----------------------------------------
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PLAN_ON=$WORK/plan-agent.json
"$PY" -c 'import json,sys; p=json.load(open(sys.argv[1])); p["agentPort"]=int(sys.argv[2]); print(json.dumps(p))' \
  "$PLAN_FILE" "$PORT" >"$PLAN_ON"
run_injector "$PLAN_ON"
IDLE_ON_KIB=$(rss_kib "$INJ_PID" VmHWM)
"$PY" "$BENCH_DIR/lib/agent_client.py" "$PORT" "$OUT/.agent-token" /bench/app/secret-03 agent.c$CONNS \
  --connections "$CONNS" --duration "$DURATION" | tee "$WORK/client.txt"
ON_KIB=$(rss_kib "$INJ_PID" VmHWM)
stop_injector

echo "injector peak RSS: endpoint off $(kib_to_mib "$OFF_KIB") MiB; on $(kib_to_mib "$IDLE_ON_KIB") MiB before load, $(kib_to_mib "$ON_KIB") MiB after ${DURATION}s at $CONNS connections"
result injector.agent_off.rss_peak "$(kib_to_mib "$OFF_KIB")" MiB
result injector.agent_on.rss_peak "$(kib_to_mib "$ON_KIB")" MiB
echo "# target (the Agent's): < 5 ms per cache hit"
ERRORS=$(sed -n "s/^RESULT agent.c$CONNS.errors //p" "$WORK/client.txt")
[[ $ERRORS == 0 ]] || { echo "endpoint answered $ERRORS requests with an error" >&2; exit 1; }
