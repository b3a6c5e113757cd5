#!/usr/bin/env python3
"""Seeds the loopback AWS fake and prints an injection plan for the injector
benchmarks: N secrets (one Secrets Manager secret each, JSON format, no two
files sharing a fetch) and M OAuth tokens minted at the loopback token
endpoint from client credentials stored in the fake. Bench-only values: the
"secrets" are random strings generated here and never printed.

usage: injector_plan.py AWS_URL TOKEN_URL OUT_DIR WEB_IDENTITY_FILE
         --secrets N --tokens M --refresh SECONDS [--token-min-remaining S]
         [--rotate]   (only re-put new versions of every secret, print nothing)"""
import argparse
import json
import secrets
import urllib.request

ROLE = "arn:aws:iam::123456789012:role/bench"
CLIENT_ID = "bench-client"


def control(url, **cmd):
    req = urllib.request.Request(url + "/_control", data=json.dumps(cmd).encode(), method="POST")
    urllib.request.urlopen(req).read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("aws_url")
    ap.add_argument("token_url")
    ap.add_argument("out_dir")
    ap.add_argument("web_identity_file")
    ap.add_argument("--secrets", type=int, default=10)
    ap.add_argument("--tokens", type=int, default=2)
    ap.add_argument("--refresh", type=int, default=300)
    ap.add_argument("--token-min-remaining", type=int, default=60)
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--rotate", action="store_true")
    ap.add_argument("--metrics-port", type=int, default=0)
    a = ap.parse_args()

    for i in range(a.secrets):
        value = {"username": "svc-%02d" % i, "password": secrets.token_urlsafe(24),
                 "host": "db-%02d.internal.example.com" % i, "port": 5432}
        control(a.aws_url, op="put_secret", name="/bench/app/secret-%02d" % i, string=json.dumps(value))
    if a.rotate:
        return
    with open(a.web_identity_file) as f:
        jwt = f.read().strip()
    control(a.aws_url, op="sts", role=ROLE, token=jwt, duration=3600)
    control(a.aws_url, op="put_secret", name="/bench/app/oauth-client",
            string=json.dumps({"clientId": CLIENT_ID, "clientSecret": a.client_secret}))

    files = [{"name": "secret-%02d.json" % i, "kind": "secret", "ref": "aws:/bench/app/secret-%02d" % i,
              "format": "json", "mode": "0400"} for i in range(a.secrets)]
    files += [{"name": "token-%d" % i, "kind": "token", "ref": "aws:/bench/app/oauth-client", "format": "raw",
               "mode": "0400", "token": {"issuer": a.token_url, "scope": "api:read"}} for i in range(a.tokens)]
    print(json.dumps({
        "version": 1, "pod": {"namespace": "bench", "serviceAccount": "bench", "name": ""},
        "lifecycle": "sidecar", "outputDir": a.out_dir, "refreshIntervalSeconds": a.refresh,
        "tokenRefreshFraction": 0.75, "tokenMinRemainingSeconds": a.token_min_remaining,
        "metricsPort": a.metrics_port,
        "files": files, "aws": {"region": "us-east-1", "roleArn": ROLE, "webIdentityTokenFile": a.web_identity_file}}))


if __name__ == "__main__":
    main()
