#!/usr/bin/env python3
"""Loopback fake of the AWS Lambda Runtime API (version 2018-06-01), the HTTP
API a custom runtime (`bootstrap`) polls inside a Lambda execution environment.

Wire contract, as Lambda serves it:
  GET  /2018-06-01/runtime/invocation/next
       blocks until an invocation is queued; 200 with the event as the body and
       Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
       Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id headers.
  POST /2018-06-01/runtime/invocation/{id}/response   -> 202 {"status":"OK"}
  POST /2018-06-01/runtime/invocation/{id}/error      -> 202 {"status":"OK"}
       body {"errorMessage","errorType","stackTrace"}, optional header
       Lambda-Runtime-Function-Error-Type.
  POST /2018-06-01/runtime/init/error                 -> 202 {"status":"OK"}
  An id that is not the invocation in flight: 400 InvalidRequestID; a second
  answer to one invocation: 403 InvalidStateTransition; a body over 6 MiB: 413;
  an error body that is not the error document: 400.
Usage: lambda_runtime_fake.py -> prints "PORT <n>" once listening on 127.0.0.1.
Control (tests only):
  POST /_control {"op":"invoke","payload":<JSON>,"deadline_ms":<ms>} -> {"id": "<request id>"}
  GET  /_control/result?id=<id>&wait=<s>  -> {"kind":"response"|"error"|"pending",
       "body":<text>,"error_type":<header>} (waits up to <s> seconds for the answer)
  GET  /_control/state -> {"init_errors":[...],"polls":<n>,"in_flight":<id|null>}
"""
import json
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
MAX_BODY = 6 * 1024 * 1024
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:memsecret-rotation"


class State:
    def __init__(self):
        self.cond = threading.Condition()
        self.queue = []        # invocations waiting for a poll
        self.in_flight = None  # the id handed out by the last poll, not yet answered
        self.results = {}      # id -> {"kind", "body", "error_type"}
        self.init_errors = []
        self.polls = 0


STATE = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, ctype="application/json", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, typ, message):
        self._send(status, json.dumps({"errorMessage": message, "errorType": typ}))

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == PREFIX + "/invocation/next":
            return self.next_invocation()
        if url.path == "/_control/result":
            q = urllib.parse.parse_qs(url.query)
            deadline = time.monotonic() + float(q.get("wait", ["0"])[0])
            with STATE.cond:
                while q["id"][0] not in STATE.results and time.monotonic() < deadline:
                    STATE.cond.wait(max(0.0, deadline - time.monotonic()))
                res = STATE.results.get(q["id"][0], {"kind": "pending"})
            return self._send(200, json.dumps(res))
        if url.path == "/_control/state":
            with STATE.cond:
                return self._send(200, json.dumps({"init_errors": STATE.init_errors, "polls": STATE.polls,
                                                   "in_flight": STATE.in_flight}))
        self._error(404, "NotFound", "no such path")

    def next_invocation(self):
        with STATE.cond:
            STATE.polls += 1
            STATE.cond.notify_all()
            while not STATE.queue:
                STATE.cond.wait()
            inv = STATE.queue.pop(0)
            STATE.in_flight = inv["id"]
        self._send(200, json.dumps(inv["payload"]), extra={
            "Lambda-Runtime-Aws-Request-Id": inv["id"],
            "Lambda-Runtime-Deadline-Ms": str(inv["deadline_ms"]),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-%08x-%s;Sampled=0" % (int(time.time()), uuid.uuid4().hex[:24]),
        })

    def do_POST(self):
        body = self._body()
        path = urllib.parse.urlparse(self.path).path
        if path == "/_control":
            cmd = json.loads(body)
            if cmd["op"] != "invoke":
                return self._error(400, "UnknownOp", cmd["op"])
            inv = {"id": str(uuid.uuid4()), "payload": cmd["payload"],
                   "deadline_ms": cmd.get("deadline_ms", int(time.time() * 1000) + 30000)}
            with STATE.cond:
                STATE.queue.append(inv)
                STATE.cond.notify_all()
            return self._send(200, json.dumps({"id": inv["id"]}))
        if len(body) > MAX_BODY:
            return self._error(413, "RequestEntityTooLarge", "payload over 6 MiB")
        if path == PREFIX + "/init/error":
            with STATE.cond:
                STATE.init_errors.append({"body": body.decode(errors="replace"),
                                          "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")})
                STATE.cond.notify_all()
            return self._send(202, json.dumps({"status": "OK"}))
        parts = path[len(PREFIX):].split("/") if path.startswith(PREFIX + "/invocation/") else []
        if len(parts) != 4 or parts[3] not in ("response", "error"):
            return self._error(404, "NotFound", "no such path")
        req_id, kind = parts[2], parts[3]
        if kind == "error":
            try:
                doc = json.loads(body)
                if not isinstance(doc.get("errorMessage"), str) or not isinstance(doc.get("errorType"), str):
                    raise ValueError
            except ValueError:
                return self._error(400, "InvalidErrorDocument", "the error body is not the error document")
        with STATE.cond:
            if req_id in STATE.results:
                return self._error(403, "InvalidStateTransition", "the invocation was answered already")
            if req_id != STATE.in_flight:
                return self._error(400, "InvalidRequestID", "not the invocation in flight")
            STATE.results[req_id] = {"kind": kind, "body": body.decode(errors="replace"),
                                     "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")}
            STATE.in_flight = None
            STATE.cond.notify_all()
        self._send(202, json.dumps({"status": "OK"}))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
