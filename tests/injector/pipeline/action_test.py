#!/usr/bin/env python3
"""The GitHub Actions composite action (action.yml at the repository root): its
shell steps, taken from the file with python3-yaml and run with bash the way the
runner runs them — inputs through each step's env (the `${{ }}` expressions
resolved as the runner would), $GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_PATH and
$RUNNER_TEMP files, a later step seeing the earlier steps' PATH additions.

  - installing: an installed binary by name or path; a download from a loopback
    HTTP server checked against its SHA-256 (a wrong digest installs nothing; a
    plain-http non-loopback URL and a missing digest are refused); a build from
    the action's own checkout, with apt-get, sudo and cmake replaced by recorders
    that check what the step asks of them; a missing source named;
  - exporting: the real memsecret binary against the loopback Vault fake: the
    value is masked on stdout before it is appended to $GITHUB_ENV, and never
    appears on stderr; a reference outside `allow` fails the step.
No secret value is printed by this test.

usage: action_test.py <memsecret-injector> <vault_fake.py> <repo root>
"""
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402

BINARY = VAULT_FAKE = REPO = None
VAULT_TOKEN = "hvs.ACTION-TEST-VAULT-TOKEN"
API_KEY = "ACTION-TEST-API-KEY-7f3a"
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def load_action():
    with open(os.path.join(REPO, "action.yml")) as f:
        return yaml.safe_load(f)


class Runner:
    """Runs the action's composite steps with bash, as the GitHub runner does."""

    def __init__(self, test, inputs, env=None, action_path=None):
        self.action = load_action()
        self.work = tempfile.mkdtemp(prefix="memsecret-action-")
        test.addCleanup(shutil.rmtree, self.work, True)
        self.temp = os.path.join(self.work, "runner-temp")
        os.mkdir(self.temp)
        self.files = {k: os.path.join(self.work, k.lower()) for k in ("GITHUB_ENV", "GITHUB_PATH")}
        for path in self.files.values():
            open(path, "w").close()
        declared = self.action["inputs"]
        for name in inputs:
            test.assertIn(name, declared, "the test passes an input action.yml does not declare")
        self.inputs = {n: inputs.get(n, spec.get("default", "")) for n, spec in declared.items()}
        self.env = dict(env or {})
        self.action_path = action_path or REPO
        self.outputs = {}

    def resolve(self, text, step_outputs):
        def one(m):
            expr = m.group(1)
            if expr.startswith("inputs."):
                return self.inputs[expr[len("inputs."):]]
            if expr == "github.action_path":
                return self.action_path
            if expr.startswith("steps."):
                _, step, _, name = expr.split(".")
                return step_outputs.get(step, {}).get(name, "")
            raise AssertionError("unexpected expression %s" % expr)
        return EXPR.sub(one, str(text))

    def run(self):
        """[(step id, CompletedProcess)] until a step fails."""
        results, step_outputs = [], {}
        for i, step in enumerate(self.action["runs"]["steps"]):
            sid = step.get("id", "step%d" % i)
            out_file = os.path.join(self.work, "output-%d" % i)
            open(out_file, "w").close()
            with open(self.files["GITHUB_PATH"]) as f:
                added = [l.strip() for l in f if l.strip()]
            env = {"PATH": os.pathsep.join(list(reversed(added)) + [os.environ["PATH"]]),
                   "HOME": self.work, "RUNNER_TEMP": self.temp, "GITHUB_OUTPUT": out_file,
                   "GITHUB_ENV": self.files["GITHUB_ENV"], "GITHUB_PATH": self.files["GITHUB_PATH"]}
            env.update(self.env)
            env.update({k: self.resolve(v, step_outputs) for k, v in step.get("env", {}).items()})
            res = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                                 env=env, capture_output=True, text=True, timeout=120)
            with open(out_file) as f:
                step_outputs[sid] = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
            results.append((sid, res))
            if res.returncode != 0:
                break
        self.outputs = step_outputs
        return results

    def read(self, name):
        with open(self.files[name]) as f:
            return f.read()


def start_vault():
    """vault_fake.py holding the app's key (staging and production) and a token that reads it."""
    vault = fake_client.start(VAULT_FAKE)
    vault.control(op="mount", path="secret", version=2)
    vault.control(op="kv_put", mount="secret", path="genesys/staging/app", data={"apiKey": API_KEY})
    vault.control(op="kv_put", mount="secret", path="genesys/production/app", data={"apiKey": "PROD-" + API_KEY})
    vault.control(op="token", token=VAULT_TOKEN, ttl=3600, paths=[""])
    return vault


class FileServer:
    """Serves one file at /memsecret on loopback."""

    def __init__(self, path):
        with open(path, "rb") as f:
            body = f.read()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != "/memsecret":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/memsecret" % self.server.server_address[1]
        self.sha256 = hashlib.sha256(body).hexdigest()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


EXPORT_INPUTS = {"set": "secret-app=vault:secret/genesys/staging/app#apiKey\n",
                 "allow": "vault:secret/genesys/staging/*\n", "env": "CRM_API_KEY=app\n"}


class ActionFile(unittest.TestCase):
    def test_steps_take_inputs_from_env_only(self):
        action = load_action()
        self.assertEqual(action["runs"]["using"], "composite")
        for step in action["runs"]["steps"]:
            self.assertEqual(step["shell"], "bash")
            self.assertNotIn("${{", step["run"], "expressions belong in env:, not in the script")
            for value in step.get("env", {}).values():
                for m in EXPR.finditer(str(value)):
                    if m.group(1).startswith("inputs."):
                        self.assertIn(m.group(1)[len("inputs."):], action["inputs"])


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vault = start_vault()

    @classmethod
    def tearDownClass(cls):
        cls.vault.stop()

    def vault_env(self):
        return {"VAULT_ADDR": self.vault.url, "VAULT_TOKEN": VAULT_TOKEN}

    def assert_exported(self, runner, results):
        for sid, res in results:
            self.assertEqual(res.returncode, 0, "step %s failed: %s" % (sid, res.stderr[-2000:]))
        self.assertEqual(len(results), len(runner.action["runs"]["steps"]))
        export = results[-1][1]
        github_env = runner.read("GITHUB_ENV")
        m = re.search(r"^CRM_API_KEY<<(\S+)\n(.*)\n\1\n", github_env, re.M)
        self.assertTrue(m, "CRM_API_KEY is appended to $GITHUB_ENV as a heredoc")
        self.assertTrue(m.group(2) == API_KEY, "the exported value is the secret's field")
        lines = export.stdout.splitlines()
        self.assertIn("::add-mask::" + API_KEY, lines, "the value is masked")
        self.assertNotIn(API_KEY, export.stderr)
        for _, res in results[:-1]:
            self.assertNotIn(API_KEY, res.stdout + res.stderr)

    def test_installed_binary_by_path(self):
        runner = Runner(self, dict(EXPORT_INPUTS, binary=BINARY), env=self.vault_env())
        results = runner.run()
        self.assert_exported(runner, results)
        self.assertEqual(runner.outputs["install"]["binary"], BINARY)
        self.assertEqual(runner.read("GITHUB_PATH"), "", "an installed binary's folder is left alone")

    def test_installed_binary_by_name_on_path(self):
        bin_dir = tempfile.mkdtemp(prefix="memsecret-action-bin-")
        self.addCleanup(shutil.rmtree, bin_dir)
        os.symlink(BINARY, os.path.join(bin_dir, "memsecret"))
        env = dict(self.vault_env(), PATH=bin_dir + os.pathsep + os.environ["PATH"])
        runner = Runner(self, dict(EXPORT_INPUTS, binary="memsecret"), env=env)
        self.assert_exported(runner, runner.run())
        self.assertEqual(runner.outputs["install"]["binary"], os.path.join(bin_dir, "memsecret"))

    def test_missing_binary_is_named(self):
        runner = Runner(self, dict(EXPORT_INPUTS, binary="/nonexistent/memsecret"))
        results = runner.run()
        self.assertEqual(len(results), 1)
        self.assertNotEqual(results[0][1].returncode, 0)
        self.assertIn("binary: /nonexistent/memsecret is not an executable file or a command on PATH",
                      results[0][1].stderr)

    def test_download_checked_against_its_sha256(self):
        server = FileServer(BINARY)
        self.addCleanup(server.close)
        runner = Runner(self, dict(EXPORT_INPUTS, **{"download-url": server.url, "sha256": server.sha256.upper()}),
                        env=self.vault_env())
        results = runner.run()
        self.assert_exported(runner, results)
        installed = os.path.join(runner.temp, "memsecret-bin")
        self.assertEqual(runner.read("GITHUB_PATH").strip(), installed)
        self.assertEqual(runner.outputs["install"]["binary"], os.path.join(installed, "memsecret"))
        with open(os.path.join(installed, "memsecret-injector"), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), server.sha256)
        self.assertIn("memsecret 0.", results[0][1].stdout, "the installed binary ran (--version)")

    def test_download_with_a_wrong_sha256_installs_nothing(self):
        server = FileServer(BINARY)
        self.addCleanup(server.close)
        wrong = hashlib.sha256(b"something else").hexdigest()
        runner = Runner(self, dict(EXPORT_INPUTS, **{"download-url": server.url, "sha256": wrong}))
        results = runner.run()
        self.assertEqual(len(results), 1, "the export step never runs")
        res = results[0][1]
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("has SHA-256 %s, not the expected %s: not installed" % (server.sha256, wrong), res.stderr)
        self.assertEqual(os.listdir(os.path.join(runner.temp, "memsecret-bin")), [])
        self.assertEqual(runner.read("GITHUB_PATH"), "")

    def test_download_url_and_digest_are_checked_before_downloading(self):
        for inputs, message in (
                ({"download-url": "http://downloads.example.com/memsecret", "sha256": "0" * 64},
                 "download-url must be https:// (plain http only to loopback)"),
                ({"download-url": "https://downloads.example.com/memsecret"},
                 "sha256: give the 64 hex digits"),
                ({"download-url": "https://downloads.example.com/memsecret", "sha256": "abc"},
                 "sha256: give the 64 hex digits")):
            with self.subTest(inputs=inputs):
                results = Runner(self, dict(EXPORT_INPUTS, **inputs)).run()
                self.assertEqual(len(results), 1)
                self.assertNotEqual(results[0][1].returncode, 0)
                self.assertIn(message, results[0][1].stderr)

    def recorders(self):
        """apt-get, sudo and cmake stand-ins that log their argv; `cmake --build` puts the
        real binary where the build would."""
        bin_dir = tempfile.mkdtemp(prefix="memsecret-action-tools-")
        self.addCleanup(shutil.rmtree, bin_dir)
        log = os.path.join(bin_dir, "calls.log")
        scripts = {
            "apt-get": 'echo "apt-get $*" >> "%s"\n' % log,
            "sudo": 'echo "sudo $1" >> "%s"\nexec "$@"\n' % log,
            "cmake": ('echo "cmake $*" >> "%s"\n'
                      'if [ "$1" = --build ]; then mkdir -p "$2/injector"; cp "%s" "$2/injector/memsecret-injector"; fi\n'
                      % (log, BINARY)),
        }
        for name, body in scripts.items():
            path = os.path.join(bin_dir, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" + body)
            os.chmod(path, 0o755)
        return bin_dir, log

    def test_build_from_the_action_checkout(self):
        bin_dir, log = self.recorders()
        env = dict(self.vault_env(), PATH=bin_dir + os.pathsep + os.environ["PATH"])
        runner = Runner(self, EXPORT_INPUTS, env=env)
        results = runner.run()
        self.assert_exported(runner, results)
        with open(log) as f:
            calls = f.read().splitlines()
        apt = [c for c in calls if c.startswith("apt-get install")]
        self.assertEqual(len(apt), 1, calls)
        for package in ("cmake", "ninja-build", "g++", "libssl-dev", "nlohmann-json3-dev", "libyaml-cpp-dev",
                        "libspdlog-dev", "libcpp-httplib-dev"):
            self.assertIn(" " + package, apt[0])
        build = os.path.join(runner.temp, "memsecret-build")
        self.assertIn("cmake -S %s -B %s -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMSECRET_BUILD_TESTS=OFF "
                      "-DMEMSECRET_BUILD_BENCH=OFF" % (REPO, build), calls)
        self.assertIn("cmake --build %s --target memsecret-injector" % build, calls)
        self.assertEqual(bool([c for c in calls if c.startswith("sudo")]), os.geteuid() != 0,
                         "apt-get runs through sudo unless the runner is root")
        installed = os.path.join(runner.temp, "memsecret-bin")
        self.assertEqual(runner.read("GITHUB_PATH").strip(), installed)
        self.assertTrue(os.path.islink(os.path.join(installed, "memsecret")))

    def test_build_without_a_source_says_what_to_do(self):
        empty = tempfile.mkdtemp(prefix="memsecret-action-empty-")
        self.addCleanup(shutil.rmtree, empty)
        results = Runner(self, EXPORT_INPUTS, action_path=empty).run()
        self.assertNotEqual(results[0][1].returncode, 0)
        self.assertIn("no memsecret source at %s to build from; set download-url + sha256 or binary" % empty,
                      results[0][1].stderr)

    def test_reference_outside_allow_fails_the_step(self):
        inputs = dict(EXPORT_INPUTS, binary=BINARY, set="secret-app=vault:secret/genesys/production/app#apiKey\n")
        results = Runner(self, inputs, env=self.vault_env()).run()
        export = results[-1][1]
        self.assertEqual(export.returncode, 2, "exit 2: refused before anything is fetched")
        self.assertIn("vault:secret/genesys/production/app", export.stderr)
        self.assertNotIn(API_KEY, export.stdout + export.stderr)


if __name__ == "__main__":
    BINARY, VAULT_FAKE, REPO = sys.argv[1:4]
    del sys.argv[1:4]
    unittest.main()
