#!/usr/bin/env python3
"""Injector fault matrix: the real memsecret-injector against a loopback AWS
backend (STS web identity + Secrets Manager over HTTPS) that injects one fault
at a time, writing into its own real tmpfs (private mount namespace; needs
root, else exit 77 = skipped).

For every fault, two runs:
  sidecar  first write of value V1; then the backend switches to V2 and the
           fault starts; while it lasts the file must stay exactly V1 (last
           good content) and the process must keep running; once the fault is
           cleared the file must become V2 by itself (recovery), and SIGTERM
           must still end the process with exit 0.
  init     a fresh init run (MEMSECRET_INIT_TIMEOUT=2s; 30s where it must succeed) under the fault: it
           must either fail (exit 1) leaving no file and no ready marker, or,
           where the fault is recoverable in-run (expired credentials), write
           the complete value.
Regional rows (aws.failoverRegions): a primary and a replica backend, each
reached through the plan's aws.endpoints; the primary fails from the start
(refused, timeout, 503, its STS 503, or a definite ResourceNotFound) and a
fresh init run with the default MEMSECRET_INIT_TIMEOUT must be served by the
replica (or, for the definite answer, fail at once saying why); a sidecar
served by the replica returns to the primary on the next refresh once it
recovers. The time from start to "ready" is reported for each row.
The tables printed at the end are the fault tables. No secret value,
session token or JWT may appear in any output of the injector or in its
environment (/proc/<pid>/environ).

usage: fault_matrix_test.py <memsecret-injector>
"""
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

SKIP = 77
ROLE = "arn:aws:iam::123456789012:role/faults"
JWT = "eyJhbGciOiJSUzI1NiJ9.FAULT-MATRIX-FAKE-JWT.sig"
SECRET_NAME = "/faults/app"
PARALLEL_SCENARIOS = 8  # scenarios running at once (see inner())


def value(tag, size=64):
    body = ("FAULT-SECRET-%s-" % tag)
    return (body * (size // len(body) + 1))[:size]


V1, V2 = value("ONE"), value("TWO")
BIG_A, BIG_B = value("BIGA", 256 * 1024), value("BIGB", 256 * 1024)
SECRETS = [V1[:24], V2[:24], BIG_A[:24], BIG_B[:24], JWT, "FAULT-SESSION-", "FAULTSECRETKEY"]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_for(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode()
    except OSError:
        return None


# ---------------------------------------------------------------- PKI ----
def make_pki(work):
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True)
    paths = {}
    for ca in ("a", "b"):
        key, crt = os.path.join(work, "ca-%s.key" % ca), os.path.join(work, "ca-%s.crt" % ca)
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=fault-ca-%s" % ca, "-keyout", key, "-out", crt)
        lkey, lcsr, lcrt = (os.path.join(work, "leaf-%s.%s" % (ca, e)) for e in ("key", "csr", "crt"))
        ext = os.path.join(work, "ext-%s.cnf" % ca)
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", lkey, "-out", lcsr)
        run("x509", "-req", "-in", lcsr, "-CA", crt, "-CAkey", key, "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", lcrt)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(lcrt, lkey)
        paths[ca] = (crt, ctx)
    return paths


# ------------------------------------------------------------ backend ----
class Backend:
    """STS AssumeRoleWithWebIdentity + Secrets Manager GetSecretValue on one
    HTTPS port. `fault` is read per connection/request; Connection: close on
    every response so each request sees the current fault."""

    def __init__(self, pki):
        self.pki = pki
        self.lock = threading.Lock()
        self.fault = None
        self.value, self.version = V1, str(uuid.uuid4())
        self.valid_tokens = set()
        self.counts = {"sts": 0, "get": 0, "faulted": 0, "expired_token": 0}
        self.alternate = None  # (a, b): serve alternating big values (SIGTERM mid-write)
        self.delay = 0.0
        self.expire_next = 0  # STS hands out this many already-expired session tokens
        self.listener = None
        self.port = 0
        self.release = threading.Event()
        self.listen()

    def listen(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.port = s.getsockname()[1]
        self.listener = s
        threading.Thread(target=self.accept_loop, args=(s,), daemon=True).start()

    def set_value(self, v):
        with self.lock:
            self.value, self.version = v, str(uuid.uuid4())

    def set_fault(self, fault):
        with self.lock:
            self.fault = fault
            if fault == "creds-expired" or fault == "token-missing":
                self.valid_tokens.clear()  # every issued session token is now expired
            if fault == "refused":  # shutdown wakes the blocked accept(); new connects are refused
                try:
                    self.listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.listener.close()
        if fault is None:
            self.release.set()
        else:
            self.release.clear()

    def clear_fault(self):
        was = self.fault
        self.set_fault(None)
        if was == "refused":
            self.listen()

    def accept_loop(self, s):
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            conn.settimeout(20)
            # One snapshot of the fault and the value per connection (each carries one request):
            # a request served without the fault never gets a value published after it (see
            # sidecar()), even when the fault starts during its TLS handshake.
            with self.lock:
                fault, value = self.fault, (self.value, self.version)
            if fault == "tls-failure":
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                return
            ctx = self.pki["b" if fault == "wrong-ca" else "a"][1]
            try:
                tls = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                return
            self.handle(tls, fault, value)
            try:
                tls.close()
            except OSError:
                pass
        finally:
            conn.close()

    def handle(self, tls, fault, value):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = tls.recv(65536)
            if not chunk:
                return
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = tls.recv(65536)
            if not chunk:
                return
            body += chunk
        is_sts = "x-amz-target" not in headers
        v, ver = value
        with self.lock:
            self.counts["sts" if is_sts else "get"] += 1
            if self.alternate and not is_sts:  # a new value on every read (no fault involved)
                a, b = self.alternate
                self.value = b if self.value == a else a
                self.version = str(uuid.uuid4())
                v, ver = self.value, self.version
        if self.delay:
            time.sleep(self.delay)
        if fault in ("5xx", "429", "malformed", "truncated", "timeout", "skew") and not is_sts:
            with self.lock:
                self.counts["faulted"] += 1
        if is_sts and fault == "sts-5xx":
            return self.send_raw(tls, 503, b"<ErrorResponse><Error><Code>ServiceUnavailable</Code>"
                                 b"<Message>injected outage</Message></Error></ErrorResponse>", "text/xml")
        if is_sts:
            return self.sts(tls, body.decode(), fault)
        if fault == "timeout":
            self.release.wait(15)
            return
        if fault == "5xx":
            return self.send(tls, 503, {"__type": "ServiceUnavailable", "Message": "injected outage"})
        if fault == "notfound":
            return self.send(tls, 400, {"__type": "ResourceNotFoundException",
                                        "Message": "Secrets Manager can't find the specified secret."})
        if fault == "429":
            return self.send(tls, 429, {"__type": "ThrottlingException", "Message": "Rate exceeded"},
                             [("Retry-After", "1")])
        if fault == "malformed":
            return self.send_raw(tls, 200, b"{\"SecretString\": [not json", "application/x-amz-json-1.1")
        if fault == "skew":
            amz = headers.get("x-amz-date", "")
            server_now = datetime.now(timezone.utc) + timedelta(minutes=20)
            try:
                sent = datetime.strptime(amz, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            except ValueError:
                sent = datetime.fromtimestamp(0, timezone.utc)
            if abs((server_now - sent).total_seconds()) > 300:
                return self.send(tls, 400, {"__type": "InvalidSignatureException",
                                            "Message": "Signature expired: %s is now earlier than %s (%s - 5 min.)"
                                            % (amz, (server_now - timedelta(minutes=5)).strftime("%Y%m%dT%H%M%SZ"),
                                               server_now.strftime("%Y%m%dT%H%M%SZ"))})
        token = headers.get("x-amz-security-token", "")
        with self.lock:
            valid = token in self.valid_tokens
            if not valid:
                self.counts["expired_token"] += 1
        if not valid:
            return self.send(tls, 400, {"__type": "ExpiredTokenException",
                                        "Message": "The security token included in the request is expired"})
        out = {"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:faults/app-AbCdEf",
               "Name": SECRET_NAME, "VersionId": ver, "VersionStages": ["AWSCURRENT"], "SecretString": v,
               "CreatedDate": 1.7e9}
        if fault == "truncated":
            raw = json.dumps(out).encode()
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n"
                        b"Connection: close\r\n\r\n" % len(raw) + raw[: len(raw) // 2])
            return
        self.send(tls, 200, out)

    def sts(self, tls, form, fault):
        token = "FAULT-SESSION-" + uuid.uuid4().hex
        with self.lock:
            if self.expire_next > 0:
                self.expire_next -= 1
            else:
                self.valid_tokens.add(token)
        exp = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = ("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<AssumeRoleWithWebIdentityResult><Credentials><SessionToken>%s</SessionToken>"
               "<SecretAccessKey>FAULTSECRETKEY%s</SecretAccessKey><Expiration>%s</Expiration>"
               "<AccessKeyId>ASIAFAULT</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult>"
               "</AssumeRoleWithWebIdentityResponse>" % (token, uuid.uuid4().hex[:8], exp))
        self.send_raw(tls, 200, xml.encode(), "text/xml")

    def send(self, tls, status, obj, headers=()):
        self.send_raw(tls, status, json.dumps(obj).encode(), "application/x-amz-json-1.1", headers)

    def send_raw(self, tls, status, raw, ctype, headers=()):
        extra = "".join("%s: %s\r\n" % h for h in headers)
        tls.sendall(("HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n"
                     % (status, ctype, len(raw), extra)).encode() + raw)


# ----------------------------------------------------------- scenario ----
class Run:
    """One injector process with its own tmpfs and backend."""

    def __init__(self, binary, pki, work, name, lifecycle, size="1m", init_timeout="2s"):
        self.binary, self.name = binary, name
        self.dir = os.path.join(work, name + "-" + lifecycle)
        self.out = os.path.join(self.dir, "secrets")
        os.makedirs(self.out)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "memsecret", self.out], check=True)
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w") as f:
            f.write(JWT)
        self.backend = Backend(pki)
        plan = {"version": 1, "pod": {"namespace": "faults", "serviceAccount": "app", "name": ""},
                "lifecycle": lifecycle, "outputDir": self.out, "refreshIntervalSeconds": 1,
                "files": [{"name": "app-secret", "kind": "secret", "ref": "aws:" + SECRET_NAME,
                           "format": "raw", "mode": "0400"}],
                "aws": {"region": "us-east-1", "roleArn": ROLE, "webIdentityTokenFile": self.token_file}}
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "AWS_ENDPOINT_URL": "https://127.0.0.1:%d" % self.backend.port,
                    "AWS_CA_BUNDLE": pki["a"][0], "MEMSECRET_PLAN": json.dumps(plan),
                    "MEMSECRET_INIT_TIMEOUT": init_timeout}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.file = os.path.join(self.out, "app-secret")
        self.stdout, self.stderr = [], []
        self.proc = None
        self.readers = []

    def start(self):
        self.proc = subprocess.Popen([self.binary, "run"], env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.readers = [threading.Thread(target=lambda s=stream, k=sink: [k.append(l) for l in s], daemon=True)
                        for stream, sink in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr))]
        for t in self.readers:
            t.start()

    def drain(self):
        """After the process exited: waits until its output has been read to the end."""
        for t in self.readers:
            t.join(timeout=30)  # hang guard; the pipes close when the process exits
            check(not t.is_alive(), "%s: output read to the end after the exit" % self.name)

    def errors(self):
        n = 0
        for line in list(self.stdout):
            try:
                n += json.loads(line).get("outcome") == "error"
            except ValueError:
                pass
        return n

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30) if self.proc else None  # hang guard
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return "hung"

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["umount", "-l", self.out], capture_output=True)

    def outputs(self):
        return "".join(self.stdout) + "".join(self.stderr)


def inject(run, fault):
    """Starts `fault`; returns a function that clears it."""
    b = run.backend
    if fault == "tmpfs-full":
        filler = os.path.join(run.out, "filler")
        subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=4k", "count=4096"], capture_output=True)
        return lambda: os.unlink(filler)
    if fault == "read-only":
        subprocess.run(["mount", "-o", "remount,ro", run.out], check=True)
        return lambda: subprocess.run(["mount", "-o", "remount,rw", run.out], check=True)
    if fault == "token-missing":
        os.rename(run.token_file, run.token_file + ".gone")
        b.set_fault("token-missing")
        return lambda: (os.rename(run.token_file + ".gone", run.token_file), b.clear_fault())
    b.set_fault(fault)
    return b.clear_fault


FAULTS = [
    # (name, table label, errors to observe during the fault, recovers within the fault?)
    ("refused", "backend refused", 2, False),
    ("timeout", "backend timeout (10 s client timeout)", 1, False),
    ("5xx", "backend 503", 2, False),
    ("429", "backend 429 + Retry-After", 2, False),
    ("malformed", "malformed body", 2, False),
    ("truncated", "truncated body", 2, False),
    ("tls-failure", "TLS failure (no handshake)", 2, False),
    ("wrong-ca", "wrong CA", 2, False),
    ("skew", "clock skew (+20 min)", 2, False),
    ("creds-expired", "credentials expired", 0, True),
    ("token-missing", "token file missing", 2, False),
    ("tmpfs-full", "tmpfs full", 2, False),
    ("read-only", "mount read-only", 2, False),
]


def sidecar(binary, pki, work, fault, min_errors, transparent):
    r = Run(binary, pki, work, fault, "sidecar")
    row = {}
    try:
        r.start()
        check(wait_for(lambda: read(r.file) == V1, 60), "%s: first write" % fault)
        with open("/proc/%d/environ" % r.proc.pid, "rb") as f:
            environ = f.read().decode("latin-1")
        check(not [s for s in SECRETS if s in environ], "%s: no secret in the process environment" % fault)
        # The fault is in place before V2 is published: every write of V2 happens under the
        # fault (publishing V2 first let a refresh write it before a slow `dd` or `mount` had
        # put a local fault in place).
        clear = inject(r, fault)
        r.backend.set_value(V2)
        t0 = time.monotonic()
        seen = set()
        ok = wait_for(lambda: (seen.add(read(r.file)) or r.errors() >= min_errors) and
                      (not transparent or r.backend.counts["expired_token"] >= 1), 30)
        if transparent:
            # Re-authenticating and writing V2 takes two TLS round trips: waited for as an
            # event (a fixed 0.3 s was too short on a loaded machine).
            wait_for(lambda: seen.add(read(r.file)) or read(r.file) == V2, 30)
        else:
            time.sleep(0.3)  # one more sample a little later; the fault still holds
        seen.add(read(r.file))
        during = read(r.file)
        alive = r.proc.poll() is None
        check(ok, "%s: the fault was met (%d errors)" % (fault, r.errors()))
        if transparent:
            check(seen <= {V1, V2} and during == V2, "%s: recovered within the fault (saw %s)"
                  % (fault, sorted(map(str, seen))))
            row["during"] = "V1 then V2 (re-authenticated in-run)"
        else:
            check(seen == {V1}, "%s: last good content kept (saw %s)" % (fault, sorted(map(str, seen))))
            row["during"] = "last good (V1), %d errors" % r.errors()
        check(alive, "%s: process still running" % fault)
        clear()
        t1 = time.monotonic()
        recovered = wait_for(lambda: read(r.file) == V2, 30)
        check(recovered, "%s: recovers after the fault" % fault)
        row["recovery"] = "yes, %.1f s after clear" % (time.monotonic() - t1)
        row["fault_s"] = t1 - t0
        rc = r.stop()
        check(rc == 0, "%s: SIGTERM exit 0 (got %s)" % (fault, rc))
        r.drain()
        check(sorted(os.listdir(r.out)) == [".memsecret-ready", "app-secret"], "%s: no temp files" % fault)
        leaked = [s for s in SECRETS if s in r.outputs()]
        check(not leaked, "%s: no secret in output" % fault)
        return row
    finally:
        r.close()
        r.backend.clear_fault()


def init(binary, pki, work, fault, transparent):
    # Faults that fail the run are cut by the 2 s init timeout; where the run must succeed
    # despite the fault (re-authentication), the deadline is not what is tested, so it is long
    # enough for a loaded machine.
    r = Run(binary, pki, work, fault, "init", init_timeout="30s" if transparent else "2s")
    try:
        # Local faults need the mount first; backend faults apply before the run.
        clear = inject(r, fault)
        if fault == "creds-expired":
            r.backend.expire_next = 1  # the first credentials are already expired when used
        r.start()
        try:
            rc = r.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            r.proc.kill()
            rc = "hung"
        r.drain()
        clear()
        files = sorted(n for n in os.listdir(r.out) if n != "filler")
        content = read(r.file)
        if transparent:
            check(rc == 0 and content == V1 and ".memsecret-ready" in files, "%s init: written in-run" % fault)
            desc = "exit 0, complete V1"
        else:
            check(rc == 1 and files == [], "%s init: exit 1 and nothing written (rc %s, %s)" % (fault, rc, files))
            desc = "exit 1, no files"
        leaked = [s for s in SECRETS if s in r.outputs()]
        check(not leaked, "%s init: no secret in output" % fault)
        return desc
    finally:
        r.close()
        r.backend.clear_fault()


def sigterm_mid_write(binary, pki, work, rounds=12):
    """Refresh every second with a new 256 KiB value each time; SIGTERM at a
    random moment, restart, repeat: the file is always one complete value."""
    r = Run(binary, pki, work, "sigterm", "sidecar")
    try:
        r.backend.set_value(BIG_A)
        r.backend.alternate = (BIG_A, BIG_B)
        exits = set()
        for i in range(rounds):
            before = len(r.stdout)
            r.start()
            # This process's first audit line: its signal handling is set up and
            # it is in its refresh loop (the file from the last round is on disk).
            check(wait_for(lambda: len(r.stdout) > before and read(r.file) in (BIG_A, BIG_B), 60),
                  "sigterm: write %d" % i)
            time.sleep(random.uniform(0.0, 1.2))
            exits.add(r.stop())
            r.drain()
            content = read(r.file)
            check(content in (BIG_A, BIG_B), "sigterm: complete value after SIGTERM %d" % i)
            r.proc = None
        leftovers = [n for n in os.listdir(r.out) if n not in (".memsecret-ready", "app-secret")]
        check(exits == {0}, "sigterm: sidecar exits 0 (got %s)" % exits)
        leaked = [s for s in SECRETS if s in r.outputs()]
        check(not leaked, "sigterm: no secret in output")
        sidecar_row = {"during": "complete old or new value in %d random SIGTERMs" % rounds,
                       "recovery": "yes, restart rewrites (%d temp files left)" % len(leftovers), "fault_s": 0}
    finally:
        r.close()
    # init: SIGTERM while the fetch is in flight (backend answers after 2 s).
    r = Run(binary, pki, work, "sigterm", "init")
    try:
        r.backend.delay = 2.0
        r.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        rc = r.stop()
        files = sorted(os.listdir(r.out))
        check(files == [], "sigterm init: nothing written (%s)" % files)
        init_desc = "exit %s after %.1f s, no files" % (rc, time.monotonic() - t0)
    finally:
        r.close()
    return sidecar_row, init_desc


REGIONAL = [
    # (primary fault, table label)
    ("refused", "primary refuses connections"),
    ("timeout", "primary Secrets Manager times out"),
    ("5xx", "primary answers 503"),
    ("sts-5xx", "primary STS answers 503"),
    ("notfound", "primary answers ResourceNotFound"),
]


def regional_run(binary, pki, work, name, lifecycle):
    """A Run whose plan names a replica region; returns (run, replica backend)."""
    r = Run(binary, pki, work, "region-" + name, lifecycle)
    replica = Backend(pki)
    replica.set_value(V2)
    plan = json.loads(r.env["MEMSECRET_PLAN"])
    primary_url = "https://127.0.0.1:%d" % r.backend.port
    replica_url = "https://127.0.0.1:%d" % replica.port
    plan["aws"]["failoverRegions"] = ["us-west-2"]
    plan["aws"]["endpoints"] = {"us-east-1": {"secretsmanager": primary_url, "sts": primary_url},
                                "us-west-2": {"secretsmanager": replica_url, "sts": replica_url}}
    r.env["MEMSECRET_PLAN"] = json.dumps(plan)
    del r.env["MEMSECRET_INIT_TIMEOUT"]  # default settings
    return r, replica


def audit_regions(run):
    out = []
    for line in list(run.stdout):
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("audit"):
            out.append((j.get("outcome"), j.get("region")))
    return out


def regional_init(binary, pki, work, fault):
    r, replica = regional_run(binary, pki, work, fault, "init")
    try:
        r.backend.set_fault(fault)
        t0 = time.monotonic()
        r.start()
        try:
            rc = r.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            r.proc.kill()
            rc = "hung"
        took = time.monotonic() - t0
        r.drain()
        files = sorted(os.listdir(r.out))
        leaked = [s for s in SECRETS if s in r.outputs()]
        check(not leaked, "region %s: no secret in output" % fault)
        if fault == "notfound":
            check(rc == 1 and files == [], "region %s: exit 1, nothing written (rc %s, %s)" % (fault, rc, files))
            check("ResourceNotFoundException" in r.outputs(), "region %s: the message says why" % fault)
            check(replica.counts["get"] == 0, "region %s: no failover on a definite answer" % fault)
            return "exit 1 at once, no files, no failover (ResourceNotFoundException)", took
        check(rc == 0 and read(r.file) == V2 and ".memsecret-ready" in files,
              "region %s: init served by the replica (rc %s, %s)" % (fault, rc, files))
        check(("written", "us-west-2") in audit_regions(r), "region %s: audit names us-west-2" % fault)
        check(r.outputs().count("region us-west-2 serves secrets") == 1, "region %s: one failover line" % fault)
        return "exit 0, replica's value, audit region us-west-2", took
    finally:
        r.close()
        r.backend.clear_fault()
        replica.clear_fault()


def regional_recovery(binary, pki, work):
    """Sidecar started during a primary 503 outage; the primary recovers."""
    r, replica = regional_run(binary, pki, work, "recovery", "sidecar")
    try:
        r.backend.set_fault("5xx")
        r.start()
        check(wait_for(lambda: read(r.file) == V2, 30), "region recovery: first write from the replica")
        n_east = r.backend.counts["get"]
        check(wait_for(lambda: r.backend.counts["get"] >= n_east + 2, 60), "region recovery: each refresh tries the primary")
        check(read(r.file) == V2, "region recovery: still the replica's value during the outage")
        r.backend.clear_fault()
        t1 = time.monotonic()
        check(wait_for(lambda: read(r.file) == V1, 30), "region recovery: primary serves again")
        took = time.monotonic() - t1
        # The audit and log lines of the write follow it: read the whole output after the exit.
        rc = r.stop()
        check(rc == 0, "region recovery: SIGTERM exit 0 (got %s)" % rc)
        r.drain()
        regions = [reg for outcome, reg in audit_regions(r) if outcome in ("written", "unchanged")]
        check(regions[0] == "us-west-2" and regions[-1] == "us-east-1", "region recovery: audit regions %s" % regions)
        out = r.outputs()
        check(out.count("region us-west-2 serves secrets") == 1 and out.count("serves again") == 1,
              "region recovery: one log line per change of serving region")
        check(not [s for s in SECRETS if s in r.outputs()], "region recovery: no secret in output")
        return "replica (V2) during the outage, primary (V1) %.1f s after it recovered; 2 log lines" % took
    finally:
        r.close()
        r.backend.clear_fault()


def inner(binary):
    work = tempfile.mkdtemp(prefix="memsecret-faults-")
    pki = make_pki(work)
    results, failures = {}, []
    lock = threading.Lock()

    def one(fault, min_errors, transparent):
        try:
            row = sidecar(binary, pki, work, fault, min_errors, transparent)
            row["init"] = init(binary, pki, work, fault, transparent)
        except Exception as e:  # noqa: BLE001 - reported in the table and as a failure
            row = {"during": "FAILED: %s" % e, "recovery": "-", "init": "-", "fault_s": 0}
            with lock:
                failures.append(fault)
        with lock:
            results[fault] = row

    def sig():
        try:
            row, init_desc = sigterm_mid_write(binary, pki, work)
            row["init"] = init_desc
        except Exception as e:  # noqa: BLE001
            row = {"during": "FAILED: %s" % e, "recovery": "-", "init": "-", "fault_s": 0}
            with lock:
                failures.append("sigterm")
        with lock:
            results["sigterm"] = row

    regional = {}

    def region_one(fault):
        try:
            regional[fault] = regional_init(binary, pki, work, fault)
        except Exception as e:  # noqa: BLE001
            regional[fault] = ("FAILED: %s" % e, 0.0)
            with lock:
                failures.append("region-" + fault)

    def region_recovery():
        try:
            regional["recovery"] = (regional_recovery(binary, pki, work), 0.0)
        except Exception as e:  # noqa: BLE001
            regional["recovery"] = ("FAILED: %s" % e, 0.0)
            with lock:
                failures.append("region-recovery")

    # The backends are Python threads in this one process (one GIL): with every scenario at once
    # on a loaded 2-core machine a request could wait longer than the timeouts under test (the
    # failover's 3 s per request). A bounded number at a time keeps them responsive.
    slots = threading.BoundedSemaphore(PARALLEL_SCENARIOS)

    def bounded(fn):
        def run(*args):
            with slots:
                fn(*args)
        return run

    t0 = time.monotonic()
    threads = [threading.Thread(target=bounded(one), args=(f, n, t)) for f, _, n, t in FAULTS]
    threads += [threading.Thread(target=bounded(sig))]
    threads += [threading.Thread(target=bounded(region_one), args=(f,)) for f, _ in REGIONAL]
    threads += [threading.Thread(target=bounded(region_recovery))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    labels = [(f, label) for f, label, _, _ in FAULTS] + [("sigterm", "SIGTERM mid-write")]
    print("\nInjector fault matrix (one secret file; V1 = last good value, V2 = value published during the fault)")
    print("| fault | sidecar: file during the fault | sidecar: recovers | init run under the fault |")
    print("|---|---|---|---|")
    for f, label in labels:
        row = results[f]
        print("| %s | %s | %s | %s |" % (label, row["during"], row["recovery"], row["init"]))
    print("\nRegional outage (aws.failoverRegions: [us-west-2], default settings; primary down from the start)")
    print("| primary region | new pod (init run) | primary down -> new pod ready |")
    print("|---|---|---|")
    for f, label in REGIONAL:
        desc, took = regional[f]
        print("| %s | %s | %.1f s |" % (label, desc, took))
    print("| primary recovers (sidecar) | %s | - |" % regional["recovery"][0])
    print("(%d scenarios in %.1f s)" % (len(labels) + len(REGIONAL) + 1, time.monotonic() - t0), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[2] == "--inner":
        return inner(sys.argv[1])
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("openssl") is None:
        print("SKIP: needs root, unshare and openssl")
        return SKIP
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        print("SKIP: unshare -m not permitted here")
        return SKIP
    return subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__),
                           sys.argv[1], "--inner"]).returncode


if __name__ == "__main__":
    sys.exit(main())
