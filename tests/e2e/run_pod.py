#!/usr/bin/env python3
"""Plays kube-apiserver and the kubelet on this machine, so a pod mutated by
memsecret's webhook really runs (tests and scripts/demo.sh step 3).

apiserver part (`admit`): sends a pod to the running webhook over TLS the way
kube-apiserver does (AdmissionReview v1, POST <path>?timeout=Ns, CA-verified),
checks the response as the apiserver's VerifyAdmissionResponse does (uid,
apiVersion/kind, patchType and patch together), applies the JSON Patch with
python3-jsonpatch (independent of the webhook's code), then does what the
apiserver does after admission: names a generateName pod, sets namespace and
uid, and validates the pieces of the pod the kubelet relies on.

kubelet part (`PodRun`): runs the admitted pod. The whole pod lives in ONE
private mount namespace (`unshare -m --propagation private`, the "sandbox"):
  * emptyDir volumes: `medium: Memory` is a real tmpfs with `size=<sizeLimit>`
    (else a directory), mode 0777 (2777 + group fsGroup when fsGroup is set);
  * projected volumes: a tmpfs holding serviceAccountToken files (a fake JWT
    per audience, see `fake_sa_jwt`) and downwardAPI items;
  * every container gets its own nested mount namespace in which each
    volumeMount is bind-mounted at its mountPath (remounted read-only for
    readOnly mounts) and `/` is remounted read-only when
    readOnlyRootFilesystem is true; it runs as the securityContext
    runAsUser/runAsGroup (+ fsGroup/supplementalGroups), with no_new_privs
    when allowPrivilegeEscalation is false; runAsNonRoot is enforced;
  * command/args/env come from the spec: `$(VAR)` expansion, fieldRef
    downward API values. A container whose image is one of the unpacked
    images given to PodRun (`images`: image reference -> root filesystem,
    see `unpack_oci_archive`) runs FROM THAT IMAGE: a fresh copy of its root
    filesystem (the container's writable layer) with /proc, a minimal /dev,
    /etc/hosts and /etc/resolv.conf, the volume mounts inside it, `/`
    remounted read-only when readOnlyRootFilesystem is true, then chroot, the
    image's user when the pod states none, and exec of the command's path in
    the image — a library or file the image lacks fails the container as it
    would on a node. Without `images` (the demo), the binary path of
    memsecret's image (`/usr/local/bin/memsecret-injector`) maps to the build
    directory's binary; other absolute commands that exist here run as they
    are; an image with no usable command runs the stand-in app
    (`--standin-app`), which lists its mounts (name, size, mode, owner —
    never contents) and watches them;
  * lifecycle: init containers in order — a restartable one
    (`restartPolicy: Always`, native sidecar) is started and the next one
    starts only once it counts as started: its postStart hook has returned 0
    and its startupProbe, if any, has succeeded. classic init containers run
    to completion (retried per restartPolicy); then the regular containers
    start one after another, each after its postStart hook has returned.
  * postStart hooks (exec, run inside the container's namespace as its user,
    as probes are) start once the container's program runs (the runtime's
    start has finished) and block the next container until they return, as
    the kubelet's startContainer does; a hook exiting non-zero kills the
    container (FailedPostStartHook: SIGTERM, SIGKILL after the grace period),
    which then restarts per its restart policy (a restartable init container
    always does).
  * startupProbes tick as the kubelet's prober worker does: every
    periodSeconds from when the pod was added (the worker's ticker), skipping
    ticks before the container runs or within initialDelaySeconds of its
    start; so a first success comes on a tick, up to one period after the
    condition became true. Exited sidecars and regular containers restart per the
    rules (backoff compressed to `restart_backoff` seconds). When every regular
    container of a Never/OnFailure pod is done, the native sidecars are
    stopped in reverse order (Job completion). Pod deletion (`stop()`):
    SIGTERM to the regular containers, then to the sidecars in reverse order,
    SIGKILL after terminationGracePeriodSeconds.
The sandbox reports JSON events on stdout; container output goes to
<pod dir>/logs/<container>.log (`kubectl logs`). Files inside the pod's tmpfs
are visible from outside through /proc/<pid>/root (`PodRun.volume_path`).

CLI: run_pod.py --build-dir B --pod mutated.json [--demo]
  --demo: starts the loopback fakes (AWS Secrets Manager + STS, oidc-provider)
  and a webhook with a config whose injector.env points at them, admits the
  pod again through it, seeds every planned ref and runs the pod, printing
  names, sizes, modes and audit lines only — never a value.
Needs root (mount namespaces and tmpfs).
"""
import argparse
import base64
import ctypes
import http.client
import json
import math
import os
import re
import secrets
import shutil
import signal
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
# The image's binary paths that stand for binaries of this build.
BUILD_BINARIES = {"memsecret-injector": "injector/memsecret-injector",
                  "memsecret-webhook": "webhook/memsecret-webhook"}
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The stand-in app and probes run as unprivileged users: /root (pyenv) is not
# readable for them, the system interpreter is.
SYSTEM_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def unpack_oci_archive(path, dest):
    """Unpacks an `oci-archive` (a tar of an OCI image layout with one
    manifest) the way a container runtime does, independently of the tools
    that built it: index.json -> manifest -> config, then every layer (gzip
    or plain tar) applied in order into `dest`, owners and modes as stored,
    whiteouts honoured. Returns (ref_name, manifest, config); blobs are
    checked against their sha256 digests."""
    import gzip
    import hashlib
    import io
    import tarfile
    with tarfile.open(path) as outer:
        def blob(desc):
            algo, hexd = desc["digest"].split(":", 1)
            data = outer.extractfile("blobs/%s/%s" % (algo, hexd)).read()
            if algo != "sha256" or hashlib.sha256(data).hexdigest() != hexd or len(data) != desc["size"]:
                raise ValueError("%s: blob %s does not match its descriptor" % (path, desc["digest"]))
            return data
        layout = json.loads(outer.extractfile("oci-layout").read())
        if layout.get("imageLayoutVersion") != "1.0.0":
            raise ValueError("%s: not an OCI image layout" % path)
        index = json.loads(outer.extractfile("index.json").read())
        if len(index.get("manifests", [])) != 1:
            raise ValueError("%s: expected one manifest, found %d" % (path, len(index.get("manifests", []))))
        desc = index["manifests"][0]
        manifest = json.loads(blob(desc))
        config = json.loads(blob(manifest["config"]))
        diff_ids = config["rootfs"]["diff_ids"]
        if len(diff_ids) != len(manifest["layers"]):
            raise ValueError("%s: %d layers but %d diff_ids" % (path, len(manifest["layers"]), len(diff_ids)))
        os.makedirs(dest, exist_ok=True)
        for layer, diff_id in zip(manifest["layers"], diff_ids):
            raw = blob(layer)
            if layer["mediaType"].endswith("+gzip"):
                raw = gzip.decompress(raw)
            if "sha256:" + hashlib.sha256(raw).hexdigest() != diff_id:
                raise ValueError("%s: layer %s does not match diff_id %s" % (path, layer["digest"], diff_id))
            with tarfile.open(fileobj=io.BytesIO(raw)) as lt:
                members = []
                for m in lt.getmembers():
                    name = os.path.normpath(m.name.lstrip("/")) if m.name.strip("/.") else "."
                    if name.startswith(".."):
                        raise ValueError("%s: layer entry %r escapes the root" % (path, m.name))
                    base = os.path.basename(name)
                    if base.startswith(".wh."):  # whiteouts: remove what lower layers had
                        target = os.path.join(dest, os.path.dirname(name), base[4:])
                        if base == ".wh..wh..opq":
                            for n in os.listdir(os.path.join(dest, os.path.dirname(name))):
                                shutil.rmtree(os.path.join(dest, os.path.dirname(name), n), ignore_errors=True)
                        elif os.path.isdir(target) and not os.path.islink(target):
                            shutil.rmtree(target)
                        elif os.path.lexists(target):
                            os.unlink(target)
                        continue
                    m.name = name
                    members.append(m)
                kw = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
                lt.extractall(dest, members=members, numeric_owner=True, **kw)
                for m in members:  # tarfile leaves symlinks with the time of extraction (runtimes lutimes them)
                    if m.issym():
                        os.utime(os.path.join(dest, m.name), (m.mtime, m.mtime), follow_symlinks=False)
    return desc.get("annotations", {}).get("org.opencontainers.image.ref.name"), manifest, config


def can_run_pods():
    """(ok, reason): root, unshare and tmpfs mounts in a private namespace."""
    if os.geteuid() != 0:
        return False, "needs root (mount namespaces, tmpfs)"
    if shutil.which("unshare") is None or shutil.which("nsenter") is None or shutil.which("mount") is None:
        return False, "needs unshare, nsenter and mount (util-linux)"
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d && rmdir $d"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, "unshare -m / mount -t tmpfs not permitted here: " + r.stderr.strip()
    return True, ""


# --------------------------------------------------------------------------- apiserver

class AdmissionError(Exception):
    """The webhook call failed the way kube-apiserver would report it."""


class Admission:
    def __init__(self, allowed, pod, patch, warnings, status, http_status, latency_ms, tls_version):
        self.allowed, self.pod, self.patch, self.warnings = allowed, pod, patch, warnings
        self.status, self.http_status, self.latency_ms, self.tls_version = status, http_status, latency_ms, tls_version


def admit(url, ca_file, pod, namespace, *, timeout_seconds=10, operation="CREATE", dry_run=False,
          username="system:serviceaccount:kube-system:replicaset-controller"):
    """One mutating-webhook call as kube-apiserver makes it; returns Admission.

    `url` is the webhook's clientConfig.url (https://127.0.0.1:PORT/mutate).
    Raises AdmissionError for anything the apiserver treats as a failed call.
    """
    import jsonpatch  # python3-jsonpatch: independent of the webhook's patch code
    m = re.match(r"https://([^/:]+):(\d+)(/.*)$", url)
    if not m:
        raise AdmissionError("webhook url must be https://host:port/path: " + url)
    host, port, path = m.group(1), int(m.group(2)), m.group(3)
    uid = str(uuid.uuid4())
    request = {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
               "resource": {"group": "", "version": "v1", "resource": "pods"},
               "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
               "requestResource": {"group": "", "version": "v1", "resource": "pods"},
               "name": pod.get("metadata", {}).get("name", ""), "namespace": namespace,
               "operation": operation, "userInfo": {"username": username, "groups": ["system:serviceaccounts"]},
               "object": pod, "oldObject": None, "dryRun": dry_run,
               "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}}
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    ctx = ssl.create_default_context(cafile=ca_file)
    conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=timeout_seconds)
    t0 = time.monotonic()
    try:
        conn.request("POST", "%s?timeout=%ds" % (path, timeout_seconds), json.dumps(review),
                     {"Content-Type": "application/json", "Accept": "application/json, */*"})
        resp = conn.getresponse()
        raw = resp.read()
        tls_version = conn.sock.version() if conn.sock else None
    except (OSError, ssl.SSLError, http.client.HTTPException) as e:
        raise AdmissionError("failed calling webhook: %s" % e)
    finally:
        conn.close()
    latency_ms = (time.monotonic() - t0) * 1000
    if resp.status != 200:
        raise AdmissionError("webhook returned HTTP %d" % resp.status)
    try:
        body = json.loads(raw)
    except ValueError as e:
        raise AdmissionError("webhook response is not JSON: %s" % e)
    # VerifyAdmissionResponse (k8s.io/apiserver .../webhook/request/admissionreview.go)
    if body.get("apiVersion") != "admission.k8s.io/v1" or body.get("kind") != "AdmissionReview":
        raise AdmissionError("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got %s, Kind=%s"
                             % (body.get("apiVersion"), body.get("kind")))
    r = body.get("response")
    if not isinstance(r, dict):
        raise AdmissionError("webhook response was absent")
    if r.get("uid") != uid:
        raise AdmissionError("expected response.uid=%r, got %r" % (uid, r.get("uid")))
    patch_type, patch_b64 = r.get("patchType"), r.get("patch")
    if patch_b64 is not None and not patch_type:
        raise AdmissionError("webhook returned response.patch but not response.patchType")
    if patch_type is not None and patch_b64 is None:
        raise AdmissionError("webhook returned response.patchType but not response.patch")
    if patch_type is not None and patch_type != "JSONPatch":
        raise AdmissionError("webhook returned invalid response.patchType of %r" % patch_type)
    allowed = r.get("allowed")
    if not isinstance(allowed, bool):
        raise AdmissionError("response.allowed is not a bool")
    if not allowed:
        return Admission(False, None, None, r.get("warnings") or [], r.get("status") or {}, resp.status,
                         latency_ms, tls_version)
    ops = []
    mutated = json.loads(json.dumps(pod))
    if patch_b64 is not None:
        try:
            ops = json.loads(base64.b64decode(patch_b64, validate=True))
        except ValueError as e:
            raise AdmissionError("undecodable patch: %s" % e)
        try:
            mutated = jsonpatch.JsonPatch(ops).apply(mutated)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as e:
            raise AdmissionError("InternalError: patch failed to apply: %s" % e)
    return Admission(True, mutated, ops, r.get("warnings") or [], r.get("status") or {}, resp.status,
                     latency_ms, tls_version)


def materialize(pod, namespace):
    """What the apiserver does to an admitted pod before storing it: a name for
    generateName, the request namespace, a uid, defaults the kubelet reads."""
    pod = json.loads(json.dumps(pod))
    md = pod.setdefault("metadata", {})
    if not md.get("name"):
        alphabet = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's SimpleNameGenerator
        md["name"] = (md.get("generateName") or "pod-") + "".join(secrets.choice(alphabet) for _ in range(5))
    md["namespace"] = namespace
    md.setdefault("uid", str(uuid.uuid4()))
    spec = pod.setdefault("spec", {})
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("nodeName", "e2e-node")
    validate_pod(pod)
    return pod


def validate_pod(pod):
    """The subset of apiserver pod validation the kubelet depends on."""
    spec = pod["spec"]
    problems = []
    names = [c["name"] for c in spec.get("initContainers", []) + spec.get("containers", [])]
    if len(set(names)) != len(names):
        problems.append("duplicate container names %s" % names)
    vols = [v["name"] for v in spec.get("volumes", [])]
    if len(set(vols)) != len(vols):
        problems.append("duplicate volume names %s" % vols)
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        paths = [m["mountPath"] for m in c.get("volumeMounts", [])]
        if len(set(paths)) != len(paths):
            problems.append("container %s: duplicate mountPath" % c["name"])
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols:
                problems.append("container %s: volumeMount %s: volume not found" % (c["name"], m["name"]))
    for c in spec.get("containers", []):
        if "restartPolicy" in c:
            problems.append("container %s: restartPolicy is only allowed on init containers" % c["name"])
    for c in spec.get("initContainers", []):
        if c.get("restartPolicy") not in (None, "Always"):
            problems.append("init container %s: restartPolicy must be Always" % c["name"])
        if c.get("startupProbe") and c.get("restartPolicy") != "Always":
            problems.append("init container %s: startupProbe needs restartPolicy Always" % c["name"])
    if problems:
        raise AdmissionError("Pod is invalid: " + "; ".join(problems))


def fake_sa_jwt(pod, audience, expiration_seconds=3600):
    """A service-account token as the kubelet would project it: a JWT-shaped
    string (unsigned here) bound to the pod and the audience."""
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")
    md, spec = pod["metadata"], pod["spec"]
    now = int(time.time())
    claims = {"aud": [audience], "iss": "https://kubernetes.default.svc.cluster.local",
              "sub": "system:serviceaccount:%s:%s" % (md["namespace"], spec.get("serviceAccountName", "default")),
              "iat": now, "nbf": now, "exp": now + expiration_seconds,
              "kubernetes.io": {"namespace": md["namespace"], "pod": {"name": md["name"], "uid": md["uid"]},
                                "serviceaccount": {"name": spec.get("serviceAccountName", "default")}}}
    return b64({"alg": "RS256", "kid": "e2e"}) + "." + b64(claims) + ".e2e-signature"


def projected_token_audiences(pod):
    out = []
    for v in pod["spec"].get("volumes", []):
        for s in (v.get("projected") or {}).get("sources", []):
            if "serviceAccountToken" in s:
                out.append(s["serviceAccountToken"].get("audience") or "https://kubernetes.default.svc")
    return out


# --------------------------------------------------------------------------- helpers

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38


def prctl(option, arg):
    if _libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(%d)" % option)


def parse_quantity(q):
    """Kubernetes resource quantity -> bytes (integer)."""
    m = re.fullmatch(r"([0-9.]+)([KMGTPE]i?|k|m)?", str(q))
    if not m:
        raise ValueError("bad quantity %r" % q)
    n, suffix = float(m.group(1)), m.group(2) or ""
    mult = {"": 1, "m": 0.001, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "Ti": 1024 ** 4, "Pi": 1024 ** 5, "Ei": 1024 ** 6}[suffix]
    return int(n * mult)


def expand_vars(text, env):
    """Kubernetes $(VAR) expansion: $$ escapes, unknown references stay as they are."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", sub, text)


def field_ref(pod, path):
    md, spec = pod["metadata"], pod["spec"]
    simple = {"metadata.name": md.get("name", ""), "metadata.namespace": md.get("namespace", ""),
              "metadata.uid": md.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
              "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
              "status.hostIP": "127.0.0.1", "status.podIP": "127.0.0.1", "status.podIPs": "127.0.0.1",
              "status.hostIPs": "127.0.0.1"}
    if path in simple:
        return simple[path]
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return (md.get(m.group(1)) or {}).get(m.group(2), "")
    if path in ("metadata.labels", "metadata.annotations"):
        return "\n".join('%s="%s"' % kv for kv in sorted((md.get(path.split(".")[1]) or {}).items()))
    raise ValueError("unsupported fieldRef %s" % path)


def container_env(pod, c):
    env = {"PATH": DEFAULT_PATH, "HOSTNAME": pod["metadata"]["name"], "HOME": "/"}
    if c.get("envFrom"):
        raise ValueError("container %s: envFrom is not supported by this kubelet" % c["name"])
    for e in c.get("env", []):
        if "valueFrom" in e:
            vf = e["valueFrom"]
            if "fieldRef" in vf:
                env[e["name"]] = field_ref(pod, vf["fieldRef"]["fieldPath"])
            else:
                raise ValueError("container %s: env %s: only fieldRef is supported (%s)"
                                 % (c["name"], e["name"], list(vf)))
        else:
            env[e["name"]] = expand_vars(e.get("value", ""), env)
    return env


def resolve_argv(c, env, build_dir, images=None):
    """(argv, how): the container's command/args — inside the image's root
    when the image is one of `images` (image reference -> {"root", "config"}),
    else with memsecret's image binaries mapped to this build (only when no
    images are given); None when the image's entrypoint is unknown here."""
    cmd = [expand_vars(x, env) for x in c.get("command") or []]
    args = [expand_vars(x, env) for x in c.get("args") or []]
    image = (images or {}).get(c.get("image"))
    if image is not None:
        cfg = image["config"].get("config") or {}
        if not cmd:  # the image's ENTRYPOINT, and its CMD unless args are given
            cmd = list(cfg.get("Entrypoint") or [])
            if not args and not c.get("command"):
                args = list(cfg.get("Cmd") or [])
        if not cmd or not cmd[0].startswith("/"):
            return None, "image %s: no absolute command" % c.get("image")
        return cmd + args, "image %s" % c.get("image")
    if not cmd:
        return None, "image entrypoint unknown here"
    exe = cmd[0]
    base = os.path.basename(exe)
    if images is None and exe.startswith("/") and base in BUILD_BINARIES:
        return [os.path.join(build_dir, BUILD_BINARIES[base])] + cmd[1:] + args, "image binary %s -> build" % exe
    if exe.startswith("/") and os.access(exe, os.X_OK):
        return cmd + args, "host binary"
    return None, "command %s not available here" % exe


def identity(pod, c, image_user=None):
    """(uid, gid, groups, run_as_non_root) as the runtime applies them;
    `image_user` is the image config's numeric "uid[:gid]" (USER)."""
    psc, csc = pod["spec"].get("securityContext") or {}, c.get("securityContext") or {}
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    gid = csc.get("runAsGroup", psc.get("runAsGroup"))
    if image_user:
        iu, _, ig = str(image_user).partition(":")
        if uid is None:
            uid = int(iu)
            if gid is None and ig:
                gid = int(ig)
    non_root = csc.get("runAsNonRoot", psc.get("runAsNonRoot", False))
    uid = 0 if uid is None else int(uid)
    # With no runAsGroup the runtime takes the image user's group; for a UID
    # absent from the image's /etc/passwd that is 0 (containerd, CRI-O).
    gid = 0 if gid is None else int(gid)
    groups = list(psc.get("supplementalGroups") or [])
    if psc.get("fsGroup") is not None:
        groups.append(int(psc["fsGroup"]))
    return uid, gid, sorted(set(groups)), bool(non_root)


# --------------------------------------------------------------------------- outer API

class PodRun:
    """Runs one admitted pod (after `materialize`) in a private mount namespace.

    Typical use:
        run = PodRun(pod, build_dir)
        ... register run.sa_tokens with the identity fakes ...
        run.start(); run.wait_event("probe_succeeded", container="memsecret-injector")
        run.volume_path("memsecret") -> path readable from this process
        result = run.stop()
    """

    def __init__(self, pod, build_dir, *, workdir=None, restart_backoff=1.0, keep_workdir=False, images=None):
        self.pod = pod
        self.build_dir = os.path.abspath(build_dir)
        # image reference -> {"root": unpacked root filesystem, "config": image config}
        self.images = images
        self.dir = workdir or tempfile.mkdtemp(prefix="memsecret-pod-%s-" % pod["metadata"]["name"])
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        self.keep_workdir = keep_workdir
        self.restart_backoff = restart_backoff
        self.sa_tokens = {}
        for v in pod["spec"].get("volumes", []):
            for s in (v.get("projected") or {}).get("sources", []):
                if "serviceAccountToken" in s:
                    aud = s["serviceAccountToken"].get("audience") or "https://kubernetes.default.svc"
                    exp = s["serviceAccountToken"].get("expirationSeconds", 3600)
                    self.sa_tokens.setdefault(aud, fake_sa_jwt(pod, aud, exp))
        self.events = []
        self.cond = threading.Condition()
        self.proc = None
        self.result = None
        self._reader = None

    # -- lifecycle
    def start(self):
        state = {"pod": self.pod, "build_dir": self.build_dir, "dir": self.dir, "sa_tokens": self.sa_tokens,
                 "restart_backoff": self.restart_backoff, "images": self.images}
        path = os.path.join(self.dir, "state.json")
        with open(path, "w") as f:
            json.dump(state, f)
        os.chmod(path, 0o600)
        with open(os.path.join(self.dir, "sandbox.log"), "w") as errf:
            self.proc = subprocess.Popen(
                ["unshare", "-m", "--propagation", "private", "--", sys.executable, os.path.abspath(__file__),
                 "--sandbox", path], stdout=subprocess.PIPE, stderr=errf,
                text=True, preexec_fn=lambda: prctl(PR_SET_PDEATHSIG, signal.SIGKILL))
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_event("sandbox_ready", timeout=30)
        return self

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                self.events.append(ev)
                if ev["event"] == "pod_done":
                    self.result = ev
                self.cond.notify_all()
        with self.cond:
            self.events.append({"event": "sandbox_exited", "t": time.time()})
            self.cond.notify_all()

    def wait_event(self, kind, timeout=30, container=None, after=0, **match):
        """Waits for the first event of `kind` (from index `after`) whose fields match."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events[after:]:
                    if ev["event"] == kind and (container is None or ev.get("container") == container) and \
                            all(ev.get(k) == v for k, v in match.items()):
                        return ev
                    if ev["event"] in ("sandbox_exited",) and kind != "sandbox_exited":
                        raise AssertionError("sandbox exited while waiting for %s %s: %s" % (
                            kind, container or "", self.describe()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out after %ss waiting for %s %s: %s" % (
                        timeout, kind, container or "", self.describe()))
                self.cond.wait(left)

    def find_events(self, kind, container=None):
        with self.cond:
            return [e for e in self.events if e["event"] == kind and (container is None or e.get("container") == container)]

    def describe(self):
        with self.cond:
            tail = [json.dumps(e) for e in self.events[-12:]]
        return "events:\n  " + "\n  ".join(tail)

    def wait_done(self, timeout=60):
        self.wait_event("pod_done", timeout=timeout)
        self.proc.wait(timeout=30)
        return self.result

    def stop(self, timeout=60):
        """Deletes the pod: the kubelet's graceful termination."""
        if self.proc and self.proc.poll() is None and self.result is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait_done(timeout)

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if not self.keep_workdir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- views
    def volume_path(self, volume, *rel):
        """Path (through /proc/<sandbox>/root) of a file in a pod volume."""
        return os.path.join("/proc/%d/root" % self.proc.pid, self.dir.lstrip("/"), "volumes", volume, *rel)

    def container_path(self, container, path):
        ev = self.find_events("container_started", container)
        return "/proc/%d/root%s" % (ev[-1]["pid"], path)

    def logs(self, container):
        try:
            with open(os.path.join(self.dir, "logs", container + ".log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def all_logs(self):
        """Every container's output plus the sandbox's own log."""
        d = os.path.join(self.dir, "logs")
        out = [self.logs(os.path.splitext(n)[0]) for n in sorted(os.listdir(d))]
        try:
            with open(os.path.join(self.dir, "sandbox.log"), errors="replace") as f:
                out.append(f.read())
        except FileNotFoundError:
            pass
        return "".join(out)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- sandbox (in the pod's namespace)

def emit(event, **fields):
    fields.update(event=event, t=time.time())
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def run_cmd(argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))


class Container:
    def __init__(self, spec, kind, index):
        self.spec, self.kind, self.index = spec, kind, index  # kind: init | sidecar | regular
        self.name = spec["name"]
        self.proc = None
        self.restarts = -1
        self.exit_code = None
        self.done = False  # will not be restarted
        self.restart_at = None
        self.started_at = None
        self.term_sent = None
        self.probe = None  # running probe Popen
        self.probe_started = None
        self.next_probe = None
        self.probe_failures = 0
        self.startup_ok = False
        self.started_mono = None
        self.hook = None  # running postStart hook Popen
        self.hook_started = None
        self.hook_ok = False
        self.hook_failed_at = None  # the hook failed: the container is being killed
        self.peak_rss_kib = 0
        self.entry = None


def post_start(spec):
    """The container's postStart handler (exec only), or None."""
    hook = (spec.get("lifecycle") or {}).get("postStart")
    if hook and not hook.get("exec"):
        raise RuntimeError("container %s: only exec postStart hooks are supported" % spec["name"])
    return hook


class Sandbox:
    def __init__(self, state):
        self.pod = state["pod"]
        self.spec = self.pod["spec"]
        self.build_dir = state["build_dir"]
        self.images = state.get("images")
        self.dir = state["dir"]
        self.sa_tokens = state["sa_tokens"]
        self.backoff = state["restart_backoff"]
        self.volumes = {}  # name -> directory holding the volume
        self.stop_requested = False
        self.grace = float(self.spec.get("terminationGracePeriodSeconds", 30))
        self.init = [Container(c, "sidecar" if c.get("restartPolicy") == "Always" else "init", i)
                     for i, c in enumerate(self.spec.get("initContainers", []))]
        self.regular = [Container(c, "regular", i) for i, c in enumerate(self.spec.get("containers", []))]
        self.started_sidecars = []
        self.t0 = time.monotonic()  # the pod is added: the prober workers' tickers start
        self.t0_wall = time.time()

    # -- volumes
    def setup_volumes(self):
        psc = self.spec.get("securityContext") or {}
        fs_group = psc.get("fsGroup")
        for v in self.spec.get("volumes", []):
            d = os.path.join(self.dir, "volumes", v["name"])
            os.makedirs(d)
            if "emptyDir" in v:
                ed = v["emptyDir"] or {}
                if ed.get("medium") == "Memory":
                    opts = "mode=0777"
                    if ed.get("sizeLimit"):
                        opts += ",size=%d" % parse_quantity(ed["sizeLimit"])
                    run_cmd(["mount", "-t", "tmpfs", "-o", opts + ",nosuid,nodev", "memsecret-e2e", d])
                    emit("volume", volume=v["name"], type="tmpfs", options=opts)
                else:
                    os.chmod(d, 0o777)
                    emit("volume", volume=v["name"], type="dir")
                if fs_group is not None:  # volume.SetVolumeOwnership
                    os.chown(d, -1, int(fs_group))
                    os.chmod(d, 0o2777)
            elif "projected" in v:
                run_cmd(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755,nosuid,nodev", "memsecret-e2e-proj", d])
                self.write_projected(v, d, fs_group)
            else:
                raise RuntimeError("volume %s: type %s is not supported by this kubelet" % (v["name"], list(v)))
            self.volumes[v["name"]] = d

    def write_projected(self, v, d, fs_group):
        pj = v["projected"]
        mode_default = pj.get("defaultMode", 0o644)
        # kubelet (1.19+): with no fsGroup and one runAsUser for every container,
        # token files belong to that UID with mode 0600.
        uids = {identity(self.pod, c)[0] for c in self.spec.get("initContainers", []) + self.spec.get("containers", [])}
        files = []
        for s in pj.get("sources", []):
            if "serviceAccountToken" in s:
                t = s["serviceAccountToken"]
                aud = t.get("audience") or "https://kubernetes.default.svc"
                files.append((t["path"], self.sa_tokens[aud], None, True))
            elif "downwardAPI" in s:
                for item in s["downwardAPI"].get("items", []):
                    files.append((item["path"], field_ref(self.pod, item["fieldRef"]["fieldPath"]), item.get("mode"), False))
            else:
                raise RuntimeError("projected source %s is not supported by this kubelet" % list(s))
        for rel, content, mode, is_token in files:
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(content)
            uid, gid, m = 0, 0, mode if mode is not None else mode_default
            if is_token and fs_group is None and len(uids) == 1 and mode is None and "defaultMode" not in pj:
                uid, m = next(iter(uids)), 0o600
            elif fs_group is not None:
                gid = int(fs_group)
            os.chown(p, uid, gid)
            os.chmod(p, m)
            emit("projected_file", volume=v["name"], path=rel, mode="%04o" % m, uid=uid, gid=gid, bytes=len(content))

    # -- containers
    def start(self, c):
        spec = c.spec
        c.restarts += 1
        c.exit_code = None
        c.startup_ok = not c.spec.get("startupProbe")
        c.probe_failures = 0
        c.hook, c.hook_started, c.hook_failed_at = None, None, None
        c.hook_ok = post_start(c.spec) is None
        c.term_sent = None
        c.peak_rss_kib = 0
        logf = open(os.path.join(self.dir, "logs", c.name + ".log"), "a")
        try:
            env = container_env(self.pod, spec)
            argv, how = resolve_argv(spec, env, self.build_dir, self.images)
            image = (self.images or {}).get(spec.get("image"))
            if image is None and self.images is not None and os.path.basename(
                    spec.get("image", "").split("@")[0].rsplit(":", 1)[0]) in BUILD_BINARIES:
                raise RuntimeError("image %s is not among the unpacked images %s" % (spec.get("image"), sorted(self.images)))
            if image is not None and argv is None:
                raise RuntimeError(how)
            if argv is None:
                how = "stand-in app (%s)" % how
                argv = [SYSTEM_PYTHON, os.path.abspath(__file__), "--standin-app", json.dumps(
                    {"name": c.name, "mounts": [[m["mountPath"], bool(m.get("readOnly"))]
                                                for m in spec.get("volumeMounts", [])]})]
            uid, gid, groups, non_root = identity(
                self.pod, spec, ((image or {}).get("config", {}).get("config") or {}).get("User"))
            if non_root and uid == 0:
                raise RuntimeError("container has runAsNonRoot and image will run as root")
            mounts = []
            for m in spec.get("volumeMounts", []):
                src = self.volumes[m["name"]]
                if m.get("subPath"):
                    src = os.path.join(src, m["subPath"])
                mounts.append([src, m["mountPath"], bool(m.get("readOnly"))])
            sc = spec.get("securityContext") or {}
            entry = {"argv": argv, "env": env, "mounts": mounts, "uid": uid, "gid": gid, "groups": groups,
                     "ro_root": bool(sc.get("readOnlyRootFilesystem")),
                     "no_new_privs": sc.get("allowPrivilegeEscalation") is False,
                     "cwd": spec.get("workingDir") or ((image or {}).get("config", {}).get("config") or {}).get(
                         "WorkingDir") or "/"}
            if image is not None:  # the container's root: a fresh writable copy of the image's
                root = os.path.join(self.dir, "rootfs", c.name)
                if os.path.lexists(root):
                    shutil.rmtree(root)
                os.makedirs(os.path.dirname(root), exist_ok=True)
                run_cmd(["cp", "-a", image["root"], root])
                entry["root"] = root
        except Exception as e:  # CreateContainerConfigError
            logf.close()
            c.exit_code = 128
            c.proc = None
            emit("container_error", container=c.name, kind=c.kind, reason=str(e))
            return False
        c.entry = entry
        c.proc = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "--", sys.executable, os.path.abspath(__file__),
             "--container-entry", json.dumps(entry)],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        c.started_at = time.time()
        c.started_mono = time.monotonic()
        sp = spec.get("startupProbe")
        if sp:  # the next tick of the worker's ticker
            period = sp.get("periodSeconds", 10)
            c.next_probe = self.t0 + period * math.ceil((c.started_mono - self.t0) / period)
        emit("container_started", container=c.name, kind=c.kind, pid=c.proc.pid, restarts=c.restarts,
             how=how, argv0=argv[0], uid=uid, gid=gid, groups=groups, mounts=mounts, ro_root=entry["ro_root"])
        return True

    def program_running(self, c):
        """True once the container's own program runs (the entry shim has set
        up its mounts and identity and exec'd it): the runtime's start is done."""
        try:
            exe = os.readlink("/proc/%d/exe" % c.proc.pid)
        except OSError:
            return False
        if exe == os.path.realpath(c.entry["argv"][0]) or (
                "root" in c.entry and os.path.basename(exe) == os.path.basename(c.entry["argv"][0])):
            return True
        # The program may have exec'd another (`exec sleep`): anything but the
        # unshare / entry-shim stages counts.
        shim = {os.path.realpath(shutil.which("unshare") or "unshare"), os.path.realpath(sys.executable)}
        return exe not in shim

    def poll(self, c):
        """Returns True when the container's process has exited (records it once)."""
        if c.proc is None:
            return True
        if c.exit_code is not None:
            return True
        try:  # peak RSS of the container's program (not of the entry shim before exec)
            if self.program_running(c):
                with open("/proc/%d/status" % c.proc.pid) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            c.peak_rss_kib = max(c.peak_rss_kib, int(line.split()[1]))
        except OSError:
            pass
        rc = c.proc.poll()
        if rc is None:
            return False
        c.exit_code = rc if rc >= 0 else 128 - rc
        try:  # reap strays of the container's session (runtime: the cgroup is killed)
            os.killpg(c.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.cancel_probe(c)
        self.cancel_hook(c)
        fields = {}
        if c.term_sent is not None:
            fields["after_sigterm_ms"] = round((time.monotonic() - c.term_sent) * 1000, 1)
        emit("container_exited", container=c.name, kind=c.kind, exit_code=c.exit_code,
             ran_s=round(time.time() - c.started_at, 3), peak_rss_kib=c.peak_rss_kib, **fields)
        return True

    def cancel_hook(self, c):
        if c.hook is not None and c.hook.poll() is None:
            c.hook.kill()
            c.hook.wait()
        c.hook = None

    def exec_in_container(self, c, command):
        """Starts `command` in the container's mount namespace (and root, when it
        runs from an image) as its user, as the runtime's exec does."""
        argv, _ = resolve_argv({"command": command, "image": c.spec.get("image")}, c.entry["env"],
                               self.build_dir, self.images)
        if argv is None:
            raise RuntimeError("container %s: command %s not available" % (c.name, command[0]))
        entry = dict(c.entry, argv=argv, mounts=[], ro_root=False, cwd=c.entry["cwd"], enter=True)
        return subprocess.Popen(
            ["nsenter", "--mount=/proc/%d/ns/mnt" % c.proc.pid, "--", sys.executable,
             os.path.abspath(__file__), "--container-entry", json.dumps(entry)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)

    def tick_hook(self, c):
        """Advances the postStart hook of a running container; returns True once
        it returned 0 (or the container has none)."""
        if c.hook_ok:
            return True
        now = time.monotonic()
        if c.hook_failed_at is not None:  # being killed: SIGKILL after the grace period
            if now - c.hook_failed_at > self.grace:
                self.kill(c, signal.SIGKILL)
            return False
        if c.hook is None:
            if not self.program_running(c):
                return False
            c.hook = self.exec_in_container(c, post_start(c.spec)["exec"]["command"])
            c.hook_started = now
            emit("hook_started", container=c.name, hook="postStart",
                 since_start_ms=round((time.time() - c.started_at) * 1000, 1))
            return False
        rc = c.hook.poll()
        if rc is None:
            return False
        c.hook = None
        ran_ms = round((now - c.hook_started) * 1000, 1)
        if rc == 0:
            c.hook_ok = True
            emit("hook_succeeded", container=c.name, hook="postStart", ran_ms=ran_ms,
                 since_start_ms=round((time.time() - c.started_at) * 1000, 1))
            return True
        # FailedPostStartHook: the kubelet kills the container; it restarts per policy.
        emit("hook_failed", container=c.name, hook="postStart", exit_code=rc, ran_ms=ran_ms)
        c.hook_failed_at = now
        c.term_sent = now
        emit("container_killing", container=c.name, signal="SIGTERM", reason="FailedPostStartHook")
        self.kill(c, signal.SIGTERM)
        return False

    def started(self, c):
        """The kubelet's "started": running, postStart returned 0, startupProbe passed."""
        return c.exit_code is None and c.proc is not None and c.hook_ok and c.startup_ok

    def cancel_probe(self, c):
        if c.probe is not None and c.probe.poll() is None:
            c.probe.kill()
            c.probe.wait()
        c.probe = None

    def tick_probe(self, c):
        """Advances the startup probe of a running container; returns True once it succeeded."""
        sp = c.spec.get("startupProbe")
        if not sp:
            return True
        if c.startup_ok:
            return True
        now = time.monotonic()
        if c.probe is not None:
            rc = c.probe.poll()
            timeout = sp.get("timeoutSeconds", 1)
            if rc is None and now - c.probe_started < timeout:
                return False
            if rc is None:
                c.probe.kill()
                c.probe.wait()
                rc = "timeout"
            c.probe = None
            if rc == 0:
                c.startup_ok = True
                emit("probe_succeeded", container=c.name, probe="startup",
                     since_start_ms=round((time.time() - c.started_at) * 1000, 1), failures=c.probe_failures)
                return True
            c.probe_failures += 1
            emit("probe_failed", container=c.name, probe="startup", result=rc, failures=c.probe_failures)
            if c.probe_failures >= sp.get("failureThreshold", 3):
                emit("probe_gave_up", container=c.name, probe="startup")  # kubelet kills and restarts it
                self.kill(c, signal.SIGKILL)
            return False
        if now >= c.next_probe:
            period = sp.get("periodSeconds", 10)
            while c.next_probe <= now:  # the ticker does not queue missed ticks
                c.next_probe += period
            if now - c.started_mono < sp.get("initialDelaySeconds", 0) or not self.program_running(c):
                emit("probe_skipped", container=c.name, probe="startup")  # the worker skips this tick
                return False
            exec_ = sp.get("exec")
            if not exec_:
                raise RuntimeError("container %s: only exec probes are supported" % c.name)
            c.probe = self.exec_in_container(c, exec_["command"])
            c.probe_started = now
            emit("probe_started", container=c.name, probe="startup")
        return False

    def kill(self, c, sig):
        if c.proc is not None and c.exit_code is None:
            try:
                os.kill(c.proc.pid, sig)
            except OSError:
                pass

    def schedule_restart(self, c):
        delay = min(self.backoff * (2 ** max(c.restarts, 0)), 30 * self.backoff)
        c.restart_at = time.monotonic() + delay
        emit("container_backoff", container=c.name, delay_s=round(delay, 2))

    def tick_restarts(self, containers):
        for c in containers:
            if c.proc is None and c.exit_code is None:
                continue
            if not self.poll(c):
                self.tick_hook(c)
                self.tick_probe(c)
                continue
            if c.done:
                continue
            if c.kind == "regular":
                policy = self.spec.get("restartPolicy", "Always")
                if policy == "Never" or (policy == "OnFailure" and c.exit_code == 0):
                    c.done = True
                    continue
            if c.restart_at is None:
                self.schedule_restart(c)
            elif time.monotonic() >= c.restart_at:
                c.restart_at = None
                self.start(c)

    # -- the pod
    def run(self):
        sleep = 0.02
        for c in self.init:
            if c.kind == "sidecar":
                self.start(c)
                self.started_sidecars.append(c)
                while not self.started(c):
                    if self.stop_requested:
                        return self.terminate("deleted during init")
                    self.tick_restarts(self.started_sidecars)
                    time.sleep(sleep)
                emit("container_ready", container=c.name, kind=c.kind,
                     since_start_ms=round((time.time() - c.started_at) * 1000, 1))
            else:
                self.start(c)
                while True:
                    if self.stop_requested:
                        return self.terminate("deleted during init")
                    self.tick_restarts(self.started_sidecars)
                    if not self.poll(c):
                        self.tick_hook(c)
                    else:
                        if c.exit_code == 0:
                            break
                        if self.spec.get("restartPolicy", "Always") == "Never":
                            emit("init_failed", container=c.name, exit_code=c.exit_code)
                            return self.terminate("init container %s failed" % c.name, phase="Failed")
                        if c.restart_at is None:
                            self.schedule_restart(c)
                        elif time.monotonic() >= c.restart_at:
                            c.restart_at = None
                            self.start(c)
                    time.sleep(sleep)
                c.done = True
        emit("init_done")
        for c in self.regular:  # one after another, each after its postStart hook
            self.start(c)
            while not c.hook_ok and c.hook_failed_at is None and not self.poll(c):
                if self.stop_requested:
                    return self.terminate("deleted")
                self.tick_restarts(self.started_sidecars + self.regular)
                time.sleep(0.005)
        while True:
            if self.stop_requested:
                return self.terminate("deleted")
            self.tick_restarts(self.started_sidecars + self.regular)
            if all(c.done for c in self.regular):
                failed = [c.name for c in self.regular if c.exit_code != 0]
                return self.terminate("all containers completed", phase="Failed" if failed else "Succeeded")
            time.sleep(sleep)

    def stop_all(self, cs, deadline):
        for c in cs:
            if c.proc is not None and c.exit_code is None:
                c.term_sent = time.monotonic()
                emit("container_killing", container=c.name, signal="SIGTERM")
                self.kill(c, signal.SIGTERM)
        while any(not self.poll(c) for c in cs):
            if time.monotonic() > deadline:
                for c in cs:
                    if c.exit_code is None:
                        emit("container_killing", container=c.name, signal="SIGKILL")
                        self.kill(c, signal.SIGKILL)
                for c in cs:
                    if c.proc is not None:
                        c.proc.wait()
                        self.poll(c)
                break
            time.sleep(0.01)

    def terminate(self, reason, phase=None):
        emit("pod_terminating", reason=reason)
        deadline = time.monotonic() + self.grace
        for c in self.init + self.regular:
            c.restart_at = None
        self.stop_all([c for c in self.init if c.kind == "init"] + self.regular, deadline)
        for c in reversed(self.started_sidecars):  # native sidecars: reverse order, one after another
            self.stop_all([c], deadline)
        summary = [{"name": c.name, "kind": c.kind, "restarts": max(c.restarts, 0), "exit_code": c.exit_code,
                    "peak_rss_kib": c.peak_rss_kib} for c in self.init + self.regular if c.restarts >= 0]
        emit("pod_done", phase=phase or "Terminated", reason=reason, containers=summary)

    def unmount(self):
        for d in self.volumes.values():
            subprocess.run(["umount", "-l", d], capture_output=True)


def sandbox_main(state_path):
    with open(state_path) as f:
        state = json.load(f)
    sb = Sandbox(state)

    def on_term(signum, frame):
        sb.stop_requested = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        sb.setup_volumes()
    except Exception as e:
        emit("sandbox_ready", ok=False)
        emit("pod_done", phase="Failed", reason="volume setup: %s" % e, containers=[])
        return 1
    emit("sandbox_ready", ok=True, volumes=sorted(sb.volumes), pod_added=sb.t0_wall)
    try:
        sb.run()
    except Exception as e:
        emit("kubelet_error", reason="%s: %s" % (type(e).__name__, e))
        for c in sb.init + sb.regular:
            sb.kill(c, signal.SIGKILL)
        emit("pod_done", phase="Failed", reason="kubelet error: %s" % e, containers=[])
        return 1
    finally:
        sb.unmount()
    return 0


def prepare_image_root(root):
    """What the runtime adds to an image's root filesystem (in the container's
    own mount namespace): the root as a mount point of its own, /proc, a
    minimal /dev (null, zero, full, random, urandom, tty; /dev/shm), the
    node's /etc/hosts and /etc/resolv.conf."""
    subprocess.run(["mount", "--bind", root, root], check=True)
    for d in ("proc", "dev", "etc"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    subprocess.run(["mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", os.path.join(root, "proc")], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "nosuid,mode=0755,size=64k", "tmpfs", os.path.join(root, "dev")],
                   check=True)
    for dev in ("null", "zero", "full", "random", "urandom", "tty"):
        target = os.path.join(root, "dev", dev)
        open(target, "w").close()
        subprocess.run(["mount", "--bind", "/dev/" + dev, target], check=True)
    os.makedirs(os.path.join(root, "dev", "shm"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "nosuid,nodev,noexec,mode=1777,size=64m", "shm",
                    os.path.join(root, "dev", "shm")], check=True)
    for f in ("hosts", "resolv.conf"):
        target = os.path.join(root, "etc", f)
        if os.path.exists("/etc/" + f) and not os.path.islink(target):
            open(target, "a").close()
            subprocess.run(["mount", "--bind", "-o", "ro", "/etc/" + f, target], check=True)


def container_entry(entry_json):
    """Runs in the container's own mount namespace (or, for probes, entered
    with nsenter): mounts, identity, then exec."""
    e = json.loads(entry_json)
    root = e.get("root")
    if root and not e.get("enter"):
        prepare_image_root(root)
    prefix = root or ""
    for src, dst, ro in e["mounts"]:
        dst = prefix + dst
        if os.path.isdir(src):
            os.makedirs(dst, exist_ok=True)
        else:  # a file mounted over a file (subPath, a CA bundle)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if not os.path.exists(dst):
                open(dst, "a").close()
        subprocess.run(["mount", "--bind", src, dst], check=True)
        if ro:
            subprocess.run(["mount", "-o", "remount,bind,ro", dst], check=True)
    if e["ro_root"]:
        subprocess.run(["mount", "-o", "remount,bind,ro", root or "/"], check=True)
    if root:
        os.chroot(root)
    os.setgroups(e["groups"])
    os.setgid(e["gid"])
    os.setuid(e["uid"])
    if e["no_new_privs"]:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # cleared by setuid; the kubelet outlives its containers
    os.chdir(e["cwd"])
    os.execve(e["argv"][0], e["argv"], e["env"])


# --------------------------------------------------------------------------- stand-in app

def standin_app(arg):
    """The app of an image not available here: reports what it can see in
    its volume mounts — names, sizes, modes, owners, never contents — checks
    they are read-only, then watches for changes until SIGTERM."""
    stop = []
    signal.signal(signal.SIGTERM, lambda s, f: stop.append(1))
    cfg = json.loads(arg)
    name, mounts = cfg["name"], cfg["mounts"]

    def snapshot(mp):
        out = {}
        for n in sorted(os.listdir(mp)):
            p = os.path.join(mp, n)
            try:
                st = os.stat(p)
                with open(p, "rb") as fh:  # the app reads it (and discards it)
                    fh.read()
                out[n] = (st.st_size, "%04o" % stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ino)
            except OSError as e:
                out[n] = ("error", e.strerror)
        return out

    print(json.dumps({"app": name, "uid": os.getuid(), "gid": os.getgid(), "mounts": mounts}), flush=True)
    last = {}
    for mp, ro in mounts:
        snap = snapshot(mp)
        last[mp] = snap
        for n, v in snap.items():
            print(json.dumps({"app": name, "at_start": os.path.join(mp, n), "size": v[0], "mode": v[1],
                              "uid": v[2], "gid": v[3]}), flush=True)
        try:
            open(os.path.join(mp, ".app-write-test"), "w").close()
            print(json.dumps({"app": name, "mount": mp, "writable": True}), flush=True)
        except OSError as e:
            print(json.dumps({"app": name, "mount": mp, "writable": False, "error": e.strerror}), flush=True)
    while not stop:
        time.sleep(0.1)
        for mp, _ in mounts:
            snap = snapshot(mp)
            for n, v in snap.items():
                if last[mp].get(n) != v:
                    print(json.dumps({"app": name, "changed": os.path.join(mp, n), "size": v[0], "mode": v[1]}),
                          flush=True)
            last[mp] = snap
    return 0


# --------------------------------------------------------------------------- CLI

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sandbox", help=argparse.SUPPRESS)
    ap.add_argument("--container-entry", help=argparse.SUPPRESS)
    ap.add_argument("--standin-app", help=argparse.SUPPRESS)
    ap.add_argument("--build-dir", help="CMake build directory holding injector/ and webhook/")
    ap.add_argument("--pod", help="mutated pod (JSON or YAML) as returned by admission")
    ap.add_argument("--namespace", help="namespace (default: the pod's)")
    ap.add_argument("--demo", action="store_true", help="start loopback fakes and show the pod running")
    ap.add_argument("--seconds", type=float, default=14, help="how long the demo pod runs")
    args = ap.parse_args(argv)
    if args.sandbox:
        return sandbox_main(args.sandbox)
    if args.container_entry:
        return container_entry(args.container_entry)
    if args.standin_app:
        return standin_app(args.standin_app)
    if not args.build_dir or not args.pod:
        ap.error("--build-dir and --pod are required")
    ok, why = can_run_pods()
    if not ok:
        print("run_pod: skipped: " + why)
        return 77
    sys.path.insert(0, HERE)
    if args.demo:
        import demo
        return demo.run(args.build_dir, args.pod, seconds=args.seconds)
    import yaml
    with open(args.pod) as f:
        pod = yaml.safe_load(f)
    pod = materialize(pod, args.namespace or pod.get("metadata", {}).get("namespace") or "default")
    with PodRun(pod, args.build_dir) as run:
        run.start()
        for ev in run.events:
            print(json.dumps(ev))
        try:
            res = run.wait_done(timeout=3600)
        except KeyboardInterrupt:
            res = run.stop()
        for ev in run.events:
            print(json.dumps(ev))
        return 0 if res and res["phase"] in ("Succeeded", "Terminated") else 1


if __name__ == "__main__":
    sys.exit(main())
