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
Control (tests only): POST /_control {"op":...}
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
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
CLIENTS = {}   # id -> {"id","name","secret","permissions","settings":{...},"state","dateCreated"}
TOKENS = {}    # token -> client id
FAULTS = {"throttle": 0, "retry_after": 1, "crash": {}, "deny_mint": None}
STATS = {"api_calls": {}, "me_ok": 0, "me_fail": 0, "mints": 0}
ARGS = None
COPIED = ("description", "authorizedGrantType", "roleIds", "roleDivisions", "scope", "accessTokenValiditySeconds")


def public(c):
    out = {"id": c["id"], "name": c["name"], "state": c["state"], "dateCreated": c["dateCreated"]}
    out.update(c["settings"])
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=None, extra=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, code, message, extra=None):
        self._send(status, {"message": message, "code": code, "status": status}, extra)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _crash(self, op):
        if FAULTS["crash"].get(op, 0) > 0:
            FAULTS["crash"][op] -= 1
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        return False

    def _caller(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        cid = TOKENS.get(auth[len("Bearer "):])
        return CLIENTS.get(cid) if cid else None

    def do_GET(self):
        if self.path == "/_control/state":
            with LOCK:
                return self._send(200, {"clients": [{"id": c["id"], "name": c["name"], "state": c["state"]}
                                                    for c in CLIENTS.values()], **STATS})
        self.api("GET", b"")

    def do_DELETE(self):
        self.api("DELETE", b"")

    def do_POST(self):
        body = self._body()
        if self.path == "/_control":
            return self.control(json.loads(body))
        if self.path == "/oauth/token":
            return self.token(body)
        self.api("POST", body)

    def token(self, body):
        form = urllib.parse.parse_qs(body.decode())
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self._send(400, {"error": "invalid_request"})
        if form.get("grant_type") != ["client_credentials"]:
            return self._send(400, {"error": "unsupported_grant_type"})
        try:
            cid, secret = base64.b64decode(self.headers.get("Authorization", "")[6:]).decode().split(":", 1)
        except Exception:
            return self._send(401, {"error": "invalid_client", "description": "bad client"})
        with LOCK:
            c = CLIENTS.get(cid)
            deny = FAULTS["deny_mint"]
            if c is None or c["secret"] != secret or c["state"] != "active" or (deny and deny in c["name"]):
                return self._send(401, {"error": "invalid_client", "description": "client credentials are invalid"})
            tok = "GEN-" + secrets.token_hex(16)
            TOKENS[tok] = cid
            STATS["mints"] += 1
            lifetime = min(c["settings"].get("accessTokenValiditySeconds", 86400), ARGS.expires_in)
        self._send(200, {"access_token": tok, "token_type": "bearer", "expires_in": lifetime})

    def api(self, method, body):
        url = urllib.parse.urlsplit(self.path)
        with LOCK:
            caller = self._caller()
            if url.path == "/api/v2/users/me" and method == "GET":
                if caller is None:
                    STATS["me_fail"] += 1
                    return self._error(401, "bad.credentials", "Invalid login credentials.")
                STATS["me_ok"] += 1
                return self._send(200, {"id": "user-1", "name": "app"})
            if not url.path.startswith("/api/v2/oauth/clients"):
                return self._error(404, "not.found", "The requested resource was not found.")
            key = method + " " + ("/api/v2/oauth/clients" if url.path == "/api/v2/oauth/clients" else "/api/v2/oauth/clients/{id}")
            STATS["api_calls"][key] = STATS["api_calls"].get(key, 0) + 1
            if caller is None:
                return self._error(401, "bad.credentials", "Invalid login credentials.")
            if FAULTS["throttle"] > 0:
                FAULTS["throttle"] -= 1
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
                return self._send(200, {"entities": [public(c) for c in page], "pageSize": size,
                                        "pageNumber": number, "total": len(items),
                                        "pageCount": max(1, -(-len(items) // size))})
            if method == "GET":
                c = CLIENTS.get(rest)
                return self._send(200, public(c)) if c else self._error(404, "not.found", "Client not found")
            if method == "DELETE":
                c = CLIENTS.pop(rest, None)
                if c is None:
                    return self._error(404, "not.found", "Client not found")
                for t in [t for t, cid in TOKENS.items() if cid == rest]:
                    del TOKENS[t]  # a deleted client's tokens stop working
                if self._crash("delete"):
                    return
                return self._send(204)
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
                if self._crash("create"):
                    return
                out = public(c)
                out["secret"] = c["secret"]
                return self._send(200, out)
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
        with LOCK:
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
                FAULTS["crash"][cmd["target"]] = cmd.get("count", 1)
            elif op == "deny_mint":
                FAULTS["deny_mint"] = cmd.get("name_contains")
            else:
                return self._send(400, {"error": "unknown op"})
        self._send(200, {})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--expires-in", type=int, default=86400)
    ARGS = p.parse_args()
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
