#!/usr/bin/env bash
# Mass start against rate-limited backends: N real injector processes (init
# lifecycle, run --once) started together (or in --max-surge waves) against
# loopback fakes that enforce quotas and answer the excess as the services do
# (Secrets Manager ThrottlingException / STS Throttling, Vault 429 with
# Retry-After, token endpoint 429). Prints all-ready time against the quota
# limit (calls needed / allowed rate), p50/p90/p99 pod readiness, accepted and
# throttled calls per kind and failed pods (bench/lib/mass_start.py).
#
# usage: bench/mass_start.sh [--short] [--backend aws|vault|token|all] [--pods N]
#          [--secrets N] [--rate R] [--sts-rate R] [--max-surge K] [--runs N]
# Heavy: 300 processes by default; run it on an otherwise quiet machine.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BACKENDS=(aws)
RUNS=1
ARGS=()
while (($#)); do
  case $1 in
    --short) ARGS+=(--pods 40 --rate 40 --sts-rate 20) ;;
    --backend) if [[ $2 == all ]]; then BACKENDS=(aws vault token); else BACKENDS=("$2"); fi; shift ;;
    --runs) RUNS=$2; shift ;;
    --pods | --secrets | --rate | --sts-rate | --max-surge) ARGS+=("$1" "$2"); shift ;;
    *) echo "usage: $0 [--short] [--backend aws|vault|token|all] [--pods N] [--secrets N] [--rate R] [--sts-rate R] [--max-surge K] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
need "$PY"
need_binaries "$INJECTOR_BIN"
echo "== mass start: injector processes against quota-enforcing loopback fakes =="
machine
rc=0
for backend in "${BACKENDS[@]}"; do
  for run in $(seq "$RUNS"); do
    "$PY" "$BENCH_DIR/lib/mass_start.py" --injector "$INJECTOR_BIN" --backend "$backend" \
      --label "$backend" "${ARGS[@]}" || rc=1
    ((run < RUNS)) && sleep 2
  done
done
exit "$rc"
