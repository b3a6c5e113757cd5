#!/usr/bin/env python3
"""Loopback OAuth 2.0 client-credentials token endpoint for the injector
benchmarks (RFC 6749 §4.4: client_secret_basic or client_secret_post).

usage: fake_oauth.py CLIENT_ID CLIENT_SECRET TTL_SECONDS
Prints "PORT <n>"; POST /token mints a random bearer token valid TTL seconds;
GET /_control/stats -> {"mints": n, "rejected": n} (tests/fakes/fake_base.py).
Never logs a secret or a token.
MEMSECRET_FAKE_LATENCY_MS ("100" or "50-200") delays every mint (tests/fakes/latency.py)."""
import argparse
import base64
import os
import secrets
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fakes"))
import fake_base  # noqa: E402
import latency  # noqa: E402

STATE = fake_base.State(mints=0, rejected=0)


class Handler(fake_base.Handler):
    state = STATE

    def _send(self, status, obj):
        self.send_json(status, obj, {"Cache-Control": "no-store"})

    def serve_GET(self, body):
        self._send(404, {"error": "not_found"})

    def serve_POST(self, body):
        latency.delay()
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        cid, csec = form.get("client_id", [None])[0], form.get("client_secret", [None])[0]
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode()
            cid, _, csec = pair.partition(":")
            cid, csec = urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(csec)
        if self.path != "/token" or form.get("grant_type") != ["client_credentials"]:
            return self._send(400, {"error": "unsupported_grant_type"})
        if cid != self.args.client_id or csec != self.args.client_secret:
            with STATE.lock:
                STATE.count("rejected")
            return self._send(401, {"error": "invalid_client"})
        with STATE.lock:
            STATE.count("mints")
        self._send(200, {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer",
                         "expires_in": self.args.ttl})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Loopback OAuth client-credentials token endpoint")
    parser.add_argument("client_id")
    parser.add_argument("client_secret")
    parser.add_argument("ttl", type=int, help="token lifetime, seconds")
    fake_base.main(Handler, parser)
