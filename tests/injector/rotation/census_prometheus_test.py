#!/usr/bin/env python3
"""The rotation census against a REAL Prometheus (Debian's /usr/bin/prometheus) on loopback,
scraping a tiny exporter every second that serves what an injector's metrics port serves for
one token file: memsecret_injector_credential_info{file,ref,client_id} 1.
Pins: while a series still reports the client a rotation would delete, `rotate --prometheus`
deletes nothing and exits 3 after --census-timeout (the rotation itself is stored); once the
consumer has moved, the rerun finishes the delete and creates no further client.
Skips (77) when the prometheus binary is missing.
Usage: census_prometheus_test.py BINARY FAKES_DIR
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fakes"))
import fake_client  # noqa: E402
from e2e_rotate_test import check, aws_value, AKID, AWS_SECRET, ADMIN, APP_SECRET  # noqa: E402

PROMETHEUS = "/usr/bin/prometheus"
SERVED = {"client_id": None}


class Exporter(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = "# TYPE memsecret_injector_credential_info gauge\n"
        if SERVED["client_id"]:
            body += ('memsecret_injector_credential_info{file="genesys",ref="aws:genesys/app",client_id="%s"} 1\n'
                     % SERVED["client_id"])
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def query(prom, client_id):
    q = urllib.parse.quote('memsecret_injector_credential_info{client_id="%s"}' % client_id)
    try:
        doc = json.loads(urllib.request.urlopen(prom + "/api/v1/query?query=" + q, timeout=5).read())
    except OSError:
        return None
    return len(doc["data"]["result"])


def wait_for(pred, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def main():
    if not os.access(PROMETHEUS, os.X_OK):
        print("SKIP: %s is missing" % PROMETHEUS)
        return 77
    binary, fakes = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="memsecret-census-")
    exporter = ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    port = free_port()
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                "scrape_configs:\n  - job_name: injector\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % exporter.server_address[1])
    prom_proc = subprocess.Popen([PROMETHEUS, "--config.file=" + os.path.join(work, "prometheus.yml"),
                                  "--storage.tsdb.path=" + os.path.join(work, "data"),
                                  "--web.listen-address=127.0.0.1:%d" % port],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prom = "http://127.0.0.1:%d" % port
    aws = fake_client.start(os.path.join(fakes, "fake_aws.py"))
    gen = fake_client.start(os.path.join(fakes, "genesys_api_fake.py"))
    try:
        aws.control(op="static_key", akid=AKID, secret=AWS_SECRET)
        gen.control(op="add_client", id=ADMIN["clientId"], name="rotation-admin", secret=ADMIN["clientSecret"],
                    permissions=["oauth:client:view", "oauth:client:add", "oauth:client:delete"])
        gen.control(op="add_client", id="client-a-0001", name="crm-sync", secret=APP_SECRET, roleIds=["r"])
        aws.control(op="put_secret", name="genesys/admin", string=json.dumps(ADMIN))
        aws.control(op="put_secret", name="genesys/app", string=json.dumps(
            {"clientId": "client-a-0001", "clientSecret": APP_SECRET, "domain": "mypurecloud.ie"}))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_ACCESS_KEY_ID": AKID,
               "AWS_SECRET_ACCESS_KEY": AWS_SECRET, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": aws.url,
               "MEMSECRET_GENESYS_LOGIN_URL": gen.url, "MEMSECRET_GENESYS_API_URL": gen.url}

        def rotate(*args):
            return subprocess.run([binary, "rotate", "aws:genesys/app", "--admin", "aws:genesys/admin",
                                   "--prometheus", prom] + list(args),
                                  env=env, capture_output=True, text=True, timeout=120)

        def ids():
            return {c["id"] for c in gen.get("/_control/state")["clients"]}

        r = rotate()
        check(r.returncode == 0, "first rotation (nothing to delete) succeeds", r.stderr[-300:])
        b = aws_value(aws, "genesys/app", "AWSCURRENT")["clientId"]

        # A consumer still holds a token from A.
        SERVED["client_id"] = "client-a-0001"
        wait_for(lambda: query(prom, "client-a-0001") == 1, "Prometheus to scrape the series")
        t0 = time.time()
        r = rotate("--census-timeout", "3s")
        check(r.returncode == 3, "the census holds the delete back: exit 3", r.stderr[-300:])
        check(time.time() - t0 >= 3, "it waited the census timeout")
        check("client-a-0001" in ids(), "nothing deleted while the client is reported")
        c = aws_value(aws, "genesys/app", "AWSCURRENT")["clientId"]
        check(c != b, "the new client is stored all the same")
        created = len(ids())

        # The consumer moves: the series goes stale, the rerun finishes the delete.
        SERVED["client_id"] = c
        wait_for(lambda: query(prom, "client-a-0001") == 0, "the old series to go stale")
        r = rotate("--census-timeout", "30s")
        check(r.returncode == 0, "the rerun finishes", r.stderr[-300:])
        check("client-a-0001" not in ids() and len(ids()) == created - 1, "A deleted, no new client created")
        out = r.stdout + r.stderr
        check(APP_SECRET not in out and ADMIN["clientSecret"] not in out, "no secret in the output")
        return 0
    finally:
        prom_proc.kill()
        prom_proc.wait()
        exporter.shutdown()
        aws.stop()
        gen.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
