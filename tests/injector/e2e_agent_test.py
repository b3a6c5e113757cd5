#!/usr/bin/env python3
"""End-to-end: the Agent-compatible endpoint of the real memsecret-injector
binary (sidecar run, agentPort in the plan) against the loopback AWS fake.

A client written against the AWS Secrets Manager Agent's documented API
(Python urllib, GET /secretsmanager/get?secretId=... with the
X-Aws-Parameters-Secrets-Token header read from <mount>/.agent-token) gets
the same fields as GetSecretValue (called here with botocore against the same
fake) returns, by name and by ARN, string and binary, and by the Agent's path
form GET /v1/<secret id>; the token file has the secret files' owner and
mode (0400), not 0444; a rotation shows up within the refresh interval, and at
once with refreshNow=true (one backend read, however many refreshNow calls in
a second); AWSPREVIOUS and a versionId are served after the rotation; an
undeclared secret is 404 without any backend call for it; a missing or wrong
token is 403; X-Forwarded-For is refused; a deleted secret stops being served;
the listener is not reachable on a non-loopback address of the machine; no
secret value or the token appears in the injector's output. Needs no root.

usage: e2e_agent_test.py <memsecret-injector> <fake_aws.py>
"""
import base64
import json
import math
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from e2e_injector_test import JWT, ROLE, check, plan, wait_for  # noqa: E402
import fake_client  # noqa: E402

import botocore.session  # noqa: E402

NAME = "/genesys/production/crm-sync"
BIN_NAME = "/genesys/production/keystore"
OTHER = "/genesys/production/not-declared"
V1 = {"clientId": "crm-sync", "clientSecret": "AGENT-SECRET-VALUE-ONE"}
V2 = {"clientId": "crm-sync", "clientSecret": "AGENT-SECRET-VALUE-TWO"}
BIN = b"\x00\xffAGENT-BINARY-VALUE"
OTHER_VALUE = "AGENT-UNDECLARED-VALUE"
SECRETS = ["AGENT-SECRET-VALUE-ONE", "AGENT-SECRET-VALUE-TWO", "AGENT-BINARY-VALUE", OTHER_VALUE, JWT]
AKID, SK = "AKIDAGENTE2E", "agent-e2e-static-secret-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, query, headers, path="/secretsmanager/get?"):
    """The Agent's documented call; returns (status, body)."""
    req = urllib.request.Request("http://localhost:%d%s%s" % (port, path, query), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def sdk_get_secret_value(fake, secret_id):
    client = botocore.session.get_session().create_client(
        "secretsmanager", region_name="us-east-1", endpoint_url=fake.url,
        aws_access_key_id=AKID, aws_secret_access_key=SK)
    out = client.get_secret_value(SecretId=secret_id)
    out.pop("ResponseMetadata", None)
    return out


def same_as_sdk(agent_json, sdk):
    """The Agent's JSON against botocore's parsed GetSecretValue output."""
    a = json.loads(agent_json)
    want = {k: sdk[k] for k in ("ARN", "Name", "VersionId", "VersionStages") if k in sdk}
    if "SecretString" in sdk:
        want["SecretString"] = sdk["SecretString"]
    if "SecretBinary" in sdk:
        want["SecretBinary"] = base64.b64encode(sdk["SecretBinary"]).decode()
    got = {k: a.get(k) for k in want}
    created = float(a["CreatedDate"])  # the Agent's epoch-seconds string
    sdk_created = sdk["CreatedDate"].timestamp()
    return got == want and abs(created - sdk_created) < 0.001 and set(a) == set(want) | {"CreatedDate"}


def non_loopback_address():
    """An IPv4 address of this machine that is not loopback, or None."""
    if shutil.which("ip"):
        out = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            addr = line.split()[3].split("/")[0]
            if not addr.startswith("127."):
                return addr
    try:  # the address the default route would use
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            addr = s.getsockname()[0]
            return None if addr.startswith("127.") or addr == "0.0.0.0" else addr
    except OSError:
        return None


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, fake_script = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="memsecret-agent-e2e-")
    out = os.path.join(work, "secrets")
    os.mkdir(out)
    fake = fake_client.start(fake_script)
    proc = None
    outputs = []
    try:
        token_file = os.path.join(work, "token")
        with open(token_file, "w") as f:
            f.write(JWT)
        fake.control(op="sts", role=ROLE, token=JWT, duration=3600)
        fake.control(op="static_key", akid=AKID, secret=SK)
        fake.control(op="put_secret", name=NAME, string=json.dumps(V1))
        bin_arn = fake.control(op="put_secret", name=BIN_NAME, binary_b64=base64.b64encode(BIN).decode())["arn"]
        fake.control(op="put_secret", name=OTHER, string=OTHER_VALUE)

        port = free_port()
        files = [  # one secret by name (a #field file: the endpoint serves the whole secret), one by ARN
            {"name": "client-secret", "kind": "secret", "ref": "aws:%s#clientSecret" % NAME, "format": "raw", "mode": "0400"},
            {"name": "keystore", "kind": "secret", "ref": "aws:" + bin_arn, "format": "raw", "mode": "0400"},
        ]
        p = json.loads(plan(out, token_file, 1, "sidecar", files))
        p["agentPort"] = port
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_ENDPOINT_URL": fake.url,
               "MEMSECRET_PLAN": json.dumps(p)}
        proc = subprocess.Popen([binary, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: subprocess.run([binary, "probe"], env=env, stderr=subprocess.DEVNULL).returncode == 0
                 or proc.poll() is not None, 30, "sidecar with agentPort ready")
        check(proc.poll() is None, "sidecar still running")

        token_path = os.path.join(out, ".agent-token")
        token_st, secret_st = os.stat(token_path), os.stat(os.path.join(out, "client-secret"))
        check(stat.S_IMODE(token_st.st_mode) == 0o400, "token file: the secret files' mode (0400), not world-readable")
        check((token_st.st_uid, token_st.st_gid) == (secret_st.st_uid, secret_st.st_gid),
              "token file: the secret files' owner")
        with open(token_path) as f:
            token = f.read()
        check(len(token) == 64 and all(c in "0123456789abcdef" for c in token), "token: 64 random hex characters")
        hdr = {"X-Aws-Parameters-Secrets-Token": token}

        # --- the Agent's documented API gives GetSecretValue's answer -------------
        status, body = get(port, "secretId=" + urllib.parse.quote(NAME, safe=""), hdr)
        check(status == 200, "GET by name: 200")
        check(same_as_sdk(body, sdk_get_secret_value(fake, NAME)), "by name: the same fields as GetSecretValue")
        check(json.loads(json.loads(body)["SecretString"]) == V1, "whole secret served (not the #field)")
        arn = json.loads(body)["ARN"]
        status, by_arn = get(port, "secretId=" + urllib.parse.quote(arn, safe="") + "&versionStage=AWSCURRENT", hdr)
        check(status == 200 and by_arn == body, "by ARN with versionStage=AWSCURRENT: the same answer")
        version = json.loads(body)["VersionId"]
        status, _ = get(port, "secretId=%s&versionId=%s" % (urllib.parse.quote(NAME, safe=""), version), hdr)
        check(status == 200, "versionId of the cached version: 200")
        status, _ = get(port, "secretId=%s&versionStage=AWSPREVIOUS" % urllib.parse.quote(NAME, safe=""), hdr)
        check(status == 404, "a stage the store does not have (yet): 404")
        # The id is the rest of the path: this name's leading '/' follows the prefix's.
        status, by_path = get(port, "", hdr, path="/v1/" + NAME)
        check(status == 200 and by_path == body, "the Agent's path form GET /v1/<secret id>: the same answer")
        status, bin_body = get(port, "secretId=" + urllib.parse.quote(bin_arn, safe=""), hdr)
        check(status == 200 and same_as_sdk(bin_body, sdk_get_secret_value(fake, bin_arn)),
              "binary secret declared by ARN: SecretBinary as GetSecretValue")
        status, by_name = get(port, "secretId=" + urllib.parse.quote(BIN_NAME, safe=""), hdr)
        check(status == 200 and by_name == bin_body, "secret declared by ARN also found by its Name")

        # --- rotation on the next refresh (1 s) -------------------------------------
        # Counted in backend reads of the secret, not in milliseconds: a fetch in flight at the put
        # may still return V1, the next one returns V2, and the endpoint serves what it holds.
        fetched = fake.stats()["GetSecretValueBySecretId"].get(NAME, 0)
        fake.control(op="put_secret", name=NAME, string=json.dumps(V2))
        t_rot = time.monotonic()
        wait_for(lambda: "AGENT-SECRET-VALUE-TWO" in get(port, "secretId=" + NAME, hdr)[1], 30,
                 "rotation served by the endpoint")
        rot_ms = (time.monotonic() - t_rot) * 1000
        rot_reads = fake.stats()["GetSecretValueBySecretId"].get(NAME, 0) - fetched
        print("MEASURED rotation-to-endpoint: %.0f ms, %d backend reads (refresh interval 1 s)" % (rot_ms, rot_reads),
              flush=True)
        check(1 <= rot_reads <= 3, "rotation served from the first read or two after the put (<= 3 reads)")

        # --- after the rotation: AWSPREVIOUS and the old versionId ----------------
        # (A fetch answers the same question for 1 s: the 404 above may still be the answer that long.)
        previous_query = "secretId=%s&versionStage=AWSPREVIOUS" % urllib.parse.quote(NAME, safe="")
        wait_for(lambda: get(port, previous_query, hdr)[0] == 200, 30, "AWSPREVIOUS served after the rotation")
        status, prev = get(port, previous_query, hdr)
        check(status == 200 and json.loads(json.loads(prev)["SecretString"]) == V1
              and json.loads(prev)["VersionId"] == version, "versionStage=AWSPREVIOUS: the version before the rotation")
        status, old_version = get(port, "versionId=" + version, hdr,
                                 path="/v1/" + urllib.parse.quote(NAME, safe="") + "?")
        check(status == 200 and json.loads(old_version)["SecretString"] == json.dumps(V1),
              "versionId of the old version, by the path form: served")

        # --- refreshNow: fetched from the store at once, bounded ---------------------
        v3 = {"clientId": "crm-sync", "clientSecret": "AGENT-SECRET-VALUE-THREE"}
        SECRETS.append("AGENT-SECRET-VALUE-THREE")
        fake.control(op="put_secret", name=NAME, string=json.dumps(v3))
        before = fake.stats()["GetSecretValueBySecretId"].get(NAME, 0)
        t_now = time.monotonic()
        status, fresh = get(port, "secretId=%s&refreshNow=true" % NAME, hdr)
        check(status == 200 and json.loads(json.loads(fresh)["SecretString"]) == v3,
              "refreshNow=true right after a rotation: the new value")
        for _ in range(30):
            get(port, "secretId=%s&refreshNow=true" % NAME, hdr)
        reads = fake.stats()["GetSecretValueBySecretId"].get(NAME, 0) - before
        allowed = 2 * (math.ceil(time.monotonic() - t_now) + 1)  # refreshNow once a second + the 1 s refresh
        print("MEASURED 31 refreshNow GETs: %d backend reads" % reads, flush=True)
        check(1 <= reads <= allowed, "31 refreshNow calls: %d backend reads <= %d" % (reads, allowed))

        # --- undeclared: 404 and no backend call for it ---------------------------
        status, body = get(port, "secretId=" + urllib.parse.quote(OTHER, safe=""), hdr)
        check(status == 404 and "ResourceNotFoundException" in body, "undeclared secret: 404")
        check(OTHER not in fake.stats()["GetSecretValueBySecretId"], "undeclared secret: no backend call")
        calls = fake.stats()["GetSecretValueBySecretId"].get(NAME, 0)
        t_hits = time.monotonic()
        for _ in range(50):
            get(port, "secretId=" + NAME, hdr)
        elapsed = time.monotonic() - t_hits
        reads = fake.stats()["GetSecretValueBySecretId"].get(NAME, 0) - calls
        allowed = math.ceil(elapsed) + 2  # one refresh a second (+ the passes at both ends), never one per GET
        print("MEASURED 50 GETs: %.2f s, %d backend reads of the secret" % (elapsed, reads), flush=True)
        check(reads <= allowed, "50 cache hits add no backend calls (only the 1 s refresh: %d <= %d)" % (reads, allowed))

        # --- SSRF protection --------------------------------------------------------
        check(get(port, "secretId=" + NAME, {})[0] == 403, "missing token: 403, as the Agent")
        check(get(port, "secretId=" + NAME, {"X-Aws-Parameters-Secrets-Token": "0" * 64})[0] == 403, "wrong token: 403")
        status, body = get(port, "secretId=" + NAME, dict(hdr, **{"X-Forwarded-For": "203.0.113.9"}))
        check(status == 400 and "SECRET" not in body, "X-Forwarded-For refused (400)")
        check(get(port, "versionStage=AWSCURRENT", hdr)[0] == 400, "malformed query: 400")
        req = urllib.request.Request("http://127.0.0.1:%d/secretsmanager/get?secretId=%s" % (port, NAME),
                                     headers=hdr, method="POST", data=b"")
        try:
            urllib.request.urlopen(req, timeout=30)
            check(False, "POST refused")
        except urllib.error.HTTPError as e:
            check(e.code == 405, "POST: 405")

        addr = non_loopback_address()
        if addr is None:
            print("SKIP part: this machine has no non-loopback address to try the listener on", flush=True)
        else:
            with socket.socket() as s:
                s.settimeout(2)
                try:
                    s.connect((addr, port))
                    reached = True
                except OSError:
                    reached = False
            check(not reached, "listener not reachable on %s (a non-loopback address)" % addr)

        # --- a deleted secret stops being served at the next refresh ---------------
        fake.control(op="delete_secret", name=NAME)
        wait_for(lambda: get(port, "secretId=" + NAME, hdr)[0] != 200, 30, "deleted secret no longer served")
        status, body = get(port, "secretId=" + NAME, hdr)
        check(status == 400 and "InvalidRequestException" in body and "SECRET-VALUE" not in body,
              "deleted secret: 400 InvalidRequestException, as Secrets Manager answers, no value")

        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
        outputs += [stdout, stderr]
        check(proc.returncode == 0, "sidecar with the endpoint exits on SIGTERM")
        leaked = [s for s in SECRETS + [token] if any(s in o for o in outputs)]
        check(not leaked, "no secret value, JWT or agent token in the injector's output")
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
