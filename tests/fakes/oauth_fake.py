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
GET /_control/stats -> {"genesys": [{"t": mint time, "expires_in": N}...], "cxone": [...]}.
Credentials and tokens are never logged.
"""
import argparse
import base64
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quota  # noqa: E402

LOCK = threading.Lock()
MINTS = {"genesys": [], "cxone": []}
ARGS = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _mint(self, kind, prefix):
        with LOCK:
            n = len(MINTS[kind]) + 1
            MINTS[kind].append({"t": time.time(), "expires_in": ARGS.expires_in})
        return self._send(200, {"access_token": "%s-%d-%s" % (prefix, n, secrets.token_hex(8)),
                                "token_type": "bearer", "expires_in": ARGS.expires_in})

    def do_GET(self):
        if self.path == "/_control/stats":
            with LOCK:
                return self._send(200, MINTS)
        if self.path == "/_control/quota":
            return self._send(200, quota.stats())
        self._send(404, {"error": "not_found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if not quota.admit("token"):
            return self._send(429, {"error": "too_many_requests", "error_description": "rate limit exceeded"})
        if self.path == "/oauth/token":
            auth = self.headers.get("Authorization", "")
            want = "Basic " + base64.b64encode(ARGS.genesys.encode()).decode()
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
            key, secret = ARGS.cxone.split(":", 1)
            if doc.get("accessKeyId") != key or doc.get("accessKeySecret") != secret:
                return self._send(401, {"error": "invalid_client"})
            return self._mint("cxone", "CX-TOKEN")
        self._send(404, {"error": "not_found"})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--genesys", required=True)
    p.add_argument("--cxone", required=True)
    p.add_argument("--expires-in", type=int, default=300)
    ARGS = p.parse_args()
    ThreadingHTTPServer.request_queue_size = quota.LISTEN_BACKLOG  # see quota.py
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
