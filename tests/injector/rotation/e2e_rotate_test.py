#!/usr/bin/env python3
"""`memsecret rotate` end to end: the real binary against loopback fakes that behave like
the services (tests/fakes): Genesys login + OAuth client API (tokens bound to their client,
revoked on delete), Secrets Manager with version stages, Vault KV v2 with cas, Key Vault versions, the CXone
token endpoint. Pins: two rotations in a row (the second deletes the first client, the
replaced one keeps minting), a failing verification (store unchanged, no orphan), a crash
after each step then a rerun (resumes, never two new clients, the store always mints),
--dry-run, --if-older-than, assisted CXone, Vault cas, and no secret in any output.
Usage: e2e_rotate_test.py BINARY FAKES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402

AKID, AWS_SECRET = "AKIDROTATETEST", "AWS-SECRET-ROTATE-TEST-0001"
VAULT_TOKEN = "hvs.ROTATE-VAULT-TOKEN"
ADMIN = {"clientId": "admin-client-0001", "clientSecret": "ADMIN-SECRET-9f8e7d", "region": "mypurecloud.ie"}
APP_SECRET = "APP-SECRET-1a2b3c"
SECRETS = [AWS_SECRET, VAULT_TOKEN, ADMIN["clientSecret"], APP_SECRET, "CX-NEW-SECRET-77", "CX-OLD-SECRET-66"]


def check(cond, what, detail=""):
    if not cond:
        raise AssertionError(what + ("\n" + detail if detail else ""))
    print("ok   " + what, flush=True)


def main():
    binary, fakes = sys.argv[1], sys.argv[2]
    aws = fake_client.start(os.path.join(fakes, "fake_aws.py"))
    gen = fake_client.start(os.path.join(fakes, "genesys_api_fake.py"))
    vault = fake_client.start(os.path.join(fakes, "vault_fake.py"))
    cx = fake_client.start(os.path.join(fakes, "oauth_fake.py"), "--genesys", "x:y",
                           "--cxone", "CXNEWKEY:CX-NEW-SECRET-77")
    az = fake_client.start(os.path.join(fakes, "azure_fake.py"))
    work = tempfile.mkdtemp(prefix="memsecret-rotate-")
    outputs = []
    try:
        aws.control(op="static_key", akid=AKID, secret=AWS_SECRET)
        gen.control(op="add_client", id=ADMIN["clientId"], name="rotation-admin", secret=ADMIN["clientSecret"],
                    permissions=["oauth:client:view", "oauth:client:add", "oauth:client:delete"])
        gen.control(op="add_client", id="client-a-0001", name="crm-sync", secret=APP_SECRET,
                    roleIds=["role-crm"], accessTokenValiditySeconds=3600, description="crm sync")
        aws.control(op="put_secret", name="genesys/admin", string=json.dumps(ADMIN))
        app = {"clientId": "client-a-0001", "clientSecret": APP_SECRET, "domain": "mypurecloud.ie",
               "base_url": "https://api.mypurecloud.ie"}
        aws.control(op="put_secret", name="genesys/app", string=json.dumps(app), created=1)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_ACCESS_KEY_ID": AKID,
               "AWS_SECRET_ACCESS_KEY": AWS_SECRET, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": aws.url,
               "MEMSECRET_GENESYS_LOGIN_URL": gen.url, "MEMSECRET_GENESYS_API_URL": gen.url,
               "MEMSECRET_CXONE_AUTH_URL": cx.url, "VAULT_ADDR": vault.url, "VAULT_TOKEN": VAULT_TOKEN}

        def rotate(*args, ref="aws:genesys/app", stdin=None):
            r = subprocess.run([binary, "rotate", ref] + list(args), env=env, capture_output=True, text=True,
                               timeout=120, input=stdin)
            outputs.append(r.stdout + r.stderr)
            return r

        def store(name="genesys/app", stage="AWSCURRENT"):
            # What the store holds, read as the injector would (through the fake's own control view).
            return aws_value(aws, name, stage)

        def clients():
            return {c["id"]: c["name"] for c in gen.get("/_control/state")["clients"]}

        def mints(doc):
            req = urllib.request.Request(gen.url + "/oauth/token", data=b"grant_type=client_credentials",
                                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                                  "Authorization": "Basic " + b64(doc["clientId"] + ":" + doc["clientSecret"])})
            try:
                return urllib.request.urlopen(req).status == 200
            except urllib.error.HTTPError:
                return False

        admin = "--admin=aws:genesys/admin"
        # --dry-run: a plan, no change.
        before = clients()
        r = rotate(admin, "--dry-run")
        check(r.returncode == 0 and "planned" in r.stderr, "dry run exits 0 and prints the plan")
        check(clients() == before and store()["clientId"] == "client-a-0001", "dry run changes nothing")

        # Rotation 1: A -> B; nothing to delete yet.
        r = rotate(admin)
        check(r.returncode == 0, "first rotation succeeds", r.stderr[-400:])
        cur = store()
        b = cur["clientId"]
        check(b != "client-a-0001" and cur["previousClientId"] == "client-a-0001", "B is current, A recorded")
        check(cur["domain"] == "mypurecloud.ie" and cur["base_url"] == "https://api.mypurecloud.ie",
              "other credential fields are kept")
        check(mints(cur) and mints(app), "B mints and A still mints")
        check(store(stage="AWSPREVIOUS")["clientId"] == "client-a-0001", "AWS moved AWSPREVIOUS to A")
        check(clients()[b].startswith("crm-sync (memsecret rotation "), "B carries the rotation suffix")
        check(sum(1 for line in r.stderr.splitlines() if '"kind":"rotation"' in line) >= 5, "one audit line per step")

        # --if-older-than: B is new, nothing due.
        r = rotate(admin, "--if-older-than", "90d")
        check(r.returncode == 0 and "nothing due" in r.stdout and store()["clientId"] == b, "--if-older-than skips a fresh version")

        # Rotation 2: B -> C, deletes A; two throttled API answers on the way are waited out.
        gen.control(op="throttle", count=2, retry_after=1)
        r = rotate(admin)
        check(r.returncode == 0, "second rotation succeeds", r.stderr[-300:])
        check(gen.get("/_control/state").get("throttled") == 2, "the 429 answers were waited out")
        cur2 = store()
        c = cur2["clientId"]
        check("client-a-0001" not in clients() and b in clients() and c in clients(), "second rotation deletes A, keeps B")
        check(not mints(app) and mints(cur), "A's credentials stop working, B's still mint")

        # A failing verification: C' cannot mint -> deleted, store unchanged.
        gen.control(op="deny_mint", name_contains="memsecret rotation")
        known = set(clients())
        r = rotate(admin)
        check(r.returncode == 1 and "verify" in r.stderr, "failing verification exits 1")
        check(store()["clientId"] == c and set(clients()) == known, "store unchanged, no orphan client")
        gen.control(op="deny_mint", name_contains=None)

        # A crash after each step, then a rerun.
        for target, fake in (("create", gen), ("PutSecretValue", aws), ("UpdateSecretVersionStage", aws),
                             ("delete", gen)):
            prev = store()
            fake.control(op="crash_after", target=target)
            r = rotate(admin)
            check(r.returncode == 1, "crash after %s: the run fails" % target)
            check(mints(store()), "crash after %s: the store still mints" % target)
            r = rotate(admin)
            check(r.returncode == 0, "crash after %s: the rerun succeeds" % target, r.stderr[-300:])
            resumed = {"create": '"step":"delete_orphan","outcome":"ok"',
                       "PutSecretValue": '"step":"promote","outcome":"ok"',
                       "UpdateSecretVersionStage": '"step":"resume","outcome":"ok"',
                       "delete": '"step":"create_client","outcome":"ok"'}[target]
            check(resumed in r.stderr, "crash after %s: the rerun %s" % (target, resumed), r.stderr[-600:])
            now = store()
            check(mints(now), "crash after %s: the resumed store mints" % target)
            lineage = [i for i, n in clients().items() if n.startswith("crm-sync")]
            check(len(lineage) <= 3, "crash after %s: no extra clients (%d in the lineage)" % (target, len(lineage)))
            if target != "delete":
                check(now["previousClientId"] == prev["clientId"] or now["clientId"] != prev["clientId"],
                      "crash after %s: the rerun moved on from the stored client" % target)

        # Vault KV v2 with cas, including a refused cas.
        vault.control(op="mount", path="secret", version=2)
        vault.control(op="token", token=VAULT_TOKEN, ttl=3600, paths=[""])
        gen.control(op="add_client", id="client-v-0001", name="vault-app", secret=APP_SECRET, roleIds=["r"])
        vault.control(op="kv_put", mount="secret", path="genesys/vault-app",
                      data={"client_id": "client-v-0001", "client_secret": APP_SECRET, "region": "mypurecloud.ie"})
        r = rotate(admin, ref="vault:secret/genesys/vault-app")
        check(r.returncode == 0, "vault rotation succeeds", r.stderr[-300:])
        vdoc = vault_value(vault, "genesys/vault-app")
        check(vdoc["client_id"] != "client-v-0001" and "clientId" not in vdoc, "vault: new version, snake_case kept")
        known = set(clients())
        vault.control(op="write_race")
        r = rotate(admin, ref="vault:secret/genesys/vault-app")
        check(r.returncode == 1 and "cas" in r.stderr, "vault: a write that lost the race (wrong cas) fails", r.stderr[-300:])
        check(set(clients()) == known, "vault: the refused rotation's new client is deleted")

        # Azure Key Vault: a new version (PUT); the previous client comes from the document.
        tenant, azure_client, assertion = "tenant-1", "azure-client-1", "AZURE-FEDERATED-ASSERTION-1"
        az.control(op="client", tenant=tenant, client_id=azure_client, assertion=assertion)
        gen.control(op="add_client", id="client-z-0001", name="azure-app", secret=APP_SECRET, roleIds=["r"])
        az.control(op="put", vault="kv1", name="genesys-app", value=json.dumps(
            {"clientId": "client-z-0001", "clientSecret": APP_SECRET, "region": "mypurecloud.ie"}))
        token_file = os.path.join(work, "azure-token")
        with open(token_file, "w") as f:
            f.write(assertion)
        env.update({"AZURE_CLIENT_ID": azure_client, "AZURE_TENANT_ID": tenant,
                    "AZURE_FEDERATED_TOKEN_FILE": token_file, "AZURE_AUTHORITY_HOST": az.url + "/",
                    "MEMSECRET_AZURE_KEYVAULT_ENDPOINT": az.url + "/{vault}"})
        for _ in range(2):
            r = rotate(admin, ref="azure:kv1/genesys-app")
            check(r.returncode == 0, "azure rotation succeeds", r.stderr[-300:])
        zdoc = json.loads(az.get("/_control/latest?vault=kv1&name=genesys-app")["value"])
        check("client-z-0001" not in clients() and zdoc["clientId"] in clients() and zdoc["previousClientId"] in clients(),
              "azure: two rotations, the second deletes the first client")
        SECRETS.append(assertion)

        # Assisted CXone: the person's key pair, verified and stored.
        aws.control(op="put_secret", name="nice/app", string=json.dumps(
            {"accessKeyId": "CXOLDKEY", "accessKeySecret": "CX-OLD-SECRET-66", "base_url": "x"}))
        newfile = os.path.join(work, "new.json")
        with open(newfile, "w") as f:
            json.dump({"accessKeyId": "CXNEWKEY", "accessKeySecret": "CX-NEW-SECRET-77"}, f)
        r = rotate("--issuer", "cxone", "--new-from-file", newfile, ref="aws:nice/app")
        check(r.returncode == 0 and "CXOLDKEY" in r.stdout, "assisted rotation stores and names the old key",
              r.stdout + r.stderr)
        check(store("nice/app")["accessKeyId"] == "CXNEWKEY" and store("nice/app")["base_url"] == "x", "assisted: stored, fields kept")
        bad = json.dumps({"accessKeyId": "CXBADKEY", "accessKeySecret": "CX-OLD-SECRET-66"})
        r = rotate("--issuer", "cxone", "--new-from-file", "-", ref="aws:nice/app", stdin=bad)
        check(r.returncode == 1 and store("nice/app")["accessKeyId"] == "CXNEWKEY", "assisted: a key that cannot mint is not stored")

        # Usage errors.
        r = rotate()
        check(r.returncode == 2 and "--admin" in r.stderr, "automatic without --admin is exit 2")
        r = rotate("--bogus")
        check(r.returncode == 2, "an unknown flag is exit 2")

        every = "\n".join(outputs)
        for s in SECRETS + [cur["clientSecret"], cur2["clientSecret"]]:
            check(s not in every, "no secret in any output (%s...)" % s[:6])
        return 0
    finally:
        for f in (aws, gen, vault, cx, az):
            f.stop()


def b64(s):
    import base64
    return base64.b64encode(s.encode()).decode()


def aws_value(aws, name, stage):
    st = aws.get("/_control/secret?name=" + name + "&stage=" + stage)
    return json.loads(st["string"])


def vault_value(vault, path):
    return vault.get("/_control/kv?mount=secret&path=" + path)["data"]


if __name__ == "__main__":
    sys.exit(main())
