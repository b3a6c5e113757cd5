#!/usr/bin/env python3
"""Loopback OAuth 2.0 client-credentials token endpoint for the injector
benchmarks (RFC 6749 §4.4: client_secret_basic or client_secret_post).

usage: fake_oauth.py CLIENT_ID CLIENT_SECRET TTL_SECONDS
Prints "PORT <n>"; POST /token mints a random bearer token valid TTL seconds;
GET /_stats -> {"mints": n, "rejected": n}. Never logs a secret or a token.
MEMSECRET_FAKE_LATENCY_MS ("100" or "50-200") delays every mint (tests/fakes/latency.py)."""
import base64
import json
import secrets
import sys
import threading
import os
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fakes"))
import latency  # noqa: E402

CLIENT_ID, CLIENT_SECRET, TTL = sys.argv[1], sys.argv[2], int(sys.argv[3])
LOCK = threading.Lock()
STATS = {"mints": 0, "rejected": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                return self._send(200, dict(STATS))
        self._send(404, {"error": "not_found"})

    def do_POST(self):
        latency.delay()
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
        cid, csec = form.get("client_id", [None])[0], form.get("client_secret", [None])[0]
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode()
            cid, _, csec = pair.partition(":")
            cid, csec = urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(csec)
        if self.path != "/token" or form.get("grant_type") != ["client_credentials"]:
            return self._send(400, {"error": "unsupported_grant_type"})
        if cid != CLIENT_ID or csec != CLIENT_SECRET:
            with LOCK:
                STATS["rejected"] += 1
            return self._send(401, {"error": "invalid_client"})
        with LOCK:
            STATS["mints"] += 1
        self._send(200, {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer",
                         "expires_in": TTL})


def main():
    # The injector opens up to 8 connections at once: with socketserver's default
    # backlog of 5 a dropped SYN would cost a 1 s retransmit.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
