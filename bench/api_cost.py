#!/usr/bin/env python3
"""Backend calls per pod-hour with memsecret's defaults, and what a fleet pays
for them at AWS Secrets Manager's price, next to a naive client that fetches
its secrets on every request it serves and to the Secrets Store CSI driver
polling per pod. Pure computation from the defaults (no network).

Defaults used (docs/annotations.md, docs/injector.md, injector/README.md):
  * refresh-interval 5m: every secret re-read every 300 s; files of one secret
    share one GetSecretValue per pass (CoalescingProvider);
  * tokens minted at 75% of expires_in (never later than 60 s before expiry),
    jitter moving a refresh up to 10% earlier (5% on average); the client
    credentials are re-read at a mint when older than refresh-interval, i.e. at
    every mint when the token lives longer than 6m40s: 1 GetSecretValue/mint;
  * web-identity credentials (STS, free of charge) renewed 10 min before their
    1 h expiry: every 50 min.
usage: bench/api_cost.py [--pods 500] [--app-rps 1] [--short]"""
import argparse

PRICE_PER_10K = 0.05      # USD, Secrets Manager API calls
HOURS_PER_MONTH = 730
REFRESH_S = 300
FRACTION, MIN_REMAINING_S, MEAN_JITTER = 0.75, 60, 0.05
STS_EVERY_S = 3600 - 600
CSI_POLL_S = 120          # secrets-store-csi-driver --rotation-poll-interval default


def mint_interval(ttl):
    return min(FRACTION * ttl, ttl - MIN_REMAINING_S) * (1 - MEAN_JITTER)


def memsecret_calls(secrets, tokens):
    """GetSecretValue per pod-hour: secrets is the number of distinct secrets
    read by files, tokens a list of token lifetimes (s)."""
    calls = secrets * 3600 / REFRESH_S
    for ttl in tokens:
        calls += 3600 / mint_interval(ttl)  # one credential read per mint
    return calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=500)
    ap.add_argument("--app-rps", type=float, default=1.0,
                    help="requests/s each pod serves, for the naive fetch-per-request client")
    ap.add_argument("--short", action="store_true", help="same output (computation is instant)")
    a = ap.parse_args()

    def cost(per_pod_hour):
        month = per_pod_hour * a.pods * HOURS_PER_MONTH
        return month, month / 10000 * PRICE_PER_10K

    print("== API cost: GetSecretValue calls per pod-hour, %d pods, $%.2f per 10,000 calls, %d h/month ==" % (
        a.pods, PRICE_PER_10K, HOURS_PER_MONTH))
    # The benchmark pod (bench/fixtures): client-id (oauth#clientId) and db.json (db): 2 secrets;
    # one Genesys Cloud token (24 h tokens) minted from the oauth secret.
    rows = [
        ("memsecret, example pod (2 secrets + 1 Genesys token, 24 h)", memsecret_calls(2, [86400])),
        ("memsecret, 10 secrets + 2 tokens (1 h tokens)", memsecret_calls(10, [3600, 3600])),
        ("CSI driver, example pod, rotation on (3 objects, 2 min poll)", 3 * 3600 / CSI_POLL_S),
        ("naive client, example pod, fetch 3 secrets per request @ %g req/s" % a.app_rps, 3 * a.app_rps * 3600),
        ("naive client, 12 secrets per request @ %g req/s" % a.app_rps, 12 * a.app_rps * 3600),
    ]
    print("%-68s %12s %16s %12s" % ("client", "calls/pod-h", "calls/month", "USD/month"))
    for name, per in rows:
        month, usd = cost(per)
        print("%-68s %12.2f %16.0f %12.2f" % (name, per, month, usd))
    sts = 3600 / STS_EVERY_S
    print("plus AssumeRoleWithWebIdentity (STS, no charge): %.2f per pod-hour with memsecret" % sts)
    example, naive = rows[0][1], rows[3][1]
    print("memsecret's example pod makes %.0fx fewer calls than the naive client at %g req/s" % (naive / example, a.app_rps))
    print("RESULT api.memsecret_example.calls_per_pod_hour %.2f" % example)
    print("RESULT api.memsecret_example.usd_per_month %.2f USD/%d-pods" % (cost(example)[1], a.pods))
    print("RESULT api.memsecret_10s2t.calls_per_pod_hour %.2f" % rows[1][1])
    print("RESULT api.memsecret_10s2t.usd_per_month %.2f USD/%d-pods" % (cost(rows[1][1])[1], a.pods))
    print("RESULT api.naive_example.calls_per_pod_hour %.0f" % naive)
    print("RESULT api.naive_example.usd_per_month %.2f USD/%d-pods" % (cost(naive)[1], a.pods))
    print("RESULT api.csi_example.usd_per_month %.2f USD/%d-pods" % (cost(rows[2][1])[1], a.pods))


if __name__ == "__main__":
    main()
