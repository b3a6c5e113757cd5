#!/usr/bin/env python3
"""Loopback fake of Genesys Cloud's login (client credentials) and the Platform API's
OAuth client resource, for memsecret's rotation tests.

As the real service (developer.genesys.cloud OAuth API; purecloud SDK models OAuthClient,
OAuthClientRequest):
  POST /oauth/token                       Basic base64(id:secret), grant_type=client_credentials
       -> {"access_token","token_type":"bearer","expires_in"}; 401 invalid_client otherwise.
       A token is bound to its client: it stops working when the client is deleted.
  GET    /api/v2/oauth/clients            (oauth:client:view)   {"entities":[...],"pageNumber","pageSize","pageCount","total"}
  GET    /api/v2/oauth/clients/{id}       (oauth:client:view)   404 when unknown
  POST   /api/v2/oauth/clients            (oauth:client:add)    name and authorizedGrantType required;
       CLIENT-CREDENTIALS needs roleIds or roleDivisions; the answer carries `secret` (only here)
  DELETE /api/v2/oauth/clients/{id}       (oauth:client:delete) 204; 404 when unknown
  GET    /api/v2/users/me                 any valid bearer token (the "app" calls this)
Errors: {"message","code","status"}. 401 without a valid bearer token, 403 without the permission.

Usage: genesys_api_fake.py [--expires-in N] -> prints "PORT <n>".
Control (tests only; fake_base.py): POST /_control {"op":...}
  add_client{id,name,secret,permissions:[..],grant,roleIds,...}   throttle{count,retry_after}
  crash_after{op: create|delete, count}  (the change is made, then the connection is closed unanswered)
  deny_mint{name_contains}   (new clients whose name contains it cannot mint: a failing verification)
GET /_control/state -> {"clients":[{"id","name","state"}], "api_calls":{...}, "me_ok", "me_fail"}.
Secrets and tokens are never logged or returned by /_control.
"""
import argparse
import base64
import json
import secrets
import time
import urllib.parse
import uuid

import fake_base

STATE = fake_base.State(api_calls={}, me_ok=0, me_fail=0, mints=0)  # its lock guards the dicts below too
CLIENTS = {}   # id -> {"id","name","secret","permissions","settings":{...},"state","dateCreated"}
TOKENS = {}    # token -> client id
FAULTS = {"throttle": 0, "retry_after": 1, "deny_mint": None}
COPIED = ("description", "authorizedGrantType", "roleIds", "roleDivisions", "scope", "accessTokenValiditySeconds")


def public(c):
    out = {"id": c["id"], "name": c["name"], "state": c["state"], "dateCreated": c["dateCreated"]}
    out.update(c["settings"])
    return out


class Handler(fake_base.Handler):
    state = STATE

    def _error(self, status, code, message, extra=None):
        self.send_json(status, {"message": message, "code": code, "status": status}, extra)

    def _caller(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        cid = TOKENS.get(auth[len("Bearer "):])
        return CLIENTS.get(cid) if cid else None

    def view(self, name, query):
        if name == "state":
            return {"clients": [{"id": c["id"], "name": c["name"], "state": c["state"]} for c in CLIENTS.values()],
                    **STATE.stats}
        return super().view(name, query)

    def serve_GET(self, body):
        self.api("GET", b"")

    def serve_DELETE(self, body):
        self.api("DELETE", b"")

    def serve_POST(self, body):
        if self.path == "/oauth/token":
            return self.token(body)
        self.api("POST", body)

    def token(self, body):
        form = urllib.parse.parse_qs(body.decode())
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self.send_json(400, {"error": "invalid_request"})
        if form.get("grant_type") != ["client_credentials"]:
            return self.send_json(400, {"error": "unsupported_grant_type"})
        try:
            cid, secret = base64.b64decode(self.headers.get("Authorization", "")[6:]).decode().split(":", 1)
        except Exception:
            return self.send_json(401, {"error": "invalid_client", "description": "bad client"})
        with STATE.lock:
            c = CLIENTS.get(cid)
            deny = FAULTS["deny_mint"]
            if c is None or c["secret"] != secret or c["state"] != "active" or (deny and deny in c["name"]):
                return self.send_json(401, {"error": "invalid_client", "description": "client credentials are invalid"})
            tok = "GEN-" + secrets.token_hex(16)
            TOKENS[tok] = cid
            STATE.count("mints")
            lifetime = min(c["settings"].get("accessTokenValiditySeconds", 86400), self.args.expires_in)
        self.send_json(200, {"access_token": tok, "token_type": "bearer", "expires_in": lifetime})

    def api(self, method, body):
        url = urllib.parse.urlsplit(self.path)
        with STATE.lock:
            caller = self._caller()
            if url.path == "/api/v2/users/me" and method == "GET":
                if caller is None:
                    STATE.count("me_fail")
                    return self._error(401, "bad.credentials", "Invalid login credentials.")
                STATE.count("me_ok")
                return self.send_json(200, {"id": "user-1", "name": "app"})
            if not url.path.startswith("/api/v2/oauth/clients"):
                return self._error(404, "not.found", "The requested resource was not found.")
            key = method + " " + ("/api/v2/oauth/clients" if url.path == "/api/v2/oauth/clients" else "/api/v2/oauth/clients/{id}")
            STATE.stats["api_calls"][key] = STATE.stats["api_calls"].get(key, 0) + 1
            if caller is None:
                return self._error(401, "bad.credentials", "Invalid login credentials.")
            if FAULTS["throttle"] > 0:
                FAULTS["throttle"] -= 1
                STATE.count("throttled")
                return self._error(429, "too.many.requests", "Rate limit exceeded the maximum.",
                                   {"Retry-After": str(FAULTS["retry_after"])})
            rest = url.path[len("/api/v2/oauth/clients"):].strip("/")
            need = {"GET": "oauth:client:view", "POST": "oauth:client:add", "DELETE": "oauth:client:delete"}[method]
            if need not in caller["permissions"]:
                return self._error(403, "missing.permissions", "Missing permission " + need)
            if method == "GET" and not rest:
                q = urllib.parse.parse_qs(url.query)
                size = int(q.get("pageSize", ["25"])[0])
                number = int(q.get("pageNumber", ["1"])[0])
                items = sorted(CLIENTS.values(), key=lambda c: c["dateCreated"])
                page = items[(number - 1) * size:number * size]
                return self.send_json(200, {"entities": [public(c) for c in page], "pageSize": size,
                                            "pageNumber": number, "total": len(items),
                                            "pageCount": max(1, -(-len(items) // size))})
            if method == "GET":
                c = CLIENTS.get(rest)
                return self.send_json(200, public(c)) if c else self._error(404, "not.found", "Client not found")
            if method == "DELETE":
                c = CLIENTS.pop(rest, None)
                if c is None:
                    return self._error(404, "not.found", "Client not found")
                for t in [t for t, cid in TOKENS.items() if cid == rest]:
                    del TOKENS[t]  # a deleted client's tokens stop working
                if self.crash_after("delete"):
                    return
                return self.send(204)
            if method == "POST" and not rest:
                try:
                    req = json.loads(body)
                except ValueError:
                    return self._error(400, "bad.request", "The request could not be understood")
                if not req.get("name"):
                    return self._error(400, "bad.request", "name is required")
                grant = req.get("authorizedGrantType")
                if grant not in ("CLIENT-CREDENTIALS", "CODE", "TOKEN", "SAML2BEARER", "PASSWORD"):
                    return self._error(400, "bad.request", "authorizedGrantType is required")
                if grant == "CLIENT-CREDENTIALS" and not (req.get("roleIds") or req.get("roleDivisions")):
                    return self._error(400, "bad.request", "a client credentials client needs roles")
                if "secret" in req or "id" in req:
                    return self._error(400, "bad.request", "id and secret are assigned by the service")
                c = self.new_client(req["name"], {k: req[k] for k in COPIED if k in req}, [])
                if self.crash_after("create"):
                    return
                out = public(c)
                out["secret"] = c["secret"]
                return self.send_json(200, out)
            return self._error(405, "method.not.allowed", "Method not allowed")

    @staticmethod
    def new_client(name, settings, permissions, cid=None, secret=None):
        c = {"id": cid or str(uuid.uuid4()), "name": name, "secret": secret or secrets.token_urlsafe(32),
             "permissions": permissions, "settings": settings, "state": "active",
             "dateCreated": "%.6f" % time.time()}
        CLIENTS[c["id"]] = c
        return c

    def control(self, cmd):
        op = cmd["op"]
        if op == "add_client":
            settings = {"authorizedGrantType": cmd.get("grant", "CLIENT-CREDENTIALS"),
                        "roleIds": cmd.get("roleIds", ["role-1"]),
                        "roleDivisions": cmd.get("roleDivisions", [{"roleId": "role-1", "divisionId": "*"}]),
                        "accessTokenValiditySeconds": cmd.get("accessTokenValiditySeconds", 86400),
                        "description": cmd.get("description", "")}
            self.new_client(cmd["name"], settings, cmd.get("permissions", []), cmd.get("id"), cmd.get("secret"))
        elif op == "throttle":
            FAULTS["throttle"], FAULTS["retry_after"] = cmd.get("count", 1), cmd.get("retry_after", 1)
        elif op == "crash_after":
            STATE.crashes[cmd["target"]] = cmd.get("count", 1)
        elif op == "deny_mint":
            FAULTS["deny_mint"] = cmd.get("name_contains")
        else:
            return super().control(cmd)
        return {}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Loopback fake of Genesys Cloud's login and OAuth client API")
    parser.add_argument("--expires-in", type=int, default=86400, help="the longest token lifetime, seconds")
    fake_base.main(Handler, parser)
