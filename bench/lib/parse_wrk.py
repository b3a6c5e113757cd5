#!/usr/bin/env python3
"""Reads `wrk --latency` output on stdin, prints one JSON object:
{"rps", "p50_ms", "p99_ms", "requests", "errors", "non2xx", "socket_errors"}."""
import json
import re
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


out = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "requests": 0, "non2xx": 0, "socket_errors": 0}
for line in sys.stdin:
    s = line.strip()
    if s.startswith("Requests/sec:"):
        out["rps"] = float(s.split()[1])
    elif re.match(r"^50%\s", s):
        out["p50_ms"] = ms(s.split()[1])
    elif re.match(r"^99%\s", s):
        out["p99_ms"] = ms(s.split()[1])
    elif re.match(r"^\d+ requests in", s):
        out["requests"] = int(s.split()[0])
    elif s.startswith("Non-2xx or 3xx responses:"):
        out["non2xx"] = int(s.split(":")[1])
    elif s.startswith("Socket errors:"):
        out["socket_errors"] = sum(int(n) for n in re.findall(r"\d+", s))
out["errors"] = out["non2xx"] + out["socket_errors"]
print(json.dumps(out))
