"""Request quotas for the loopback fakes: a token bucket per kind of call, the
way AWS, Vault and token endpoints rate-limit a tenant (mass-start benchmarks
and tests of throttling).

MEMSECRET_FAKE_QUOTA="KIND=RATE[/BURST][,KIND=RATE[/BURST]...]" turns quotas
on: RATE requests per second for that kind of call, a bucket of BURST
requests (default RATE/5: a fifth of a second's worth, at least 1). Kinds the
fakes use: secretsmanager, sts (fake_aws.py), vault (vault_fake.py; login and
reads alike), token (oauth_fake.py). A kind without a quota is never
throttled; unset: no quota at all.

admit(kind) -> True when the call may proceed (it takes a token), False when
the caller must answer as the real service does when throttling
(Secrets Manager: 400 ThrottlingException; STS: 400 Throttling XML; Vault:
429 with Retry-After; token endpoints: 429). retry_after(kind) is the whole
seconds until a token is available again, at least 1 (Vault's rate limit
quota answers with such a Retry-After).
stats() -> {kind: {"accepted": n, "throttled": n, "rate": r, "burst": b}}, for
GET /_control/quota (fake_base.py serves it for every fake)."""
import math
import os
import threading
import time


def parse(text):
    """{kind: (rate, burst)}; ValueError naming the bad part."""
    out = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        kind, sep, spec = part.partition("=")
        rate_text, slash, burst_text = spec.partition("/")
        try:
            rate = float(rate_text)
            burst = float(burst_text) if slash else max(1.0, rate / 5)
        except ValueError:
            raise ValueError("MEMSECRET_FAKE_QUOTA %r: want KIND=RATE[/BURST]" % part)
        if not sep or not kind.strip() or rate <= 0 or burst < 1:
            raise ValueError("MEMSECRET_FAKE_QUOTA %r: want KIND=RATE[/BURST], RATE > 0, BURST >= 1" % part)
        out[kind.strip()] = (rate, burst)
    return out


class TokenBucket:
    """`rate` tokens per second, at most `burst` stored; starts full."""

    def __init__(self, rate, burst, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.last = clock()
        self.accepted = 0
        self.throttled = 0
        self.lock = threading.Lock()

    def _refill(self):
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def take(self):
        with self.lock:
            self._refill()
            if self.tokens >= 1:
                self.tokens -= 1
                self.accepted += 1
                return True
            self.throttled += 1
            return False

    def seconds_until_token(self):
        with self.lock:
            self._refill()
            return max(0.0, (1 - self.tokens) / self.rate)


BUCKETS = {kind: TokenBucket(rate, burst)
           for kind, (rate, burst) in parse(os.environ.get("MEMSECRET_FAKE_QUOTA")).items()}


def admit(kind):
    bucket = BUCKETS.get(kind)
    return bucket is None or bucket.take()


def retry_after(kind):
    bucket = BUCKETS.get(kind)
    return max(1, math.ceil(bucket.seconds_until_token())) if bucket else 1


def stats():
    return {kind: {"accepted": b.accepted, "throttled": b.throttled, "rate": b.rate, "burst": b.burst}
            for kind, b in BUCKETS.items()}
