"""The server scaffolding every loopback fake in this folder shares; each fake
keeps only its service's wire format (routes, answers, errors).

A fake is a Handler subclass plus `main(Handler[, parser])`:
  - serve_GET/serve_POST/serve_PUT/serve_DELETE(self, body): the service's
    routes for that method (`body` is the request body, read once here); a
    method without one answers 501, as http.server does.
  - control(self, cmd) -> JSON object: one POST /_control {"op": ...} command.
  - view(self, name, query) -> JSON object or None: GET /_control/<name>
    (query: parse_qs of the query string); None lets the path reach the
    service's routes. The base serves "stats" (state.stats) and "quota"
    (quota.stats()).
  Both run with state.lock held. Either may raise ControlError(status, obj)
  for a non-200 answer; a missing field (or unknown name) or a malformed
  command answers 400 {"error": ...} naming the key, never a value.
  - state: a State (or subclass), shared by the fake's requests.
  - args: the parsed command line (the fake's own options, --tls-cert/--tls-key).

main() listens on 127.0.0.1 (an ephemeral port, a backlog of LISTEN_BACKLOG),
serves https with --tls-cert/--tls-key, and prints "PORT <n>" once listening
(tests/fakes/fake_client.py and tests/testing/python_fake_process.h read it).
Nothing is logged: headers and bodies hold secrets."""
import argparse
import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import quota

# socketserver's default backlog of 5 drops SYNs when hundreds of clients
# connect at once, and each drop costs a 1 s SYN retransmit that would look like
# a delay of the client under test.
LISTEN_BACKLOG = 4096


class Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True  # a request thread never holds the process up


class ControlError(Exception):
    """A /_control answer other than 200: `status` with the JSON `body`."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status, self.body = status, body


class State:
    """What a fake keeps between requests. `lock` (reentrant) guards all of it,
    a subclass's fields included; `stats` are the call counts GET
    /_control/stats answers; `failures` are the injected failures
    ({"op":"fail"}) a route takes one at a time; `crashes` counts, per
    operation, the answers to drop after the change is made."""

    def __init__(self, **stats):
        self.lock = threading.RLock()
        self.stats = dict(stats)
        self.failures = []  # [{"target", "count", ...}]
        self.crashes = {}  # operation -> count

    def count(self, key, by=1):
        self.stats[key] = self.stats.get(key, 0) + by

    def add_failure(self, cmd, **fields):
        """Queues cmd's failure: its target and count (default 1), and each
        of `fields` from cmd or the default given."""
        failure = {"target": cmd["target"], "count": cmd.get("count", 1)}
        failure.update({k: cmd.get(k, default) for k, default in fields.items()})
        self.failures.append(failure)

    def take_failure(self, target):
        for f in self.failures:
            if f["target"] == target and f["count"] > 0:
                f["count"] -= 1
                return f
        return None

    def take_crash(self, op):
        if self.crashes.get(op, 0) > 0:
            self.crashes[op] -= 1
            return True
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    json_type = "application/json"  # the Content-Type of send_json answers
    state = None  # a State, set by the fake
    args = None  # set by main()

    def log_message(self, fmt, *args):  # no request logging: headers and bodies hold secrets
        pass

    # ---- answers ----
    def send(self, status, body=b"", ctype=None, headers=None):
        """One answer: Content-Type (when given), Content-Length, `headers`, body."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status, obj, headers=None):
        self.send(status, json.dumps(obj), self.json_type, headers)

    def drop_connection(self):
        """Closes the connection unanswered (a crash after the change, a reset)."""
        self.close_connection = True
        self.connection.shutdown(2)

    def crash_after(self, op):
        """True (and the connection dropped) when a crash is armed for `op`."""
        if self.state.take_crash(op):
            self.drop_connection()
            return True
        return False

    # ---- routing ----
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urllib.parse.urlsplit(self.path)
        if self.command == "POST" and url.path == "/_control":
            return self._control(lambda: self.control(json.loads(body)))
        if self.command == "GET" and url.path.startswith("/_control/"):
            name, query = url.path[len("/_control/"):], urllib.parse.parse_qs(url.query)
            if self._control(lambda: self.view(name, query)):
                return
        serve = getattr(self, "serve_" + self.command, None)
        if serve is None:
            return self.send_error(501, "Unsupported method (%r)" % self.command)
        serve(body)

    def _control(self, call):
        """Runs a control command or view under the state lock and answers it;
        False when a view was None (not a control path)."""
        status = 200
        try:
            with self.state.lock:
                out = call()
                if out is None:
                    return False
                data = json.dumps(out)  # under the lock: the stats keep changing
        except ControlError as e:
            status, data = e.status, json.dumps(e.body)
        except KeyError as e:
            status, data = 400, json.dumps({"error": "control: %s missing or unknown" % e})
        except (TypeError, ValueError, AttributeError) as e:
            status, data = 400, json.dumps({"error": "control: malformed command (%s)" % type(e).__name__})
        self.send(status, data, "application/json")
        return True

    # ---- what a fake overrides ----
    def control(self, cmd):
        raise ControlError(400, {"error": "unknown op %r" % cmd["op"]})

    def view(self, name, query):
        if name == "stats":
            return self.state.stats
        if name == "quota":
            return quota.stats()
        return None


def main(handler, parser=None):
    """Parses the command line into handler.args, listens and serves forever."""
    parser = parser or argparse.ArgumentParser()
    parser.add_argument("--tls-cert", help="serve https with this certificate chain (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    handler.args = args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    server = Server(("127.0.0.1", 0), handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()
