"""The rest of a local "cluster" for the e2e harness: the loopback backends
(tests/fakes/fake_aws.py — Secrets Manager + STS with SigV4 verified by
botocore; tests/oauth/server.mjs — npm oidc-provider; tests/fakes/vault_fake.py),
a switchable TCP proxy to cut a backend off (network outage), and a real
`memsecret-webhook serve` with a generated certificate and a generated config.

Nothing here prints a secret value.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OAUTH_DIR = os.path.join(ROOT, "tests", "oauth")
sys.path.insert(0, os.path.join(ROOT, "tests", "fakes"))
import fake_client  # noqa: E402


def _die_with_parent():
    """preexec_fn: the backend dies with the test process (no orphans holding ports or pipes)."""
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def wait_until(pred, timeout, what, interval=0.02):
    """Polls `pred` until it returns a truthy value; AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs: %s" % (timeout, what))
        time.sleep(interval)


class FakeAws(fake_client.RunningFake):
    """tests/fakes/fake_aws.py on loopback (region us-east-1)."""

    def __init__(self):
        super().__init__("fake_aws.py", preexec_fn=_die_with_parent)

    def put_secret(self, name, value, **kw):
        return self.control(op="put_secret", name=name, string=value if isinstance(value, str) else json.dumps(value), **kw)

    def close(self):
        self.stop()


class OAuthServer:
    """npm oidc-provider (tests/oauth/server.mjs): client_credentials, TTL `ttl`
    seconds, introspection; `down()`/`up()` toggle a 503 + Retry-After outage."""

    def __init__(self, ttl=6, client_id="memsecret-it", client_secret="it+secret%with:odd=chars",
                 auth_method="client_secret_basic"):
        self.dir = tempfile.mkdtemp(prefix="memsecret-oidc-")
        self.down_file = os.path.join(self.dir, "down")
        self.client_id, self.client_secret, self.ttl = client_id, client_secret, ttl
        env = dict(os.environ, OAUTH_TTL_SECONDS=str(ttl), OAUTH_DOWN_FILE=self.down_file,
                   OAUTH_CLIENT_ID=client_id, OAUTH_CLIENT_SECRET=client_secret, OAUTH_AUTH_METHOD=auth_method)
        self.proc = subprocess.Popen(["node", "server.mjs"], cwd=OAUTH_DIR, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, preexec_fn=_die_with_parent)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("oidc-provider did not start (run tests/oauth/setup.sh)")
        info = json.loads(line)
        self.port, self.token_url, self.introspection_url = info["port"], info["token_endpoint"], info["introspection_endpoint"]

    def introspect(self, token):
        import base64
        import urllib.parse
        basic = base64.b64encode((urllib.parse.quote_plus(self.client_id) + ":" +
                                  urllib.parse.quote_plus(self.client_secret)).encode()).decode()
        req = urllib.request.Request(self.introspection_url, data=urllib.parse.urlencode({"token": token}).encode(),
                                     headers={"Authorization": "Basic " + basic}, method="POST")
        return json.loads(urllib.request.urlopen(req, timeout=10).read())

    def down(self):
        open(self.down_file, "w").close()

    def up(self):
        if os.path.exists(self.down_file):
            os.remove(self.down_file)

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class VaultFake(fake_client.RunningFake):
    """tests/fakes/vault_fake.py on loopback."""

    def __init__(self):
        super().__init__("vault_fake.py", preexec_fn=_die_with_parent)

    def close(self):
        self.stop()
        self.proc.stdout.close()


class Proxy:
    """Loopback TCP proxy in front of a backend. `cut()` makes it refuse
    service (connections are accepted and closed at once, in-flight ones are
    dropped) — a network outage; `restore()` forwards again."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.is_cut = False
        self.refused = 0
        self.lock = threading.Lock()
        self.live = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            if self.is_cut:
                self.refused += 1
                c.close()
                continue
            try:
                u = socket.create_connection(self.target, timeout=5)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.live.update((c, u))
            pair = {"open": 2}
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pump, args=(a, b, pair), daemon=True).start()

    def _pump(self, a, b, pair):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self.lock:
            self.live.discard(a)
            pair["open"] -= 1
            if pair["open"] == 0:
                a.close()
                b.close()

    def cut(self):
        self.is_cut = True
        with self.lock:
            for s in list(self.live):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def restore(self):
        self.is_cut = False

    def close(self):
        self.sock.close()
        self.cut()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def webhook_binary(build_dir):
    """The webhook program: MEMSECRET_WEBHOOK_BIN (ctest passes the target's file), else the build's."""
    return os.environ.get("MEMSECRET_WEBHOOK_BIN") or os.path.join(build_dir, "webhook", "memsecret-webhook")


class Webhook:
    """A real `memsecret-webhook serve` on loopback with a generated ECDSA
    certificate (SAN IP:127.0.0.1) — the caBundle the apiserver would hold."""

    def __init__(self, build_dir, config_text, workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="memsecret-webhook-")
        self.config = os.path.join(self.dir, "config.yaml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.cert, self.key = os.path.join(self.dir, "tls.crt"), os.path.join(self.dir, "tls.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=memsecret-webhook.memsecret.svc",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:memsecret-webhook.memsecret.svc",
                        "-keyout", self.key, "-out", self.cert], check=True, capture_output=True)
        self.log_path = os.path.join(self.dir, "webhook.log")
        # Started once, on port 0 (the webhook logs the port it bound): a
        # webhook that dies at start is a failure with its stderr, never
        # hidden by a restart.
        with open(self.log_path, "w") as errf:
            self.proc = subprocess.Popen(
                [webhook_binary(build_dir), "serve", "--config", self.config,
                 "--listen", "127.0.0.1:0", "--tls-cert", self.cert, "--tls-key", self.key],
                stdout=subprocess.DEVNULL, stderr=errf, preexec_fn=_die_with_parent)
        self.port = None
        if not self._wait_ready():
            if self.proc.poll() is None:
                self.proc.kill()
            rc = self.proc.wait()
            stderr = self.log()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise RuntimeError("memsecret-webhook serve did not become ready (exit status %s); its stderr:\n%s"
                               % (rc, stderr))
        self.url = "https://127.0.0.1:%d/mutate" % self.port

    def _wait_ready(self):
        import ssl
        ctx = ssl.create_default_context(cafile=self.cert)
        deadline = time.monotonic() + 60  # hang guard: a loaded machine, the sanitizers
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if self.port is None:
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.log())
                if m:
                    self.port = int(m.group(1))
            if self.port is not None:
                try:
                    urllib.request.urlopen("https://127.0.0.1:%d/readyz" % self.port, context=ctx, timeout=1)
                    return True
                except OSError:
                    pass
            time.sleep(0.05)
        return False

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def admit(self, pod, namespace, **kw):
        import run_pod
        return run_pod.admit(self.url, self.cert, pod, namespace, **kw)

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def webhook_config(*, native_sidecar=True, injector_env=(), token_urls=(), policy=None, vault_addr=None,
                   refresh_interval="5m", min_remaining_seconds=2, binary_path="/usr/local/bin/memsecret-injector",
                   size_limit="1Mi", injector_image="ghcr.io/memsecret/memsecret-injector:0.1.0"):
    """A webhook config (docs/configuration.md) for a test cluster, as YAML text.

    `injector_env` is the production mechanism for endpoint overrides
    (AWS_ENDPOINT_URL, SSL_CERT_FILE, ...): it lands in the injector
    container's env in the mutated pod."""
    import yaml
    cfg = {
        "injector": {"image": injector_image, "binaryPath": binary_path,
                     "nativeSidecar": native_sidecar,
                     "env": [{"name": k, "value": v} for k, v in injector_env]},
        "volume": {"sizeLimit": size_limit},
        "refreshInterval": refresh_interval,
        "aws": {"region": "us-east-1", "tokenAudience": "sts.amazonaws.com"},
        "oauth": {"allowedTokenUrls": list(token_urls), "minRemainingSeconds": min_remaining_seconds},
        "policy": policy or [],
    }
    if vault_addr:
        cfg["vault"] = {"addr": vault_addr, "authPath": "kubernetes", "role": "{serviceAccount}",
                        "tokenAudience": "vault", "allowedAddrs": [vault_addr]}
    return yaml.safe_dump(cfg, sort_keys=False)
