#!/usr/bin/env python3
"""Black-box checks of the memsecret-webhook binary: usage errors exit 2,
start-up misconfiguration exits 1 at once with one clear line, `serve`
answers over TLS with JSON logs and exits 0 promptly on SIGTERM even with an
idle keep-alive connection open, and `render` reads a file or stdin.

usage: server_binary_test.py <memsecret-webhook> <openssl>
"""
import http.client
import json
import os
import queue
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BINARY, OPENSSL = sys.argv[1], sys.argv[2]


def run(args, stdin=None, timeout=60):
    return subprocess.run([BINARY] + args, input=stdin, capture_output=True, text=True,
                          timeout=timeout)


class Server:
    """A running `serve` process whose stderr lines are collected."""

    def __init__(self, args):
        self.proc = subprocess.Popen([BINARY, "serve"] + args, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.all_lines = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stderr:
            self.all_lines.append(line)
            self.lines.put(line)

    def wait_for(self, text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError("no log line containing %r in %r" % (text, self.all_lines))


class BinaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        cls.cert, cls.key = os.path.join(d, "tls.crt"), os.path.join(d, "tls.key")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", cls.key, "-out", cls.cert,
                        "-days", "1", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_usage_errors_exit_2(self):
        for args in ([], ["bogus"], ["serve", "--bogus"], ["serve", "--listen", "8443"],
                     ["render"], ["render", "-f"]):
            with self.subTest(args=args):
                r = run(args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("usage: memsecret-webhook", r.stderr)

    def test_help_exits_0(self):
        r = run(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("memsecret-webhook serve", r.stdout)

    def test_startup_misconfiguration_exits_1_with_one_line(self):
        bad_config = os.path.join(self.dir.name, "bad.yaml")
        with open(bad_config, "w") as f:
            f.write("injectr: {image: x}\n")
        cases = {
            "missing cert": (["--tls-cert", "/nonexistent/tls.crt", "--tls-key", self.key],
                             "/nonexistent/tls.crt"),
            "key not matching": (["--tls-cert", self.cert, "--tls-key", self.cert],
                                 "tls key"),
            "bad config": (["--config", bad_config, "--tls-cert", self.cert,
                            "--tls-key", self.key], "config"),
            "bad address": (["--listen", "256.0.0.1:1", "--tls-cert", self.cert,
                             "--tls-key", self.key], "256.0.0.1:1"),
        }
        for name, (args, needle) in cases.items():
            with self.subTest(name):
                started = time.monotonic()
                r = run(["serve"] + args)
                self.assertEqual(r.returncode, 1, r.stderr)
                # Excludes retrying or serving anyway (left to run()'s 60 s hang guard), with room for
                # a loaded machine and the sanitizers.
                self.assertLess(time.monotonic() - started, 15)
                records = [json.loads(l) for l in r.stderr.strip().splitlines()]
                problems = [rec for rec in records if rec["level"] != "info"]
                self.assertEqual(len(problems), 1, r.stderr)  # one clear line, and last
                self.assertEqual(problems[0], records[-1])
                self.assertEqual(problems[0]["level"], "critical")
                self.assertIn(needle, problems[0]["msg"])

    def test_serve_answers_and_exits_0_on_sigterm(self):
        server = Server(["--listen", "127.0.0.1:0", "--tls-cert", self.cert,
                         "--tls-key", self.key])
        try:
            line = server.wait_for("listening on https://127.0.0.1:")
            port = int(json.loads(line)["msg"].rsplit(":", 1)[1])
            ctx = ssl.create_default_context(cafile=self.cert)
            conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=30)
            conn.request("GET", "/healthz")
            self.assertEqual(conn.getresponse().read(), b"ok\n")
            conn.request("POST", "/mutate?timeout=10s", body="not json",
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 400)
            # conn stays open and idle (keep-alive) across the SIGTERM.
            started = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            self.assertEqual(server.proc.wait(timeout=60), 0)
            # The idle connection may cost its 2 s keep-alive; the bound excludes holding it until
            # the 10 s request deadline (or until the client leaves: the wait's hang guard).
            self.assertLess(time.monotonic() - started, 8)
            conn.close()
            server.wait_for("shutdown complete")
            lines = [json.loads(l) for l in server.all_lines]  # every log line is one JSON object
            admissions = [l for l in lines if l["msg"] == "admission"]
            self.assertTrue(any(l["outcome"] == "bad_request" and l["status"] == 400 for l in admissions), admissions)
        finally:
            if server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()
            server.proc.stderr.close()

    def test_shutdown_delay_reports_not_ready_while_still_serving(self):
        server = Server(["--listen", "127.0.0.1:0", "--tls-cert", self.cert,
                         "--tls-key", self.key, "--shutdown-delay", "30s"])
        try:
            line = server.wait_for("listening on https://127.0.0.1:")
            port = int(json.loads(line)["msg"].rsplit(":", 1)[1])
            ctx = ssl.create_default_context(cafile=self.cert)

            def get(path):
                conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=30)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                return status

            self.assertEqual(get("/readyz"), 200)
            server.proc.send_signal(signal.SIGTERM)
            server.wait_for("draining: /readyz now answers 503")
            self.assertEqual(get("/readyz"), 503)
            self.assertEqual(get("/healthz"), 200)
            self.assertIsNone(server.proc.poll())
            started = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)  # a second signal ends the delay
            self.assertEqual(server.proc.wait(timeout=60), 0)
            # Excludes sitting out the 30 s --shutdown-delay after the second signal.
            self.assertLess(time.monotonic() - started, 15)
        finally:
            if server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()
            server.proc.stderr.close()

    def test_render_reads_file_or_stdin(self):
        pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: plain}\nspec:\n  containers: [{name: app, image: app:1}]\n"
        path = os.path.join(self.dir.name, "pod.yaml")
        with open(path, "w") as f:
            f.write(pod)
        from_file = run(["render", "-f", path])
        from_stdin = run(["render", "-f", "-"], stdin=pod)
        self.assertEqual(from_file.returncode, 0, from_file.stderr)
        self.assertEqual(from_stdin.returncode, 0, from_stdin.stderr)
        self.assertIn("plain", from_file.stdout)
        self.assertEqual(from_file.stdout, from_stdin.stdout)
        missing = run(["render", "-f", "/nonexistent.yaml"])
        self.assertEqual(missing.returncode, 2)
        self.assertIn("cannot open /nonexistent.yaml", missing.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
