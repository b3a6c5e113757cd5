#!/usr/bin/env python3
"""End-to-end: the real memsecret-injector binary against the loopback AWS fake
(SigV4 verified with botocore), writing into a real tmpfs mounted in a private
mount namespace (needs root: unshare -m + mount -t tmpfs).

Checks: init run writes every file and the marker; a missing secret fails init
with the ref and reason and no marker; the sidecar passes `probe` after its
first write (time from exec to probe success is measured), rewrites on
rotation, keeps the last good file through an outage and recovers, exits on
SIGTERM promptly; audit lines are JSON per fetch; no secret value,
session token or JWT appears in any output. Exit 77 = skipped.

usage: e2e_injector_test.py <memsecret-injector> <fake_aws.py>
"""
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import fake_client  # noqa: E402

SKIP = 77
ROLE = "arn:aws:iam::123456789012:role/crm-sync"
JWT = "eyJhbGciOiJSUzI1NiJ9.E2E-FAKE-JWT.sig"
V1 = {"clientId": "crm-sync", "clientSecret": "E2E-SECRET-VALUE-ONE", "note": "it's $x"}
V2 = {"clientId": "crm-sync", "clientSecret": "E2E-SECRET-VALUE-TWO", "note": "it's $x"}
SECRET_STRINGS = ["E2E-SECRET-VALUE-ONE", "E2E-SECRET-VALUE-TWO", JWT, "FAKESESSION"]


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok   " + what, flush=True)


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            print("ok   " + what, flush=True)
            return
        time.sleep(0.02)
    raise AssertionError("timed out: " + what)


def context_switches(pid):
    """Sum of voluntary + involuntary context switches over all threads."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def read(path):
    with open(path, "rb") as f:
        return f.read()


def plan(out_dir, token_file, refresh, lifecycle, files, metrics_port=0):
    return json.dumps({
        "version": 1, "pod": {"namespace": "crm", "serviceAccount": "crm-sync", "name": ""},
        "lifecycle": lifecycle, "outputDir": out_dir, "refreshIntervalSeconds": refresh,
        "metricsPort": metrics_port,
        "files": files, "aws": {"region": "us-east-1", "roleArn": ROLE, "webIdentityTokenFile": token_file}})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


FILES = [
    {"name": "client-secret", "kind": "secret", "ref": "aws:/genesys/production/crm-sync#clientSecret",
     "format": "raw", "mode": "0400"},
    {"name": "crm.env", "kind": "secret", "ref": "aws:/genesys/production/crm-sync", "format": "env", "mode": "0440"},
    {"name": "crm.json", "kind": "secret", "ref": "aws:/genesys/production/crm-sync", "format": "json", "mode": "0444"},
]


def inner(binary, fake_script):
    work = tempfile.mkdtemp(prefix="memsecret-e2e-")
    out = os.path.join(work, "secrets")
    os.mkdir(out)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "memsecret", out], check=True)
    fake = fake_client.start(fake_script)
    outputs = []
    try:
        with open("/proc/self/mounts") as m:
            check(any(l.split()[1] == out and l.split()[2] == "tmpfs" for l in m), "output dir is a tmpfs mount")
        token_file = os.path.join(work, "token")
        with open(token_file, "w") as f:
            f.write(JWT)
        fake.control(op="sts", role=ROLE, token=JWT, duration=3600)
        fake.control(op="put_secret", name="/genesys/production/crm-sync", string=json.dumps(V1))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_ENDPOINT_URL": fake.url,
               "MEMSECRET_POD_NAME": "crm-sync-7d9f-abcde"}

        # --- init: missing secret fails with ref + reason, no marker -------------
        bad = FILES + [{"name": "missing", "kind": "secret", "ref": "aws:/genesys/production/nope",
                        "format": "raw", "mode": "0400"}]
        r = subprocess.run([binary, "run"], env=dict(env, MEMSECRET_PLAN=plan(out, token_file, 300, "init", bad)),
                           capture_output=True, text=True, timeout=30)
        outputs += [r.stdout, r.stderr]
        check(r.returncode == 1, "init with a missing secret exits 1")
        check("aws:/genesys/production/nope" in r.stderr and "ResourceNotFoundException" in r.stderr,
              "init failure names the ref and the reason")
        probe_env = dict(env, MEMSECRET_PLAN=plan(out, token_file, 300, "init", FILES))
        check(subprocess.run([binary, "probe"], env=probe_env).returncode == 1, "probe fails without the marker")

        # --- init: success ------------------------------------------------------
        for name in os.listdir(out):  # the failed run wrote the good files already
            os.unlink(os.path.join(out, name))
        calls = fake.stats()["GetSecretValue"]
        r = subprocess.run([binary, "run"], env=probe_env, capture_output=True, text=True, timeout=30)
        outputs += [r.stdout, r.stderr]
        check(r.returncode == 0, "init run exits 0")
        check(fake.stats()["GetSecretValue"] - calls == 1, "three files of one secret cost one GetSecretValue")
        check(read(os.path.join(out, "client-secret")) == b"E2E-SECRET-VALUE-ONE", "raw #field file")
        check(json.loads(read(os.path.join(out, "crm.json"))) == V1, "json file")
        sourced = subprocess.run(["sh", "-c", '. "$0" && printf %s "$note|$clientSecret"',
                                  os.path.join(out, "crm.env")], capture_output=True, text=True)
        check(sourced.stdout == "it's $x|E2E-SECRET-VALUE-ONE", "env file sources back exactly")
        modes = {n: stat.S_IMODE(os.stat(os.path.join(out, n)).st_mode) for n in ("client-secret", "crm.env", "crm.json")}
        check(modes == {"client-secret": 0o400, "crm.env": 0o440, "crm.json": 0o444}, "file modes from the plan")
        check(subprocess.run([binary, "probe"], env=probe_env).returncode == 0, "probe passes after init")
        audit = [json.loads(l) for l in r.stdout.splitlines()]
        check(len(audit) == 3 and all(a["audit"] and a["outcome"] == "written" and a["version"] for a in audit),
              "one audit line per fetch with version")
        check(all(a["pod"] == "crm-sync-7d9f-abcde" and a["namespace"] == "crm" and a["serviceAccount"] == "crm-sync"
                  for a in audit), "audit names pod, namespace and service account")
        # The fake's CreatedDate (epoch seconds, fractional) as RFC 3339 in every line.
        check(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a.get("version_created", "")) for a in audit),
              "audit lines carry the version's creation time")

        # --- sidecar: probe timing, rotation, outage, recovery, SIGTERM ----------
        metrics_port = free_port()
        side_env = dict(env, MEMSECRET_PLAN=plan(out, token_file, 1, "sidecar", FILES, metrics_port))
        for name in os.listdir(out):
            os.unlink(os.path.join(out, name))
        t0 = time.monotonic()
        proc = subprocess.Popen([binary, "run"], env=side_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while subprocess.run([binary, "probe"], env=side_env, stderr=subprocess.DEVNULL).returncode != 0:
            if proc.poll() is not None or time.monotonic() - t0 > 60:  # hang guard only
                raise AssertionError("sidecar exited or never became ready")
            time.sleep(0.005)
        probe_ms = (time.monotonic() - t0) * 1000
        print("MEASURED exec-to-probe-success: %.1f ms" % probe_ms, flush=True)
        check(read(os.path.join(out, "client-secret")) == b"E2E-SECRET-VALUE-ONE", "sidecar first write")

        fake.control(op="put_secret", name="/genesys/production/crm-sync", string=json.dumps(V2))
        t_rot = time.monotonic()
        wait_for(lambda: read(os.path.join(out, "client-secret")) == b"E2E-SECRET-VALUE-TWO", 30,
                 "rotation picked up on the next refresh")
        print("MEASURED rotation-to-file: %.0f ms (refresh interval 1 s)" % ((time.monotonic() - t_rot) * 1000))

        before = fake.stats()["GetSecretValue"]
        fake.control(op="fail", target="secretsmanager", count=6, status=503, type="ServiceUnavailable")
        wait_for(lambda: fake.stats()["GetSecretValue"] >= before + 6, 60, "outage requests served with 503")
        check(read(os.path.join(out, "client-secret")) == b"E2E-SECRET-VALUE-TWO", "last good file kept in outage")
        # The metrics endpoint answers while the backend is down and counts the failures.
        status, ctype, text = scrape(metrics_port)
        check(status == 200 and ctype.startswith("text/plain; version=0.0.4"), "metrics served during the outage")
        failures = re.findall(r'^memsecret_injector_fetch_failures_total\{file="client-secret",'
                              r'ref="aws:/genesys/production/crm-sync#clientSecret",reason="unavailable"\} (\d+)$',
                              text, re.M)
        check(failures and int(failures[0]) >= 1, "metrics count the outage's failures by reason")
        check("memsecret_injector_last_success_timestamp_seconds{" in text, "metrics keep the last success")
        outputs.append(text)
        fake.control(op="put_secret", name="/genesys/production/crm-sync", string=json.dumps(V1))
        wait_for(lambda: read(os.path.join(out, "client-secret")) == b"E2E-SECRET-VALUE-ONE", 60,
                 "recovered by itself after the outage")
        check(fake.stats()["signature_failures"] == 0, "every request's SigV4 signature verified by botocore")

        t_term = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
        term_ms = (time.monotonic() - t_term) * 1000
        print("MEASURED SIGTERM-to-exit: %.1f ms" % term_ms, flush=True)
        outputs += [stdout, stderr]
        # The bound excludes waiting out an in-flight request (the HTTP client's 10 s timeout);
        # it leaves room for a loaded machine and the sanitizers' exit-time leak scan.
        check(proc.returncode == 0 and term_ms < 5000, "SIGTERM ends the sidecar promptly (< 5 s)")
        lines = [json.loads(l) for l in stdout.splitlines()]
        check(any(a["outcome"] == "error" and "ServiceUnavailable" in a.get("error", "") for a in lines),
              "outage audited as errors")
        check(all(json.loads(l)["component"] == "injector" for l in stderr.splitlines()), "stderr is JSON logs")
        check(sorted(os.listdir(out)) == [".memsecret-ready", "client-secret", "crm.env", "crm.json"],
              "no temp files left behind")

        # --- idle sidecar (refresh 0): no wake-ups at all until SIGTERM ---------
        # The marker from the run above stays; the new process must remove it
        # at start so that probe reflects its own first write.
        idle_env = dict(env, MEMSECRET_PLAN=plan(out, token_file, 0, "sidecar", FILES))
        check(os.path.exists(os.path.join(out, ".memsecret-ready")), "marker left by the previous run")
        # The first try fails with Retry-After: 4 s, honoured as the least delay before the retry: a
        # window wide enough that the probe below runs before the first write even on a loaded machine.
        fake.control(op="fail", target="secretsmanager", count=1, status=503, type="ServiceUnavailable",
                     retry_after=4)
        t0 = time.monotonic()
        proc = subprocess.Popen([binary, "run"], env=idle_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        marker = os.path.join(out, ".memsecret-ready")
        wait_for(lambda: not os.path.exists(marker), 30, "stale marker removed at start")
        check(subprocess.run([binary, "probe"], env=idle_env, stderr=subprocess.DEVNULL).returncode == 1,
              "probe fails while the first try is backing off")
        wait_for(lambda: subprocess.run([binary, "probe"], env=idle_env, stderr=subprocess.DEVNULL).returncode == 0,
                 60, "idle sidecar ready after its retry")
        ready_ms = (time.monotonic() - t0) * 1000
        print("MEASURED exec-to-probe-success with a 503 (Retry-After: 4) on the first try: %.0f ms" % ready_ms)
        # A probe that passed on the stale marker or before this run's own write would be earlier.
        check(ready_ms > 4000, "probe waited for this run's retry (Retry-After: 4 s)")
        # The pass that wrote the files may still be logging and winding down its threads: wait until
        # the process has been quiet for 0.5 s (a faster timer never lets it; a slower one is caught
        # over the 2 s below), then measure.
        switches = context_switches(proc.pid)
        deadline = time.monotonic() + 30
        while True:
            time.sleep(0.5)
            now = context_switches(proc.pid)
            if now == switches:
                break
            if time.monotonic() > deadline:
                raise AssertionError("idle sidecar never went quiet: %d context switches per 0.5 s" % (now - switches))
            switches = now
        fetches = fake.stats()["GetSecretValue"]
        time.sleep(2.0)
        check(context_switches(proc.pid) == switches, "idle sidecar: zero context switches in 2 s (no timers)")
        check(fake.stats()["GetSecretValue"] == fetches, "idle sidecar: no fetches without a schedule")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
        outputs += [stdout, stderr]
        check(proc.returncode == 0, "idle sidecar exits on SIGTERM")

        leaked = [s for s in SECRET_STRINGS if any(s in o for o in outputs)]
        check(not leaked, "no secret value, session token or JWT in any output")
    finally:
        fake.stop()
        subprocess.run(["umount", out])
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) == 4 and sys.argv[3] == "--inner":
        inner(sys.argv[1], sys.argv[2])
        return 0
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        print("SKIP: needs root and unshare for a private tmpfs mount")
        return SKIP
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        print("SKIP: unshare -m not permitted here")
        return SKIP
    return subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__),
                           sys.argv[1], sys.argv[2], "--inner"]).returncode


if __name__ == "__main__":
    sys.exit(main())
