#!/usr/bin/env python3
"""End-to-end OAuth tokens: the real `memsecret-injector run` binary reads
client credentials from the loopback AWS fake (tests/fakes/fake_aws.py) and
mints tokens from npm's oidc-provider (tests/oauth/server.mjs, 6 s TTL).

Checks: the sidecar's token file changes before each token expires over
several cycles and never holds an expired token (by its own expires_at and
by the server's introspection); every minted token is active at the
introspection endpoint; an issuer outage keeps the last file (never deleted
or truncated) and the sidecar recovers by itself once the issuer is back;
`run --once` writes a valid token and exits 0 (CI use); SIGTERM stops the
sidecar; no token or client secret appears in any output.

usage: e2e_token_test.py <memsecret-injector> <fake_aws.py>
"""
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import fake_client  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROLE = "arn:aws:iam::123456789012:role/ci"
JWT = "eyJhbGciOiJSUzI1NiJ9.E2E-OAUTH-JWT.sig"
CLIENT_ID = "memsecret-it"
CLIENT_SECRET = "it+secret%with:odd=chars"
REF_NAME = "/ci/oauth-client"


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok   " + what, flush=True)


def start_oidc(ttl, down_file):
    env = dict(os.environ, OAUTH_TTL_SECONDS=str(ttl), OAUTH_DOWN_FILE=down_file)
    proc = subprocess.Popen(["node", "server.mjs"], cwd=HERE, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    return proc, json.loads(proc.stdout.readline())


def introspect(endpoint, token):
    basic = base64.b64encode((urllib.parse.quote_plus(CLIENT_ID) + ":" +
                              urllib.parse.quote_plus(CLIENT_SECRET)).encode()).decode()
    req = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"token": token}).encode(),
                                 headers={"Authorization": "Basic " + basic}, method="POST")
    return json.loads(urllib.request.urlopen(req).read())


def plan(out_dir, token_file, lifecycle, issuer):
    return json.dumps({
        "version": 1, "pod": {"namespace": "ci", "serviceAccount": "ci", "name": ""},
        "lifecycle": lifecycle, "outputDir": out_dir, "refreshIntervalSeconds": 300,
        # Refreshed 3 s before each expiry (half of the 6 s TTL): a margin a loaded machine keeps.
        "tokenRefreshFraction": 0.5, "tokenMinRemainingSeconds": 3,
        "files": [{"name": "access-token.json", "kind": "token", "ref": "aws:" + REF_NAME, "format": "json",
                   "mode": "0400", "token": {"issuer": issuer, "scope": "api:read"}}],
        "aws": {"region": "us-east-1", "roleArn": ROLE, "webIdentityTokenFile": token_file}})


def read_token(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None
    exp = datetime.strptime(doc["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    return doc["access_token"], exp


def main():
    binary, fake_script = sys.argv[1], sys.argv[2]
    fake = fake_client.start(fake_script)
    tmp = tempfile.mkdtemp(prefix="memsecret-oauth-e2e-")
    down = os.path.join(tmp, "issuer-down")
    oidc, info = start_oidc(6, down)
    sidecar = None
    outputs = []
    tokens = []
    try:
        token_file = os.path.join(tmp, "sa-token")
        with open(token_file, "w") as f:
            f.write(JWT)
        fake.control(op="sts", role=ROLE, token=JWT, duration=3600)
        fake.control(op="put_secret", name=REF_NAME,
                     string=json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_ENDPOINT_URL": fake.url}

        # --- --once (CI pipeline step) ------------------------------------------
        once_dir = os.path.join(tmp, "once")
        os.mkdir(once_dir)
        r = subprocess.run([binary, "run", "--once"],
                           env=dict(env, MEMSECRET_PLAN=plan(once_dir, token_file, "sidecar", info["token_endpoint"])),
                           capture_output=True, text=True, timeout=60)
        outputs += [r.stdout, r.stderr]
        check(r.returncode == 0, "run --once exits 0")
        tok, _ = read_token(os.path.join(once_dir, "access-token.json"))
        tokens.append(tok)
        check(introspect(info["introspection_endpoint"], tok).get("active") is True, "--once token is active")

        # --- sidecar: several cycles ----------------------------------------------
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        path = os.path.join(out, "access-token.json")
        sidecar = subprocess.Popen([binary, "run"], env=dict(env, MEMSECRET_PLAN=plan(
            out, token_file, "sidecar", info["token_endpoint"])), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        seen = []  # [token, first_seen, server_exp]
        # Watched until five tokens were seen (start-up and four refreshes, ~15 s); 90 s is a hang guard.
        end = time.time() + 90
        while len(seen) < 5:
            if time.time() > end:
                raise AssertionError("only %d tokens in 90 s with a 6 s TTL" % len(seen))
            time.sleep(0.02)
            cur = read_token(path)
            if cur is None:
                continue
            now = time.time()
            tok, exp = cur
            if now >= exp:
                raise AssertionError("the file holds an expired token (expires_at passed)")
            if not seen or seen[-1][0] != tok:
                i = introspect(info["introspection_endpoint"], tok)
                check(i.get("active") is True and i.get("client_id") == CLIENT_ID, "token %d active" % len(seen))
                seen.append([tok, now, i["exp"]])
            if now >= seen[-1][2]:
                raise AssertionError("server says the token in the file has expired")
        tokens += [s[0] for s in seen]
        print("MEASURED %d tokens with a 6 s TTL, %.1f s apart on average"
              % (len(seen), (seen[-1][1] - seen[0][1]) / (len(seen) - 1)), flush=True)
        leads = [seen[i][2] - seen[i + 1][1] for i in range(len(seen) - 1)]
        check(all(l > 0 for l in leads), "file changed before each expiry (min %.2f s early)" % min(leads))

        # --- issuer outage: keep the file, recover by itself ----------------------
        open(down, "w").close()
        last = read_token(path)[0]
        t_down = time.time()
        while time.time() < t_down + 8:  # longer than the 6 s TTL: the token expires
            time.sleep(0.1)
            cur = read_token(path)
            if cur is None or cur[0] != last:
                raise AssertionError("file changed or vanished during the outage")
        check(True, "8 s outage: the last file was kept, never deleted or truncated")
        os.remove(down)
        t_up = time.time()
        while time.time() < t_up + 60:
            time.sleep(0.05)
            cur = read_token(path)
            if cur is not None and cur[0] != last and time.time() < cur[1]:
                break
        else:
            raise AssertionError("sidecar did not recover within 60 s")
        tokens.append(cur[0])
        check(introspect(info["introspection_endpoint"], cur[0]).get("active") is True,
              "recovered %.1f s after the issuer came back; new token active" % (time.time() - t_up))

        sidecar.send_signal(signal.SIGTERM)
        t0 = time.time()
        so, se = sidecar.communicate(timeout=30)
        outputs += [so, se]
        # Excludes waiting out an in-flight request (the HTTP client's 10 s timeout) or the 300 s refresh
        # interval; leaves room for a loaded machine and the sanitizers' exit-time leak scan.
        check(sidecar.returncode == 0 and time.time() - t0 < 5, "SIGTERM exits promptly (< 5 s)")
        sidecar = None
        text = "".join(outputs)
        check("temporarily_unavailable" in text, "outage logged with the issuer's error code")
        for secret in [CLIENT_SECRET, JWT] + tokens:
            if secret in text:
                raise AssertionError("a secret or token reached the injector's output")
        check(True, "no token, client secret or SA token in %d bytes of output" % len(text))
        return 0
    finally:
        if sidecar is not None:
            sidecar.kill()
            sidecar.wait()
        oidc.terminate()
        oidc.wait()
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
