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
Control (tests only; fake_base.py):
  POST /_control {"op":"invoke","payload":<JSON>,"deadline_ms":<ms>} -> {"id": "<request id>"}
  GET  /_control/result?id=<id>&wait=<s>  -> {"kind":"response"|"error"|"pending",
       "body":<text>,"error_type":<header>} (waits up to <s> seconds for the answer)
  GET  /_control/state -> {"init_errors":[...],"polls":<n>,"in_flight":<id|null>}
"""
import json
import threading
import time
import urllib.parse
import uuid

import fake_base

PREFIX = "/2018-06-01/runtime"
MAX_BODY = 6 * 1024 * 1024
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:memsecret-rotation"


class State(fake_base.State):
    def __init__(self):
        super().__init__()
        self.changed = threading.Condition(self.lock)  # notified on every change below
        self.queue = []        # invocations waiting for a poll
        self.in_flight = None  # the id handed out by the last poll, not yet answered
        self.results = {}      # id -> {"kind", "body", "error_type"}
        self.init_errors = []
        self.polls = 0


STATE = State()


class Handler(fake_base.Handler):
    state = STATE

    def _error(self, status, typ, message):
        self.send_json(status, {"errorMessage": message, "errorType": typ})

    def view(self, name, query):  # runs with STATE.lock held
        if name == "result":
            deadline = time.monotonic() + float(query.get("wait", ["0"])[0])
            while query["id"][0] not in STATE.results and time.monotonic() < deadline:
                STATE.changed.wait(max(0.0, deadline - time.monotonic()))
            return STATE.results.get(query["id"][0], {"kind": "pending"})
        if name == "state":
            return {"init_errors": STATE.init_errors, "polls": STATE.polls, "in_flight": STATE.in_flight}
        return super().view(name, query)

    def control(self, cmd):
        if cmd["op"] != "invoke":
            return super().control(cmd)
        inv = {"id": str(uuid.uuid4()), "payload": cmd["payload"],
               "deadline_ms": cmd.get("deadline_ms", int(time.time() * 1000) + 30000)}
        STATE.queue.append(inv)
        STATE.changed.notify_all()
        return {"id": inv["id"]}

    def serve_GET(self, body):
        if urllib.parse.urlparse(self.path).path == PREFIX + "/invocation/next":
            return self.next_invocation()
        self._error(404, "NotFound", "no such path")

    def next_invocation(self):
        with STATE.changed:
            STATE.polls += 1
            STATE.changed.notify_all()
            while not STATE.queue:
                STATE.changed.wait()
            inv = STATE.queue.pop(0)
            STATE.in_flight = inv["id"]
        self.send_json(200, inv["payload"], {
            "Lambda-Runtime-Aws-Request-Id": inv["id"],
            "Lambda-Runtime-Deadline-Ms": str(inv["deadline_ms"]),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-%08x-%s;Sampled=0" % (int(time.time()), uuid.uuid4().hex[:24]),
        })

    def serve_POST(self, body):
        path = urllib.parse.urlparse(self.path).path
        if len(body) > MAX_BODY:
            return self._error(413, "RequestEntityTooLarge", "payload over 6 MiB")
        if path == PREFIX + "/init/error":
            with STATE.changed:
                STATE.init_errors.append({"body": body.decode(errors="replace"),
                                          "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")})
                STATE.changed.notify_all()
            return self.send_json(202, {"status": "OK"})
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
        with STATE.changed:
            if req_id in STATE.results:
                return self._error(403, "InvalidStateTransition", "the invocation was answered already")
            if req_id != STATE.in_flight:
                return self._error(400, "InvalidRequestID", "not the invocation in flight")
            STATE.results[req_id] = {"kind": kind, "body": body.decode(errors="replace"),
                                     "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")}
            STATE.in_flight = None
            STATE.changed.notify_all()
        self.send_json(202, {"status": "OK"})


if __name__ == "__main__":
    fake_base.main(Handler)
