#!/usr/bin/env python3
"""Loopback fake of AWS Secrets Manager (JSON 1.1), STS AssumeRoleWithWebIdentity
(query protocol, XML) and the EKS Pod Identity agent, for memsecret's tests.

It follows the wire contract of the real services: status codes, `__type`
error bodies and x-amzn-ErrorType headers, STS ErrorResponse XML, and it
VERIFIES the SigV4 signature of every Secrets Manager request by recomputing
it with botocore's SigV4Auth (an implementation independent of memsecret's).

Usage: fake_aws.py [--region R] -> prints "PORT <n>" once listening on 127.0.0.1;
  R (default us-east-1) is the region this fake is: requests must be signed
  for it and ARNs name it (run one fake per region for failover tests).
Control (tests only; fake_base.py): POST /_control with a JSON command, GET /_control/stats
  (call counts; GetSecretValueBySecretId: signed GetSecretValue calls per SecretId),
  GET /_control/quota, GET /_control/secret?name=N&stage=S -> {"id","string"} (404 {}).
  {"op":"put_secret","name":..,"string":..|"binary_b64":..,"version":..,"stages":[..],"suffix":..}
     (suffix: the ARN's 6 random characters; replicas share them)
  {"op":"delete_secret","name":..}  {"op":"deny","name":..,"akid":..}
  {"op":"static_key","akid":..,"secret":..,"token":..}
  {"op":"sts","role":..,"token":..,"duration":secs}   (accepted web identity)
  {"op":"pod_identity","token":..,"duration":secs}
  {"op":"fail","target":"secretsmanager"|"sts"|"pod","count":n,"status":..,"type":..,"retry_after":..}
  {"op":"skew_check","on":bool}
  {"op":"rotate_secret","name":..,"token":..}   what RotateSecret does before it invokes the
     rotation function: a version with id `token` and the AWSPENDING label but no value yet
     (GetSecretValue on it: ResourceNotFoundException; PutSecretValue with it fills it);
     refused (InvalidRequestException) while AWSPENDING is on another version than AWSCURRENT;
     turns RotationEnabled on (DescribeSecret)
  {"op":"crash_after","target":"PutSecretValue"|"UpdateSecretVersionStage","count":n}
     (rotation: the write is applied, then the connection is closed unanswered)
  {"op":"outage","mode":"503"|"internal"|"hang"|"reset"|null,"target":"secretsmanager"|"sts"|"all"}
     a regional outage until cleared (mode null): 503 ServiceUnavailable,
     500 InternalServiceError, no answer for 30 s, or the connection closed.
MEMSECRET_FAKE_LATENCY_MS ("100" or "50-200"): added before every answer
  but /_control (tests/fakes/latency.py).
Secret values are never logged.
"""
import argparse
import datetime
import json
import secrets as pysecrets
import time
import urllib.parse
import uuid

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import fake_base
import latency
import quota
from fake_base import ControlError

ACCOUNT = "123456789012"


class State(fake_base.State):
    def __init__(self):
        super().__init__(GetSecretValue=0, AssumeRoleWithWebIdentity=0, PodIdentity=0, signature_failures=0,
                         session_names=[], last_stage=None, last_version_id=None, unsigned_security_token=0,
                         outage_answers=0,
                         GetSecretValueBySecretId={})  # signed requests that reached the lookup
        self.secrets = {}  # name -> {"arn", "versions": [{"id","string"|"binary","stages","created"}], "deleted", "deny"}
        self.keys = {}  # akid -> {"secret", "token"}
        self.sts_roles = {}  # role arn -> {"token", "duration"}
        self.pod = None  # {"token", "duration"}
        self.skew_check = True
        self.outage = {}  # target -> mode

    def issue(self, duration):
        akid = "ASIA" + pysecrets.token_hex(8).upper()
        secret = pysecrets.token_urlsafe(30)
        token = "FAKESESSION" + pysecrets.token_urlsafe(40)
        exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration)
        self.keys[akid] = {"secret": secret, "token": token}
        return akid, secret, token, exp.strftime("%Y-%m-%dT%H:%M:%SZ")


STATE = State()


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Handler(fake_base.Handler):
    state = STATE

    def send(self, status, body=b"", ctype=None, headers=None):  # every answer has a request id
        super().send(status, body, ctype, {"x-amzn-RequestId": pysecrets.token_hex(16), **(headers or {})})

    def _json_error(self, status, typ, message, retry_after=None):
        extra = {"x-amzn-ErrorType": typ}
        if retry_after is not None:
            extra["Retry-After"] = str(retry_after)
        self.send(status, json.dumps({"__type": typ, "Message": message}),
                  "application/x-amz-json-1.1", extra)

    def _sts_error(self, status, code, message):
        kind = "Receiver" if status >= 500 else "Sender"
        body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>%s</Type>'
                '<Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
                % (kind, code, xml_escape(message), pysecrets.token_hex(8)))
        self.send(status, body, "text/xml")

    # ---- routing ----
    def view(self, name, query):
        if name == "secret":  # rotation tests: one version's value
            s = STATE.secrets.get(query["name"][0])
            v = next((v for v in (s or {"versions": []})["versions"] if query["stage"][0] in v["stages"]), None)
            if v is None:
                raise ControlError(404, {})
            return {"id": v["id"], "string": v.get("string")}
        return super().view(name, query)

    def serve_GET(self, body):
        if self.path.startswith("/v1/credentials"):
            latency.delay()
            return self.pod_identity()
        self.send(404, "not found", "text/plain")

    def serve_POST(self, body):
        latency.delay()
        target = self.headers.get("X-Amz-Target")
        if target is not None:
            if target in WRITE_OPERATIONS:
                return WRITE_OPERATIONS[target](self, body)
            if target != "secretsmanager.GetSecretValue":
                return self._json_error(400, "UnknownOperationException", "unsupported operation")
            return self.get_secret_value(body)
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        if form.get("Action") == ["AssumeRoleWithWebIdentity"]:
            return self.assume_role(form)
        self.send(404, "not found", "text/plain")

    # ---- control ----
    def control(self, cmd):
        op = cmd["op"]
        if op == "put_secret":
            s = STATE.secrets.setdefault(cmd["name"], {
                "arn": "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (self.args.region, ACCOUNT, cmd["name"],
                                                                     cmd.get("suffix") or pysecrets.token_hex(3)),
                "versions": [], "deleted": False, "deny": set()})
            stages = cmd.get("stages", ["AWSCURRENT"])
            for v in s["versions"]:  # a stage label lives on one version at a time
                had_current = "AWSCURRENT" in v["stages"]
                v["stages"] = [st for st in v["stages"] if st not in stages and st != "AWSPREVIOUS"]
                if had_current and "AWSCURRENT" in stages:
                    v["stages"].append("AWSPREVIOUS")
            ver = {"id": cmd.get("version") or str(uuid.uuid4()), "stages": stages,
                   "created": cmd.get("created", time.time())}  # a test may send any JSON
            if "binary_b64" in cmd:
                ver["binary"] = cmd["binary_b64"]
            else:
                ver["string"] = cmd["string"]
            s["versions"].append(ver)
            return {"arn": s["arn"], "version": ver["id"]}
        if op == "delete_secret":
            STATE.secrets[cmd["name"]]["deleted"] = True
        elif op == "deny":
            STATE.secrets[cmd["name"]]["deny"].add(cmd["akid"])
        elif op == "static_key":
            STATE.keys[cmd["akid"]] = {"secret": cmd["secret"], "token": cmd.get("token")}
        elif op == "sts":
            STATE.sts_roles[cmd["role"]] = {"token": cmd["token"], "duration": cmd.get("duration", 3600)}
        elif op == "pod_identity":
            STATE.pod = {"token": cmd["token"], "duration": cmd.get("duration", 3600)}
        elif op == "fail":
            STATE.add_failure(cmd, status=500, type="InternalFailure", retry_after=None)
        elif op == "outage":
            targets = ["secretsmanager", "sts"] if cmd.get("target", "all") == "all" else [cmd["target"]]
            for t in targets:
                if cmd.get("mode"):
                    STATE.outage[t] = cmd["mode"]
                else:
                    STATE.outage.pop(t, None)
        elif op == "rotate_secret":
            secret = STATE.secrets[cmd["name"]]
            if any("AWSPENDING" in v["stages"] and "AWSCURRENT" not in v["stages"] for v in secret["versions"]):
                raise ControlError(400, {"__type": "InvalidRequestException", "Message":
                                         "A previous rotation isn't complete. That rotation will be reattempted."})
            for v in secret["versions"]:
                v["stages"] = [st for st in v["stages"] if st != "AWSPENDING"]
            secret["versions"].append({"id": cmd["token"], "stages": ["AWSPENDING"], "created": time.time(),
                                       "stub": True})
            secret["rotation_enabled"] = True
        elif op == "crash_after":
            STATE.crashes[cmd["target"]] = cmd.get("count", 1)
        elif op == "skew_check":
            STATE.skew_check = cmd["on"]
        else:
            return super().control(cmd)
        return {}

    # ---- SigV4 verification (botocore) ----
    def verify_sigv4(self, body):
        """Returns (akid, None) when the signature is valid, else (None, (status, type, message))."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return None, (400, "MissingAuthenticationTokenException", "Missing Authentication Token")
        fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        akid, date, region, service, term = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        amz_date = self.headers.get("X-Amz-Date", "")
        for required in ("host", "x-amz-date", "content-type", "x-amz-target"):
            if required not in signed:
                return None, (400, "IncompleteSignatureException", "Signed header %s missing" % required)
        if self.headers.get("X-Amz-Security-Token") is not None and "x-amz-security-token" not in signed:
            STATE.count("unsigned_security_token")
            return None, (400, "IncompleteSignatureException", "x-amz-security-token must be signed")
        key = STATE.keys.get(akid)
        if key is None:
            return None, (400, "UnrecognizedClientException", "The security token included in the request is invalid.")
        if key.get("token") and self.headers.get("X-Amz-Security-Token") != key["token"]:
            return None, (400, "UnrecognizedClientException", "The security token included in the request is invalid.")
        if region != self.args.region or service != "secretsmanager" or term != "aws4_request" or date != amz_date[:8]:
            return None, (400, "InvalidSignatureException", "Credential should be scoped to a valid region/service")
        if STATE.skew_check:
            t = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
            if abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) > 15 * 60:
                return None, (400, "InvalidSignatureException", "Signature expired")
        headers = {h: self.headers.get(h) for h in signed}
        req = AWSRequest(method=self.command, url="http://%s%s" % (self.headers.get("Host"), self.path),
                         headers=headers, data=body)
        req.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(akid, key["secret"], key.get("token")), service, region)
        expected = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
        if expected != fields["Signature"]:
            STATE.count("signature_failures")
            return None, (400, "InvalidSignatureException",
                          "The request signature we calculated does not match the signature you provided.")
        return akid, None

    # ---- regional outage ----
    def regional_outage(self, target):
        """Answers as an out-of-service region would; True when it did."""
        with STATE.lock:
            mode = STATE.outage.get(target)
            if mode:
                STATE.count("outage_answers")
        if not mode:
            return False
        if mode == "hang":
            time.sleep(30)
            self.close_connection = True
            return True
        if mode == "reset":
            self.drop_connection()
            return True
        status, typ = (503, "ServiceUnavailable") if mode == "503" else (500, "InternalServiceError")
        if target == "sts":
            self._sts_error(status, typ, "regional outage")
        else:
            self._json_error(status, typ, "regional outage")
        return True

    # ---- Secrets Manager ----
    def get_secret_value(self, body):
        if self.regional_outage("secretsmanager"):
            return
        if not quota.admit("secretsmanager"):
            return self._json_error(400, "ThrottlingException", "Rate exceeded")
        with STATE.lock:
            STATE.count("GetSecretValue")
            if not self.headers.get("Content-Type", "").startswith("application/x-amz-json-1.1"):
                return self._json_error(400, "SerializationException", "bad content type")
            akid, err = self.verify_sigv4(body)
            if err:
                return self._json_error(*err)
            fail = STATE.take_failure("secretsmanager")
            if fail:
                return self._json_error(fail["status"], fail["type"], "injected failure", fail["retry_after"])
            req = json.loads(body)
            sid = req.get("SecretId", "")
            by_id = STATE.stats["GetSecretValueBySecretId"]
            by_id[sid] = by_id.get(sid, 0) + 1
            secret = STATE.secrets.get(sid)
            if secret is None:
                secret = next((s for s in STATE.secrets.values()
                               if sid == s["arn"] or (sid.startswith("arn:") and s["arn"].startswith(sid + "-"))), None)
            if secret is None:
                return self._json_error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
            if akid in secret["deny"]:
                return self._json_error(400, "AccessDeniedException",
                                        "User is not authorized to perform: secretsmanager:GetSecretValue")
            if secret["deleted"]:
                return self._json_error(400, "InvalidRequestException",
                                        "You can't perform this operation on the secret because it was marked for deletion.")
            stage, vid = req.get("VersionStage"), req.get("VersionId")
            STATE.stats["last_stage"], STATE.stats["last_version_id"] = stage, vid
            if vid is None and stage is None:
                stage = "AWSCURRENT"
            match = [v for v in secret["versions"]
                     if (vid is None or v["id"] == vid) and (stage is None or stage in v["stages"])
                     and not v.get("stub")]  # RotateSecret's version before createSecret: no value
            if not match:
                return self._json_error(400, "ResourceNotFoundException",
                                        "Secrets Manager can't find the specified secret value for the version or stage.")
            v = match[0]
            out = {"ARN": secret["arn"], "Name": [n for n, s in STATE.secrets.items() if s is secret][0],
                   "VersionId": v["id"], "VersionStages": v["stages"], "CreatedDate": v["created"]}
            if "binary" in v:
                out["SecretBinary"] = v["binary"]
            else:
                out["SecretString"] = v["string"]
            self.send(200, json.dumps(out), "application/x-amz-json-1.1")

    # ---- Secrets Manager writes (rotation) ----
    # PutSecretValue / UpdateSecretVersionStage with the real version-stage rules: a
    # stage label lives on one version; moving AWSCURRENT moves AWSPREVIOUS to the
    # version it left; RemoveFromVersionId must name the version that has the label;
    # a ClientRequestToken is the version id (same token + same value: idempotent,
    # another value: ResourceExistsException). {"op":"crash_after","target":OP} in
    # /_control applies OP once and closes the connection without an answer.
    def _write_prelude(self, body):
        if not self.headers.get("Content-Type", "").startswith("application/x-amz-json-1.1"):
            self._json_error(400, "SerializationException", "bad content type")
            return None, None
        akid, err = self.verify_sigv4(body)
        if err:
            self._json_error(*err)
            return None, None
        req = json.loads(body)
        sid = req.get("SecretId", "")
        secret = STATE.secrets.get(sid) or next((s for s in STATE.secrets.values() if s["arn"] == sid), None)
        if secret is None or secret["deleted"]:
            self._json_error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
            return None, None
        return req, secret

    def put_secret_value(self, body):
        with STATE.lock:
            req, secret = self._write_prelude(body)
            if req is None:
                return
            token = req.get("ClientRequestToken") or str(uuid.uuid4())
            if not (32 <= len(token) <= 64):
                return self._json_error(400, "ValidationException", "ClientRequestToken must be 32-64 characters")
            if ("SecretString" in req) == ("SecretBinary" in req):
                return self._json_error(400, "InvalidParameterException", "exactly one of SecretString, SecretBinary")
            stages = req.get("VersionStages") or ["AWSCURRENT"]
            old = next((v for v in secret["versions"] if v["id"] == token), None)
            if old is not None and old.get("stub"):  # RotateSecret's version: this write gives it its value
                secret["versions"].remove(old)
                old = None
            if old is not None:
                if old.get("string") != req.get("SecretString"):
                    return self._json_error(400, "ResourceExistsException",
                                            "A resource with the ID you requested already exists.")
            else:
                for v in secret["versions"]:
                    had_current = "AWSCURRENT" in v["stages"]
                    v["stages"] = [st for st in v["stages"] if st not in stages]
                    if had_current and "AWSCURRENT" in stages:
                        v["stages"] = [st for st in v["stages"] if st != "AWSPREVIOUS"] + ["AWSPREVIOUS"]
                old = {"id": token, "stages": list(stages), "created": time.time(), "string": req.get("SecretString")}
                secret["versions"].append(old)
            STATE.count("PutSecretValue")
            if self.crash_after("PutSecretValue"):
                return
            self.send(200, json.dumps({"ARN": secret["arn"], "Name": req["SecretId"], "VersionId": token,
                                       "VersionStages": old["stages"]}), "application/x-amz-json-1.1")

    def update_secret_version_stage(self, body):
        with STATE.lock:
            req, secret = self._write_prelude(body)
            if req is None:
                return
            stage, move_to, remove_from = req.get("VersionStage"), req.get("MoveToVersionId"), req.get("RemoveFromVersionId")
            if not stage:
                return self._json_error(400, "InvalidParameterException", "VersionStage is required")
            holder = next((v for v in secret["versions"] if stage in v["stages"]), None)
            target = next((v for v in secret["versions"] if v["id"] == move_to), None) if move_to else None
            if move_to and target is None:
                return self._json_error(400, "ResourceNotFoundException", "MoveToVersionId not found")
            if holder is not None and holder is not target and holder["id"] != remove_from:
                return self._json_error(400, "InvalidParameterException",
                                        "The parameter RemoveFromVersionId must match the version that has the label")
            if remove_from and (holder is None or holder["id"] != remove_from):
                return self._json_error(400, "InvalidParameterException",
                                        "The version in RemoveFromVersionId does not have the label")
            if holder is not None and holder is not target:
                holder["stages"].remove(stage)
                if stage == "AWSCURRENT":  # AWS moves AWSPREVIOUS to the version AWSCURRENT left
                    for v in secret["versions"]:
                        if "AWSPREVIOUS" in v["stages"]:
                            v["stages"].remove("AWSPREVIOUS")
                    holder["stages"].append("AWSPREVIOUS")
            if target is not None and stage not in target["stages"]:
                if stage == "AWSCURRENT" and "AWSPREVIOUS" in target["stages"]:
                    target["stages"].remove("AWSPREVIOUS")
                target["stages"].append(stage)
            STATE.count("UpdateSecretVersionStage")
            if self.crash_after("UpdateSecretVersionStage"):
                return
            self.send(200, json.dumps({"ARN": secret["arn"], "Name": req["SecretId"]}), "application/x-amz-json-1.1")

    # ---- STS ----
    def assume_role(self, form):
        if self.regional_outage("sts"):
            return
        if not quota.admit("sts"):
            return self._sts_error(400, "Throttling", "Rate exceeded")
        with STATE.lock:
            STATE.count("AssumeRoleWithWebIdentity")
            if self.headers.get("Authorization"):
                return self._sts_error(400, "InvalidParameterValue", "AssumeRoleWithWebIdentity is unsigned")
            fail = STATE.take_failure("sts")
            if fail:
                return self._sts_error(fail["status"], fail["type"], "injected failure")
            one = lambda k: form.get(k, [""])[0]
            if one("Version") != "2011-06-15":
                return self._sts_error(400, "InvalidAction", "Could not find operation for version")
            session = one("RoleSessionName")
            STATE.stats["session_names"].append(session)
            if not (2 <= len(session) <= 64):
                return self._sts_error(400, "ValidationError", "RoleSessionName length")
            role = STATE.sts_roles.get(one("RoleArn"))
            if role is None or one("WebIdentityToken") != role["token"]:
                return self._sts_error(400, "InvalidIdentityToken", "Incorrect token audience")
            akid, secret, token, exp = STATE.issue(role["duration"])
            body = ('<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                    '<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system:serviceaccount:ns:sa'
                    '</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience><AssumedRoleUser>'
                    '<Arn>%s/%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>'
                    '<Credentials><SessionToken>%s</SessionToken><SecretAccessKey>%s</SecretAccessKey>'
                    '<Expiration>%s</Expiration><AccessKeyId>%s</AccessKeyId></Credentials>'
                    '<Provider>oidc.eks.%s.amazonaws.com/id/FAKE</Provider></AssumeRoleWithWebIdentityResult>'
                    '<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>'
                    '</AssumeRoleWithWebIdentityResponse>'
                    % (xml_escape(one("RoleArn")), xml_escape(session), xml_escape(session), xml_escape(token),
                       xml_escape(secret), exp, akid, self.args.region, pysecrets.token_hex(8)))
            self.send(200, body, "text/xml")

    # ---- Pod Identity agent ----
    def pod_identity(self):
        with STATE.lock:
            STATE.count("PodIdentity")
            fail = STATE.take_failure("pod")
            if fail:
                return self.send(fail["status"], json.dumps({"Message": "injected failure"}), "application/json")
            if STATE.pod is None or self.headers.get("Authorization") != STATE.pod["token"]:
                return self.send(401, json.dumps({"Message": "invalid authorization token"}), "application/json")
            akid, secret, token, exp = STATE.issue(STATE.pod["duration"])
            self.send(200, json.dumps({"AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
                                       "AccountId": ACCOUNT, "Expiration": exp}), "application/json")


def describe_secret(self, body):
    """DescribeSecret (rotation functions check their event with it): RotationEnabled and
    VersionIdsToStages (versions without a stage are not listed), never a value."""
    with STATE.lock:
        req, secret = self._write_prelude(body)
        if req is None:
            return
        stages = {v["id"]: list(v["stages"]) for v in secret["versions"] if v["stages"]}
        self.send(200, json.dumps({"ARN": secret["arn"],
                                   "Name": [n for n, s in STATE.secrets.items() if s is secret][0],
                                   "RotationEnabled": bool(secret.get("rotation_enabled")),
                                   "VersionIdsToStages": stages}), "application/x-amz-json-1.1")


WRITE_OPERATIONS = {"secretsmanager.PutSecretValue": Handler.put_secret_value,
                    "secretsmanager.UpdateSecretVersionStage": Handler.update_secret_version_stage,
                    "secretsmanager.DescribeSecret": describe_secret}


def main():
    parser = argparse.ArgumentParser(description="Loopback fake of Secrets Manager, STS and the Pod Identity agent")
    parser.add_argument("--region", default="us-east-1", help="the region this fake is")
    fake_base.main(Handler, parser)


if __name__ == "__main__":
    main()
