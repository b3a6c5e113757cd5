#!/usr/bin/env python3
"""Webhook soak: the real `memsecret-webhook serve` on loopback TLS, 64
concurrent client connections for MEMSECRET_SOAK_SECONDS (default 60) mixing

  valid pods         keep-alive AdmissionReviews that must all be patched (200)
  denied pods        policy denials (200, allowed=false)
  malformed JSON     400
  oversized bodies   3 MiB + 1 byte (over the 3 MiB limit): 413
  slowloris          a TLS connection that sends half a header and goes idle:
                     the server must drop it (request deadline 10 s: 408, close)
  abrupt disconnects half a request then RST, or a half-done TLS handshake

Pass: every valid and denied pod got its answer, every malformed body 400,
every oversized body 413, slowloris connections were cut by the server, the
process is the same PID throughout and still healthy, its admission counters
match what was sent, and its RSS after warm-up stays flat (grows by less than
MEMSECRET_SOAK_RSS_SLACK_MB, default 24; skipped when
MEMSECRET_SOAK_RSS_CHECK=0, e.g. under AddressSanitizer, whose quarantine
holds freed memory). Loopback only; every loop is bounded by the deadline.

usage: soak_test.py <memsecret-webhook> <repo root>
"""
import base64
import http.client
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import yaml

CONNECTIONS = {"valid": 24, "denied": 12, "malformed": 8, "oversized": 4, "slowloris": 8, "abrupt": 8}
MAX_BODY = 3 * 1024 * 1024


def review(pod, namespace):
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                       "request": {"uid": str(uuid.uuid4()), "kind": {"group": "", "version": "v1", "kind": "Pod"},
                                   "resource": {"group": "", "version": "v1", "resource": "pods"},
                                   "namespace": namespace, "operation": "CREATE", "object": pod}})


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def top(self, key, n):
        with self.lock:
            self.counts[key] = max(self.counts.get(key, 0), n)

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(what)
            self.counts["failures"] = self.counts.get("failures", 0) + 1


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, root = sys.argv[1], sys.argv[2]
    seconds = float(os.environ.get("MEMSECRET_SOAK_SECONDS", "60"))
    rss_check = os.environ.get("MEMSECRET_SOAK_RSS_CHECK", "1") != "0"
    slack_mb = float(os.environ.get("MEMSECRET_SOAK_RSS_SLACK_MB", "24"))
    work = tempfile.mkdtemp(prefix="memsecret-soak-")
    crt, key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=memsecret-soak", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    log = open(os.path.join(work, "webhook.log"), "w")
    server = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port, "--config",
                               os.path.join(root, "deploy/examples/config.yaml"), "--tls-cert", crt,
                               "--tls-key", key], stdout=log, stderr=log)
    ctx = ssl.create_default_context(cafile=crt)

    def get(path):
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read().decode()
        finally:
            c.close()

    deadline = time.monotonic() + 60  # hang guard: a loaded machine, the sanitizers
    while True:
        try:
            if get("/readyz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            print("FAIL: webhook did not become ready")
            return 1
        time.sleep(0.05)

    valid_pod = yaml.safe_load(open(os.path.join(root, "tests/fixtures/pods/crm-sync-service.yaml")))
    denied_pod = yaml.safe_load(open(os.path.join(root, "tests/fixtures/pods/policy-denied.yaml")))
    stats = Stats()
    stop_at = time.monotonic() + seconds

    def admission_worker(kind):
        conn = None
        while time.monotonic() < stop_at:
            if conn is None:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=15)
            if kind == "malformed":
                body = ['{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": ',
                        "\x00\xff not json", "[" * 5000, '{"kind": "AdmissionReview"}'][stats.counts.get(kind, 0) % 4]
            else:
                body = review(valid_pod if kind == "valid" else denied_pod, "crm-sync")
            try:
                conn.request("POST", "/mutate?timeout=10s", body.encode("utf-8", "surrogateescape"),
                             {"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as e:
                stats.fail("%s: %s" % (kind, e))
                conn.close()
                conn = None
                continue
            if kind == "malformed":
                if r.status != 400:
                    stats.fail("malformed: HTTP %d" % r.status)
            else:
                try:
                    resp = json.loads(data)["response"]
                except (ValueError, KeyError):
                    resp = {}
                want_allowed = kind == "valid"
                if r.status != 200 or resp.get("allowed") != want_allowed or (want_allowed and not resp.get("patch")):
                    stats.fail("%s: HTTP %d allowed=%s" % (kind, r.status, resp.get("allowed")))
                elif want_allowed:
                    ops = json.loads(base64.b64decode(resp["patch"]))
                    if not any(op["path"].startswith("/spec/initContainers") for op in ops):
                        stats.fail("valid: patch without the injector")
            stats.add(kind)
            if r.will_close:
                conn.close()
                conn = None
        if conn:
            conn.close()

    def oversized_worker():
        while time.monotonic() < stop_at:
            try:
                raw = socket.create_connection(("127.0.0.1", port), timeout=15)
                tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
                head = ("POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Content-Length: %d\r\n\r\n" % (MAX_BODY + 1)).encode()
                tls.sendall(head + b"{" + b" " * MAX_BODY)  # discarded by the server, never buffered
                reply = b""
                while b"\r\n" not in reply:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
                tls.close()
                if not reply.startswith(b"HTTP/1.1 413"):
                    stats.fail("oversized: %r" % reply[:40])
                stats.add("oversized")
            except OSError as e:
                stats.fail("oversized: %s" % e)

    def slowloris_worker():
        while time.monotonic() < stop_at:
            try:
                raw = socket.create_connection(("127.0.0.1", port), timeout=15)
                tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
                t0 = time.monotonic()
                tls.sendall(b"POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")  # ...and nothing more
                # The server's request deadline is 10 s; waiting 30 s tells "cut late on a loaded
                # machine" (reported below) from "never cut".
                tls.settimeout(30)
                try:
                    while tls.recv(1024):  # the server may answer (e.g. 400) before closing
                        pass
                    cut = True
                except socket.timeout:
                    cut = False
                except OSError:
                    cut = True
                tls.close()
                if cut:
                    stats.add("slowloris_cut")
                    cut_ms = int((time.monotonic() - t0) * 1000)
                    stats.add("slowloris_cut_ms", cut_ms)
                    stats.top("slowloris_cut_max_ms", cut_ms)
                else:
                    stats.fail("slowloris: idle connection not cut by the server within 30 s")
            except OSError as e:
                stats.fail("slowloris: %s" % e)

    def abrupt_worker():
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            try:
                raw = socket.create_connection(("127.0.0.1", port), timeout=15)
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                if n % 2:
                    raw.sendall(b"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03")  # a ClientHello cut short
                    raw.close()
                else:
                    tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
                    body = review(valid_pod, "crm-sync").encode()
                    tls.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
                                + body[: len(body) // 2])
                    raw.close()  # RST with half the body sent
                stats.add("abrupt")
            except OSError as e:
                stats.fail("abrupt: %s" % e)
            time.sleep(0.02)

    pid = server.pid
    threads = []
    for kind, n in CONNECTIONS.items():
        target = {"valid": admission_worker, "denied": admission_worker, "malformed": admission_worker,
                  "oversized": oversized_worker, "slowloris": slowloris_worker, "abrupt": abrupt_worker}[kind]
        args = (kind,) if kind in ("valid", "denied", "malformed") else ()
        threads += [threading.Thread(target=target, args=args, daemon=True) for _ in range(n)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    samples = []
    while time.monotonic() < stop_at:
        time.sleep(min(1.0, max(0.0, stop_at - time.monotonic())))
        if server.poll() is not None:
            break
        samples.append((time.monotonic() - t0, rss_kb(pid)))
    for t in threads:
        t.join(timeout=60)  # longer than a slowloris client's 30 s wait: its verdict is counted
    elapsed = time.monotonic() - t0

    failures = list(stats.failures)
    alive = server.poll() is None
    if not alive:
        failures.append("webhook exited with %s during the soak" % server.returncode)
    else:
        status, _ = get("/healthz")
        if status != 200:
            failures.append("healthz after the soak: %d" % status)
        status, metrics = get("/metrics")
        counters = {}
        for line in metrics.splitlines():
            if line.startswith("memsecret_webhook_admissions_total{"):
                outcome = line.split('outcome="')[1].split('"')[0]
                counters[outcome] = counters.get(outcome, 0) + int(float(line.split()[-1]))
        c = stats.counts
        if counters.get("patched", 0) != c.get("valid", 0):
            failures.append("patched counter %s != valid pods answered %s" % (counters.get("patched"), c.get("valid")))
        if counters.get("denied", 0) != c.get("denied", 0):
            failures.append("denied counter %s != denied pods answered %s" % (counters.get("denied"), c.get("denied")))
    c = stats.counts
    for kind in ("valid", "denied", "malformed", "oversized", "slowloris_cut", "abrupt"):
        if not c.get(kind):
            failures.append("no %s requests completed" % kind)
    warm = [kb for t, kb in samples if t >= elapsed / 3]
    rss_start, rss_end = (warm[0], warm[-1]) if warm else (0, 0)
    rss_max = max((kb for _, kb in samples), default=0)
    growth_mb = (rss_end - rss_start) / 1024.0
    if rss_check and growth_mb > slack_mb:
        failures.append("RSS grew %.1f MiB after warm-up (limit %.0f)" % (growth_mb, slack_mb))

    server.terminate()
    try:
        rc = server.wait(timeout=60)  # hang guard
    except subprocess.TimeoutExpired:
        server.kill()
        rc = "hung"
    if rc != 0:
        failures.append("webhook exit on SIGTERM: %s" % rc)
    log.close()

    total = sum(c.get(k, 0) for k in ("valid", "denied", "malformed", "oversized"))
    print("SOAK %.0f s, %d connections, webhook pid %d (same process throughout: %s)"
          % (elapsed, sum(CONNECTIONS.values()), pid, "yes" if alive else "NO"))
    print("  valid pods patched      %7d" % c.get("valid", 0))
    print("  denied pods             %7d" % c.get("denied", 0))
    print("  malformed JSON -> 400   %7d" % c.get("malformed", 0))
    print("  oversized -> 413        %7d" % c.get("oversized", 0))
    print("  slowloris cut by server %7d (mean %.1f s, max %.1f s after connect)"
          % (c.get("slowloris_cut", 0), c.get("slowloris_cut_ms", 0) / 1000.0 / max(1, c.get("slowloris_cut", 0)),
             c.get("slowloris_cut_max_ms", 0) / 1000.0))
    print("  abrupt disconnects      %7d" % c.get("abrupt", 0))
    print("  answered requests/s     %7.0f" % (total / elapsed))
    print("  RSS after warm-up %.1f -> %.1f MiB (max %.1f MiB, growth %+.1f MiB%s)"
          % (rss_start / 1024.0, rss_end / 1024.0, rss_max / 1024.0, growth_mb, "" if rss_check else ", not checked"))
    print("  failed requests         %7d" % c.get("failures", 0))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
