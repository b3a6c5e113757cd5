#!/usr/bin/env python3
"""Mass start against rate-limited backends: N real injector processes (init
lifecycle, `run --once`, one plan each as the webhook would write it) started
at once, or in waves of at most --max-surge pods in progress (a rollout's
maxSurge: a new pod starts when one is ready), against loopback fakes that
enforce quotas (tests/fakes/quota.py) and answer the excess as the real
services do.

Scenarios (--backend):
  aws    Secrets Manager + STS (web identity): per pod 1 AssumeRoleWithWebIdentity
         and --secrets GetSecretValue; 400 ThrottlingException / Throttling.
  vault  Vault Kubernetes auth + KV v2: per pod 1 login and --secrets reads on one
         quota; 429 with Retry-After.
  token  Genesys Cloud client-credentials token endpoint: per pod --secrets token
         files (credentials from an unthrottled Vault); 429.

Prints the quota limit (for each throttled kind: calls needed / allowed rate;
the largest), when all pods were ready and the p50/p90/p99 pod readiness (from
the common start), accepted and throttled calls per kind, failed pods and the
first line of each distinct failure. RESULT lines as the other benchmarks.
Bench-only values: random secrets generated here, never printed."""
import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fakes"))
import fake_client  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/mass"
JWT = "eyJhbGciOiJSUzI1NiJ9.MASS-START.sig"


def start_fake(script, args, quota, log):
    """A fake answering the excess over `quota` as its service does, without injected latency."""
    env = dict(os.environ, MEMSECRET_FAKE_QUOTA=quota)
    env.pop("MEMSECRET_FAKE_LATENCY_MS", None)
    return fake_client.start(script, *args, env=env, stderr=log)


def base_plan(out_dir, pod):
    return {"version": 1, "pod": {"namespace": "mass", "serviceAccount": "mass", "name": pod},
            "lifecycle": "init", "outputDir": out_dir, "refreshIntervalSeconds": 300,
            "tokenRefreshFraction": 0.75, "tokenMinRemainingSeconds": 60, "files": []}


def secret_files(n, ref):
    return [{"name": "secret-%02d.json" % i, "kind": "secret", "ref": ref % i, "format": "json",
             "mode": "0400"} for i in range(n)]


def setup(a, work, log):
    """Starts and seeds the fakes; returns (fakes, plan(out_dir, pod), env, needed {kind: calls})."""
    jwt_file = os.path.join(work, "jwt")
    with open(jwt_file, "w") as f:
        f.write(JWT)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "VAULT_", "MEMSECRET_"))}
    if a.backend == "aws":
        fake = start_fake("fake_aws.py", [], "secretsmanager=%g,sts=%g" % (a.rate, a.sts_rate), log)
        fake.control(op="sts", role=ROLE, token=JWT, duration=3600)
        for i in range(a.secrets):
            fake.control(op="put_secret", name="/mass/app/secret-%02d" % i,
                         string=json.dumps({"password": secrets.token_urlsafe(24)}))
        env.update(AWS_ENDPOINT_URL=fake.url)

        def plan(out, pod):
            p = base_plan(out, pod)
            p["files"] = secret_files(a.secrets, "aws:/mass/app/secret-%02d")
            p["aws"] = {"region": "us-east-1", "roleArn": ROLE, "webIdentityTokenFile": jwt_file}
            return p
        return [fake], plan, env, {"secretsmanager": (a.pods * a.secrets, a.rate),
                                   "sts": (a.pods, a.sts_rate)}

    vault_quota = "vault=%g" % a.rate if a.backend == "vault" else ""
    vault = start_fake("vault_fake.py", [], vault_quota, log)
    vault.control(op="mount", path="secret", version=2)
    vault.control(op="k8s_role", role="mass", jwt=JWT, ttl=3600, paths=["secret/"])
    vault_settings = {"addr": vault.url, "allowSkipVerify": False, "authPath": "kubernetes",
                      "namespace": "", "role": "mass", "tokenFile": jwt_file}
    if a.backend == "vault":
        for i in range(a.secrets):
            vault.control(op="kv_put", mount="secret", path="mass/secret-%02d" % i,
                          data={"password": secrets.token_urlsafe(24)})

        def plan(out, pod):
            p = base_plan(out, pod)
            p["files"] = secret_files(a.secrets, "vault:secret/mass/secret-%02d")
            p["vault"] = vault_settings
            return p
        return [vault], plan, env, {"vault": (a.pods * (a.secrets + 1), a.rate)}

    client = "mass-client:" + secrets.token_urlsafe(18)
    token = start_fake("oauth_fake.py", ["--genesys", client, "--cxone", "k:" + secrets.token_urlsafe(9),
                                         "--expires-in", "3600"], "token=%g" % a.rate, log)
    cid, csec = client.split(":", 1)
    vault.control(op="kv_put", mount="secret", path="mass/genesys-client",
                  data={"clientId": cid, "clientSecret": csec})
    env.update(MEMSECRET_GENESYS_LOGIN_URL=token.url)

    def plan(out, pod):
        p = base_plan(out, pod)
        p["files"] = [{"name": "token-%02d" % i, "kind": "token", "ref": "vault:secret/mass/genesys-client",
                       "format": "raw", "mode": "0400", "token": {"issuer": "genesys:mypurecloud.ie"}}
                      for i in range(a.secrets)]
        p["vault"] = vault_settings
        return p
    return [vault, token], plan, env, {"token": (a.pods * a.secrets, a.rate)}


def pct(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run(a, work, log):
    fakes, plan, env, needed = setup(a, work, log)
    try:
        plans = []
        for i in range(a.pods):
            out = os.path.join(work, "pod-%03d" % i)
            os.mkdir(out)
            path = os.path.join(work, "plan-%03d.json" % i)
            with open(path, "w") as f:
                json.dump(plan(out, "mass-%03d" % i), f)
            plans.append(path)
        surge = a.max_surge or a.pods
        pending = list(range(a.pods))
        running = {}  # pid -> (pod, stderr file)
        ready, failed = {}, {}
        t0 = time.monotonic()

        def start(i):  # posix_spawn: 300 forks of this Python process would take seconds
            err = os.path.join(work, "pod-%03d.err" % i)
            pid = os.posix_spawn(a.injector, [a.injector, "run", "--once", "--plan", plans[i]], env,
                                 file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT, 0o600)])
            running[pid] = (i, err)

        while pending and len(running) < surge:
            start(pending.pop(0))
        spawned = time.monotonic() - t0
        while running:
            pid, status = os.wait()
            when = time.monotonic() - t0
            if pid not in running:
                continue
            i, err = running.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            if code == 0:
                ready[i] = when
            else:
                with open(err) as f:
                    lines = [l for l in f.read().splitlines() if l.startswith("memsecret-injector:")]
                failed[i] = (code, lines[-1] if lines else "exit %d" % code)
            if pending:
                start(pending.pop(0))
        quota = {}
        for f in fakes:
            quota.update(f.get("/_control/quota"))
    finally:
        for f in fakes:
            f.stop()
    return needed, ready, failed, quota, spawned


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--injector", required=True)
    ap.add_argument("--histogram", action="store_true", help="pods ready per second")
    ap.add_argument("--backend", choices=("aws", "vault", "token"), default="aws")
    ap.add_argument("--pods", type=int, default=300)
    ap.add_argument("--secrets", type=int, default=4, help="files per pod (token files for --backend token)")
    ap.add_argument("--rate", type=float, default=100, help="req/s of the store (or token endpoint)")
    ap.add_argument("--sts-rate", type=float, default=50)
    ap.add_argument("--max-surge", type=int, default=0, help="pods in progress at once (0: all at once)")
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    work = tempfile.mkdtemp(prefix="memsecret-mass.", dir=base)
    try:
        with open(os.path.join(work, "fakes.log"), "w") as log:
            needed, ready, failed, quota, spawned = run(a, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    limit = max(calls / rate for calls, rate in needed.values())
    times = sorted(ready.values())
    all_ready = times[-1] if times and not failed else float("nan")
    label = a.label or a.backend
    print("%s: %d pods x %d, %s; spawned in %.1f s; load %s" % (
        label, a.pods, a.secrets, "all at once" if not a.max_surge else "max-surge %d" % a.max_surge,
        spawned, " ".join(open("/proc/loadavg").read().split()[:3])))
    print("  quota limit %.1f s (%s)" % (limit, ", ".join(
        "%s %d calls / %g per s" % (k, c, r) for k, (c, r) in needed.items())))
    print("  all ready %.1f s (%.2fx the limit); pods ready p50 %.1f s (%.2fx), p90 %.1f s, p99 %.1f s" % (
        all_ready, all_ready / limit, pct(times, 0.5), pct(times, 0.5) / limit, pct(times, 0.9), pct(times, 0.99)))
    for kind, s in sorted(quota.items()):
        minimum = needed.get(kind, (0, 0))[0]
        print("  %-14s accepted %5d (minimum %d, %.3fx)  throttled %5d (%.2f per accepted)" % (
            kind, s["accepted"], minimum, s["accepted"] / minimum if minimum else float("nan"),
            s["throttled"], s["throttled"] / max(1, s["accepted"])))
    print("  failed pods: %d" % len(failed))
    if a.histogram:
        per_second = {}
        for t in times:
            per_second[int(t)] = per_second.get(int(t), 0) + 1
        print("  ready per second: " + " ".join("%d:%d" % kv for kv in sorted(per_second.items())))
    for line in sorted({m for _, m in failed.values()})[:5]:
        print("    " + line[:300])
    print("RESULT mass.%s.limit %.2f s" % (label, limit))
    print("RESULT mass.%s.all_ready %.2f s" % (label, all_ready))
    print("RESULT mass.%s.all_ready_ratio %.3f" % (label, all_ready / limit))
    print("RESULT mass.%s.p50 %.2f s" % (label, pct(times, 0.5)))
    print("RESULT mass.%s.p50_ratio %.3f" % (label, pct(times, 0.5) / limit))
    print("RESULT mass.%s.p90 %.2f s" % (label, pct(times, 0.9)))
    print("RESULT mass.%s.p99 %.2f s" % (label, pct(times, 0.99)))
    for kind, s in sorted(quota.items()):
        print("RESULT mass.%s.%s.accepted %d" % (label, kind, s["accepted"]))
        print("RESULT mass.%s.%s.throttled %d" % (label, kind, s["throttled"]))
    print("RESULT mass.%s.failed %d" % (label, len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
