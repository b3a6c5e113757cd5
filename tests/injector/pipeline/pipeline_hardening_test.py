#!/usr/bin/env python3
"""Process-level hardening of the pipeline commands, against the real binary and the
loopback fakes (Vault; Genesys/CXone tokens; an AWS endpoint that refuses, so an item keeps
retrying):

 1. export --github-env, read by a port of the GitHub runner (github_runner_port.py): for
    hostile values (a bare \\r before ::stop-commands::, %25, %0A, ::, ##[, lines shaped like
    NAME=VALUE and delimiters, white space) every line of every value is masked, no value
    stops command processing or issues a command, and $GITHUB_ENV (with an earlier
    unterminated FOO=bar line) parses back to exactly the intended variables.
 2. Nothing secret outlives a command: get and export on SIGINT/SIGTERM/SIGHUP/SIGQUIT while
    an item is still retrying exit 128+N and leave no memsecret-* directory; exec forwards
    SIGQUIT and removes its directory; when exec is SIGKILLed or killed by a signal it does
    not handle, COMMAND dies with it (PR_SET_PDEATHSIG) and the next run sweeps the stale
    directory; core dumps are off.
 3. What a new user meets: audit lines only at MEMSECRET_LOG_LEVEL=info; one line for an unset
    ${VAR} and none of its knock-ons; no "not retryable, next attempt"; the Jenkins example of
    docs/pipelines.md works with that page's own pipeline.yaml, and a vault-role login error
    states the rule that chose it; --allow-addr refuses a key file's Vault address before
    any network call.

usage: pipeline_hardening_test.py <memsecret-injector> <vault_fake.py> <oauth_fake.py> <docs/pipelines.md>
Exit 77 = skipped (no tmpfs at /dev/shm).
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402
import github_runner_port as runner  # noqa: E402
from e2e_pipeline_test import CXONE, GENESYS, PY, check  # noqa: E402

SKIP = 77
SHM = "/dev/shm"
VAULT_TOKEN = "hvs.HARDENING-VAULT-TOKEN"
HOSTILE = [
    "anything\r::stop-commands::pwn",
    "TOP-SECRET-AFTER-THE-STOP",
    "p@ss%25w0rd!",
    "line-one\r\nline-two\rline-three\n",
    "::set-env name=NODE_OPTIONS::--require=/tmp/pwn.js\nNODE_OPTIONS=--require=/tmp/pwn.js\n"
    "ghadelimiter_0123\nEOF\nLD_PRELOAD=/tmp/pwn.so",
    "%0A::add-mask::x%0D::error::boom%",
    "  \t\n  tail-secret-with-spaces  ",
    "##[stop-commands]legacy\n##[set-env name=X;]y",
    "a::b::c",
]
SECRETS = [VAULT_TOKEN, GENESYS["client_secret"], CXONE["api_secret"], "TOP-SECRET-AFTER-THE-STOP",
           "tail-secret-with-spaces"]


def no_secrets(text, where):
    for s in SECRETS:
        if s in text:
            raise AssertionError("%s leaks %r" % (where, s[:10]))


def our_dirs(pid=None):
    """memsecret-* directories in /dev/shm (of `pid` when given)."""
    names = [n for n in os.listdir(SHM) if n.startswith("memsecret-")]
    if pid is not None:
        names = [n for n in names if n.startswith("memsecret-%d-" % pid)]
    return [os.path.join(SHM, n) for n in names]


def wait_for(cond, what, limit=60):
    """Polls `cond` (hang guard `limit` seconds, far above any healthy wait)."""
    deadline = time.time() + limit
    while time.time() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def gone(pid):
    """True once `pid` has exited (a zombie waiting for a reaper counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def main():
    binary, vault_fake, oauth_fake, pipelines_md = sys.argv[1:5]
    if not os.path.isdir(SHM) or os.statvfs(SHM).f_bsize == 0:
        return SKIP
    work = tempfile.mkdtemp(prefix="memsecret-hardening-")
    vault = fake_client.start(vault_fake)
    oauth = fake_client.start(oauth_fake, "--genesys", "%s:%s" % (GENESYS["client_id"], GENESYS["client_secret"]),
                              "--cxone", "%s:%s" % (CXONE["api_key"], CXONE["api_secret"]))
    try:
        vault.control(op="mount", path="secret", version=2)
        for i, value in enumerate(HOSTILE):
            vault.control(op="kv_put", mount="secret", path="hostile/%d" % i, data={"v": value})
        for env_name in ("staging", "production"):
            vault.control(op="kv_put", mount="secret", path="genesys/%s/cx-pipeline" % env_name, data=GENESYS)
            vault.control(op="kv_put", mount="secret", path="nice/%s/cxone-pipeline" % env_name, data=CXONE)
        vault.control(op="token", token=VAULT_TOKEN, ttl=3600, paths=[""])
        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("VAULT_", "MEMSECRET_", "AWS_", "GITHUB_"))}
        base_env.update({"VAULT_ADDR": vault.url, "VAULT_TOKEN": VAULT_TOKEN, "XDG_RUNTIME_DIR": "/nonexistent",
                         "MEMSECRET_GENESYS_LOGIN_URL": oauth.url, "MEMSECRET_CXONE_AUTH_URL": oauth.url,
                         # An AWS item that keeps retrying: its endpoint refuses connections.
                         "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDHARDENING",
                         "AWS_SECRET_ACCESS_KEY": "hardening-secret-key",
                         "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:1"})

        def run(args, env=None, **kw):
            return subprocess.run([binary] + args, env=env or base_env, capture_output=True, text=True,
                                  timeout=120, **kw)

        # 1. export --github-env as the runner reads it.
        sets, envs = [], []
        for i in range(len(HOSTILE)):
            sets += ["--set", "secret-h%d=vault:secret/hostile/%d#v" % (i, i)]
            envs += ["--env", "H%d=h%d" % (i, i)]
        gh_env = os.path.join(work, "github_env")
        with open(gh_env, "w") as f:
            f.write("EARLIER=kept")  # an earlier step's line without its newline
        r = run(["export", "--github-env"] + sets + envs, env=dict(base_env, GITHUB_ENV=gh_env))
        check(r.returncode == 0, "export --github-env with hostile values: %s" % r.stderr[-500:])
        step = runner.StepOutput(r.stdout)
        check(step.stopped_by == [], "no value stops command processing")
        check(step.commands == [], "no value issues a command: %r" % step.commands[:2])
        check(step.refused_masks == 0, "no mask the runner refuses (white-space lines are not sent)")
        for i, value in enumerate(HOSTILE):
            for line in runner.read_lines(value):
                if line.strip():
                    check(line in step.masks, "H%d: the runner masks its line %d chars long" % (i, len(line)))
                    check("***" in step.mask(line) and line.strip() not in step.mask(line),
                          "H%d: printed later, the line is hidden" % i)
        with open(gh_env, newline="") as f:  # File.ReadAllText: no newline translation
            parsed, error = runner.parse_env_file(f.read())
        # The intended value of each variable is the item's value, as `get` prints it.
        want = {"EARLIER": "kept"}
        for i in range(len(HOSTILE)):
            g = subprocess.run([binary, "get"] + sets[2 * i:2 * i + 2] + ["h%d" % i], env=base_env,
                               capture_output=True, timeout=120)
            check(g.returncode == 0, "get h%d" % i)
            want["H%d" % i] = g.stdout.decode()
        check(error is None, "the runner reads $GITHUB_ENV without an error (%s)" % error)
        check(parsed == want, "$GITHUB_ENV parses back to exactly the intended variables")
        # The port is not vacuous: the old writer's output fails these very checks.
        old = "".join("::add-mask::%s\n" % line.rstrip("\r") for v in HOSTILE[:2] for line in v.split("\n"))
        old_step = runner.StepOutput(old)
        check(old_step.stopped_by == ["pwn"] and HOSTILE[1] not in old_step.masks,
              "(self-check) a \\r-unaware writer lets the runner stop commands and skip the next mask")
        check(runner.parse_env_file("FOO=bar" + "X<<D\nNODE_OPTIONS=x\nEVIL=1\nD\n")[0].get("EVIL") == "1",
              "(self-check) without the newline an earlier line swallows the heredoc header")

        # 2. Signals: get/export while an item retries; the directory goes, exit 128+N.
        slow = ["--set", "secret-slow=aws:/hardening/never-answers"]
        ok = ["--set", "secret-ok=vault:secret/genesys/staging/cx-pipeline#client_id"]
        for command, args, fetched in (
                ("get", ["get"] + slow + ["slow"], None),
                ("export", ["export", "--github-env"] + ok + slow + ["--env", "A=ok", "--env", "B=slow"], "ok")):
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                p = subprocess.Popen([binary] + args, env=dict(base_env, GITHUB_ENV=gh_env),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                d = wait_for(lambda: our_dirs(p.pid), "%s's directory" % command)[0]
                if fetched:  # an item already written (0400) while another still retries
                    wait_for(lambda: os.path.exists(os.path.join(d, fetched)), "the fetched item")
                if sig == signal.SIGINT:
                    with open("/proc/%d/limits" % p.pid) as f:
                        core = [l for l in f if l.startswith("Max core file size")][0].split()
                    check(core[4:6] == ["0", "0"], "%s: core dumps are off" % command)
                p.send_signal(sig)
                out, err = p.communicate(timeout=60)
                name = signal.Signals(sig).name
                check(p.returncode == 128 + sig, "%s %s: exit %d" % (command, name, p.returncode))
                check(not os.path.exists(d), "%s %s: the directory is removed" % (command, name))
                check(("stopped by %s" % name) in err, "%s %s: says why it stopped" % (command, name))
                no_secrets(out + err, "%s %s" % (command, name))

        # exec: COMMAND starts with no blocked signal and SIGPIPE not ignored (memsecret itself
        # ignores it); SIGQUIT is forwarded (and cleans up) like the other three.
        keys = ok
        r = run(["exec"] + keys + ["--", "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"])
        status = dict(l.split(":") for l in r.stdout.splitlines())
        check(int(status["SigBlk"], 16) == 0, "COMMAND starts with an empty signal mask")
        check(int(status["SigIgn"], 16) & (1 << (signal.SIGPIPE - 1)) == 0, "COMMAND gets SIGPIPE's default")
        pidfile = os.path.join(work, "child.pid")
        child = "import os,time; open(%r,'w').write(str(os.getpid())); time.sleep(120)" % pidfile
        p = subprocess.Popen([binary, "exec"] + keys + ["--", PY, "-c", child], env=base_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: os.path.exists(pidfile) and open(pidfile).read(), "COMMAND")
        d = our_dirs(p.pid)[0]
        p.send_signal(signal.SIGQUIT)
        p.communicate(timeout=60)
        check(p.returncode == 128 + signal.SIGQUIT and not os.path.exists(d),
              "exec SIGQUIT: forwarded (exit %d), directory removed" % p.returncode)

        # exec killed by SIGKILL or an unhandled signal: COMMAND dies too, the next run sweeps.
        for sig in (signal.SIGKILL, signal.SIGUSR1):
            os.unlink(pidfile)
            p = subprocess.Popen([binary, "exec"] + keys + ["--", PY, "-c", child], env=base_env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            child_pid = int(wait_for(lambda: os.path.exists(pidfile) and open(pidfile).read(), "COMMAND"))
            d = our_dirs(p.pid)[0]
            p.send_signal(sig)
            p.communicate(timeout=60)
            name = signal.Signals(sig).name
            check(wait_for(lambda: gone(child_pid), "COMMAND to die with exec (%s)" % name),
                  "exec %s: COMMAND did not outlive it" % name)
            check(os.path.exists(d), "exec %s: its directory stays until a sweep" % name)
            r = run(["get"] + ok + ["ok"])
            check(r.returncode == 0 and not os.path.exists(d), "the next run sweeps the stale directory")

        # 3a. Audit lines follow the log level (default warn).
        r = run(["get"] + ok + ["ok"])
        check(r.returncode == 0 and '"audit":true' not in r.stderr, "no audit line at the default level")
        r = run(["get"] + ok + ["ok"], env=dict(base_env, MEMSECRET_LOG_LEVEL="info"))
        check(r.returncode == 0 and '"audit":true' in r.stderr, "audit lines at MEMSECRET_LOG_LEVEL=info")

        # 3b. One unset ${VAR}: one line, no knock-ons.
        keys_file = os.path.join(work, "pipeline.yaml")
        with open(keys_file, "w") as f:
            f.write("token-genesys: vault:secret/genesys/${ENVIRONMENT}/cx-pipeline\nissuer-genesys: genesys\n"
                    "token-cxone: vault:secret/nice/${ENVIRONMENT}/cxone-pipeline\nissuer-cxone: cxone\n"
                    "secret-cxone-key: vault:secret/nice/${ENVIRONMENT}/cxone-pipeline#api_key\n"
                    "secret-cxone-secret: vault:secret/nice/${ENVIRONMENT}/cxone-pipeline#api_secret\n")
        r = run(["exec", "-f", keys_file, "--allow", "vault:secret/*/staging/*", "--", "true"])
        lines = [l for l in r.stderr.splitlines() if l]
        check(r.returncode == 2 and len(lines) == 2 and "${ENVIRONMENT} is not set (used by " in lines[0]
              and "1 problem(s)" in lines[1], "unset ${ENVIRONMENT}: one problem, no knock-ons: %r" % lines)

        # 3c. A final failure says so, not "next attempt in".
        r = run(["exec", "--set", "secret-x=vault:secret/genesys/staging/nope", "--", "true"],
                env=dict(base_env, MEMSECRET_LOG_LEVEL="warn"))
        check(r.returncode == 1 and "not retryable, giving up" in r.stderr and "next attempt" not in r.stderr,
              "a not-found secret: 'not retryable, giving up'")

        # 3d. docs/pipelines.md: the Jenkins example with the page's own pipeline.yaml.
        doc = open(pipelines_md).read()
        yaml_block = re.search(r"`pipeline\.yaml`[^\n]*\n\n```yaml\n(.*?)```", doc, re.S).group(1)
        with open(os.path.join(work, "doc-pipeline.yaml"), "w") as f:
            f.write(yaml_block)
        jenkins = re.search(r"## Jenkins.*?sh '''\n(.*?)'''", doc, re.S).group(1)
        words = shlex.split(jenkins.replace("\\\n", " "))
        words = words[words.index("exec"):]
        words[words.index("--") + 1:] = [PY, "-c", "import os; print(os.environ['GENESYS_CLOUD_ACCESS_TOKEN'][:10])"]
        words = [w.replace("$ENVIRONMENT", "staging") for w in words]
        words[words.index("pipeline.yaml")] = os.path.join(work, "doc-pipeline.yaml")
        r = run(words, env=dict(base_env, ENVIRONMENT="staging"))
        check(r.returncode == 0 and r.stdout.startswith("GEN-TOKEN-"),
              "the Jenkins example works with the page's pipeline.yaml and VAULT_TOKEN: %s" % r.stderr[-600:])
        r = run(["get"] + ok + ["--set", "vault-role=cx-pipeline", "ok"],
                env=dict(base_env, MEMSECRET_INIT_TIMEOUT="5s"))
        check(r.returncode == 1 and "VAULT_TOKEN and VAULT_TOKEN_FILE are used only without vault-role" in r.stderr,
              "a vault-role login error states the precedence rule")
        no_secrets(r.stderr, "vault-role error")

        # 3e. --allow-addr: a key file cannot send the Vault token elsewhere.
        before = vault.stats()
        r = run(["get"] + ok + ["--set", "vault-addr=https://vault.attacker.example:8200",
                                "--allow-addr", "https://vault.example.com:8200", "ok"])
        check(r.returncode == 2 and "vault-addr: https://vault.attacker.example:8200 is outside every "
              "--allow-addr glob" in r.stderr and vault.stats() == before,
              "--allow-addr refuses the key file's vault-addr before any request")
        print("PASS", flush=True)
        return 0
    finally:
        vault.stop()
        oauth.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
