#!/usr/bin/env python3
"""The scaffolding every loopback fake shares (fake_base.py) and the helper that starts them
(fake_client.py), checked on every fake: it listens with the full backlog, serves the
quota view, answers a bad control command 400 naming the field (never a value), leaves
methods it does not serve to http.server's 501, logs nothing; a fake that cannot start
says why."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fake_base  # noqa: E402
import fake_client  # noqa: E402

BENCH_OAUTH = os.path.join(HERE, "..", "..", "bench", "lib", "fake_oauth.py")
FAKES = {  # script -> its arguments
    "azure_fake.py": [], "fake_aws.py": [], "genesys_api_fake.py": [], "lambda_runtime_fake.py": [],
    "oauth_fake.py": ["--genesys", "id:secret", "--cxone", "key:secret"], "vault_fake.py": [],
    BENCH_OAUTH: ["id", "secret", "60"],
}
SECRET = "FAKE-BASE-TEST-SECRET-VALUE"


def answer(url, method="GET", body=None):
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def listen_backlog(port):
    """The listening socket's backlog as the kernel has it (ss: Send-Q of a LISTEN socket)."""
    out = subprocess.run(["ss", "-Hltn", "sport = :%d" % port], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[2])


class EveryFake(unittest.TestCase):
    def test_the_shared_scaffolding(self):
        with open("/proc/sys/net/core/somaxconn") as f:
            want_backlog = min(fake_base.LISTEN_BACKLOG, int(f.read()))
        for script, args in FAKES.items():
            with self.subTest(os.path.basename(script)):
                fake = fake_client.start(script, *args, stderr=subprocess.PIPE)
                try:
                    self.assertEqual(listen_backlog(fake.port), want_backlog)
                    self.assertEqual(fake.get("/_control/quota"), {})  # no MEMSECRET_FAKE_QUOTA: no quota
                    status, body = answer(fake.url + "/_control", "POST", b'{"op": "no-such-op"}')
                    self.assertEqual((status, json.loads(body)), (400, {"error": "unknown op 'no-such-op'"}))
                    status, body = answer(fake.url + "/_control", "POST", json.dumps({"value": SECRET}).encode())
                    self.assertEqual((status, json.loads(body)), (400, {"error": "control: 'op' missing or unknown"}))
                    status, body = answer(fake.url + "/_control", "POST", b"not json")
                    self.assertEqual(status, 400)
                    self.assertEqual(answer(fake.url + "/anything", "PATCH")[0], 501)
                finally:
                    fake.stop()
                self.assertEqual(fake.proc.stderr.read(), "", "a fake logs nothing")
                fake.proc.stderr.close()

    def test_a_malformed_command_is_refused_without_its_values(self):
        with fake_client.start("vault_fake.py") as vault:
            status, body = answer(vault.url + "/_control", "POST",
                                  json.dumps({"op": "kv_put", "path": "p", "data": {"k": SECRET}}).encode())
            self.assertEqual(status, 400)
            self.assertIn("'mount'", body.decode())
            self.assertNotIn(SECRET, body.decode())
            with self.assertRaises(urllib.error.HTTPError):
                vault.control(op="kv_put", mount="secret", path="p", data={})  # no such mount yet
            self.assertEqual(answer(vault.url + "/v1/secret/data/p", "DELETE")[0], 501)

    def test_views_fall_through_to_the_service(self):
        with fake_client.start("fake_aws.py") as aws:  # an unknown view reaches the service's 404
            self.assertEqual(answer(aws.url + "/_control/no-such-view"), (404, b"not found"))
            aws.control(op="put_secret", name="n", string="v")
            self.assertEqual(aws.get("/_control/secret?name=n&stage=AWSCURRENT")["string"], "v")
            self.assertEqual(answer(aws.url + "/_control/secret?name=n&stage=AWSPENDING"), (404, b"{}"))


class Start(unittest.TestCase):
    def test_a_fake_that_exits_says_so(self):
        with self.assertRaisesRegex(RuntimeError, r"oauth_fake.py did not start: exit status 2"):
            fake_client.start("oauth_fake.py", stderr=subprocess.DEVNULL)  # --genesys/--cxone missing
        with self.assertRaisesRegex(RuntimeError, r"vault_fake.py did not start: exit status 2"):
            fake_client.start("vault_fake.py", "--tls-cert", "c.pem", stderr=subprocess.DEVNULL)  # no key

        with self.assertRaisesRegex(RuntimeError, r"latency.py did not start: exit status 0"):
            fake_client.start("latency.py")  # not a fake: prints nothing

    def test_a_silent_fake_times_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            silent = os.path.join(tmp, "silent.py")
            with open(silent, "w") as f:
                f.write("import signal\nsignal.pause()\n")
            with self.assertRaisesRegex(RuntimeError, r"silent.py did not start: no PORT line within 1s"):
                fake_client.start(silent, timeout=1)

    def test_the_port_is_served(self):
        with fake_client.start("lambda_runtime_fake.py") as fake:
            self.assertEqual(fake.url, "http://127.0.0.1:%d" % fake.port)
            self.assertEqual(fake.get("/_control/state")["polls"], 0)


if __name__ == "__main__":
    if shutil.which("ss") is None:
        sys.exit("fake_base_test: needs ss (iproute2) to read the listen backlog")
    unittest.main(verbosity=2)
