#!/usr/bin/env python3
"""Loopback fake of Microsoft Entra ID (workload-identity token exchange) and
Azure Key Vault secrets, for memsecret's tests. Serves both on one port:

  POST /<tenant>/oauth2/v2.0/token   client-credentials grant with a federated client
       assertion (MicrosoftDocs/entra-docs v2-oauth2-client-creds-grant-flow.md, "third case")
  GET  /<vault>/secrets/<name>[/<version>]?api-version=7.4   (the provider's endpoint
       template is http://127.0.0.1:<port>/{vault}; learn.microsoft.com get-secret)
  PUT  /<vault>/secrets/<name>?api-version=7.4 {"value"}  a new latest version
       (learn.microsoft.com set-secret; the answer is the SecretBundle with its id)

It CHECKS what the real services check: the form content type and every field of the
exchange (client_id registered, grant_type, scope, client_assertion_type, client_assertion
equal to the federated token configured for the client — i.e. the one in the token
file), the tenant in the path (and no "//"), the api-version, the Bearer token on Key
Vault requests (issued here, unexpired on a virtual clock, for the Key Vault scope).
Errors use the services' shapes: Entra {error, error_description (AADSTSnnnnn: ...),
error_codes, timestamp, trace_id, correlation_id}; Key Vault {"error":{code,message,
innererror}} with 401 + WWW-Authenticate, 403 Forbidden/SecretDisabled, 404 SecretNotFound,
429 Throttled + Retry-After. Expired secrets are returned (200), as Key Vault does.

Usage: azure_fake.py -> prints "PORT <n>". Control (fake_base.py): POST /_control, GET /_control/stats,
GET /_control/latest?vault=V&name=N -> {"id","value"} (the latest version). Ops:
  client{tenant,client_id,assertion,expires_in}  advance{seconds}
  put{vault,name,value,enabled,exp,nbf} -> {"version"}  disable{vault,name}  deny{vault}
  fail{target: token|secret, count, status, code, retry_after}
Secret values, tokens and assertions are never logged.
"""
import json
import secrets as pysecrets
import urllib.parse
import uuid

import fake_base

SCOPE = "https://vault.azure.net/.default"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
API_VERSIONS = {"7.4", "7.5"}


class State(fake_base.State):
    def __init__(self):
        super().__init__(exchanges=0, issued=0, assertion_mismatch=0, secret_gets=0, unauthorized=0,
                         last_form_keys=[], last_api_version=None, double_slash=0)
        self.now = 1_700_000_000.0  # virtual clock; FakeClock's default start
        self.clients = {}  # (tenant, client_id) -> {assertion, expires_in}
        self.tokens = {}  # access token -> expiry (virtual)
        self.vaults = {}  # vault -> {name -> [versions]}
        self.denied = set()


STATE = State()


class Handler(fake_base.Handler):
    state = STATE
    json_type = "application/json; charset=utf-8"

    def _aad_error(self, status, error, code, text, retry_after=None):
        self.send_json(status, {"error": error, "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: 2023-11-14 22:13:20Z"
                                % (code, text, uuid.uuid4(), uuid.uuid4()),
                                "error_codes": [code], "timestamp": "2023-11-14 22:13:20Z",
                                "trace_id": str(uuid.uuid4()), "correlation_id": str(uuid.uuid4()),
                                "error_uri": "https://login.microsoftonline.com/error?code=%d" % code},
                       {"Retry-After": str(retry_after)} if retry_after is not None else None)

    def _kv_error(self, status, code, message, inner=None, extra=None):
        err = {"code": code, "message": message}
        if inner:
            err["innererror"] = {"code": inner}
        self.send_json(status, {"error": err}, extra)

    def view(self, name, query):
        if name == "latest":  # rotation tests: the latest version's value
            v = STATE.vaults[query["vault"][0]][query["name"][0]][-1]
            return {"id": v["id"], "value": v["value"]}
        return super().view(name, query)

    def serve_GET(self, body):
        with STATE.lock:
            self.get_secret()

    def serve_POST(self, body):
        with STATE.lock:
            self.token(body)

    def serve_PUT(self, body):  # rotation: Set Secret
        with STATE.lock:
            self.set_secret(body)

    def set_secret(self, body):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) != 3 or parts[1] != "secrets":
            return self._kv_error(405, "MethodNotAllowed", "The requested method is not allowed.")
        auth = self.headers.get("Authorization", "")
        expiry = STATE.tokens.get(auth[len("Bearer "):]) if auth.startswith("Bearer ") else None
        if expiry is None or STATE.now >= expiry:
            return self._kv_error(401, "Unauthorized", "Token is expired or not issued for Key Vault.")
        if urllib.parse.parse_qs(url.query).get("api-version", [None])[0] not in API_VERSIONS:
            return self._kv_error(400, "BadParameter", "The api-version query parameter is missing or not supported.")
        if parts[0] in STATE.denied:
            return self._kv_error(403, "Forbidden", "Caller is not authorized to perform action on resource. "
                                  "Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'", "ForbiddenByRbac")
        try:
            req = json.loads(body)
        except ValueError:
            return self._kv_error(400, "BadParameter", "The request body is not valid JSON.")
        if not isinstance(req.get("value"), str):
            return self._kv_error(400, "BadParameter", "Property value is required.")
        vid = uuid.uuid4().hex
        STATE.vaults.setdefault(parts[0], {}).setdefault(parts[2], []).append(
            {"id": vid, "value": req["value"], "enabled": True, "exp": None, "nbf": None, "created": STATE.now})
        STATE.count("secret_sets")
        self.send_json(200, {"value": req["value"], "id": "https://%s.vault.azure.net/secrets/%s/%s" % (parts[0], parts[2], vid),
                             "attributes": {"enabled": True, "created": int(STATE.now), "updated": int(STATE.now),
                                            "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90}})

    # ---- Entra ID ----
    def token(self, body):
        STATE.count("exchanges")
        if "//" in self.path:
            STATE.count("double_slash")
            return self._aad_error(400, "invalid_request", 900144, "Malformed request path.")
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            return self.send_json(404, {"error": "not_found"})
        tenant = parts[0]
        fail = STATE.take_failure("token")
        if fail:
            return self._aad_error(fail["status"], fail["code"] or "temporarily_unavailable", 50196,
                                   "injected failure.", fail["retry_after"])
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self._aad_error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True, strict_parsing=False)
        STATE.stats["last_form_keys"] = sorted(form)
        one = lambda k: (form.get(k) or [""])[0]
        if any(len(v) != 1 for v in form.values()):
            return self._aad_error(400, "invalid_request", 90014, "A parameter was given twice.")
        if not any(t == tenant for (t, _) in STATE.clients):
            return self._aad_error(400, "invalid_request", 90002, "Tenant '%s' not found." % tenant[:64])
        if one("grant_type") != "client_credentials":
            return self._aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        client = STATE.clients.get((tenant, one("client_id")))
        if client is None:
            return self._aad_error(400, "unauthorized_client", 700016,
                                   "Application with identifier '%s' was not found in the directory." % one("client_id")[:64])
        if one("scope") != SCOPE:
            return self._aad_error(400, "invalid_scope", 1002012, "The provided value for scope is not valid.")
        if one("client_assertion_type") != ASSERTION_TYPE:
            return self._aad_error(400, "invalid_request", 700023, "Invalid client_assertion_type.")
        if "client_secret" in form:
            return self._aad_error(400, "invalid_request", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
        if one("client_assertion") != client["assertion"]:
            STATE.count("assertion_mismatch")
            return self._aad_error(400, "invalid_client", 70021,
                                   "No matching federated identity record found for presented assertion. Assertion "
                                   "Issuer: 'https://oidc.example'. Assertion Subject: 'system:serviceaccount:genesys:crm'. "
                                   "Assertion Audience: 'api://AzureADTokenExchange'.")
        token = "eyJ0eXAiOiJKV1QifQ.AZURE-ACCESS-" + pysecrets.token_urlsafe(24)
        STATE.tokens[token] = STATE.now + client["expires_in"]
        STATE.count("issued")
        self.send_json(200, {"token_type": "Bearer", "expires_in": client["expires_in"],
                             "ext_expires_in": client["expires_in"], "access_token": token},
                       {"Cache-Control": "no-store", "Pragma": "no-cache"})

    # ---- Key Vault ----
    def get_secret(self):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) not in (3, 4) or parts[1] != "secrets":
            return self._kv_error(404, "NotFound", "The requested resource was not found.")
        vault, name = parts[0], parts[2]
        version = parts[3] if len(parts) == 4 else None
        STATE.count("secret_gets")
        auth = self.headers.get("Authorization", "")
        challenge = {"WWW-Authenticate": 'Bearer authorization="https://login.microsoftonline.com/tenant", '
                                         'resource="https://vault.azure.net"'}
        if not auth.startswith("Bearer "):
            STATE.count("unauthorized")
            return self._kv_error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                                  extra=challenge)
        expiry = STATE.tokens.get(auth[len("Bearer "):])
        if expiry is None or STATE.now >= expiry:
            STATE.count("unauthorized")
            return self._kv_error(401, "Unauthorized", "Token is expired or not issued for Key Vault.",
                                  extra=challenge)
        api = urllib.parse.parse_qs(url.query).get("api-version", [None])[0]
        STATE.stats["last_api_version"] = api
        if api not in API_VERSIONS:
            return self._kv_error(400, "BadParameter", "The api-version query parameter is missing or not supported.")
        fail = STATE.take_failure("secret")
        if fail:
            extra = {"Retry-After": str(fail["retry_after"])} if fail["retry_after"] is not None else None
            return self._kv_error(fail["status"], fail["code"] or "Throttled", "injected failure", extra=extra)
        if vault in STATE.denied:
            return self._kv_error(403, "Forbidden",
                                  "Caller is not authorized to perform action on resource. Action: "
                                  "'Microsoft.KeyVault/vaults/secrets/getSecret/action'", "ForbiddenByRbac")
        versions = STATE.vaults.get(vault, {}).get(name)
        match = None
        if versions:
            match = versions[-1] if version is None else next((v for v in versions if v["id"] == version), None)
        if match is None:
            what = name if version is None else name + "/" + version
            return self._kv_error(404, "SecretNotFound",
                                  "A secret with (name/id) %s was not found in this key vault." % what)
        if not match["enabled"]:
            return self._kv_error(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                                  "SecretDisabled")
        created = int(match["created"]) if isinstance(match["created"], (int, float)) else match["created"]
        attrs = {"enabled": True, "created": created, "updated": created,
                 "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90}
        for k in ("exp", "nbf"):
            if match.get(k) is not None:
                attrs[k] = match[k]
        self.send_json(200, {"value": match["value"], "id": "https://%s.vault.azure.net/secrets/%s/%s" % (vault, name, match["id"]),
                             "attributes": attrs, "tags": {}})

    # ---- control ----
    def control(self, cmd):
        op = cmd["op"]
        out = {}
        if op == "client":
            STATE.clients[(cmd["tenant"], cmd["client_id"])] = {"assertion": cmd["assertion"],
                                                                "expires_in": cmd.get("expires_in", 3599)}
        elif op == "advance":
            STATE.now += cmd["seconds"]
        elif op == "put":
            vid = uuid.uuid4().hex
            STATE.vaults.setdefault(cmd["vault"], {}).setdefault(cmd["name"], []).append(
                {"id": vid, "value": cmd["value"], "enabled": cmd.get("enabled", True),
                 "exp": cmd.get("exp"), "nbf": cmd.get("nbf"),
                 "created": cmd.get("created", STATE.now)})  # a test may send any JSON
            out["version"] = vid
        elif op == "disable":
            STATE.vaults[cmd["vault"]][cmd["name"]][-1]["enabled"] = False
        elif op == "deny":
            STATE.denied.add(cmd["vault"])
        elif op == "fail":
            STATE.add_failure(cmd, status=500, code=None, retry_after=None)
        else:
            return super().control(cmd)
        return out


if __name__ == "__main__":
    fake_base.main(Handler)
