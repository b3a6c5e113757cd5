#!/usr/bin/env python3
"""End-to-end: the real binary's pipeline commands (exec, get, export
--github-env) against the loopback Vault fake and a loopback Genesys/CXone
token fake, with the guide's Vault layout:
  secret/genesys/cx-pipeline   = {client_id, client_secret, domain: mypurecloud.com}
  secret/nice/cxone-pipeline   = {api_key, api_secret, base_url}

Checks: a child sees GENESYS_CLOUD_ACCESS_TOKEN, CXONE_API_KEY, CXONE_API_SECRET and
MEMSECRET_DIR (private, on tmpfs, removed afterwards); a long child sees the token
file change before expiry (short-lived tokens); exit codes and signals pass through
(128+N); COMMAND not found is 127; Vault down -> exit 1 within the timeout, one line
per item, the child never ran; --allow refuses a production ref before any network
call; every bad input is named at once (exit 2); export --github-env writes masks and
a valid GITHUB_ENV (multi-line value included); Vault JWT login is named "JWT auth";
no secret, token or credential appears in any output except get's stdout and the
child's own environment. Prints the measured exec overhead and refresh margins.

usage: e2e_pipeline_test.py <memsecret-injector> <vault_fake.py> <oauth_fake.py>
Exit 77 = skipped (no tmpfs at /dev/shm).
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402

SKIP = 77
VAULT_TOKEN = "hvs.E2E-PIPELINE-VAULT-TOKEN"
JWT = "eyJhbGciOiJSUzI1NiJ9.E2E-CI-OIDC-JWT.sig"
GENESYS = {"client_id": "gen-client", "client_secret": "GEN-CLIENT-SECRET-XYZ", "domain": "mypurecloud.com"}
CXONE = {"api_key": "CXKEY-E2E-123", "api_secret": "CXSECRET-E2E-456=", "base_url": "https://api-c1.incontact.com"}
MULTILINE = "-----BEGIN KEY-----\nLINE-ONE-SECRET\nLINE-TWO-SECRET\n-----END KEY-----"
SECRETS = [VAULT_TOKEN, JWT, GENESYS["client_secret"], CXONE["api_secret"], "LINE-ONE-SECRET",
           "GEN-TOKEN-", "CX-TOKEN-"]
PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok   " + what, flush=True)


def no_secrets(text, where, allowed=()):
    for s in SECRETS:
        if s in allowed:
            continue
        if s in text:
            raise AssertionError("%s leaks %r:\n%s" % (where, s[:12], text))


KEYS = """\
token-genesys: vault:secret/genesys/${ENVIRONMENT}/cx-pipeline
issuer-genesys: genesys
token-cxone: vault:secret/nice/${ENVIRONMENT}/cxone-pipeline
issuer-cxone: cxone
secret-cxone-key: vault:secret/nice/${ENVIRONMENT}/cxone-pipeline#api_key
secret-cxone-secret: vault:secret/nice/${ENVIRONMENT}/cxone-pipeline#api_secret
"""


def main():
    binary, vault_fake, oauth_fake = sys.argv[1:4]
    if not os.path.isdir("/dev/shm") or os.statvfs("/dev/shm").f_bsize == 0:
        return SKIP
    work = tempfile.mkdtemp(prefix="memsecret-pipeline-e2e-")
    keys_file = os.path.join(work, "pipeline.yaml")
    with open(keys_file, "w") as f:
        f.write(KEYS)
    vault = fake_client.start(vault_fake)
    oauth = fake_client.start(oauth_fake, "--genesys", "%s:%s" % (GENESYS["client_id"], GENESYS["client_secret"]),
                              "--cxone", "%s:%s" % (CXONE["api_key"], CXONE["api_secret"]), "--expires-in", "8")
    try:
        vault.control(op="mount", path="secret", version=2)
        for env_name in ("staging", "production"):
            vault.control(op="kv_put", mount="secret", path="genesys/%s/cx-pipeline" % env_name, data=GENESYS)
            vault.control(op="kv_put", mount="secret", path="nice/%s/cxone-pipeline" % env_name, data=CXONE)
        vault.control(op="kv_put", mount="secret", path="genesys/staging/pem", data={"pem": MULTILINE})
        vault.control(op="token", token=VAULT_TOKEN, ttl=3600, paths=[""])
        vault.control(op="k8s_role", auth_path="jwt", role="cx-pipeline", jwt=JWT, ttl=3600, paths=[""])

        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("VAULT_", "MEMSECRET_", "AWS_", "GITHUB_"))}
        base_env.update({"VAULT_ADDR": vault.url, "VAULT_TOKEN": VAULT_TOKEN, "ENVIRONMENT": "staging",
                         "MEMSECRET_GENESYS_LOGIN_URL": oauth.url, "MEMSECRET_CXONE_AUTH_URL": oauth.url,
                         "XDG_RUNTIME_DIR": "/nonexistent"})

        def run(args, env=None, timeout=60, **kw):
            return subprocess.run([binary] + args, env=env or base_env, capture_output=True, text=True,
                                  timeout=timeout, **kw)

        env_flags = ["--env", "GENESYS_CLOUD_ACCESS_TOKEN=genesys", "--env", "CXONE_API_KEY=cxone-key",
                     "--env", "CXONE_API_SECRET=cxone-secret", "--env", "CXONE_ACCESS_TOKEN=cxone"]

        # 1. The child sees the variables its tools read, and a private tmpfs directory.
        child = ("import json,os,stat,time; d=os.environ['MEMSECRET_DIR']; st=os.stat(d);"
                 "print(json.dumps({'t':time.time(),'dir':d,'mode':stat.S_IMODE(st.st_mode),"
                 "'files':sorted(os.listdir(d)),"
                 "'g':os.environ['GENESYS_CLOUD_ACCESS_TOKEN'],'k':os.environ['CXONE_API_KEY'],"
                 "'s':os.environ['CXONE_API_SECRET'],'c':os.environ['CXONE_ACCESS_TOKEN'],"
                 "'gfile':open(d+'/genesys').read()}))")
        overheads = []
        for _ in range(5):
            t0 = time.time()
            r = run(["exec", "-f", keys_file, "--allow", "vault:secret/*/staging/*"] + env_flags +
                    ["--", PY, "-c", child])
            if r.returncode != 0:
                print(r.stderr[-2000:])
            check(r.returncode == 0, "exec runs the child")
            seen = json.loads(r.stdout)
            overheads.append((seen["t"] - t0) * 1000)
            no_secrets(r.stderr, "exec stderr")
        check(seen["g"].startswith("GEN-TOKEN-") and seen["g"] == seen["gfile"],
              "GENESYS_CLOUD_ACCESS_TOKEN is the Genesys token (minted through MEMSECRET_GENESYS_LOGIN_URL)")
        check(seen["k"] == CXONE["api_key"] and seen["s"] == CXONE["api_secret"],
              "CXONE_API_KEY / CXONE_API_SECRET from api_key / api_secret")
        check(seen["c"].startswith("CX-TOKEN-"), "the CXone token minted from api_key/api_secret")
        check(seen["dir"].startswith("/dev/shm/memsecret-") and seen["mode"] == 0o700,
              "MEMSECRET_DIR is a fresh 0700 directory on tmpfs")
        check(seen["files"] == ["cxone", "cxone-key", "cxone-secret", "genesys"], "one file per item")
        check(not os.path.exists(seen["dir"]), "the directory is removed when COMMAND ends")
        overheads.sort()
        # The same child started directly: its own interpreter start-up, to subtract.
        direct = []
        for _ in range(5):
            t0 = time.time()
            out = subprocess.run([PY, "-c", "import time; print(time.time())"], capture_output=True, text=True)
            direct.append((float(out.stdout) - t0) * 1000)
        direct.sort()
        print("MEASURE exec overhead (start -> COMMAND start, 2 secrets + 2 tokens, loopback): "
              "median %.1f ms, min %.1f ms, max %.1f ms over %d runs; the child started directly: "
              "median %.1f ms" % (overheads[len(overheads) // 2], overheads[0], overheads[-1],
                                  len(overheads), direct[len(direct) // 2]), flush=True)

        # 2. A long child sees the token file change before expiry (8 s tokens, refreshed at 6 s): it
        # watches until it has seen three tokens (~12 s, past the first token's expiry); 90 s is a hang guard.
        watcher = ("import os,time; p=os.environ['MEMSECRET_DIR']+'/genesys'; seen=[]; t0=time.time()\n"
                   "while len(seen)<3 and time.time()<t0+90:\n"
                   "  v=open(p).read()\n"
                   "  if not seen or seen[-1][1]!=v: seen.append((time.time(),v))\n"
                   "  time.sleep(0.05)\n"
                   "print(len(seen), time.time()-t0)")
        before = len(oauth.stats()["genesys"])
        r = run(["exec", "-f", keys_file, "--env", "GENESYS_CLOUD_ACCESS_TOKEN=genesys", "--", PY, "-c", watcher],
                timeout=120)
        check(r.returncode == 0, "long child exits 0")
        changes, watched = int(r.stdout.split()[0]), float(r.stdout.split()[1])
        check(changes >= 3, "the child saw %d different tokens in %.1f s of 8 s tokens" % (changes, watched))
        check("warning: the token in GENESYS_CLOUD_ACCESS_TOKEN expired" in r.stderr and
              "/genesys" in r.stderr, "one warning names the expired env token and the fresh file")
        check(r.stderr.count("warning: the token in GENESYS_CLOUD_ACCESS_TOKEN") == 1, "warned once")
        mints = oauth.stats()["genesys"][before:]
        margins = [(a["t"] + a["expires_in"]) - b["t"] for a, b in zip(mints, mints[1:])]
        check(all(m > 0.5 for m in margins), "every refresh came before the previous token expired")
        print("MEASURE refresh margins (expiry - next mint) with 8 s tokens: %s s"
              % ", ".join("%.2f" % m for m in margins), flush=True)

        # 3. Exit status and signals pass through.
        keys = ["-f", keys_file]
        r = run(["exec"] + keys + ["--", "sh", "-c", "exit 7"])
        check(r.returncode == 7, "exit status 7 passes through")
        r = run(["exec"] + keys + ["--", "sh", "-c", "kill -9 $$"])
        check(r.returncode == 128 + 9, "killed by SIGKILL -> 137")
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            marker = os.path.join(work, "started-%d" % sig)
            p = subprocess.Popen([binary, "exec"] + keys +
                                 ["--", "sh", "-c", "touch %s; exec sleep 30" % marker],
                                 env=base_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 60  # hang guard
            while not os.path.exists(marker) and time.time() < deadline:
                time.sleep(0.02)
            p.send_signal(sig)
            out, err = p.communicate(timeout=30)
            check(p.returncode == 128 + sig, "%s forwarded: exit %d" % (signal.Signals(sig).name, p.returncode))
        r = run(["exec"] + keys + ["--", "memsecret-no-such-command"])
        check(r.returncode == 127 and "command not found" in r.stderr, "COMMAND not found -> 127")

        # 4. Vault down: exit 1 within the timeout, one line per item, the child never ran.
        down = dict(base_env, VAULT_ADDR="http://127.0.0.1:1")
        ran = os.path.join(work, "ran")
        t0 = time.monotonic()
        r = run(["exec", "--timeout", "3s"] + keys + ["--", "touch", ran], env=down, timeout=30)
        took = time.monotonic() - t0
        check(r.returncode == 1, "Vault down -> exit 1")
        # Excludes retrying up to the default --timeout (60 s); room for a loaded machine and the sanitizers.
        check(took < 3 + 12, "bounded: gave up after %.1f s (timeout 3 s)" % took)
        check(not os.path.exists(ran), "COMMAND never started")
        for item in ("genesys", "cxone", "cxone-key", "cxone-secret"):
            check(re.search(r"exec: %s \(vault:secret/[^)]*\): " % re.escape(item), r.stderr) is not None,
                  "failure line for %s" % item)
        no_secrets(r.stderr, "vault-down stderr")

        # 5. --allow refuses a production ref in a staging run before any network call.
        reads = vault.stats()
        r = run(["exec", "-f", keys_file, "--set", "secret-prod=vault:secret/genesys/production/cx-pipeline",
                 "--allow", "vault:secret/*/staging/*", "--", "touch", ran])
        check(r.returncode == 2 and "item \"prod\": vault:secret/genesys/production/cx-pipeline is outside every --allow glob" in r.stderr,
              "--allow refuses the production ref (exit 2)")
        check(vault.stats() == reads and not os.path.exists(ran), "nothing was fetched, COMMAND not started")

        # 6. Every bad input named at once.
        r = run(["exec", "-f", keys_file, "--set", "secrets-x=vault:a/b", "--set", "token-t=vault:a/b",
                 "--env", "X=nope", "--env", "Y=cxone-key#missing", "--", "true"],
                env=dict(base_env, ENVIRONMENT=""))
        check(r.returncode == 2, "bad input -> exit 2")
        for want in ("secrets-x: unknown key", "token-t: a token needs issuer-t", "--env X: no item \"nope\""):
            check(want in r.stderr, "names: " + want)
        r = run(["exec", "-f", keys_file, "--", "true"], env={k: v for k, v in base_env.items() if k != "ENVIRONMENT"})
        check(r.returncode == 2 and "${ENVIRONMENT} is not set" in r.stderr, "unset ${VAR} -> exit 2")
        opendir = os.path.join(work, "open")
        os.mkdir(opendir, 0o755)
        os.chmod(opendir, 0o755)
        r = run(["exec", "--dir", opendir] + keys + ["--", "true"])
        check(r.returncode == 2 and "not private" in r.stderr, "--dir that is not private -> exit 2")

        # 7. get: the value on stdout and nothing else; a missing field is named.
        r = run(["get", "-f", keys_file, "cxone-key"])
        check(r.returncode == 0 and r.stdout == CXONE["api_key"], "get prints the value only")
        r = run(["get", "--set", "secret-pem=vault:secret/genesys/staging/pem", "pem#pem"])
        check(r.returncode == 0 and r.stdout == MULTILINE, "get NAME#FIELD prints the field")
        r = run(["get", "--set", "secret-pem=vault:secret/genesys/staging/pem", "pem#nope"])
        check(r.returncode == 1 and "item \"pem\"" in r.stderr and "\"nope\"" in r.stderr,
              "get with a missing #FIELD -> exit 1 naming item and field")
        no_secrets(r.stderr, "get stderr")
        r = run(["get", "-f", keys_file, "nope"])
        check(r.returncode == 2 and "no item \"nope\"" in r.stderr, "get unknown item -> exit 2")

        # 8. export --github-env: masks and a valid multi-line GITHUB_ENV file.
        gh_env = os.path.join(work, "github_env")
        r = run(["export", "--github-env", "-f", keys_file, "--set", "secret-pem=vault:secret/genesys/staging/pem#pem",
                 "--env", "PEM=pem", "--env", "GENESYS_CLOUD_ACCESS_TOKEN=genesys"],
                env=dict(base_env, GITHUB_ENV=gh_env))
        if r.returncode != 0:
            print(r.stderr[-2000:])
        check(r.returncode == 0, "export --github-env")
        for line in MULTILINE.split("\n"):
            check("::add-mask::" + line + "\n" in r.stdout, "mask for line %r" % line[:12])
        parsed = {}
        lines = open(gh_env).read().split("\n")
        i = 0
        while i < len(lines) and lines[i]:
            name, delim = lines[i].split("<<", 1)
            end = lines.index(delim, i + 1)
            parsed[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        check(parsed.get("PEM") == MULTILINE, "GITHUB_ENV holds the multi-line value exactly")
        check(parsed.get("GENESYS_CLOUD_ACCESS_TOKEN", "").startswith("GEN-TOKEN-"), "and the token")
        check(("::add-mask::" + parsed["GENESYS_CLOUD_ACCESS_TOKEN"]) in r.stdout, "the token is masked")
        r = run(["export", "--github-env", "-f", keys_file, "--env", "A=genesys"])
        check(r.returncode == 2 and "GITHUB_ENV is not set" in r.stderr, "GITHUB_ENV unset -> exit 2")

        # 9. Vault JWT login from MEMSECRET_VAULT_JWT_FILE, named as such in the log.
        jwt_file = os.path.join(work, "oidc.jwt")
        with open(jwt_file, "w") as f:
            f.write(JWT)
        jwt_env = {k: v for k, v in base_env.items() if k != "VAULT_TOKEN"}
        jwt_env.update(MEMSECRET_VAULT_JWT_FILE=jwt_file, MEMSECRET_LOG_LEVEL="info")
        r = run(["get", "-f", keys_file, "--set", "vault-role=cx-pipeline", "cxone-key"], env=jwt_env)
        check(r.returncode == 0 and r.stdout == CXONE["api_key"], "JWT login reads the secret")
        check("JWT auth (role cx-pipeline at auth/jwt" in r.stderr and "kubernetes auth" not in r.stderr,
              "the log names JWT auth")
        no_secrets(r.stderr, "JWT stderr")

        # 10. `memsecret` is the same binary.
        alias = os.path.join(os.path.dirname(binary), "memsecret")
        r = subprocess.run([alias, "get", "-f", keys_file, "cxone-key"], env=base_env, capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0 and r.stdout == CXONE["api_key"], "memsecret get works (alias)")
        # 11. Sidecar (`run` without --once): final errors on two items (a missing field, CXone
        # credentials without an access key) do not stop the other items from being written.
        out_dir = tempfile.mkdtemp(prefix="memsecret-sidecar-", dir="/dev/shm")
        plan = {"version": 1, "outputDir": out_dir, "vault": {"addr": vault.url},
                "files": [{"name": "good", "ref": "vault:secret/nice/staging/cxone-pipeline#api_key"},
                          {"name": "bad", "ref": "vault:secret/nice/staging/cxone-pipeline#nope"},
                          {"name": "cx", "kind": "token", "ref": "vault:secret/genesys/staging/cx-pipeline",
                           "token": {"issuer": "cxone"}},
                          {"name": "gen", "kind": "token", "ref": "vault:secret/genesys/staging/cx-pipeline",
                           "token": {"issuer": "genesys"}}]}
        plan_file = os.path.join(work, "plan.json")
        with open(plan_file, "w") as f:
            json.dump(plan, f)
        p = subprocess.Popen([binary, "run", "--plan", plan_file], env=base_env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60  # hang guard
        while time.time() < deadline and not (os.path.exists(out_dir + "/good") and os.path.exists(out_dir + "/gen")):
            time.sleep(0.05)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        check(open(out_dir + "/good").read() == CXONE["api_key"] and os.path.exists(out_dir + "/gen"),
              "sidecar writes the good items despite final errors on others")
        check(not os.path.exists(out_dir + "/bad") and not os.path.exists(out_dir + "/cx"),
              "the failing items are not written")
        check("cxone: credentials need accessKeyId (or api_key)" in err, "the CXone error names api_key")
        no_secrets(out + err, "sidecar output")
        for name in os.listdir(out_dir):
            os.unlink(os.path.join(out_dir, name))
        os.rmdir(out_dir)
        print("PASS", flush=True)
        return 0
    finally:
        vault.stop()
        oauth.stop()


if __name__ == "__main__":
    sys.exit(main())
