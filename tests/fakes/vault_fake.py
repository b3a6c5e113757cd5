#!/usr/bin/env python3
"""Loopback fake of HashiCorp Vault's HTTP API for memsecret's tests.

Follows the wire contract (hashicorp/vault website/content/api-docs: auth/kubernetes,
auth/token, secret/kv/kv-v1, secret/kv/kv-v2; vault-plugin-secrets-kv path_data.go):
  POST /v1/auth/<path>/login            {"role","jwt"} -> auth{client_token,lease_duration,renewable,...}
  GET  /v1/auth/token/lookup-self        -> data{ttl,expire_time,renewable,id,...}
  POST /v1/auth/token/renew-self         -> auth{...}; lease capped by the token's max TTL
  GET  /v1/<kv2>/data/<p>[?version=N]    -> data{data,metadata}; soft-deleted/destroyed: 404 + metadata
  GET  /v1/<kv2>/metadata/<p>            -> data{current_version,versions}
  POST /v1/<kv2>/data/<p>                {"data","options":{"cas"}} -> data{version,...}; wrong cas: 400
  GET  /v1/<kv1>/<p>                     -> data{...}
Errors are {"errors":[...]} with Vault's status codes (400, 403, 404, 405, 503 sealed).
It CHECKS what Vault checks: X-Vault-Token (or Bearer) on every non-login route, token
expiry and max TTL on a virtual clock, the X-Vault-Namespace header (mounts, roles and
tokens live in a namespace; a token works in its namespace and below), the login JWT
equal to the one configured for the role, and per-token path policies.

Usage: vault_fake.py [--tls-cert C --tls-key K]  -> prints "PORT <n>" once listening.
Control (tests only; fake_base.py): POST /_control {"op":...}, GET /_control/stats,
GET /_control/quota, GET /_control/kv?mount=M&path=P -> {"version","data"} (root namespace). Ops:
  advance{seconds} seal unseal namespace{name} mount{namespace,path,version}
  kv_put{namespace,mount,path,data} -> {"version"}  kv_delete/kv_destroy{namespace,mount,path,versions}
  k8s_role{namespace,auth_path,role,jwt,ttl,max_ttl,renewable,paths}
  token{namespace,token,ttl,max_ttl,renewable,paths}  revoke_all
  fail{target: login|renew|lookup|read, count, status, errors, retry_after}
  write_race{count}  (the next writes find that another writer wrote first: a cas mismatch)
Secret values, tokens and JWTs are never logged.
"""
import datetime
import json
import secrets as pysecrets
import urllib.parse

import fake_base
import quota

SEALED = "Vault is sealed"
DENIED = "permission denied"
KV2_BAD_PATH = ("Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate "
                "API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.")


def canon_ns(ns):
    ns = (ns or "").strip("/")
    return ns + "/" if ns else ""


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class State(fake_base.State):
    def __init__(self):
        super().__init__(login=0, login_ok=0, login_jwt_mismatch=0, renew=0, lookup=0, read=0, denied=0,
                         tokens_issued=0, namespace_headers=[], missing_request_header=0, last_read=None)
        self.now = 1_700_000_000.0  # virtual clock; FakeClock's default start
        self.sealed = False
        self.namespaces = {""}
        self.mounts = {}  # (ns, mount) -> {"version", "secrets"}
        self.roles = {}  # (ns, auth_path) -> {role: cfg}
        self.tokens = {}  # token -> {ns, paths, ttl, renewable, issued, expire, max_expire}
        self.write_race = 0  # the next writes that find another writer came first

    def issue(self, ns, ttl, max_ttl, renewable, paths, token=None):
        token = token or "hvs." + pysecrets.token_urlsafe(24)
        expire = self.now + ttl if ttl else None
        max_expire = self.now + max_ttl if max_ttl else None
        if expire and max_expire:
            expire = min(expire, max_expire)
        self.tokens[token] = {"ns": ns, "paths": paths, "ttl": ttl, "renewable": renewable,
                              "issued": self.now, "expire": expire, "max_expire": max_expire,
                              "accessor": pysecrets.token_urlsafe(12)}
        self.stats["tokens_issued"] += 1
        return token

    def lease(self, tok):
        return int(round(tok["expire"] - self.now)) if tok["expire"] else 0


STATE = State()


def envelope(data=None, auth=None, warnings=None, lease_duration=0):
    return {"request_id": pysecrets.token_hex(8), "lease_id": "", "renewable": False,
            "lease_duration": lease_duration, "data": data, "wrap_info": None,
            "warnings": warnings, "auth": auth}


class Handler(fake_base.Handler):
    state = STATE

    def _error(self, status, errors, retry_after=None, warnings=None):
        body = {"errors": errors}
        if warnings:
            body["warnings"] = warnings
        self.send_json(status, body, {"Retry-After": str(retry_after)} if retry_after is not None else None)

    def view(self, name, query):
        if name == "kv":  # rotation tests: the current KV v2 version
            s = STATE.mounts[("", query["mount"][0])]["secrets"][query["path"][0]]
            return {"version": s["current"], "data": s["versions"][s["current"]]["data"]}
        return super().view(name, query)

    def serve_GET(self, body):
        self.route("GET", b"")

    def serve_POST(self, body):
        self.route("POST", body)

    def serve_PUT(self, body):
        self.route("PUT", body)

    def route(self, method, body):
        if not quota.admit("vault"):  # a rate limit quota (response headers enabled)
            return self._error(429, ['request path "%s": rate limit quota exceeded' % self.path.split("?")[0][4:]],
                               quota.retry_after("vault"))
        with STATE.lock:
            if STATE.sealed:
                return self._error(503, [SEALED])
            if self.headers.get("X-Vault-Request") != "true":
                STATE.count("missing_request_header")
            ns = canon_ns(self.headers.get("X-Vault-Namespace"))
            STATE.stats["namespace_headers"] = (STATE.stats["namespace_headers"] + [ns])[-20:]
            url = urllib.parse.urlsplit(self.path)
            if not url.path.startswith("/v1/"):
                return self._error(404, ["no handler for route"])
            path = url.path[len("/v1/"):]
            query = urllib.parse.parse_qs(url.query)
            if ns not in STATE.namespaces:
                return self._error(404, ['namespace not found: "%s"' % ns])
            if path.startswith("auth/") and path.endswith("/login") and path != "auth/token/login":
                if method not in ("POST", "PUT"):
                    return self._error(405, ["unsupported operation"])
                return self.login(ns, path[len("auth/"):-len("/login")], body)
            tok = self.authenticate(ns)
            if tok is None:
                STATE.count("denied")
                return self._error(403, [DENIED])
            if path == "auth/token/lookup-self" and method == "GET":
                return self.lookup_self(tok)
            if path == "auth/token/renew-self" and method in ("POST", "PUT"):
                return self.renew_self(tok, body)
            if method in ("POST", "PUT") and "/data/" in path:
                return self.kv_write(ns, tok, path, body)
            if method != "GET":
                return self._error(405, ["unsupported operation"])
            return self.read(ns, tok, path, query)

    def authenticate(self, ns):
        token = self.headers.get("X-Vault-Token")
        auth = self.headers.get("Authorization", "")
        if token is None and auth.startswith("Bearer "):
            token = auth[len("Bearer "):]
        tok = STATE.tokens.get(token or "")
        if tok is None:
            return None
        if tok["expire"] is not None and STATE.now >= tok["expire"]:
            del STATE.tokens[token]
            return None
        if not ns.startswith(tok["ns"]):  # a token works in its namespace and below
            return None
        tok["id"] = token
        return tok

    # ---- auth ----
    def login(self, ns, auth_path, body):
        STATE.count("login")
        fail = STATE.take_failure("login")
        if fail:
            return self._error(fail["status"], fail["errors"], fail["retry_after"])
        roles = STATE.roles.get((ns, auth_path))
        if roles is None:
            return self._error(400, ['no handler for route "auth/%s/login". route entry not found.' % auth_path])
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return self._error(400, ["failed to parse JSON input"])
        if not req.get("role"):
            return self._error(400, ["missing role"])
        if not req.get("jwt"):
            return self._error(400, ["missing jwt"])
        role = roles.get(req["role"])
        if role is None:
            return self._error(400, ['invalid role name "%s"' % req["role"]])
        if req["jwt"] != role["jwt"]:
            STATE.count("login_jwt_mismatch")
            return self._error(403, [DENIED])
        token = STATE.issue(ns, role["ttl"], role["max_ttl"], role["renewable"], role["paths"])
        tok = STATE.tokens[token]
        STATE.count("login_ok")
        auth = {"client_token": token, "accessor": tok["accessor"], "policies": ["default", req["role"]],
                "token_policies": ["default", req["role"]],
                "metadata": {"role": req["role"], "service_account_name": "cx-pipeline",
                             "service_account_namespace": "genesys", "service_account_uid": "uid-1"},
                "lease_duration": STATE.lease(tok), "renewable": tok["renewable"],
                "entity_id": "", "token_type": "service", "orphan": True}
        self.send_json(200, envelope(auth=auth))

    def lookup_self(self, tok):
        STATE.count("lookup")
        fail = STATE.take_failure("lookup")
        if fail:
            return self._error(fail["status"], fail["errors"], fail["retry_after"])
        data = {"accessor": tok["accessor"], "creation_time": int(tok["issued"]), "creation_ttl": tok["ttl"],
                "display_name": "token", "entity_id": "", "expire_time": rfc3339(tok["expire"]) if tok["expire"] else None,
                "explicit_max_ttl": 0, "id": tok["id"], "issue_time": rfc3339(tok["issued"]), "meta": None,
                "num_uses": 0, "orphan": True, "path": "auth/token/create", "policies": ["default"],
                "renewable": tok["renewable"], "ttl": STATE.lease(tok), "type": "service"}
        self.send_json(200, envelope(data=data))

    def renew_self(self, tok, body):
        STATE.count("renew")
        fail = STATE.take_failure("renew")
        if fail:
            return self._error(fail["status"], fail["errors"], fail["retry_after"])
        if not tok["renewable"] or tok["expire"] is None:
            return self._error(400, ["lease is not renewable"])
        want = tok["ttl"]
        warnings = None
        expire = STATE.now + want
        if tok["max_expire"] is not None and expire > tok["max_expire"]:
            expire = tok["max_expire"]
            warnings = ["TTL of \"%ds\" exceeded the effective max_ttl of \"%ds\"; TTL value is capped accordingly"
                        % (want, int(expire - STATE.now))]
        tok["expire"] = expire
        auth = {"client_token": tok["id"], "accessor": tok["accessor"], "policies": ["default"],
                "lease_duration": STATE.lease(tok), "renewable": tok["renewable"], "metadata": None}
        self.send_json(200, envelope(auth=auth, warnings=warnings))

    # ---- KV ----
    def read(self, ns, tok, path, query):
        STATE.count("read")
        STATE.stats["last_read"] = ns + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
        fail = STATE.take_failure("read")
        if fail:
            return self._error(fail["status"], fail["errors"], fail["retry_after"])
        if not any(path.startswith(p) for p in tok["paths"]):
            STATE.count("denied")
            return self._error(403, ["1 error occurred:\n\t* permission denied\n\n"])
        mount = max((m for (mns, m) in STATE.mounts if mns == ns and path.startswith(m + "/")),
                    key=len, default=None)
        if mount is None:
            return self._error(403, ["1 error occurred:\n\t* permission denied\n\n"])  # Vault: no route
        engine = STATE.mounts[(ns, mount)]
        rest = path[len(mount) + 1:]
        if engine["version"] == 1:
            data = engine["secrets"].get(rest)
            if data is None:
                return self._error(404, [])
            return self.send_json(200, envelope(data=data, lease_duration=2764800))
        if rest.startswith("metadata/"):
            return self.metadata(engine, rest[len("metadata/"):])
        if not rest.startswith("data/"):
            return self.send_json(404, envelope(warnings=[KV2_BAD_PATH]))
        secret = engine["secrets"].get(rest[len("data/"):])
        if secret is None:
            return self._error(404, [])
        version = int(query.get("version", ["0"])[0] or 0) or secret["current"]
        v = secret["versions"].get(version)
        if v is None:
            return self._error(404, [])
        created = v["created"] if not isinstance(v["created"], (int, float)) else rfc3339(v["created"])
        meta = {"created_time": created, "custom_metadata": None,
                "deletion_time": rfc3339(v["deleted"]) if v["deleted"] else "",
                "destroyed": v["destroyed"], "version": version}
        if v["destroyed"] or (v["deleted"] and v["deleted"] <= STATE.now):
            return self.send_json(404, envelope(data={"data": None, "metadata": meta}))
        self.send_json(200, envelope(data={"data": v["data"], "metadata": meta}))

    def metadata(self, engine, rest):
        secret = engine["secrets"].get(rest)
        if secret is None:
            return self._error(404, [])
        versions = {str(n): {"created_time": rfc3339(v["created"]),
                             "deletion_time": rfc3339(v["deleted"]) if v["deleted"] else "",
                             "destroyed": v["destroyed"]} for n, v in secret["versions"].items()}
        self.send_json(200, envelope(data={"current_version": secret["current"], "versions": versions,
                                           "max_versions": 0, "oldest_version": 0}))

    # ---- KV v2 write (rotation) ----
    # POST/PUT /v1/<mount>/data/<path> {"data":{...},"options":{"cas":N}}: as Vault, a cas
    # that is not the current version is refused (400 "check-and-set parameter did not
    # match the current version"); cas 0 writes only a new secret.
    def kv_write(self, ns, tok, path, body):
        STATE.count("write")
        if not any(path.startswith(p) for p in tok["paths"]):
            return self._error(403, ["1 error occurred:\n\t* permission denied\n\n"])
        mount = max((m for (mns, m) in STATE.mounts if mns == ns and path.startswith(m + "/")), key=len, default=None)
        if mount is None or STATE.mounts[(ns, mount)]["version"] != 2:
            return self._error(405, ["unsupported operation"])
        engine = STATE.mounts[(ns, mount)]
        rest = path[len(mount) + 1:]
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return self._error(400, ["failed to parse JSON input"])
        if not isinstance(req.get("data"), dict):
            return self._error(400, ["no data provided"])
        secret = engine["secrets"].get(rest[len("data/"):])
        if secret and STATE.write_race:  # another writer comes first (control write_race)
            STATE.write_race -= 1
            secret["current"] += 1
            secret["versions"][secret["current"]] = dict(secret["versions"][secret["current"] - 1], created=STATE.now)
        current = secret["current"] if secret else 0
        cas = (req.get("options") or {}).get("cas")
        if cas is not None and int(cas) != current:
            return self._error(400, ["check-and-set parameter did not match the current version"])
        if secret is None:
            secret = engine["secrets"].setdefault(rest[len("data/"):], {"versions": {}, "current": 0})
        secret["current"] += 1
        secret["versions"][secret["current"]] = {"data": req["data"], "created": STATE.now,
                                                 "deleted": None, "destroyed": False}
        self.send_json(200, envelope(data={"created_time": rfc3339(STATE.now), "custom_metadata": None,
                                           "deletion_time": "", "destroyed": False, "version": secret["current"]}))

    # ---- control ----
    def control(self, cmd):
        op = cmd["op"]
        out = {}
        ns = canon_ns(cmd.get("namespace"))
        if op == "advance":
            STATE.now += cmd["seconds"]
        elif op == "seal":
            STATE.sealed = True
        elif op == "unseal":
            STATE.sealed = False
        elif op == "namespace":
            STATE.namespaces.add(canon_ns(cmd["name"]))
        elif op == "mount":
            STATE.mounts[(ns, cmd["path"].strip("/"))] = {"version": cmd.get("version", 2), "secrets": {}}
        elif op == "write_race":  # rotation tests: the next N writes lose a race
            STATE.write_race = cmd.get("count", 1)
        elif op == "kv_put":
            engine = STATE.mounts[(ns, cmd["mount"])]
            if engine["version"] == 1:
                engine["secrets"][cmd["path"]] = cmd["data"]
            else:
                s = engine["secrets"].setdefault(cmd["path"], {"versions": {}, "current": 0})
                s["current"] += 1
                # "created": a test may send any JSON (a malformed created_time)
                s["versions"][s["current"]] = {"data": cmd["data"], "created": cmd.get("created", STATE.now),
                                               "deleted": None, "destroyed": False}
                out["version"] = s["current"]
        elif op in ("kv_delete", "kv_destroy"):
            s = STATE.mounts[(ns, cmd["mount"])]["secrets"][cmd["path"]]
            for n in cmd.get("versions") or [s["current"]]:
                if op == "kv_delete":
                    s["versions"][n]["deleted"] = STATE.now
                else:
                    s["versions"][n]["destroyed"] = True
                    s["versions"][n]["data"] = None
        elif op == "k8s_role":
            STATE.roles.setdefault((ns, cmd.get("auth_path", "kubernetes")), {})[cmd["role"]] = {
                "jwt": cmd["jwt"], "ttl": cmd.get("ttl", 3600), "max_ttl": cmd.get("max_ttl", 0),
                "renewable": cmd.get("renewable", True), "paths": cmd.get("paths", [""])}
        elif op == "token":
            STATE.issue(ns, cmd.get("ttl", 0), cmd.get("max_ttl", 0), cmd.get("renewable", False),
                        cmd.get("paths", [""]), token=cmd["token"])
        elif op == "revoke_all":
            STATE.tokens.clear()
        elif op == "fail":
            STATE.add_failure(cmd, status=500, errors=["internal error"], retry_after=None)
        else:
            return super().control(cmd)
        return out


if __name__ == "__main__":
    fake_base.main(Handler)
