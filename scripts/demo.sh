#!/usr/bin/env bash
# The README's main job: set up a fresh Debian machine, build, and walk through
# memsecret locally —
#   1. `render`: the admission mutation offline, for an allowed and a denied workload;
#   2. `serve`: the real HTTPS webhook on loopback, asked the way kube-apiserver asks;
#   3. the pod runs: the injector from the mutated spec fetches a secret from a
#      loopback Secrets Manager and mints a Genesys-style token from stored client
#      credentials into a real tmpfs (tests/e2e/run_pod.py), when available.
# Never prints a secret value: files are shown by name, size and mode only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ "${MEMSECRET_SKIP_SETUP:-}" = 1 ] || scripts/setup.sh
# Only the two programs the demo runs (not the tests and benchmarks: scripts/test.sh
# builds those), quietly: one progress line, the compiler's output in build.log.
step "0. build memsecret-webhook and memsecret-injector"
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh --quiet --target memsecret-webhook --target memsecret-injector
BIN=$ROOT/${BUILD_DIR:-build}
WEBHOOK=$BIN/webhook/memsecret-webhook
CONFIG=$ROOT/deploy/examples/config.yaml
# The demo's files stay after it (the mutated pod, the webhook's log, its certificate).
WORK=$BIN/demo
rm -rf "$WORK" && mkdir -p "$WORK"
cleanup() { [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null; true; }
trap cleanup EXIT

step "1. render: crm-sync-service (Deployment) mutated offline"
"$WEBHOOK" render -f deploy/examples/crm-sync-service.yaml --config "$CONFIG" > "$WORK/crm-sync.yaml"
python3 - "$WORK/crm-sync.yaml" <<'PY'
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
spec = doc["spec"]["template"]["spec"]
for c in spec.get("initContainers", []):
    extra = " (native sidecar, postStart: %s)" % " ".join(c["lifecycle"]["postStart"]["exec"]["command"]) if c.get("restartPolicy") == "Always" else ""
    print(f"  init container {c['name']}: {' '.join(c['command'] + c['args'])}{extra}")
    plan = json.loads(next(e["value"] for e in c["env"] if e["name"] == "MEMSECRET_PLAN"))
    for f in plan["files"]:
        kind = f"token from {f['token']['issuer']}" if f["kind"] == "token" else "secret"
        print(f"    plans {plan['outputDir']}/{f['name']} <- {f['ref']} ({kind}, {f['format']}, mode {f['mode']})")
for v in spec["volumes"]:
    print(f"  volume {v['name']}: {json.dumps(v.get('emptyDir') or v.get('projected'))}")
for c in spec["containers"]:
    for m in c.get("volumeMounts", []):
        print(f"  container {c['name']} mounts {m['name']} at {m['mountPath']} readOnly={m.get('readOnly', False)}")
PY

step "1b. render: a staging pod asking for production credentials is denied"
if "$WEBHOOK" render -f deploy/examples/denied-staging.yaml --config "$CONFIG" >/dev/null 2>"$WORK/denied.txt"; then
  echo "unexpected: the staging pod was admitted"; exit 1
fi
sed 's/^/  /' "$WORK/denied.txt"

step "2. serve: the HTTPS webhook on 127.0.0.1, asked like kube-apiserver asks"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=memsecret-demo" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$WEBHOOK" serve --listen "127.0.0.1:$PORT" --config "$CONFIG" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" 2>"$WORK/webhook.log" &
SERVER_PID=$!
for _ in $(seq 50); do curl -sf --cacert "$WORK/tls.crt" "https://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
python3 - "$PORT" "$WORK/tls.crt" "$ROOT/deploy/examples/crm-sync-service.yaml" <<'PY'
import base64, http.client, json, ssl, sys, uuid, yaml
import jsonpatch
port, ca, manifest = int(sys.argv[1]), sys.argv[2], sys.argv[3]
dep = yaml.safe_load(open(manifest))
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": dict(dep["spec"]["template"]["metadata"], generateName="crm-sync-service-7d9f8b-"),
       "spec": dep["spec"]["template"]["spec"]}
uid = str(uuid.uuid4())
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
          "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                      "resource": {"group": "", "version": "v1", "resource": "pods"},
                      "namespace": "crm-sync", "operation": "CREATE", "object": pod}}
ctx = ssl.create_default_context(cafile=ca)
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
conn.request("POST", "/mutate?timeout=5s", json.dumps(review), {"Content-Type": "application/json"})
resp = conn.getresponse()
body = json.loads(resp.read())
r = body["response"]
assert resp.status == 200 and r["uid"] == uid and body["kind"] == "AdmissionReview", body
ops = json.loads(base64.b64decode(r["patch"]))
print(f"  HTTP {resp.status}, TLS {conn.sock.version()}, uid echoed, allowed={r['allowed']}, patchType={r['patchType']}, {len(ops)} operations:")
for op in ops:
    print(f"    {op['op']} {op['path']}")
mutated = jsonpatch.apply_patch(pod, ops)
print(f"  applied with python3-jsonpatch: init containers {[c['name'] for c in mutated['spec']['initContainers']]}")
json.dump(mutated, open(sys.argv[2] + ".pod.json", "w"))
conn.request("GET", "/metrics")
for line in conn.getresponse().read().decode().splitlines():
    if line.startswith("memsecret_webhook_admissions_total"):
        print("  " + line)
PY
cp "$WORK/tls.crt.pod.json" "$WORK/mutated-pod.json"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
echo "  webhook stopped on SIGTERM; one JSON log line per admission:"
grep -m1 '"msg":"admission' "$WORK/webhook.log" | sed 's/^/    /' || true

step "3. the pod runs: injector from the mutated spec, real tmpfs, loopback AWS + OAuth server"
# tests/e2e/run_pod.py plays the kubelet: one private mount namespace, a tmpfs
# per Memory emptyDir, the projected token, containers as their UIDs, the
# postStart hook before the app. Genesys Cloud and AWS are not reachable here, so
# the same workload is admitted again through a webhook whose config adds
# injector.env AWS_ENDPOINT_URL (loopback fake) and a loopback OAuth issuer.
sh tests/oauth/setup.sh
rc=0
python3 tests/e2e/run_pod.py --demo --build-dir "$BIN" --pod "$WORK/mutated-pod.json" || rc=$?
if [ "$rc" = 77 ]; then
  echo "  (skipped: running a pod needs root and mount namespaces)"
elif [ "$rc" != 0 ]; then
  echo "  the pod run failed (exit $rc)"; exit "$rc"
fi
step "done"
cat <<EOF
  programs:     $WEBHOOK
                $BIN/injector/memsecret-injector (and its pipeline name, $BIN/injector/memsecret)
  demo's files: $WORK (crm-sync.yaml: the rendered Deployment; mutated-pod.json;
                webhook.log: the webhook's JSON log; tls.crt/tls.key: its throwaway certificate)
  try next:     $WEBHOOK render -f deploy/examples/crm-sync-service.yaml --config deploy/examples/config.yaml
                (edit its memsecret.io/ annotations, or render your own manifest: docs/annotations.md)
                $BIN/injector/memsecret --help   (secrets for a CI job: docs/pipelines.md)
                scripts/test.sh                  (every test, as CI runs them)
EOF
