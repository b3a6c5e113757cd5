#!/usr/bin/env bash
# The local try-out of docs/try-out.md: starts the loopback fakes the tests use —
# AWS Secrets Manager (tests/fakes/fake_aws.py), Vault (vault_fake.py) and the
# Genesys Cloud / NICE CXone token endpoints (oauth_fake.py) —, seeds them with
# example secrets and client credentials (random on every run, never printed),
# writes $TRY/env.sh (the variables that point memsecret at the fakes), the key
# file and a sidecar plan, prints the commands to paste into a second terminal,
# and waits. Ctrl-C (or SIGTERM) stops the fakes and removes $TRY.
#   scripts/try-out.sh [--build-dir DIR]      (default: build/, as scripts/build.sh makes it)
# $TRY is /dev/shm/memsecret-try-out (a memory filesystem), or MEMSECRET_TRYOUT_DIR.
# The commands it prints are the block between the markers in docs/try-out.md;
# the try_out test runs them and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=build
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || { echo "try-out.sh: --build-dir needs a directory" >&2; exit 2; }
                 BUILD_DIR=$2; shift 2 ;;
    --build-dir=*) BUILD_DIR=${1#--build-dir=}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "try-out.sh: unknown argument $1 (usage: scripts/try-out.sh [--build-dir DIR])" >&2; exit 2 ;;
  esac
done
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
INJECTOR=$BUILD_DIR/injector/memsecret-injector
if [ ! -x "$INJECTOR" ] || [ ! -x "$BUILD_DIR/injector/memsecret" ]; then
  echo "try-out.sh: no injector in $BUILD_DIR/injector: build first (BUILD_DIR=build scripts/build.sh)" >&2
  exit 2
fi
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "try-out.sh: $tool is needed (scripts/setup.sh installs it)" >&2; exit 2; }
done
python3 -c 'import botocore' 2>/dev/null ||
  { echo "try-out.sh: python3-botocore is needed (scripts/setup.sh installs it)" >&2; exit 2; }

TRY=${MEMSECRET_TRYOUT_DIR:-/dev/shm/memsecret-try-out}
if [ -e "$TRY" ]; then
  echo "try-out.sh: $TRY exists: another try-out is running, or remove it (rm -rf $TRY)" >&2
  exit 2
fi
mkdir -m 0700 -p "$TRY" "$TRY/secrets"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TRY"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# start_fake NAME SCRIPT [ARGS...]: starts a fake, waits for its "PORT <n>" line,
# sets the variable NAME to its base URL.
# The port file is made before the fake starts: a background job's redirections
# happen in the child, which may not have run yet when the loop first reads it.
start_fake() {
  local name=$1; shift
  : > "$TRY/$name.port"
  python3 "$@" > "$TRY/$name.port" 2> "$TRY/$name.log" &
  PIDS+=($!)
  local pid=$! port=""
  for _ in $(seq 300); do
    port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$TRY/$name.port")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "try-out.sh: $1 exited:" >&2; cat "$TRY/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "try-out.sh: $1 did not start" >&2; exit 1; }
  printf -v "$name" 'http://127.0.0.1:%s' "$port"
}

# control URL JSON: one command to a fake's /_control endpoint.
control() {
  python3 - "$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/_control", data=sys.argv[2].encode(), method="POST",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=10).read()
PY
}

# plan_ports N: N distinct free TCP ports for the sidecar plan. The injector binds
# them only when step 5 runs, so they come from outside the kernel's ephemeral
# range (net.ipv4.ip_local_port_range, minus ip_local_reserved_ports): a port in
# it may meanwhile go to any program's port-0 listener or outgoing connection.
# Each is checked free on every IPv4 address. Only where that range leaves no
# free port does the kernel pick one (and then another program may take it).
plan_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys

def reserved():
    try:
        text = open("/proc/sys/net/ipv4/ip_local_reserved_ports").read().strip()
    except OSError:
        return set()
    out = set()
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out

def free(port):
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False

try:
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except OSError:
    lo, hi = 32768, 60999  # the Linux default
skip = reserved()
candidates = [p for p in list(range(1024, lo)) + list(range(hi + 1, 65536)) if p not in skip]
random.shuffle(candidates)
ports = []
for port in candidates:
    if len(ports) == int(sys.argv[1]):
        break
    if free(port):
        ports.append(port)
if len(ports) < int(sys.argv[1]):
    print("try-out.sh: no free port outside the ephemeral range %d-%d; the kernel picks the sidecar's"
          % (lo, hi), file=sys.stderr)
while len(ports) < int(sys.argv[1]):
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        if s.getsockname()[1] not in ports:
            ports.append(s.getsockname()[1])
print(" ".join(map(str, ports)))
PY
}
random() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }

# Example credentials: random per run, so nothing here is a real secret, and
# never printed (the commands below show names, lengths and modes only).
GENESYS_ID=try-out-genesys-client GENESYS_SECRET=$(random)
CXONE_KEY=try-out-cxone-key-$(random | cut -c1-8) CXONE_SECRET=$(random)
AWS_KEY_ID=AKIATRYOUT$(random | cut -c1-10 | tr a-f A-F) AWS_KEY_SECRET=$(random)
VAULT_TOKEN_VALUE=hvs.try-out-$(random)

start_fake AWS_URL "$ROOT/tests/fakes/fake_aws.py"
start_fake VAULT_URL "$ROOT/tests/fakes/vault_fake.py"
start_fake OAUTH_URL "$ROOT/tests/fakes/oauth_fake.py" --genesys "$GENESYS_ID:$GENESYS_SECRET" \
  --cxone "$CXONE_KEY:$CXONE_SECRET" --expires-in 300

control "$AWS_URL" "{\"op\":\"static_key\",\"akid\":\"$AWS_KEY_ID\",\"secret\":\"$AWS_KEY_SECRET\"}"
control "$AWS_URL" "$(python3 -c '
import json, secrets, sys
print(json.dumps({"op": "put_secret", "name": "/genesys/try-out/crm-sync-service/crm",
                  "string": json.dumps({"apiKey": "crm-" + secrets.token_hex(12), "baseUrl": "https://crm.example.com"})}))')"
control "$AWS_URL" "$(python3 -c '
import json, sys
print(json.dumps({"op": "put_secret", "name": "/genesys/try-out/crm-sync-service/oauth-client",
                  "string": json.dumps({"clientId": sys.argv[1], "clientSecret": sys.argv[2], "region": "eu_west_1"})}))' \
  "$GENESYS_ID" "$GENESYS_SECRET")"
control "$VAULT_URL" '{"op":"mount","path":"secret","version":2}'
control "$VAULT_URL" "$(python3 -c '
import json, sys
print(json.dumps({"op": "kv_put", "mount": "secret", "path": "cxone/try-out/pipeline",
                  "data": {"accessKeyId": sys.argv[1], "accessKeySecret": sys.argv[2]}}))' "$CXONE_KEY" "$CXONE_SECRET")"
control "$VAULT_URL" "{\"op\":\"token\",\"token\":\"$VAULT_TOKEN_VALUE\",\"ttl\":86400,\"paths\":[\"\"]}"

PORTS=$(plan_ports 2)
read -r AGENT_PORT METRICS_PORT <<< "$PORTS"

# The binaries on PATH under the names the docs use.
mkdir "$TRY/bin"
ln -s "$INJECTOR" "$TRY/bin/memsecret-injector"
ln -s "$INJECTOR" "$TRY/bin/memsecret"
[ -x "$BUILD_DIR/webhook/memsecret-webhook" ] && ln -s "$BUILD_DIR/webhook/memsecret-webhook" "$TRY/bin/memsecret-webhook"

cat > "$TRY/env.sh" <<EOF
# memsecret try-out: source this in the shell you paste the commands into.
export TRY=$TRY
export PATH=$TRY/bin:\$PATH
# AWS Secrets Manager: the fake, with static keys it accepts (region us-east-1)
export AWS_ENDPOINT_URL=$AWS_URL AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$AWS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_KEY_SECRET
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
# Vault: the fake, token auth
export VAULT_ADDR=$VAULT_URL VAULT_TOKEN=$VAULT_TOKEN_VALUE
unset VAULT_NAMESPACE MEMSECRET_VAULT_JWT_FILE
# Genesys Cloud and NICE CXone token endpoints: the fake
export MEMSECRET_GENESYS_LOGIN_URL=$OAUTH_URL MEMSECRET_CXONE_AUTH_URL=$OAUTH_URL
# the sidecar's Agent endpoint and metrics ports
export AGENT_PORT=$AGENT_PORT METRICS_PORT=$METRICS_PORT
EOF

cat > "$TRY/pipeline.yaml" <<'EOF'
# Keys as in pod annotations, without the memsecret.io/ prefix (docs/pipelines.md).
token-genesys: aws:/genesys/try-out/crm-sync-service/oauth-client   # {clientId, clientSecret, region}
issuer-genesys: genesys
token-cxone: vault:secret/cxone/try-out/pipeline                     # {accessKeyId, accessKeySecret}
issuer-cxone: cxone:eu1
secret-cxone-key: vault:secret/cxone/try-out/pipeline#accessKeyId
EOF

# The plan the webhook would write for a pod with these annotations
# (docs/injector.md "The plan"): a secret field, a Genesys token, the Agent
# endpoint and metrics.
cat > "$TRY/sidecar-plan.json" <<EOF
{"version": 1,
 "pod": {"name": "try-out", "namespace": "crm-sync", "serviceAccount": "crm-sync-service"},
 "lifecycle": "sidecar", "outputDir": "$TRY/secrets", "refreshIntervalSeconds": 60,
 "agentPort": $AGENT_PORT, "metricsPort": $METRICS_PORT,
 "aws": {"region": "us-east-1"},
 "files": [
  {"name": "crm-api-key", "kind": "secret", "ref": "aws:/genesys/try-out/crm-sync-service/crm#apiKey"},
  {"name": "crm", "kind": "secret", "ref": "aws:/genesys/try-out/crm-sync-service/crm"},
  {"name": "genesys-token", "kind": "token", "ref": "aws:/genesys/try-out/crm-sync-service/oauth-client",
   "token": {"issuer": "genesys"}}]}
EOF

cat <<EOF
memsecret try-out: the fakes are running on loopback
  AWS Secrets Manager  $AWS_URL   secrets /genesys/try-out/crm-sync-service/{crm,oauth-client}
  Vault (KV v2)        $VAULT_URL   secret/cxone/try-out/pipeline
  Genesys/CXone OAuth  $OAUTH_URL
Paste into a second terminal (docs/try-out.md explains each step); Ctrl-C here stops the fakes.
EOF
echo '---8<--- commands'
sed -e "s#/dev/shm/memsecret-try-out/env.sh#$TRY/env.sh#" <<'EOF'
source /dev/shm/memsecret-try-out/env.sh

# 1. get: one field of a Secrets Manager secret (the value goes to the pipe; wc counts it)
memsecret get --set secret-crm=aws:/genesys/try-out/crm-sync-service/crm 'crm#apiKey' | wc -c

# 2. exec: a Genesys Cloud token (client credentials in AWS), a NICE CXone token and key
#    (in Vault), as files in a private tmpfs directory and as variables, for one command
memsecret exec -f "$TRY/pipeline.yaml" \
  --allow 'aws:/genesys/try-out/*' --allow 'vault:secret/cxone/try-out/*' \
  --env GENESYS_CLOUD_ACCESS_TOKEN=genesys --env CXONE_API_KEY=cxone-key \
  -- sh -c 'ls "$MEMSECRET_DIR"; echo "GENESYS_CLOUD_ACCESS_TOKEN has ${#GENESYS_CLOUD_ACCESS_TOKEN} characters"'

# 3. the fence: a reference outside --allow is refused before anything is fetched (exit 2)
memsecret get --allow 'aws:/genesys/try-out/*' \
  --set secret-prod=aws:/genesys/production/crm-sync-service/crm prod; echo "exit $?"

# 4. export --github-env: masks each value, then appends the variables to $GITHUB_ENV
GITHUB_ENV=$TRY/github_env memsecret export --github-env -f "$TRY/pipeline.yaml" \
  --env CXONE_API_KEY=cxone-key --env GENESYS_CLOUD_ACCESS_TOKEN=genesys > /dev/null
grep -o '^[A-Z_]*<<' "$TRY/github_env"

# 5. the sidecar, as in a pod: files kept fresh, the Secrets Manager Agent endpoint, metrics
memsecret-injector run --plan "$TRY/sidecar-plan.json" > "$TRY/sidecar.log" 2>&1 &
SIDECAR=$!
memsecret-injector probe --plan "$TRY/sidecar-plan.json" --wait 30s && ls -l "$TRY/secrets"
curl -s -H "X-Aws-Parameters-Secrets-Token: $(cat "$TRY/secrets/.agent-token")" \
  "http://127.0.0.1:$AGENT_PORT/secretsmanager/get?secretId=/genesys/try-out/crm-sync-service/crm" |
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["Name"], d["VersionStages"], len(d["SecretString"]), "characters")'
curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | grep '^memsecret_injector_last_success'
kill $SIDECAR; wait $SIDECAR
EOF
echo '--->8---'
echo "ready (Ctrl-C to stop)"
# Wait for a signal; the fakes keep running in the background until then.
while :; do
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "try-out.sh: a fake exited; see $TRY/*.log" >&2; exit 1; }
  done
  sleep 1 &
  wait $! || true
done
