#!/usr/bin/env python3
"""Load client for the injector's Agent-compatible endpoint: C connections
(one process each, so the client is not serialised by the GIL; raw sockets,
so it costs little CPU next to the server), each with keep-alive, sending GET /secretsmanager/get?secretId=ID with the token for
DURATION seconds. Every answer must be 200 with a SecretString (else it
counts as an error). Prints requests/s, p50/p99/max latency and errors as
RESULT lines (prefix KEY). Never prints a value or the token.

usage: agent_client.py PORT TOKEN_FILE SECRET_ID KEY [--connections C] [--duration S]"""
import argparse
import multiprocessing
import socket
import time
import urllib.parse


class Conn:
    """A minimal keep-alive HTTP/1.1 client on a raw socket, so the client's
    own CPU per request stays small next to the server's (http.client costs
    several times more). Reconnects when the server closes (keep-alive limit)."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buf = b""

    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def roundtrip(self, request):
        """Sends `request`, returns (status line, headers, body)."""
        if self.sock is None:
            self.connect()
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("closed")
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get(b"content-length", b"0"))
        while len(rest) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("closed")
            rest += chunk
        body, self.buf = rest[:n], rest[n:]
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return lines[0], body


def worker(args):
    port, token, path, duration = args
    request = ("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Aws-Parameters-Secrets-Token: %s\r\n\r\n"
               % (path, token)).encode()
    conn = Conn(port)
    lat, errors = [], 0
    conn.roundtrip(request)  # warm-up: connect
    end = time.monotonic() + duration
    while time.monotonic() < end:
        t0 = time.perf_counter_ns()
        try:
            status, body = conn.roundtrip(request)
            ok = status.startswith(b"HTTP/1.1 200") and b'"SecretString"' in body
        except OSError:
            ok = False
            conn.close()
        lat.append(time.perf_counter_ns() - t0)
        errors += 0 if ok else 1
    conn.close()
    return lat, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("token_file")
    ap.add_argument("secret_id")
    ap.add_argument("key")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--duration", type=float, default=10)
    a = ap.parse_args()
    with open(a.token_file) as f:
        token = f.read().strip()
    path = "/secretsmanager/get?secretId=" + urllib.parse.quote(a.secret_id, safe="")
    t0 = time.monotonic()
    with multiprocessing.Pool(a.connections) as pool:
        results = pool.map(worker, [(a.port, token, path, a.duration)] * a.connections)
    elapsed = time.monotonic() - t0
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    if not lat:
        raise SystemExit("no requests completed")
    ms = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1e6  # noqa: E731
    rps = len(lat) / a.duration
    print("%s: %d requests in %.1f s over %d connections: %.0f req/s, p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d errors"
          % (a.key, len(lat), elapsed, a.connections, rps, ms(0.5), ms(0.99), lat[-1] / 1e6, errors))
    print("RESULT %s.rps %.0f req/s" % (a.key, rps))
    print("RESULT %s.p50 %.3f ms" % (a.key, ms(0.5)))
    print("RESULT %s.p99 %.3f ms" % (a.key, ms(0.99)))
    print("RESULT %s.errors %d" % (a.key, errors))


if __name__ == "__main__":
    main()
