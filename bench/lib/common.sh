# shellcheck shell=bash
# Shared helpers for the bench/ scripts (sourced, not run).
# Every script prints human-readable lines and machine-readable ones:
#   RESULT <key> <value> [<unit>]
# run_all.sh collects the RESULT lines into its summary table.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
BUILD_DIR=${MEMSECRET_BENCH_BUILD_DIR:-$REPO_DIR/build-bench}
WEBHOOK_BIN=${WEBHOOK_BIN:-$BUILD_DIR/webhook/memsecret-webhook}
INJECTOR_BIN=${INJECTOR_BIN:-$BUILD_DIR/injector/memsecret-injector}
FAKE_AWS=$REPO_DIR/tests/fakes/fake_aws.py
FAKE_OAUTH=$BENCH_DIR/lib/fake_oauth.py
PY=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

result() {  # result KEY VALUE [UNIT]
  printf 'RESULT %s %s %s\n' "$1" "$2" "${3:-}"
}

machine() {  # one-line description of the machine and its current load
  local cpu mem
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
  printf '# machine: %s x %s, %s RAM, kernel %s\n' "$(nproc)" "${cpu:-unknown CPU}" "$mem" "$(uname -r)"
  printf '# load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '# date: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

cpu_idle_percent() {  # idle share of all CPUs over the next second (from /proc/stat)
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 1
  read -r -a b < <(head -1 /proc/stat)
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(( total > 0 ? 100 * (b[4] - a[4] + b[5] - a[5]) / total : 100 ))
}

settle() {  # settle [MAX_SECONDS]: wait until the CPUs are >= 90 % idle (the previous benchmark's tail)
  local max=${1:-30} waited=0 idle
  idle=$(cpu_idle_percent)
  while ((idle < 90 && waited < max)); do
    idle=$(cpu_idle_percent)
    waited=$((waited + 1))
  done
  printf '# CPUs %s %% idle before this benchmark (waited %s s)\n' "$idle" "$waited"
}

need() {  # need TOOL... : exits 77 (skipped) naming the missing tools
  local missing=()
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  if ((${#missing[@]})); then
    echo "SKIPPED: missing tools: ${missing[*]} (bench/run_all.sh installs them with apt-get)" >&2
    exit 77
  fi
}

need_binaries() {
  for b in "$@"; do
    if [[ ! -x $b ]]; then
      echo "SKIPPED: $b not built (bench/run_all.sh builds Release into build-bench)" >&2
      exit 77
    fi
  done
}

# A temp dir on tmpfs (the injector writes to tmpfs in a pod: /dev/shm is one
# without needing root); removed on exit together with every process started
# through `bg`.
BENCH_PIDS=()
make_workdir() {
  local base=/dev/shm
  [[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
  WORK=$(mktemp -d "$base/memsecret-bench.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}
cleanup() {
  local rc=$? p
  set +e
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  [[ -n ${WORK:-} && -d $WORK ]] && rm -rf "$WORK"
  exit "$rc"
}

# start_fake SCRIPT VAR [ARGS]: starts a loopback fake that prints "PORT n",
# sets VAR to http://127.0.0.1:n.
start_fake() {
  local script=$1 var=$2 fifo port
  shift 2
  fifo=$WORK/.fifo.$RANDOM
  mkfifo "$fifo"
  "$PY" "$script" "$@" >"$fifo" &
  BENCH_PIDS+=($!)
  read -r _ port <"$fifo"
  rm -f "$fifo"
  printf -v "$var" 'http://127.0.0.1:%s' "$port"
}

control() {  # control URL JSON
  curl -fsS -X POST --data-binary "$2" "$1/_control" >/dev/null
}

# rss_kib PID FIELD (VmRSS or VmHWM)
rss_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null; }

kib_to_mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }

# start_injector_fakes SECRETS TOKENS REFRESH_S TOKEN_TTL_S [TOKEN_MIN_REMAINING_S]
# Starts the AWS fake (Secrets Manager + STS, SigV4 verified by botocore) and
# the OAuth token endpoint on loopback, seeds SECRETS secrets and the client
# credentials, writes the plan to $PLAN_FILE (output dir $OUT on tmpfs) and
# exports the injector's environment. With METRICS_PORT set (free_port), the
# plan turns the injector's metrics endpoint on at that port.
start_injector_fakes() {
  local client_secret
  client_secret=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  printf 'eyJhbGciOiJSUzI1NiJ9.BENCH-WEB-IDENTITY.sig' >"$WORK/web-identity-token"
  start_fake "$FAKE_AWS" AWS_URL
  start_fake "$FAKE_OAUTH" OAUTH_URL bench-client "$client_secret" "$4"
  OUT=$WORK/out
  mkdir -p "$OUT"
  PLAN_FILE=$WORK/plan.json
  "$PY" "$BENCH_DIR/lib/injector_plan.py" "$AWS_URL" "$OAUTH_URL/token" "$OUT" "$WORK/web-identity-token" \
    --secrets "$1" --tokens "$2" --refresh "$3" --token-min-remaining "${5:-60}" \
    --client-secret="$client_secret" --metrics-port "${METRICS_PORT:-0}" >"$PLAN_FILE"
  unset AWS_ENDPOINT_URL_SECRETS_MANAGER AWS_ENDPOINT_URL_STS AWS_PROFILE AWS_ACCESS_KEY_ID \
    AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN MEMSECRET_PLAN
  export AWS_ENDPOINT_URL=$AWS_URL MEMSECRET_POD_NAME=bench-pod-7d9f8b6c5-x2x4q
}

# free_port: a TCP port free on loopback right now.
free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready PLAN PID [TIMEOUT_S]: polls `probe` until the first write is done.
wait_ready() {
  local deadline=$((SECONDS + ${3:-30}))
  until "$INJECTOR_BIN" probe --plan "$1" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "injector exited before it was ready" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "injector not ready after ${3:-30}s" >&2; return 1; }
    sleep 0.01
  done
}
