#!/usr/bin/env python3
"""Loopback fake of the Genesys Cloud and NICE CXone token endpoints.

  POST /oauth/token                              Genesys Cloud client credentials:
       Authorization: Basic base64(client_id:client_secret), form grant_type=client_credentials
       -> {"access_token","token_type":"bearer","expires_in"}
  POST /authentication/v1/token/access-key       CXone access-key exchange:
       JSON {"accessKeyId","accessKeySecret"} -> {"access_token","token_type","expires_in"}
Wrong credentials: 401 {"error":"invalid_client"}. Every token is new
("GEN-TOKEN-<n>-<random>", "CX-TOKEN-<n>-<random>").

Usage: oauth_fake.py --genesys ID:SECRET --cxone KEY:SECRET [--expires-in N]
       -> prints "PORT <n>" once listening.
GET /_control/stats -> {"genesys": [{"t": mint time, "expires_in": N}...], "cxone": [...]};
GET /_control/quota (fake_base.py).
Credentials and tokens are never logged.
"""
import argparse
import base64
import json
import secrets
import time
import urllib.parse

import fake_base
import quota

STATE = fake_base.State(genesys=[], cxone=[])  # the mints of each kind


class Handler(fake_base.Handler):
    protocol_version = "HTTP/1.0"  # one request per connection
    state = STATE

    def _send(self, status, body):
        self.send_json(status, body, {"Cache-Control": "no-store"})

    def _mint(self, kind, prefix):
        with STATE.lock:
            n = len(STATE.stats[kind]) + 1
            STATE.stats[kind].append({"t": time.time(), "expires_in": self.args.expires_in})
        return self._send(200, {"access_token": "%s-%d-%s" % (prefix, n, secrets.token_hex(8)),
                                "token_type": "bearer", "expires_in": self.args.expires_in})

    def serve_GET(self, body):
        self._send(404, {"error": "not_found"})

    def serve_POST(self, body):
        body = body.decode()
        if not quota.admit("token"):
            return self._send(429, {"error": "too_many_requests", "error_description": "rate limit exceeded"})
        if self.path == "/oauth/token":
            auth = self.headers.get("Authorization", "")
            want = "Basic " + base64.b64encode(self.args.genesys.encode()).decode()
            form = urllib.parse.parse_qs(body)
            if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
                return self._send(400, {"error": "invalid_request"})
            if form.get("grant_type") != ["client_credentials"]:
                return self._send(400, {"error": "unsupported_grant_type"})
            if auth != want:
                return self._send(401, {"error": "invalid_client", "description": "bad client"})
            return self._mint("genesys", "GEN-TOKEN")
        if self.path == "/authentication/v1/token/access-key":
            try:
                doc = json.loads(body)
            except ValueError:
                return self._send(400, {"error": "invalid_request"})
            key, secret = self.args.cxone.split(":", 1)
            if doc.get("accessKeyId") != key or doc.get("accessKeySecret") != secret:
                return self._send(401, {"error": "invalid_client"})
            return self._mint("cxone", "CX-TOKEN")
        self._send(404, {"error": "not_found"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Loopback fake of the Genesys Cloud and CXone token endpoints")
    parser.add_argument("--genesys", required=True, help="ID:SECRET of the Genesys client")
    parser.add_argument("--cxone", required=True, help="KEY:SECRET of the CXone access key")
    parser.add_argument("--expires-in", type=int, default=300, help="token lifetime, seconds")
    fake_base.main(Handler, parser)
