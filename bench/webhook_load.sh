#!/usr/bin/env bash
# Webhook load: memsecret-webhook vs nginx (same certificate, same machine,
# static body of the webhook's answer size) over TLS with keep-alive at 1, 16
# and 64 connections, alternating the two servers round by round. Prints
# requests/s, p50, p99, errors per run, the medians, the ratio webhook/nginx
# and the webhook's peak RSS. Prints figures; asserts nothing but that the
# webhook answers the review with a patch.
#
# usage: bench/webhook_load.sh [--short] [--duration SECONDS] [--rounds N]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

DURATION=10
ROUNDS=3
CONNS=(1 16 64)
while (($#)); do
  case $1 in
    --short) DURATION=2; ROUNDS=1 ;;
    --duration) DURATION=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    *) echo "usage: $0 [--short] [--duration S] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done

need wrk nginx openssl curl "$PY"
need_binaries "$WEBHOOK_BIN"
echo "== webhook load: memsecret-webhook vs nginx (TLS, keep-alive) =="
machine
make_workdir

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One throwaway P-256 certificate for both servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=memsecret-webhook.memsecret.svc" \
  -addext "subjectAltName=DNS:localhost,DNS:memsecret-webhook.memsecret.svc,IP:127.0.0.1" \
  -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
REVIEW=$BENCH_DIR/fixtures/admission-review.json

# --- memsecret-webhook (default options; logs at info into a pipe, as a
# container runtime would read them) ---
WH_PORT=$(free_port)
"$WEBHOOK_BIN" serve --listen "127.0.0.1:$WH_PORT" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" \
  --config "$BENCH_DIR/fixtures/webhook-config.yaml" 2> >(cat >/dev/null) &
WH_PID=$!
BENCH_PIDS+=("$WH_PID")
for _ in $(seq 200); do
  curl -skf "https://127.0.0.1:$WH_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -skf -H 'Content-Type: application/json' --data-binary "@$REVIEW" \
  "https://127.0.0.1:$WH_PORT/mutate" -o "$WORK/answer.json"
if ! grep -q '"allowed":true' "$WORK/answer.json" || ! grep -q '"patch"' "$WORK/answer.json"; then
  echo "webhook did not answer the review with a patch" >&2
  exit 1
fi
ANSWER_BYTES=$(wc -c <"$WORK/answer.json")
echo "# request: $(wc -c <"$REVIEW") bytes AdmissionReview (3 containers, 3 volumes, 6 memsecret annotations)"
echo "# answer:  $ANSWER_BYTES bytes (allowed, JSONPatch); nginx serves a static body of the same size"
RSS_START=$(rss_kib $WH_PID VmRSS)

# --- nginx: same certificate, static body of the same size ---
NG_PORT=$(free_port)
mkdir -p "$WORK/www" "$WORK/nginx-tmp"
chmod 711 "$WORK"  # run as root, nginx's workers are "nobody": let them reach www/
chmod 755 "$WORK/www"
head -c "$ANSWER_BYTES" /dev/zero | tr '\0' 'x' >"$WORK/www/mutate"
chmod 644 "$WORK/www/mutate"
sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$NG_PORT#g" "$BENCH_DIR/lib/nginx.conf.in" >"$WORK/nginx.conf"
nginx -e "$WORK/nginx-error.log" -p "$WORK" -c "$WORK/nginx.conf" &
NG_MASTER=$!
BENCH_PIDS+=("$NG_MASTER")
for _ in $(seq 200); do
  curl -skf -X POST --data-binary "@$REVIEW" "https://127.0.0.1:$NG_PORT/mutate" -o "$WORK/ng.out" 2>/dev/null && break
  sleep 0.05
done
if [[ ! -f $WORK/ng.out || $(wc -c <"$WORK/ng.out") != "$ANSWER_BYTES" ]]; then
  echo "nginx did not answer with $ANSWER_BYTES bytes" >&2
  cat "$WORK/nginx-error.log" >&2 2>/dev/null || true
  exit 1
fi
echo "# nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), worker_processes auto ($(nproc)); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
echo "# $ROUNDS round(s) x ${DURATION}s per server and connection count, servers alternating"

# CPU time (utime + stime, clock ticks) of the webhook, or of nginx's master
# and workers: the server's CPU cost per request, load generator excluded.
cpu_ticks() {  # cpu_ticks webhook|nginx
  local pids p t=0
  if [[ $1 == webhook ]]; then pids=$WH_PID; else pids="$NG_MASTER $(pgrep -P "$NG_MASTER" | tr '\n' ' ')"; fi
  for p in $pids; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo $t
}
HZ=$(getconf CLK_TCK)

run_wrk() {  # run_wrk PORT CONNS SECONDS -> JSON
  local threads=$(( $2 < $(nproc) ? $2 : $(nproc) ))
  BENCH_BODY_FILE=$REVIEW wrk -t "$threads" -c "$2" -d "${3}s" --timeout 5s --latency \
    -s "$BENCH_DIR/lib/post.lua" "https://127.0.0.1:$1/mutate" | "$PY" "$BENCH_DIR/lib/parse_wrk.py"
}

# warm-up (page cache, TLS session state, thread pool)
run_wrk "$WH_PORT" 16 1 >/dev/null
run_wrk "$NG_PORT" 16 1 >/dev/null

RUNS=$WORK/runs.jsonl
: >"$RUNS"
printf '%-8s %5s %5s %10s %9s %9s %7s %12s\n' server conns round req/s p50_ms p99_ms errors cpu_us/req
for c in "${CONNS[@]}"; do
  for r in $(seq "$ROUNDS"); do
    if ((r % 2)); then order=(webhook nginx); else order=(nginx webhook); fi
    for s in "${order[@]}"; do
      port=$WH_PORT; [[ $s == nginx ]] && port=$NG_PORT
      t0=$(cpu_ticks "$s")
      j=$(run_wrk "$port" "$c" "$DURATION")
      t1=$(cpu_ticks "$s")
      echo "{\"server\":\"$s\",\"conns\":$c,\"round\":$r,\"cpu_s\":$(awk -v d=$((t1 - t0)) -v hz="$HZ" 'BEGIN {print d / hz}'),\"wrk\":$j}" >>"$RUNS"
      tail -1 "$RUNS" | "$PY" -c 'import json,sys; r=json.load(sys.stdin); d=r["wrk"]; print("%-8s %5s %5s %10.0f %9.3f %9.3f %7d %12.1f" % (r["server"], r["conns"], r["round"], d["rps"], d["p50_ms"] or -1, d["p99_ms"] or -1, d["errors"], r["cpu_s"] * 1e6 / max(1, d["requests"])))' 
    done
  done
done

WH_HWM=$(rss_kib $WH_PID VmHWM)
WH_RSS=$(rss_kib $WH_PID VmRSS)
WH_THREADS=$(awk '/^Threads:/ {print $2}' "/proc/$WH_PID/status")

echo
echo "medians over $ROUNDS round(s):"
"$PY" - "$RUNS" <<'PYEOF'
import json, statistics, sys
results = []
runs = [json.loads(l) for l in open(sys.argv[1])]
print("%5s | %12s %12s %6s | %10s %10s | %10s %10s | %-12s | %s" % (
    "conns", "webhook r/s", "nginx r/s", "ratio", "wh p50 ms", "wh p99 ms", "ng p50 ms", "ng p99 ms", "errors wh/ng",
    "server CPU us/req wh/ng"))
for c in sorted({r["conns"] for r in runs}):
    m = {}
    for s in ("webhook", "nginx"):
        sel = [r["wrk"] for r in runs if r["conns"] == c and r["server"] == s]
        m[s] = {k: statistics.median([x[k] for x in sel if x[k] is not None] or [0]) for k in ("rps", "p50_ms", "p99_ms")}
        m[s]["errors"] = sum(x["errors"] for x in sel)
        allr = [r for r in runs if r["conns"] == c and r["server"] == s]
        m[s]["cpu_us"] = 1e6 * sum(r["cpu_s"] for r in allr) / max(1, sum(r["wrk"]["requests"] for r in allr))
    ratio = m["webhook"]["rps"] / m["nginx"]["rps"] if m["nginx"]["rps"] else 0
    print("%5d | %12.0f %12.0f %6.2f | %10.3f %10.3f | %10.3f %10.3f | %-12s | %.0f/%.0f" % (
        c, m["webhook"]["rps"], m["nginx"]["rps"], ratio, m["webhook"]["p50_ms"], m["webhook"]["p99_ms"],
        m["nginx"]["p50_ms"], m["nginx"]["p99_ms"], "%d/%d" % (m["webhook"]["errors"], m["nginx"]["errors"]),
        m["webhook"]["cpu_us"], m["nginx"]["cpu_us"]))
    for s in ("webhook", "nginx"):
        results.append("RESULT %s.c%d.rps %.0f req/s" % (s, c, m[s]["rps"]))
        results.append("RESULT %s.c%d.p50 %.3f ms" % (s, c, m[s]["p50_ms"]))
        results.append("RESULT %s.c%d.p99 %.3f ms" % (s, c, m[s]["p99_ms"]))
        results.append("RESULT %s.c%d.errors %d" % (s, c, m[s]["errors"]))
        results.append("RESULT %s.c%d.cpu_per_req %.1f us" % (s, c, m[s]["cpu_us"]))
    results.append("RESULT ratio.c%d %.2f webhook/nginx" % (c, ratio))
print("\n".join(results))
PYEOF
echo "webhook memory: start ${RSS_START} KiB, now ${WH_RSS} KiB, peak (VmHWM) ${WH_HWM} KiB; ${WH_THREADS} threads"
result webhook.rss_peak "$(kib_to_mib "$WH_HWM")" MiB
result webhook.rss_start "$(kib_to_mib "$RSS_START")" MiB
