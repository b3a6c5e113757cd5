#!/usr/bin/env python3
"""End-to-end: several real memsecret-injector init runs started at once
against the loopback AWS fake enforcing quotas (tests/fakes/quota.py: Secrets
Manager answers the excess with 400 ThrottlingException, STS with 400
Throttling XML).

Checks: the token bucket itself (rate, burst, MEMSECRET_FAKE_QUOTA parsing);
every pod of a mass start finishes; Secrets Manager accepts exactly the calls
needed (a throttled answer never costs an extra accepted call); STS is asked
about once per pod (before: the files of a pod each asked STS in turn after a
refusal, four calls per pod per pass); an init run that cannot finish within
MEMSECRET_INIT_TIMEOUT fails with one line saying it was throttled and by
what, instead of hanging. No secret value, session token or JWT in any output.

usage: e2e_throttle_test.py <memsecret-injector> <fake_aws.py>
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

INJECTOR, FAKE_AWS = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(FAKE_AWS)))
import fake_client  # noqa: E402
import quota  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/mass"
JWT = "eyJhbGciOiJSUzI1NiJ9.E2E-THROTTLE-JWT.sig"
VALUE = "E2E-THROTTLE-SECRET-VALUE"


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


class TokenBucketTest(unittest.TestCase):
    def test_burst_then_rate(self):
        clock = FakeClock()
        b = quota.TokenBucket(4, 2, clock)
        self.assertEqual([b.take() for _ in range(3)], [True, True, False])
        clock.t += 0.125  # half a token
        self.assertFalse(b.take())
        self.assertEqual(b.seconds_until_token(), 0.125)
        clock.t += 0.125
        self.assertTrue(b.take())
        clock.t += 10  # refills to the burst, no more
        self.assertEqual([b.take() for _ in range(3)], [True, True, False])
        self.assertEqual((b.accepted, b.throttled), (5, 3))

    def test_parse(self):
        self.assertEqual(quota.parse(""), {})
        self.assertEqual(quota.parse("sts=50, secretsmanager=100/7"),
                         {"sts": (50.0, 10.0), "secretsmanager": (100.0, 7.0)})
        self.assertEqual(quota.parse("token=2"), {"token": (2.0, 1.0)})  # a burst of at least 1
        for bad in ("sts", "sts=x", "sts=0", "=5", "sts=5/0"):
            with self.assertRaises(ValueError, msg=bad):
                quota.parse(bad)


class MassStartTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="memsecret-throttle.")
        self.jwt = os.path.join(self.work, "jwt")
        with open(self.jwt, "w") as f:
            f.write(JWT)
        self.fake = None

    def tearDown(self):
        if self.fake:
            self.fake.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def start_fake(self, quota_spec, secrets):
        env = dict(os.environ, MEMSECRET_FAKE_QUOTA=quota_spec)
        env.pop("MEMSECRET_FAKE_LATENCY_MS", None)
        self.fake = fake_client.start(FAKE_AWS, env=env)
        self.fake.control(op="sts", role=ROLE, token=JWT, duration=3600)
        for i in range(secrets):
            self.fake.control(op="put_secret", name="/mass/s%d" % i, string=VALUE + str(i))

    def start_pod(self, i, secrets, extra_env=None):
        out = os.path.join(self.work, "pod%d" % i)
        os.mkdir(out)
        plan = {"version": 1, "pod": {"namespace": "mass", "serviceAccount": "mass", "name": "p%d" % i},
                "lifecycle": "init", "outputDir": out, "refreshIntervalSeconds": 300,
                "files": [{"name": "s%d" % j, "kind": "secret", "ref": "aws:/mass/s%d" % j, "format": "raw",
                           "mode": "0400"} for j in range(secrets)],
                "aws": {"region": "us-east-1", "roleArn": ROLE, "webIdentityTokenFile": self.jwt}}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEMSECRET_"))}
        env.update(AWS_ENDPOINT_URL=self.fake.url, **(extra_env or {}))
        return subprocess.Popen([INJECTOR, "run", "--once"], env=dict(env, MEMSECRET_PLAN=json.dumps(plan)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), out

    def assert_no_secrets(self, text):
        for s in (VALUE, JWT, "FAKESESSION"):
            self.assertNotIn(s, text)

    def test_every_pod_finishes_with_the_calls_it_needs(self):
        pods, secrets = 8, 4
        self.start_fake("sts=2/1,secretsmanager=8/2", secrets)
        procs = [self.start_pod(i, secrets) for i in range(pods)]
        for p, out in procs:
            stdout, stderr = p.communicate(timeout=120)  # hang guard
            self.assertEqual(p.returncode, 0, stderr[-2000:])
            self.assertTrue(os.path.exists(os.path.join(out, ".memsecret-ready")))
            self.assert_no_secrets(stdout + stderr)
        q = self.fake.get("/_control/quota")
        self.assertEqual(q["secretsmanager"]["accepted"], pods * secrets)  # nothing read twice
        self.assertEqual(q["sts"]["accepted"], pods)
        self.assertGreater(q["sts"]["throttled"], 0)  # the quota was really in force
        # About one refused STS call per pod and retry; before, each file of a
        # pod asked STS in turn after a refusal (>= 4 per pod and pass).
        self.assertLessEqual(q["sts"]["throttled"], 2 * pods, q)

    def test_an_init_run_that_cannot_finish_says_it_was_throttled(self):
        self.start_fake("secretsmanager=0.001/1", 2)  # one call, then nothing for 1000 s
        p, out = self.start_pod(0, 2, {"MEMSECRET_INIT_TIMEOUT": "3s"})
        stdout, stderr = p.communicate(timeout=120)  # hang guard: it ends at its own bound
        self.assertEqual(p.returncode, 1)
        lines = [l for l in stderr.splitlines() if l.startswith("memsecret-injector:")]
        self.assertEqual(len(lines), 1, stderr[-2000:])
        self.assertIn("first write failed: gave up retrying: throttled", lines[0])
        self.assertIn("ThrottlingException", lines[0])
        self.assertFalse(os.path.exists(os.path.join(out, ".memsecret-ready")))
        self.assert_no_secrets(stdout + stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
