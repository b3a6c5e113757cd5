#!/usr/bin/env python3
"""The local try-out guide, followed as a new user follows it: scripts/try-out.sh
starts the loopback fakes and prints the commands; the commands it prints are
exactly the block in docs/try-out.md; pasted into a fresh bash they work — get,
exec, the --allow fence, export --github-env, the sidecar with its files, Agent
endpoint and metrics — and print what the guide says they print, and no value;
Ctrl-C stops the fakes and removes the try-out directory.

usage: try_out_test.py <build dir> <repo root>
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

BUILD = REPO = None
SKIP = 77
DEFAULT_TRY = "/dev/shm/memsecret-try-out"
FAKES = ("fake_aws.py", "vault_fake.py", "oauth_fake.py")
BEGIN, END = "<!-- try-out commands: begin -->", "<!-- try-out commands: end -->"


def doc_block():
    with open(os.path.join(REPO, "docs", "try-out.md")) as f:
        text = f.read()
    inner = text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip("\n")
    lines = inner.splitlines()
    assert lines[0] == "```sh" and lines[-1] == "```", "the block is one ```sh fence"
    return "\n".join(lines[1:-1]) + "\n"


def ephemeral_range():
    """The kernel's range for port-0 binds and outgoing connections."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
    return lo, hi


def memory_dir():
    """A tmpfs to work in (the script's default is /dev/shm), or None."""
    try:
        with open("/proc/self/mounts") as f:
            mounts = {l.split()[1]: l.split()[2] for l in f}
    except OSError:
        return None
    return "/dev/shm" if mounts.get("/dev/shm") == "tmpfs" else None


class TryOut(unittest.TestCase):
    def setUp(self):
        base = memory_dir()
        if base is None:
            raise unittest.SkipTest("no tmpfs at /dev/shm")
        parent = tempfile.mkdtemp(prefix="memsecret-try-out-test-", dir=base)
        self.addCleanup(shutil.rmtree, parent, True)
        self.try_dir = os.path.join(parent, "try")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VAULT_", "MEMSECRET_", "GITHUB_"))}
        env["MEMSECRET_TRYOUT_DIR"] = self.try_dir
        self.proc = subprocess.Popen([os.path.join(REPO, "scripts", "try-out.sh"), "--build-dir", BUILD],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                     start_new_session=True)
        self.addCleanup(self.proc.stderr.close)
        self.addCleanup(self.proc.stdout.close)
        self.addCleanup(self.stop, signal.SIGKILL)  # runs first: cleanups are LIFO
        self.lines = queue.Queue()
        threading.Thread(target=self.pump, daemon=True).start()
        self.stderr = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stop(self, sig):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()

    def printed(self):
        """Everything the script printed up to "ready"; fails if it ends before."""
        out = []
        deadline = time.monotonic() + 120  # guards against a hang only
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.fail("try-out.sh printed no 'ready' line:\n" + "".join(out) + "".join(self.stderr))
            if line is None:
                self.proc.wait()
                self.fail("try-out.sh exited %s before 'ready':\n%s%s" % (self.proc.returncode, "".join(out),
                                                                         "".join(self.stderr)))
            out.append(line)
            if line.startswith("ready"):
                return "".join(out)

    def env_sh(self):
        values = {}
        with open(os.path.join(self.try_dir, "env.sh")) as f:
            for line in f:
                if line.startswith("export "):
                    for pair in line[len("export "):].split():
                        k, _, v = pair.partition("=")
                        values[k] = v
        return values

    def session_fakes(self):
        """pid -> command line of each fake running in the script's session (it leads its own)."""
        fakes = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/stat" % pid) as f:
                    session = int(f.read().rpartition(")")[2].split()[3])
                with open("/proc/%s/cmdline" % pid) as f:
                    cmdline = f.read().split("\0")
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if session == self.proc.pid and any(a.endswith(FAKES) for a in cmdline):
                fakes[int(pid)] = cmdline
        return fakes

    def secret_values(self, env):
        """Every value the fakes hold or issued that the commands must never print."""
        values = [env["AWS_SECRET_ACCESS_KEY"], env["VAULT_TOKEN"]]
        req = urllib.request.Request(env["VAULT_ADDR"] + "/v1/secret/data/cxone/try-out/pipeline",
                                     headers={"X-Vault-Token": env["VAULT_TOKEN"]})
        data = json.loads(urllib.request.urlopen(req, timeout=10).read())["data"]["data"]
        values.append(data["accessKeySecret"])  # accessKeyId is an id, like a client id
        return values

    def test_the_guide_works_as_written(self):
        out = self.printed()
        self.assertIn("AWS Secrets Manager  http://127.0.0.1:", out)
        printed = out.split("---8<--- commands\n", 1)[1].split("--->8---\n", 1)[0]
        self.assertEqual(printed, doc_block().replace(DEFAULT_TRY + "/env.sh", self.try_dir + "/env.sh"),
                         "the script prints exactly docs/try-out.md's commands")
        env = self.env_sh()
        # The sidecar binds its ports only in step 5: ports from the kernel's ephemeral range
        # could go to another program's port-0 listener or connection by then.
        lo, hi = ephemeral_range()
        if lo > 1024 or hi < 65535:
            for name in ("AGENT_PORT", "METRICS_PORT"):
                self.assertFalse(lo <= int(env[name]) <= hi, "%s %s is in the ephemeral range %d-%d"
                                 % (name, env[name], lo, hi))

        shell_env = {k: v for k, v in os.environ.items()
                     if not k.startswith(("AWS_", "VAULT_", "MEMSECRET_", "GITHUB_"))}
        res = subprocess.run(["bash", "-c", printed], env=shell_env, capture_output=True, text=True, timeout=180,
                             cwd=REPO)
        text = res.stdout + res.stderr
        sidecar_log = os.path.join(self.try_dir, "sidecar.log")
        if res.returncode != 0 and os.path.exists(sidecar_log):  # it says why the sidecar stopped
            with open(sidecar_log) as f:
                text += "\n$TRY/sidecar.log:\n" + f.read()
        for value in self.secret_values(env):
            self.assertNotIn(value, text, "a command printed a value")
        self.assertNotIn("GEN-TOKEN-", text)
        self.assertNotIn("CX-TOKEN-", text)
        self.assertIsNone(re.search(r"crm-[0-9a-f]{24}", text), "the CRM API key was printed")
        self.assertEqual(res.returncode, 0, text)
        lines = res.stdout.splitlines()
        # 1. get | wc -c: the API key's length ("crm-" + 24 hex digits).
        self.assertEqual(lines[0].strip(), "28", text)
        # 2. exec: the items as files, a token in the environment.
        self.assertEqual(lines[1:4], ["cxone", "cxone-key", "genesys"], text)
        m = re.fullmatch(r"GENESYS_CLOUD_ACCESS_TOKEN has (\d+) characters", lines[4])
        self.assertTrue(m and int(m.group(1)) > 0, text)
        # 3. the fence: refused before anything is fetched.
        self.assertEqual(lines[5], "exit 2", text)
        self.assertIn("aws:/genesys/production/crm-sync-service/crm", res.stderr)
        # 4. export --github-env: the variable names.
        self.assertEqual(lines[6:8], ["CXONE_API_KEY<<", "GENESYS_CLOUD_ACCESS_TOKEN<<"], text)
        # 5. the sidecar: files with their modes, the Agent endpoint, metrics.
        listing = "\n".join(lines[8:])
        for name in ("crm-api-key", "crm", "genesys-token"):
            self.assertRegex(listing, r"(?m)^-r-------- .* %s$" % re.escape(name))
        self.assertTrue(any(re.fullmatch(r"/genesys/try-out/crm-sync-service/crm \['AWSCURRENT'\] \d+ characters", l)
                            for l in lines), text)
        self.assertTrue(any(l.startswith('memsecret_injector_last_success_timestamp_seconds{file="genesys-token"')
                            for l in lines), text)
        with open(os.path.join(self.try_dir, "sidecar.log")) as f:
            audit = [json.loads(l) for l in f if l.startswith("{")]
        self.assertTrue(any(a.get("audit") and a.get("file") == "genesys-token" and a.get("outcome") == "written"
                            for a in audit), "the sidecar's audit lines")

        # Ctrl-C stops the fakes and removes the directory.
        # By process, not by port: a parallel test may listen on a fake's port once it is free.
        fakes = self.session_fakes()
        self.assertEqual(len(fakes), len(FAKES), fakes)
        # Ctrl-C; SIGTERM where this test itself runs with SIGINT ignored (a background job),
        # since the script would inherit that and a shell cannot trap an ignored signal.
        interrupt = signal.SIGTERM if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else signal.SIGINT
        self.assertEqual(self.stop(interrupt), 0, "".join(self.stderr))
        self.assertFalse(os.path.exists(self.try_dir))
        for pid, cmdline in fakes.items():  # the script waited for each: not even a zombie is left
            self.assertFalse(os.path.exists("/proc/%d" % pid), "a fake still runs: %s" % cmdline)

    def test_a_second_run_is_refused_while_one_runs(self):
        self.printed()
        res = subprocess.run([os.path.join(REPO, "scripts", "try-out.sh"), "--build-dir", BUILD],
                             env=dict(os.environ, MEMSECRET_TRYOUT_DIR=self.try_dir), capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(res.returncode, 2)
        self.assertIn("%s exists: another try-out is running" % self.try_dir, res.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.try_dir, "env.sh")), "the running one is left alone")

    def test_bad_arguments_are_named(self):
        self.stop(signal.SIGKILL)
        for args, message in ((["--bogus"], "try-out.sh: unknown argument --bogus"),
                              (["--build-dir", "/nonexistent"], "no injector in /nonexistent/injector")):
            with self.subTest(args=args):
                res = subprocess.run([os.path.join(REPO, "scripts", "try-out.sh")] + args, capture_output=True,
                                     text=True, timeout=60, env=dict(os.environ, MEMSECRET_TRYOUT_DIR=self.try_dir))
                self.assertEqual(res.returncode, 2)
                self.assertIn(message, res.stderr)


if __name__ == "__main__":
    BUILD, REPO = sys.argv[1:3]
    del sys.argv[1:3]
    result = unittest.main(exit=False).result
    if result.skipped and not result.failures and not result.errors and result.testsRun == len(result.skipped):
        sys.exit(SKIP)
    sys.exit(0 if result.wasSuccessful() else 1)
