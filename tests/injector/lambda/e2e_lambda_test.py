#!/usr/bin/env python3
"""The injector as a Secrets Manager rotation function, end to end: the BUILT binary started
as Lambda starts `bootstrap` (no arguments, AWS_LAMBDA_RUNTIME_API set) against a loopback
fake of the Lambda Runtime API (tests/fakes/lambda_runtime_fake.py), Secrets Manager
(fake_aws.py) and Genesys Cloud's login and OAuth client API (genesys_api_fake.py). The test
plays Secrets Manager: it starts a rotation as RotateSecret does (a version with the token and
the AWSPENDING label, no value yet) and invokes the four steps with that ClientRequestToken.
Pins: an event whose token names no rotation in progress is refused (DescribeSecret, as
Secrets Manager's own functions check); the four steps in order (AWSPENDING staged under the token, AWSCURRENT moved to it,
AWSPREVIOUS to the replaced version); a repeated createSecret reuses the pending version
(no second client); setSecret changes nothing; a new client that cannot mint is deleted by
createSecret, which stages nothing; a failing testSecret posts an error
(Rotation.Unauthenticated, in the body and the Lambda-Runtime-Function-Error-Type header)
and leaves AWSCURRENT alone; `memsecret rotate` finishes a rotation the function staged
(one strategy: the same crash-recovery ids); a second rotation deletes the first client and keeps the
replaced one; a malformed event is an error answer; a missing configuration is an
initialization error (started as `rotation-function`, as a container-image function is); no
secret in any output or answer.
Usage: e2e_lambda_test.py --binary BIN --fakes DIR"""
import argparse
import base64
import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402

ARGS = None
AKID, AWS_SECRET = "AKIDLAMBDATEST", "AWS-SECRET-LAMBDA-TEST-0001"
ADMIN = {"clientId": "admin-client-0001", "clientSecret": "ADMIN-SECRET-4d5e6f", "region": "mypurecloud.ie"}
APP_SECRET = "APP-SECRET-7a8b9c"
SECRET_NAME = "genesys/production/crm-sync/oauth-client"
FIRST_CLIENT = "client-a-0001"


def mints(gen, doc):
    req = urllib.request.Request(gen.url + "/oauth/token", data=b"grant_type=client_credentials",
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Authorization": "Basic " + base64.b64encode(
                                              (doc["clientId"] + ":" + doc["clientSecret"]).encode()).decode()})
    try:
        return urllib.request.urlopen(req, timeout=30).status == 200
    except urllib.error.HTTPError:
        return False


class RotationFunction(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = fake_client.start(os.path.join(ARGS.fakes, "fake_aws.py"))
        cls.gen = fake_client.start(os.path.join(ARGS.fakes, "genesys_api_fake.py"))
        cls.aws.control(op="static_key", akid=AKID, secret=AWS_SECRET)
        cls.gen.control(op="add_client", id=ADMIN["clientId"], name="rotation-admin", secret=ADMIN["clientSecret"],
                        permissions=["oauth:client:view", "oauth:client:add", "oauth:client:delete"])
        cls.gen.control(op="add_client", id=FIRST_CLIENT, name="crm-sync", secret=APP_SECRET,
                        roleIds=["role-crm"], accessTokenValiditySeconds=3600, description="crm sync")
        cls.aws.control(op="put_secret", name="genesys/production/oauth-admin-client", string=json.dumps(ADMIN))
        cls.app = {"clientId": FIRST_CLIENT, "clientSecret": APP_SECRET, "region": "mypurecloud.ie",
                   "base_url": "https://api.mypurecloud.ie"}
        cls.aws.control(op="put_secret", name=SECRET_NAME, string=json.dumps(cls.app), created=1)
        cls.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   # What Lambda sets for the function's role and region.
                   "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": AWS_SECRET, "AWS_REGION": "us-east-1",
                   "AWS_ENDPOINT_URL": cls.aws.url,
                   "MEMSECRET_GENESYS_LOGIN_URL": cls.gen.url, "MEMSECRET_GENESYS_API_URL": cls.gen.url,
                   "MEMSECRET_ROTATION_ADMIN": "aws:genesys/production/oauth-admin-client",
                   "MEMSECRET_ROTATION_ISSUER": "genesys:mypurecloud.ie"}
        cls.outputs = []
        cls.answers = []

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()
        cls.gen.stop()

    def start_function(self, env, args=()):
        runtime = fake_client.start(os.path.join(ARGS.fakes, "lambda_runtime_fake.py"))
        self.addCleanup(runtime.stop)
        proc = subprocess.Popen([ARGS.binary] + list(args), env=dict(env, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % runtime.port),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def stop():
            if proc.poll() is None:
                proc.kill()
            out, err = proc.communicate(timeout=30)
            self.outputs.append(out + err)
        self.addCleanup(stop)
        return runtime, proc

    def invoke(self, runtime, step, token, secret_id=SECRET_NAME):
        return self.invoke_payload(runtime, {"SecretId": secret_id, "ClientRequestToken": token, "Step": step})

    def invoke_payload(self, runtime, payload):
        req_id = runtime.control(op="invoke", payload=payload)["id"]
        res = runtime.get("/_control/result?id=%s&wait=120" % req_id, timeout=130)
        self.assertNotEqual(res["kind"], "pending", "the function answered %s" % payload)
        self.answers.append(json.dumps(res))
        return res

    def stored(self, stage):
        st = self.aws.get("/_control/secret?name=%s&stage=%s" % (SECRET_NAME, stage))
        return st["id"], json.loads(st["string"])

    def clients(self):
        return {c["id"]: c["name"] for c in self.gen.get("/_control/state")["clients"]}

    def start_rotation(self, token):
        # What RotateSecret does before it invokes createSecret.
        self.aws.control(op="rotate_secret", name=SECRET_NAME, token=token)

    def rotate_ok(self, runtime, token):
        self.start_rotation(token)
        for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
            res = self.invoke(runtime, step, token)
            self.assertEqual(res["kind"], "response", "%s: %s" % (step, res))

    def test_1_rotations_through_the_four_steps(self):
        runtime, proc = self.start_function(self.env)
        first_version, _ = self.stored("AWSCURRENT")

        # Events that name no rotation in progress are refused and create nothing: rotation not
        # enabled for the secret, then a token Secrets Manager did not start a rotation with.
        before = self.clients()

        def refused(needle):
            res = self.invoke(runtime, "createSecret", str(uuid.uuid4()))
            self.assertEqual(res["kind"], "error", res)
            self.assertEqual(res["error_type"], "Rotation.FailedPrecondition")
            self.assertIn(needle, json.loads(res["body"])["errorMessage"])
            self.assertEqual(self.clients(), before)

        refused("rotation is not enabled")
        t1 = str(uuid.uuid4())
        self.start_rotation(t1)
        refused("has no stage for rotation")

        # Rotation 1: createSecret stages B under the token as AWSPENDING.
        res = self.invoke(runtime, "createSecret", t1)
        self.assertEqual(res["kind"], "response", res)
        pending_id, pending = self.stored("AWSPENDING")
        self.assertEqual(pending_id, t1)
        b = pending["clientId"]
        self.assertNotEqual(b, FIRST_CLIENT)
        self.assertEqual(pending["previousClientId"], FIRST_CLIENT)
        self.assertEqual(pending["base_url"], "https://api.mypurecloud.ie", "other fields are kept")
        self.assertTrue(self.clients()[b].startswith("crm-sync (memsecret rotation "))
        self.assertEqual(self.stored("AWSCURRENT")[0], first_version, "createSecret does not move AWSCURRENT")

        # Secrets Manager may call a step twice: the same token reuses the pending version.
        before = self.clients()
        res = self.invoke(runtime, "createSecret", t1)
        self.assertEqual(res["kind"], "response", res)
        self.assertEqual(self.clients(), before, "a repeated createSecret creates no second client")
        self.assertEqual(self.stored("AWSPENDING"), (t1, pending))

        for step in ("setSecret", "testSecret"):
            self.assertEqual(self.invoke(runtime, step, t1)["kind"], "response", step)
        self.assertEqual(self.stored("AWSCURRENT")[0], first_version, "only finishSecret moves AWSCURRENT")
        self.assertEqual(self.invoke(runtime, "finishSecret", t1)["kind"], "response")
        self.assertEqual(self.stored("AWSCURRENT"), (t1, pending))
        self.assertEqual(self.stored("AWSPREVIOUS")[0], first_version)
        self.assertIn(FIRST_CLIENT, self.clients(), "the replaced client stays for one rotation period")
        self.assertTrue(mints(self.gen, pending) and mints(self.gen, self.app))
        # finishSecret again (a retry): nothing moves, nothing fails.
        self.assertEqual(self.invoke(runtime, "finishSecret", t1)["kind"], "response")
        self.assertEqual(self.stored("AWSCURRENT")[0], t1)

        # Rotation 2: C replaces B and the first client, from the rotation before last, is deleted.
        t2 = str(uuid.uuid4())
        self.rotate_ok(runtime, t2)
        current_id, current = self.stored("AWSCURRENT")
        self.assertEqual(current_id, t2)
        c = current["clientId"]
        self.assertEqual(current["previousClientId"], b)
        clients = self.clients()
        self.assertNotIn(FIRST_CLIENT, clients, "the second rotation deletes the first client")
        self.assertIn(b, clients)
        self.assertIn(c, clients)
        self.assertEqual(self.stored("AWSPREVIOUS")[0], t1)
        self.assertFalse(mints(self.gen, self.app))
        self.assertTrue(mints(self.gen, pending) and mints(self.gen, current))

        # A new client that cannot mint: createSecret deletes it, stages nothing, posts the error.
        self.gen.control(op="deny_mint", name_contains="memsecret rotation")
        self.addCleanup(self.gen.control, op="deny_mint", name_contains=None)
        t3 = str(uuid.uuid4())
        self.start_rotation(t3)
        before = self.clients()
        res = self.invoke(runtime, "createSecret", t3)
        self.assertEqual(res["kind"], "error", res)
        self.assertEqual(res["error_type"], "Rotation.Unauthenticated")
        self.assertEqual(self.clients(), before, "the client that cannot mint is deleted")
        # Secrets Manager calls it again and it stages a client that mints; then a failing
        # testSecret (the issuer rejects the client now): the error is posted and AWSCURRENT stays.
        self.gen.control(op="deny_mint", name_contains=None)
        self.assertEqual(self.invoke(runtime, "createSecret", t3)["kind"], "response")
        self.gen.control(op="deny_mint", name_contains="memsecret rotation")
        res = self.invoke(runtime, "testSecret", t3)
        self.assertEqual(res["kind"], "error", res)
        self.assertEqual(res["error_type"], "Rotation.Unauthenticated")
        doc = json.loads(res["body"])
        self.assertEqual(doc["errorType"], "Rotation.Unauthenticated")
        self.assertEqual(doc["stackTrace"], [])
        self.assertTrue(doc["errorMessage"].startswith("testSecret %s: " % SECRET_NAME), doc["errorMessage"])
        self.assertEqual(self.stored("AWSCURRENT"), (t2, current), "a failed test leaves AWSCURRENT alone")
        self.assertIsNone(proc.poll(), "the function keeps serving after a failed step")

        # A malformed event never reaches a step.
        res = self.invoke_payload(runtime, {"SecretId": SECRET_NAME, "Step": "finishSecret"})
        self.assertEqual(res["kind"], "error")
        self.assertEqual(res["error_type"], "Rotation.InvalidEvent")
        self.assertIn("ClientRequestToken is missing", json.loads(res["body"])["errorMessage"])
        self.assertEqual(self.stored("AWSCURRENT")[0], t2)
        self.__class__.new_secrets = [pending["clientSecret"], current["clientSecret"]]

    def test_1b_memsecret_rotate_finishes_what_the_function_staged(self):
        # test_1 left its last rotation staged (createSecret done, testSecret failed, no
        # finishSecret), as a function that stopped between its steps. `memsecret rotate` on the
        # same secret reads the crash-recovery ids the function recorded, as it reads its own:
        # it finishes that rotation (promote, delete the client of the rotation before last)
        # instead of starting another.
        pending_id, pending = self.stored("AWSPENDING")
        current_id, current = self.stored("AWSCURRENT")
        self.assertNotEqual(pending_id, current_id)
        self.assertEqual(pending["previousClientId"], current["clientId"])
        retired = pending["retiredClientId"]
        self.assertEqual(retired, current["previousClientId"])
        before = self.clients()
        self.assertIn(retired, before)
        res = subprocess.run([ARGS.binary, "rotate", "aws:" + SECRET_NAME, "--issuer", "genesys:mypurecloud.ie",
                              "--admin", "aws:genesys/production/oauth-admin-client"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        self.outputs.append(res.stdout + res.stderr)
        self.assertEqual(res.returncode, 0, res.stderr[-1500:])
        self.assertIn("finished the interrupted rotation", res.stdout)
        self.assertIn('"step":"resume","outcome":"ok"', res.stderr)
        self.assertEqual(self.stored("AWSCURRENT"), (pending_id, pending))
        after = self.clients()
        self.assertNotIn(retired, after, "the client of the rotation before last is deleted")
        self.assertEqual(set(after), set(before) - {retired}, "no new client")
        self.assertTrue(mints(self.gen, pending) and mints(self.gen, current))
        self.__class__.new_secrets = getattr(self, "new_secrets", []) + [pending["clientSecret"]]

    def test_2_a_missing_configuration_is_an_initialization_error(self):
        env = dict(self.env)
        del env["MEMSECRET_ROTATION_ADMIN"]
        # As a container-image function starts it (the explicit command).
        runtime, proc = self.start_function(env, ["rotation-function"])
        self.assertEqual(proc.wait(timeout=60), 1)
        errors = runtime.get("/_control/state")["init_errors"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["error_type"], "Rotation.InvalidConfig")
        self.assertIn("MEMSECRET_ROTATION_ADMIN", json.loads(errors[0]["body"])["errorMessage"])
        self.assertEqual(runtime.get("/_control/state")["polls"], 0, "no invocation is taken")

    def test_3_no_secret_in_any_output_or_answer(self):
        every = "\n".join(self.outputs + self.answers)
        if os.environ.get("MEMSECRET_TEST_SHOW_OUTPUT"):
            print(every, file=sys.stderr)
        self.assertTrue(self.outputs, "the function's output was collected")
        self.assertIn("rotation step", every)
        for s in [AWS_SECRET, ADMIN["clientSecret"], APP_SECRET] + getattr(self, "new_secrets", []):
            self.assertNotIn(s, every)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--fakes", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
