"""Injected backend latency for the loopback fakes (benchmarks of start-up
under real network conditions): MEMSECRET_FAKE_LATENCY_MS is either a fixed
delay ("100") or a uniform range ("50-200"), in milliseconds, added before
every answer except the /_control endpoints. Unset or "0": no delay.
The fakes serve each request on its own thread, so delays overlap as they
would on the network."""
import os
import random
import time


def parse(text):
    """(low_ms, high_ms) or None; ValueError for anything else."""
    text = (text or "").strip()
    if text in ("", "0"):
        return None
    low, sep, high = text.partition("-")
    lo, hi = float(low), float(high) if sep else float(low)
    if lo < 0 or hi < lo:
        raise ValueError("MEMSECRET_FAKE_LATENCY_MS %r: want MS or LOW-HIGH" % text)
    return lo, hi


RANGE = parse(os.environ.get("MEMSECRET_FAKE_LATENCY_MS"))


def delay():
    """Sleeps the configured latency (a fake's request thread only)."""
    if RANGE is not None:
        time.sleep(random.uniform(*RANGE) / 1000.0)
