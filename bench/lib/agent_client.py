#!/usr/bin/env python3
"""Load client for the injector's Agent-compatible endpoint: C connections
(one process each, so the client is not serialised by the GIL), each with
keep-alive, sending GET /secretsmanager/get?secretId=ID with the token for
DURATION seconds. Every answer must be 200 with a SecretString (else it
counts as an error). Prints requests/s, p50/p99/max latency and errors as
RESULT lines (prefix KEY). Never prints a value or the token.

usage: agent_client.py PORT TOKEN_FILE SECRET_ID KEY [--connections C] [--duration S]"""
import argparse
import http.client
import multiprocessing
import time
import urllib.parse


def worker(args):
    port, token, path, duration = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"X-Aws-Parameters-Secrets-Token": token}
    lat, errors = [], 0
    conn.request("GET", path, headers=headers)  # warm-up: connect
    conn.getresponse().read()
    end = time.monotonic() + duration
    while time.monotonic() < end:
        t0 = time.perf_counter_ns()
        try:
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            ok = r.status == 200 and b'"SecretString"' in body
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
        lat.append(time.perf_counter_ns() - t0)
        errors += 0 if ok else 1
    conn.close()
    return lat, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("token_file")
    ap.add_argument("secret_id")
    ap.add_argument("key")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--duration", type=float, default=10)
    a = ap.parse_args()
    with open(a.token_file) as f:
        token = f.read().strip()
    path = "/secretsmanager/get?secretId=" + urllib.parse.quote(a.secret_id, safe="")
    t0 = time.monotonic()
    with multiprocessing.Pool(a.connections) as pool:
        results = pool.map(worker, [(a.port, token, path, a.duration)] * a.connections)
    elapsed = time.monotonic() - t0
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    if not lat:
        raise SystemExit("no requests completed")
    ms = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1e6  # noqa: E731
    rps = len(lat) / a.duration
    print("%s: %d requests in %.1f s over %d connections: %.0f req/s, p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d errors"
          % (a.key, len(lat), elapsed, a.connections, rps, ms(0.5), ms(0.99), lat[-1] / 1e6, errors))
    print("RESULT %s.rps %.0f req/s" % (a.key, rps))
    print("RESULT %s.p50 %.3f ms" % (a.key, ms(0.5)))
    print("RESULT %s.p99 %.3f ms" % (a.key, ms(0.99)))
    print("RESULT %s.errors %d" % (a.key, errors))


if __name__ == "__main__":
    main()
