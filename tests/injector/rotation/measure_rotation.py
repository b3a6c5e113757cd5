#!/usr/bin/env python3
"""Measures what an app sees through rotations (not a ctest: a figure, not a pass/fail).
A sidecar injector (refresh-interval 2s) keeps a Genesys token file fresh from credentials in
the Secrets Manager fake; an "app" calls the Genesys fake's GET /api/v2/users/me every 100 ms
with the file's content; `memsecret rotate` runs twice in a row (the second deletes the first
client). Prints JSON: app calls, failed calls, and per rotation the seconds from the store
change to the token file moving to the new client.
Usage: measure_rotation.py BINARY FAKES_DIR [REFRESH_SECONDS]   (default 2; 0 = credentials
are only re-read on rejection: the app then fails once the deleted client's token is revoked)
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402
from e2e_rotate_test import AKID, AWS_SECRET, ADMIN, APP_SECRET  # noqa: E402


def main():
    binary, fakes = sys.argv[1], sys.argv[2]
    refresh = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    out = tempfile.mkdtemp(prefix="memsecret-measure-")
    aws = fake_client.start(os.path.join(fakes, "fake_aws.py"))
    gen = fake_client.start(os.path.join(fakes, "genesys_api_fake.py"), "--expires-in", "3600")
    aws.control(op="static_key", akid=AKID, secret=AWS_SECRET)
    gen.control(op="add_client", id=ADMIN["clientId"], name="rotation-admin", secret=ADMIN["clientSecret"],
                permissions=["oauth:client:view", "oauth:client:add", "oauth:client:delete"])
    gen.control(op="add_client", id="client-a-0001", name="crm-sync", secret=APP_SECRET, roleIds=["r"])
    aws.control(op="put_secret", name="genesys/admin", string=json.dumps(ADMIN))
    aws.control(op="put_secret", name="genesys/app", string=json.dumps(
        {"clientId": "client-a-0001", "clientSecret": APP_SECRET, "domain": "mypurecloud.ie"}))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_ACCESS_KEY_ID": AKID,
           "AWS_SECRET_ACCESS_KEY": AWS_SECRET, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": aws.url,
           "MEMSECRET_GENESYS_LOGIN_URL": gen.url, "MEMSECRET_GENESYS_API_URL": gen.url}
    plan = {"version": 1, "pod": {"namespace": "crm", "serviceAccount": "crm-sync", "name": ""},
            "lifecycle": "sidecar", "outputDir": out, "refreshIntervalSeconds": refresh,
            "files": [{"name": "genesys", "kind": "token", "ref": "aws:genesys/app", "format": "raw",
                       "mode": "0400", "token": {"issuer": "genesys"}}]}
    side = subprocess.Popen([binary, "run"], env=dict(env, MEMSECRET_PLAN=json.dumps(plan)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = os.path.join(out, "genesys")
    while not os.path.exists(path):
        time.sleep(0.05)
    calls, failures, stop = [0], [0], threading.Event()
    changes = []  # (time, token) when the file's content changed

    def app():
        last = None
        while not stop.is_set():
            token = open(path).read()
            if token != last:
                changes.append(time.time())
                last = token
            req = urllib.request.Request(gen.url + "/api/v2/users/me", headers={"Authorization": "Bearer " + token})
            calls[0] += 1
            try:
                urllib.request.urlopen(req, timeout=5).read()
            except Exception:
                failures[0] += 1
            time.sleep(0.1)

    t = threading.Thread(target=app)
    t.start()
    moves = []
    try:
        time.sleep(1)
        for _ in range(2):
            r = subprocess.run([binary, "rotate", "aws:genesys/app", "--admin", "aws:genesys/admin"],
                               env=env, capture_output=True, text=True, timeout=120)
            stored = time.time()
            assert r.returncode == 0, r.stderr[-400:]
            n = len(changes)
            while len(changes) == n and time.time() - stored < 5:
                time.sleep(0.02)
            moves.append(round(changes[-1] - stored, 2) if len(changes) > n else None)
            time.sleep(1)
    finally:
        stop.set()
        t.join()
        side.terminate()
        side.wait()
        aws.stop()
        gen.stop()
    print(json.dumps({"app_calls": calls[0], "failed_calls": failures[0],
                      "seconds_store_to_file": moves, "refresh_interval": refresh}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
