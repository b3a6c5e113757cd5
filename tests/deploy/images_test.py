#!/usr/bin/env python3
"""The release images (scripts/images.sh; built by the images_build fixture):
skopeo reads each OCI archive, the image config runs as 65532:65532 with the
OCI labels and the version of the binaries, the unpacked root filesystem holds
exactly the files each binary needs (its shared libraries as `ldd` finds them
for the built binary, passwd/group, the injector's CA bundle, licences) with
normalised metadata, both programs run from their image root (read-only,
chrooted, as 65532 — tests/e2e/run_pod.py's container entry), the webhook
serves admissions from its image, the injector loads the trust store at the
path its image ships it, and a second build gives the same archives and
digests. Needs root (mount namespaces, chroot); exits 77 otherwise."""

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = None
IMAGES = {}
NAMES = ("memsecret-webhook", "memsecret-injector")


def run(cmd, **kw):
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def run_pod_module():
    sys.path.insert(0, os.path.join(ARGS.repo_root, "tests", "e2e"))
    import run_pod
    return run_pod


def setUpModule():
    with open(os.path.join(ARGS.images_dir, "images.json")) as f:
        IMAGES["summary"] = json.load(f)
    IMAGES["tmp"] = tempfile.mkdtemp(prefix="memsecret-images-test-")
    run_pod = run_pod_module()
    for name in NAMES:
        info = IMAGES["summary"]["images"][name]
        root = os.path.join(IMAGES["tmp"], name)
        ref, manifest, config = run_pod.unpack_oci_archive(os.path.join(ARGS.images_dir, info["archive"]), root)
        IMAGES[name] = {"root": root, "ref": ref, "manifest": manifest, "config": config, "info": info}
    lines = []
    for name in NAMES:
        i = IMAGES[name]["info"]
        lines.append("%s %s: %s, %.2f MiB compressed (archive %.2f MiB), %.2f MiB uncompressed, %d entries" % (
            name, IMAGES["summary"]["version"], i["manifest_digest"], i["compressed_bytes"] / 2 ** 20,
            i["archive_bytes"] / 2 ** 20, i["uncompressed_layer_bytes"] / 2 ** 20, len(i["files"])))
        lines += ["    " + f for f in i["files"]]
    print("\nIMAGES\n" + "\n".join(lines), file=sys.stderr)


def tearDownModule():
    shutil.rmtree(IMAGES.get("tmp", "/nonexistent"), ignore_errors=True)


def image_files(root):
    """{path: (kind, mode, uid, gid, mtime)} of an unpacked root filesystem."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            kind = "link" if os.path.islink(p) else "dir" if os.path.isdir(p) else "file"
            out["/" + os.path.relpath(p, root)] = (kind, st.st_mode & 0o7777, st.st_uid, st.st_gid, int(st.st_mtime))
    return out


def needed_libraries(binary):
    """The shared objects the dynamic loader maps for `binary`, per ldd (host paths)."""
    res = run(["ldd", binary])
    if "not a dynamic executable" in res.stdout + res.stderr or "statically linked" in res.stdout:
        return []
    libs = []
    for line in res.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line) or re.match(r"\s*(/\S+) \(", line)
        if m:
            libs.append(m.group(m.lastindex))
    return sorted(set(libs))


def in_image(path):
    """Where a library's host path lands in the image (merged /usr, as Debian)."""
    return "/usr" + path if path.startswith(("/lib/", "/lib64/")) else path


class Container:
    """One program run from an image root the way tests/e2e/run_pod.py runs a
    container: a fresh copy of the root, /proc + /dev + hosts, volume mounts,
    `/` read-only, chroot, user 65532:65532, no_new_privs."""

    def __init__(self, name, argv, env=None, mounts=(), user=(65532, 65532)):
        run_pod = run_pod_module()
        self.dir = tempfile.mkdtemp(prefix="memsecret-container-", dir=IMAGES["tmp"])
        root = os.path.join(self.dir, "root")
        subprocess.run(["cp", "-a", IMAGES[name]["root"], root], check=True)
        entry = {"argv": argv, "env": dict({"PATH": "/usr/local/bin:/usr/bin:/bin"}, **(env or {})),
                 "mounts": [list(m) for m in mounts], "uid": user[0], "gid": user[1], "groups": [],
                 "ro_root": True, "no_new_privs": True, "cwd": "/", "root": root}
        self.cmd = ["unshare", "-m", "--propagation", "private", "--", sys.executable, run_pod.__file__,
                    "--container-entry", json.dumps(entry)]

    def run(self, timeout=60):
        return run(self.cmd, timeout=timeout)

    def start(self):
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Archives(unittest.TestCase):
    def test_skopeo_reads_each_archive(self):
        version = IMAGES["summary"]["version"]
        for name in NAMES:
            with self.subTest(name):
                info = IMAGES[name]["info"]
                self.assertEqual(info["archive"], "%s-%s.oci.tar" % (name, version))
                src = "oci-archive:%s:%s" % (os.path.join(ARGS.images_dir, info["archive"]), version)
                res = run(["skopeo", "inspect", "--raw", src])
                self.assertEqual(res.returncode, 0, res.stderr)
                raw = res.stdout.encode()
                self.assertEqual("sha256:" + hashlib.sha256(raw).hexdigest(), info["manifest_digest"])
                manifest = json.loads(raw)  # umoci 0.4.7 leaves out the optional mediaType
                self.assertEqual(manifest["schemaVersion"], 2)
                self.assertEqual(manifest["config"]["mediaType"], "application/vnd.oci.image.config.v1+json")
                self.assertEqual([l["mediaType"] for l in manifest["layers"]],
                                 ["application/vnd.oci.image.layer.v1.tar+gzip"])
                res = run(["skopeo", "inspect", "--config", src])
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(json.loads(res.stdout), IMAGES[name]["config"])
                with open(os.path.join(ARGS.images_dir, info["archive"]), "rb") as f:
                    self.assertEqual(hashlib.sha256(f.read()).hexdigest(), info["archive_sha256"])

    def test_image_config(self):
        version = IMAGES["summary"]["version"]
        for name, cmd in (("memsecret-webhook", ["serve"]), ("memsecret-injector", ["run"])):
            with self.subTest(name):
                cfg = IMAGES[name]["config"]
                c = cfg["config"]
                self.assertEqual(c["User"], "65532:65532")
                self.assertEqual(c["Entrypoint"], ["/usr/local/bin/" + name])
                self.assertEqual(c["Cmd"], cmd)
                self.assertEqual((cfg["os"], cfg["architecture"]), ("linux", "amd64"))
                labels = c["Labels"]
                self.assertEqual(labels["org.opencontainers.image.title"], name)
                self.assertEqual(labels["org.opencontainers.image.version"], version)
                self.assertRegex(labels["org.opencontainers.image.revision"], r"^([0-9a-f]{40}|unknown)$")
                self.assertTrue(labels["org.opencontainers.image.description"])
                created = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                        time.gmtime(IMAGES["summary"]["source_date_epoch"]))
                self.assertEqual(labels["org.opencontainers.image.created"], created)
                self.assertEqual(cfg["created"], created)
                self.assertTrue(all(h["created"] == created for h in cfg["history"]), cfg["history"])
                self.assertEqual(IMAGES[name]["ref"], version)
                self.assertEqual(len(IMAGES[name]["manifest"]["layers"]), 1)


class RootFilesystem(unittest.TestCase):
    def expected(self, name, binary):
        files = {"/usr/local/bin/" + name, "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"}
        files |= {in_image(p) for p in needed_libraries(binary)}
        if name == "memsecret-injector":
            files |= {"/etc/ssl/certs/ca-certificates.crt", "/usr/lib/ssl/cert.pem", "/usr/lib/ssl/certs"}
        return files

    def test_exactly_what_each_binary_needs(self):
        for name, binary in (("memsecret-webhook", ARGS.webhook), ("memsecret-injector", ARGS.injector)):
            with self.subTest(name):
                files = image_files(IMAGES[name]["root"])
                content = {p for p, v in files.items() if v[0] != "dir"} - {"/lib", "/lib64"}
                licences = {p for p in content if p.startswith("/usr/share/doc/") and p.endswith("/copyright")}
                self.assertTrue(licences, "Debian copyright files of the shipped libraries")
                self.assertEqual(content - licences, self.expected(name, binary))
                self.assertEqual((files["/lib"][0], os.readlink(IMAGES[name]["root"] + "/lib")), ("link", "usr/lib"))
                if name == "memsecret-webhook":
                    self.assertNotIn("/etc/ssl/certs/ca-certificates.crt", files, "the webhook makes no TLS calls")

    def test_metadata_normalised(self):
        epoch = IMAGES["summary"]["source_date_epoch"]
        for name in NAMES:
            for path, (kind, mode, uid, gid, mtime) in image_files(IMAGES[name]["root"]).items():
                with self.subTest(name=name, path=path):
                    self.assertEqual((uid, gid), (0, 0))
                    if kind != "link":  # a symlink's own mode is always 0777
                        self.assertEqual(mode & 0o7022, 0, "setuid/setgid/sticky or group/other-writable")
                    self.assertEqual(mtime, epoch)
                    if path.startswith("/usr/local/bin/"):
                        self.assertEqual(mode, 0o755)

    def test_user_65532(self):
        for name in NAMES:
            root = IMAGES[name]["root"]
            with open(root + "/etc/passwd") as f:
                self.assertIn("nonroot:x:65532:65532:", f.read())
            with open(root + "/etc/group") as f:
                self.assertIn("nonroot:x:65532:", f.read())

    def test_injector_ca_bundle(self):
        root = IMAGES["memsecret-injector"]["root"]
        self.assertEqual(os.readlink(root + "/usr/lib/ssl/cert.pem"), "../../../etc/ssl/certs/ca-certificates.crt")
        ctx = ssl.create_default_context(cafile=root + "/etc/ssl/certs/ca-certificates.crt")
        self.assertGreater(ctx.cert_store_stats()["x509_ca"], 100, "the Mozilla CA set")


class RunsFromItsImage(unittest.TestCase):
    def test_version_from_the_image_root(self):
        for name in NAMES:
            with self.subTest(name):
                res = Container(name, ["/usr/local/bin/" + name, "--version"]).run()
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                self.assertEqual(res.stdout.strip(), "%s %s" % (name, IMAGES["summary"]["version"]))

    def test_webhook_serves_admissions_from_its_image(self):
        run_pod = run_pod_module()
        d = tempfile.mkdtemp(dir=IMAGES["tmp"])
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=memsecret-webhook", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", d + "/tls.key", "-out", d + "/tls.crt"], check=True, capture_output=True)
        os.chmod(d, 0o755)
        os.chmod(d + "/tls.key", 0o644)  # read by 65532, as a Secret volume's files are
        shutil.copy(os.path.join(ARGS.repo_root, "deploy", "examples", "config.yaml"), d + "/config.yaml")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        c = Container("memsecret-webhook", ["/usr/local/bin/memsecret-webhook", "serve", "--listen",
                                            "127.0.0.1:%d" % port, "--config", "/etc/memsecret/config.yaml",
                                            "--tls-cert", "/etc/memsecret/tls.crt", "--tls-key",
                                            "/etc/memsecret/tls.key"],
                      mounts=[(d, "/etc/memsecret", True)]).start()
        try:
            ctx = ssl.create_default_context(cafile=d + "/tls.crt")
            deadline = time.monotonic() + 60  # hang guard: a loaded machine
            while True:
                try:
                    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=2)
                    conn.request("GET", "/readyz")
                    status = conn.getresponse().status
                    conn.close()
                    if status == 200:
                        break
                except OSError:
                    pass
                self.assertIsNone(c.proc.poll(), "the webhook exited: " + c.output())
                self.assertLess(time.monotonic(), deadline, "not ready: " + c.output())
                time.sleep(0.1)
            with open(os.path.join(ARGS.repo_root, "deploy", "examples", "crm-sync-service.yaml")) as f:
                pod = yaml.safe_load(f)["spec"]["template"]
            pod.setdefault("metadata", {})["name"] = "crm-sync-image-test"
            adm = run_pod.admit("https://127.0.0.1:%d/mutate" % port, d + "/tls.crt", pod, "crm-sync")
            self.assertTrue(adm.allowed, adm.status)
            self.assertEqual(adm.pod["metadata"]["annotations"]["memsecret.io/status"], "injected")
        finally:
            c.stop()


class InjectorTrustStore(unittest.TestCase):
    """The injector verifies TLS with the trust store at the path its image ships
    it (OpenSSL's default /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt):
    with the image's own bundle a test CA's server is refused; with a bundle of
    that CA mounted over the image's file (as a platform team mounts its
    corporate CA) the same server is trusted."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(dir=IMAGES["tmp"])
        d = cls.dir
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=memsecret-test-ca", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", d + "/key.pem", "-out", d + "/ca.pem"], check=True, capture_output=True)
        os.chmod(d + "/ca.pem", 0o644)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(d + "/ca.pem", d + "/key.pem")
        cls.sock = socket.socket()
        cls.sock.bind(("127.0.0.1", 0))
        cls.sock.listen(16)
        cls.port = cls.sock.getsockname()[1]
        cls.requests = 0
        cls.ctx = ctx
        threading.Thread(target=cls.serve, daemon=True).start()
        # The plan the webhook gives a pod with one Secrets Manager secret.
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "trust", "namespace": "crm-sync", "labels": {"memsecret.io/inject": "true"},
                            "annotations": {"memsecret.io/secret-api-key":
                                            "aws:/genesys/production/crm-sync-service/crm#apiKey"}},
               "spec": {"serviceAccountName": "crm-sync-service", "securityContext": {"runAsUser": 65532},
                        "containers": [{"name": "app", "image": "app"}]}}
        with open(d + "/pod.yaml", "w") as f:
            yaml.safe_dump(pod, f)
        res = run([ARGS.webhook, "render", "-f", d + "/pod.yaml", "--config",
                   os.path.join(ARGS.repo_root, "deploy", "examples", "config.yaml")])
        assert res.returncode == 0, res.stderr
        mutated = yaml.safe_load(res.stdout)
        inj = [c for c in mutated["spec"]["initContainers"] if c["name"].startswith("memsecret")][0]
        cls.plan = [e["value"] for e in inj["env"] if e["name"] == "MEMSECRET_PLAN"][0]
        cls.mount_path = [m["mountPath"] for m in inj["volumeMounts"] if m["name"] == "memsecret"][0]

    @classmethod
    def serve(cls):
        while True:
            try:
                raw, _ = cls.sock.accept()
            except OSError:
                return
            try:
                with cls.ctx.wrap_socket(raw, server_side=True) as conn:
                    conn.settimeout(5)
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    cls.requests += 1
                    body = b'{"__type":"AccessDeniedException","message":"memsecret image trust test"}'
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            except (OSError, ssl.SSLError):
                pass

    @classmethod
    def tearDownClass(cls):
        cls.sock.close()

    def run_injector(self, extra_mounts=()):
        out = tempfile.mkdtemp(dir=self.dir)
        os.chmod(out, 0o777)
        env = {"MEMSECRET_PLAN": self.plan, "MEMSECRET_INIT_TIMEOUT": "2s",
               "AWS_ENDPOINT_URL": "https://127.0.0.1:%d" % self.port, "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "AKIDIMAGETEST", "AWS_SECRET_ACCESS_KEY": "image-test-not-a-secret"}
        mounts = [(out, self.mount_path, False)] + list(extra_mounts)
        return Container("memsecret-injector", ["/usr/local/bin/memsecret-injector", "run", "--once"],
                         env=env, mounts=mounts).run(timeout=30)

    def test_image_bundle_refuses_an_unknown_ca(self):
        res = self.run_injector()
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("is not trusted", res.stdout + res.stderr)
        self.assertNotIn("AccessDenied", res.stdout + res.stderr)
        self.assertNotIn("cannot load CA certificates", res.stdout + res.stderr)

    def test_bundle_mounted_at_the_images_path_is_used(self):
        before = self.requests
        res = self.run_injector([(self.dir + "/ca.pem", "/etc/ssl/certs/ca-certificates.crt", True)])
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("AccessDenied", res.stdout + res.stderr, "the TLS handshake should have passed")
        self.assertNotIn("is not trusted", res.stdout + res.stderr)
        self.assertGreater(self.requests, before)


class DockerfileDescribesTheSameImages(unittest.TestCase):
    """The Dockerfile (not built here: no container engine) stages its root
    filesystems with `scripts/images.sh --stage-only` and puts them on scratch:
    the staged trees equal the archives' layers, and its final stages set the
    same user, entrypoint, command, exposed port and labels as the image configs."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(ARGS.repo_root, "Dockerfile")) as f:
            text = f.read()
        cls.stages = {}
        for block in re.split(r"(?m)^FROM ", text)[1:]:
            head, _, body = block.partition("\n")
            m = re.match(r"(\S+)(?: AS (\S+))?", head)
            cls.stages[m.group(2) or m.group(1)] = (m.group(1), body)

    def test_stage_only_gives_the_image_root_filesystems(self):
        with tempfile.TemporaryDirectory(dir=IMAGES["tmp"]) as out:
            labels = IMAGES["memsecret-webhook"]["config"]["config"]["Labels"]
            env = dict(os.environ, SOURCE_DATE_EPOCH=str(IMAGES["summary"]["source_date_epoch"]),
                       MEMSECRET_REVISION=labels["org.opencontainers.image.revision"])
            res = run([os.path.join(ARGS.repo_root, "scripts", "images.sh"), "--stage-only", "--webhook", ARGS.webhook,
                       "--injector", ARGS.injector, "--out", out], env=env)
            self.assertEqual(res.returncode, 0, res.stderr)
            for name in NAMES:
                staged, unpacked = os.path.join(out, "rootfs", name), IMAGES[name]["root"]
                a, b = image_files(staged), image_files(unpacked)
                self.assertEqual(a, b, name)
                for path, v in a.items():
                    if v[0] == "file":
                        with open(staged + path, "rb") as f1, open(unpacked + path, "rb") as f2:
                            self.assertEqual(f1.read(), f2.read(), name + path)

    def test_final_stages(self):
        for name, stage in (("memsecret-webhook", "webhook"), ("memsecret-injector", "injector")):
            with self.subTest(name):
                base, body = self.stages[stage]
                self.assertEqual(base, "scratch")
                c = IMAGES[name]["config"]["config"]
                self.assertIn("COPY --from=build /out/rootfs/%s/ /\n" % name, body)
                self.assertEqual(re.findall(r"(?m)^USER (\S+)$", body), [c["User"]])
                self.assertEqual(json.loads(re.search(r"(?m)^ENTRYPOINT (.+)$", body).group(1)), c["Entrypoint"])
                self.assertEqual(json.loads(re.search(r"(?m)^CMD (.+)$", body).group(1)), c["Cmd"])
                self.assertEqual(re.findall(r"(?m)^EXPOSE (\S+)$", body),
                                 [p.split("/")[0] for p in sorted(c.get("ExposedPorts") or {})])
                docker_labels = dict(re.findall(r'(org\.opencontainers\.image\.[a-z.]+)="([^"]*)"', body))
                image_labels = dict(c["Labels"])
                # A LABEL cannot compute a date: Docker records the build time in the config's "created".
                del image_labels["org.opencontainers.image.created"]
                self.assertEqual(set(docker_labels), set(image_labels))
                for k in ("org.opencontainers.image.title", "org.opencontainers.image.description",
                          "org.opencontainers.image.base.name"):
                    self.assertEqual(docker_labels[k], image_labels[k], k)
        self.assertIn("scripts/images.sh --stage-only", self.stages["build"][1])


class Reproducible(unittest.TestCase):
    def test_second_build_is_identical(self):
        first = IMAGES["summary"]
        labels = IMAGES["memsecret-webhook"]["config"]["config"]["Labels"]
        with tempfile.TemporaryDirectory(dir=IMAGES["tmp"]) as out:
            env = dict(os.environ, SOURCE_DATE_EPOCH=str(first["source_date_epoch"]),
                       MEMSECRET_REVISION=labels["org.opencontainers.image.revision"])
            res = run([os.path.join(ARGS.repo_root, "scripts", "images.sh"), "--webhook", ARGS.webhook,
                       "--injector", ARGS.injector, "--out", out], env=env, timeout=300)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            with open(os.path.join(out, "images.json")) as f:
                second = json.load(f)
        for name in NAMES:
            a, b = first["images"][name], second["images"][name]
            for key in ("manifest_digest", "config_digest", "archive_sha256", "files"):
                self.assertEqual(a[key], b[key], "%s: %s differs between two builds" % (name, key))
        print("\nreproducible: %s" % ", ".join("%s %s" % (n, first["images"][n]["manifest_digest"]) for n in NAMES),
              file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo-root", required=True)
    parser.add_argument("--images-dir", required=True)
    parser.add_argument("--webhook", required=True)
    parser.add_argument("--injector", required=True)
    ARGS, rest = parser.parse_known_args()
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        print("SKIP: images: needs root and unshare (mount namespaces, chroot)")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
