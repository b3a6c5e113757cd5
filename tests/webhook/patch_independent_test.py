#!/usr/bin/env python3
"""Independent verification of memsecret's admission JSON Patch.

The webhook's real admission code runs through `admit_tool` (AdmissionReview
on stdin; HTTP status on line 1, response body after). The returned patch is
decoded exactly the way the apiserver does it (standard base64 of a JSON array
of RFC 6902 operations) and applied with implementations that share no code
with the webhook: python3-jsonpatch always, and Debian kubectl's
`kubectl patch --local --type=json` (evanphx/json-patch, the library the
apiserver uses) when kubectl is on PATH. The patched pod is then checked
against the product contract (docs/annotations.md and docs/configuration.md) by reading the pod, never by
re-deriving the webhook's own code paths.

Usage (ctest passes both through the environment):
  MEMSECRET_ADMIT_TOOL=/path/to/admit_tool MEMSECRET_REPO_ROOT=/path/to/repo \
      python3 tests/webhook/patch_independent_test.py [-v]
  python3 tests/webhook/patch_independent_test.py --admit-tool PATH [--repo-root PATH] [-v]

Fixtures: tests/fixtures/pods/*.yaml (Pods as the apiserver sends them) and
tests/fixtures/config/*.yaml (webhook configs). All refs are fake; no secret
value exists anywhere in admission, and these tests never print one.
"""

import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import jsonpatch
import yaml


def _take_arg(argv, flag):
    """Removes `--flag VALUE` / `--flag=VALUE` from argv; returns VALUE or None."""
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i:i + 2]
            return value
        if a.startswith(flag + "="):
            del argv[i]
            return a.split("=", 1)[1]
    return None


ADMIT_TOOL = _take_arg(sys.argv, "--admit-tool") or os.environ.get("MEMSECRET_ADMIT_TOOL", "")
REPO_ROOT = (_take_arg(sys.argv, "--repo-root") or os.environ.get("MEMSECRET_REPO_ROOT")
             or os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures")
KUBECTL = shutil.which("kubectl")

STATUS_ANNOTATION = "memsecret.io/status"
STATUS_POINTER = "/metadata/annotations/memsecret.io~1status"
SA_TOKEN_MIN_EXPIRATION = 600  # Kubernetes minimum for projected serviceAccountToken
# Keys that would mean a value (not a reference) travelled in the plan.
VALUE_LIKE_KEYS = {
    "value", "values", "secret", "secretvalue", "secretstring", "secretbinary", "data", "stringdata",
    "password", "clientsecret", "client_secret", "accesskeysecret", "access_key_secret",
    "accesstoken", "access_token", "refreshtoken", "refresh_token", "id_token", "credentials",
    "secretaccesskey", "sessiontoken", "privatekey", "private_key", "apikey",
}
STD_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


# ---------------------------------------------------------------- fixtures ---

def load_pod(name):
    with open(os.path.join(FIXTURES, "pods", name + ".yaml"), encoding="utf-8") as f:
        pod = yaml.safe_load(f)
    assert pod.get("kind") == "Pod", name
    return pod


def config_path(name):
    return None if name is None else os.path.join(FIXTURES, "config", name + ".yaml")


class ExpectedConfig:
    """What a webhook config promises, read independently from its YAML."""

    def __init__(self, name):
        raw = {}
        if name is not None:
            with open(config_path(name), encoding="utf-8") as f:
                raw = yaml.safe_load(f) or {}
        inj = raw.get("injector") or {}
        self.image = inj.get("image", "ghcr.io/memsecret/memsecret-injector:0.1.0")
        self.binary = inj.get("binaryPath", "/usr/local/bin/memsecret-injector")
        self.native = inj.get("nativeSidecar", True)
        self.extra_env = {e["name"]: e.get("value", "") for e in inj.get("env") or []}
        res = inj.get("resources") or {}
        self.limits_memory = (res.get("limits") or {}).get("memory", "16Mi")
        self.requests_memory = (res.get("requests") or {}).get("memory", "8Mi")
        self.size_limit = (raw.get("volume") or {}).get("sizeLimit", "1Mi")
        self.mount_path = raw.get("mountPath", "/var/run/secrets/memsecret")
        aws = raw.get("aws") or {}
        self.aws_audience = aws.get("tokenAudience", "sts.amazonaws.com")
        self.aws_role_arn = aws.get("roleArn", "")
        self.vault_audience = (raw.get("vault") or {}).get("tokenAudience", "vault")


# ------------------------------------------------------------- admission ---

_uid_counter = [0]


def next_uid():
    _uid_counter[0] += 1
    return "705ab4f5-6393-11e8-b7cc-42010a8000%02d" % (_uid_counter[0] % 100)


def make_review(pod, namespace, uid=None, dry_run=False, operation="CREATE", kind="Pod", group="", old=None):
    meta = (pod.get("metadata") or {}) if isinstance(pod, dict) else {}
    request = {
        "uid": uid or next_uid(),
        "kind": {"group": group, "version": "v1", "kind": kind},
        "resource": {"group": group, "version": "v1", "resource": kind.lower() + "s"},
        "requestKind": {"group": group, "version": "v1", "kind": kind},
        "requestResource": {"group": group, "version": "v1", "resource": kind.lower() + "s"},
        "name": meta.get("name", ""),
        "namespace": namespace,
        "operation": operation,
        "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                     "uid": "a1b2c3", "groups": ["system:serviceaccounts", "system:authenticated"]},
        "object": pod,
        "oldObject": old,
        "dryRun": dry_run,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
    }
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


class Admission:
    """One admit_tool run, decoded the way the apiserver decodes it."""

    def __init__(self, review, config, http_status, body):
        self.review = review
        self.uid = review["request"]["uid"]
        self.config = config
        self.http_status = http_status
        self.body = body
        self.answer = json.loads(body) if http_status == 200 else None
        self.response = (self.answer or {}).get("response")
        self.patch_text = None
        self.ops = None
        if self.response and "patch" in self.response:
            self.patch_text = base64.b64decode(self.response["patch"], validate=True).decode("utf-8")
            self.ops = json.loads(self.patch_text)

    @property
    def allowed(self):
        return bool(self.response and self.response.get("allowed") is True)


def run_admit(review, config=None):
    if not ADMIT_TOOL or not os.access(ADMIT_TOOL, os.X_OK):
        raise RuntimeError("admit_tool not found: set MEMSECRET_ADMIT_TOOL or pass --admit-tool (got %r)" % ADMIT_TOOL)
    argv = [ADMIT_TOOL] + ([config_path(config)] if config else [])
    proc = subprocess.run(argv, input=json.dumps(review).encode(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError("admit_tool exited %d: %s" % (proc.returncode, proc.stderr.decode(errors="replace")[:500]))
    out = proc.stdout.decode("utf-8")
    first, _, rest = out.partition("\n")
    return Admission(review, config, int(first.strip()), rest.strip())


def admit(pod, namespace, config=None, **kw):
    return run_admit(make_review(pod, namespace, **kw), config)


def apply_python(pod, ops):
    # python3-jsonpatch inserts `value` objects by reference: copy the ops so a
    # later op (e.g. an append to an array an earlier op added) cannot mutate them.
    return jsonpatch.JsonPatch(copy.deepcopy(ops)).apply(copy.deepcopy(pod))


def apply_kubectl(pod, ops):
    """`kubectl patch --local` (no cluster contact); returns the patched object."""
    with tempfile.TemporaryDirectory() as tmp:
        pod_file = os.path.join(tmp, "pod.json")
        with open(pod_file, "w", encoding="utf-8") as f:
            json.dump(pod, f)
        kubeconfig = os.path.join(tmp, "kubeconfig")  # never a real cluster
        with open(kubeconfig, "w", encoding="utf-8") as f:
            f.write("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
        env = dict(os.environ, KUBECONFIG=kubeconfig, HOME=tmp)
        proc = subprocess.run([KUBECTL, "patch", "--local", "-f", pod_file, "--type=json", "-p", json.dumps(ops),
                               "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60,
                              check=False)
        if proc.returncode != 0:
            raise AssertionError("kubectl patch --local failed: " + proc.stderr.decode(errors="replace")[:1000])
        return json.loads(proc.stdout)


# ---------------------------------------------------------------- helpers ---

def spec_list(pod, key):
    return ((pod.get("spec") or {}).get(key)) or []


def names(items):
    return [c.get("name") for c in items]


def walk(node, path=""):
    """Yields (path, key, value) for every object member in a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from walk(v, path + "/" + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + "/" + str(i))


def count_secret_uses(pod):
    """Secret volumes, projected secret sources, envFrom and secretKeyRef uses in a pod."""
    n = 0
    for _, key, value in walk(pod):
        if key in ("secretKeyRef", "envFrom"):
            n += 1
        if key == "secret" and isinstance(value, dict):
            n += 1
    return n


def env_map(container):
    return {e.get("name"): e for e in container.get("env") or []}


def effective(container, pod, key):
    sc = container.get("securityContext") or {}
    if key in sc:
        return sc[key]
    return ((pod.get("spec") or {}).get("securityContext") or {}).get(key)


def kubelet_fs_user(pod):
    """pkg/volume/util FsUserFrom: the one effective runAsUser of all init and
    regular containers, or None when any container states none or they differ."""
    fs_user = None
    for c in spec_list(pod, "initContainers") + spec_list(pod, "containers"):
        uid = effective(c, pod, "runAsUser")
        if uid is None or (fs_user is not None and fs_user != uid):
            return None
        fs_user = uid
    return fs_user


def token_file_readable(pod, volume, container):
    """Can `container` read the serviceAccountToken files of projected `volume`?

    Models kubelet (pkg/volume/projected collectData): with FsUser or FsGroup
    the token file is mode 0600 owned by FsUser (FsGroup later adds group read);
    otherwise it is owned by root:root with the volume's defaultMode (default 0644).
    """
    uid = effective(container, pod, "runAsUser")
    gid = effective(container, pod, "runAsGroup")
    pod_sc = (pod.get("spec") or {}).get("securityContext") or {}
    fs_group = pod_sc.get("fsGroup")
    groups = set(pod_sc.get("supplementalGroups") or []) | ({gid} if gid is not None else set())
    fs_user = kubelet_fs_user(pod)
    if fs_user is not None or fs_group is not None:
        if fs_user is not None and uid == fs_user:
            return True
        return fs_group is not None  # group-readable; fsGroup is a supplementary group of every container
    mode = volume["projected"].get("defaultMode", 0o644)
    if uid == 0:
        return True
    if 0 in groups and mode & 0o040:
        return True
    return bool(mode & 0o004)


# ------------------------------------------------------- scenario checks ---

class ScenarioChecks:
    """Contract checks shared by every patched-pod scenario. Subclasses set:
    POD, NAMESPACE, CONFIG, MODE ('native' | 'classic' | 'init'), APPS, INITS,
    AUDIENCES (sorted token audiences), RUN_AS_USER, RUN_AS_GROUP, MOUNT_PATH
    (None: the config's), FILES {name: ref}, SERVICE_ACCOUNT, MUTATE (optional
    callable editing the fixture)."""

    POD = CONFIG = NAMESPACE = None
    MODE = "native"
    APPS, INITS, AUDIENCES = [], [], []
    RUN_AS_USER, RUN_AS_GROUP = 65532, None
    MOUNT_PATH = None
    FILES = {}
    SERVICE_ACCOUNT = "default"
    MUTATE = None

    @classmethod
    def setUpClass(cls):
        cls.cfg = ExpectedConfig(cls.CONFIG)
        cls.mount_path = cls.MOUNT_PATH or cls.cfg.mount_path
        pod = load_pod(cls.POD)
        if cls.MUTATE is not None:
            cls.MUTATE(pod)
        cls.original = pod
        cls.adm = admit(copy.deepcopy(pod), cls.NAMESPACE, cls.CONFIG)
        cls.patched = None
        cls.apply_error = None
        if cls.adm.ops is not None:
            try:
                cls.patched = apply_python(pod, cls.adm.ops)
            except Exception as e:  # reported by test_patch_applies
                cls.apply_error = e

    # -- accessors ------------------------------------------------------------
    def require_patched(self):
        self.assertEqual(self.adm.http_status, 200, self.adm.body[:500])
        self.assertTrue(self.adm.allowed, "expected allowed with a patch, got %s" % json.dumps(self.adm.response)[:800])
        self.assertIsNotNone(self.adm.ops, "allowed without a patch")
        self.assertIsNone(self.apply_error, "python3-jsonpatch could not apply the patch: %r" % self.apply_error)
        return self.patched

    def new_items(self, key):
        orig = set(names(spec_list(self.original, key)))
        return [c for c in spec_list(self.require_patched(), key) if c.get("name") not in orig]

    def injectors(self):
        return self.new_items("initContainers") + self.new_items("containers")

    def new_volumes(self):
        return self.new_items("volumes")

    def tmpfs_volume(self):
        vols = [v for v in self.new_volumes() if "emptyDir" in v]
        self.assertEqual(len(vols), 1, "expected exactly one new emptyDir volume, got %s" % vols)
        return vols[0]

    def token_volumes(self):
        return [v for v in self.new_volumes() if "projected" in v]

    def plan(self, container=None):
        container = container or self.injectors()[0]
        env = env_map(container)
        self.assertIn("MEMSECRET_PLAN", env)
        self.assertIn("value", env["MEMSECRET_PLAN"])
        return json.loads(env["MEMSECRET_PLAN"]["value"])

    # -- apiserver-side response checks ----------------------------------------
    def test_response_envelope(self):
        a = self.adm
        self.assertEqual(a.http_status, 200)
        self.assertEqual(a.answer.get("apiVersion"), "admission.k8s.io/v1")
        self.assertEqual(a.answer.get("kind"), "AdmissionReview")
        self.assertEqual(a.response.get("uid"), a.uid)
        self.assertIs(a.response.get("allowed"), True)
        self.assertEqual("patch" in a.response, "patchType" in a.response, "patch and patchType must come together")
        self.assertEqual(a.response.get("patchType"), "JSONPatch")
        self.assertRegex(a.response["patch"], STD_BASE64, "patch must be standard, padded base64")
        self.assertIsInstance(a.ops, list)
        self.assertTrue(a.ops, "empty patch")
        for op in a.ops:
            self.assertIsInstance(op, dict)
            self.assertIn(op.get("op"), ("add", "remove", "replace", "move", "copy", "test"))
            self.assertIsInstance(op.get("path"), str)
            self.assertTrue(op["path"].startswith("/"), op["path"])
        for w in a.response.get("warnings") or []:
            self.assertLessEqual(len(w), 120, "warning longer than 120 chars: %r" % w)

    def test_patch_applies(self):
        self.require_patched()

    def test_status_annotation(self):
        patched = self.require_patched()
        self.assertEqual(patched["metadata"]["annotations"].get(STATUS_ANNOTATION), "injected")
        paths = [op["path"] for op in self.adm.ops]
        if (self.original.get("metadata") or {}).get("annotations"):
            self.assertIn(STATUS_POINTER, paths, "status annotation must be added at the RFC 6901-escaped pointer")
        for p in paths:
            self.assertNotIn("memsecret.io/status", p, "unescaped '/' in a JSON Pointer token")

    # -- structural invariants ----------------------------------------------------
    def test_container_names_unique(self):
        patched = self.require_patched()
        all_names = (names(spec_list(patched, "containers")) + names(spec_list(patched, "initContainers"))
                     + names(spec_list(patched, "ephemeralContainers")))
        self.assertEqual(len(all_names), len(set(all_names)), "duplicate container names: %s" % all_names)
        self.assertTrue(all(isinstance(n, str) and n for n in all_names))

    def test_volume_names_unique_and_every_mount_has_a_volume(self):
        patched = self.require_patched()
        vols = names(spec_list(patched, "volumes"))
        self.assertEqual(len(vols), len(set(vols)), "duplicate volume names: %s" % vols)
        for c in spec_list(patched, "initContainers") + spec_list(patched, "containers"):
            for m in c.get("volumeMounts") or []:
                self.assertIn(m["name"], vols, "container %s mounts unknown volume %s" % (c["name"], m["name"]))
            paths = [m["mountPath"] for m in c.get("volumeMounts") or []]
            self.assertEqual(len(paths), len(set(paths)), "container %s mounts twice at one path" % c["name"])

    def test_tmpfs_volume(self):
        v = self.tmpfs_volume()
        self.assertEqual(set(v), {"name", "emptyDir"})
        self.assertEqual(v["emptyDir"], {"medium": "Memory", "sizeLimit": self.cfg.size_limit})
        self.assertTrue(v["name"] == "memsecret" or v["name"].startswith("memsecret-"), v["name"])
        others = [x for x in self.new_volumes() if x is not v and "projected" not in x]
        self.assertEqual(others, [], "unexpected new volumes")

    def test_no_secret_objects_or_values_added(self):
        patched = self.require_patched()
        self.assertEqual(count_secret_uses(patched), count_secret_uses(self.original),
                         "a Secret volume, envFrom or secretKeyRef was added")
        for v in self.new_volumes():
            self.assertNotIn("secret", v)
            for src in (v.get("projected") or {}).get("sources", []):
                self.assertEqual(set(src), {"serviceAccountToken"}, "projected source other than a SA token")
        # App env values (fake canaries in the fixtures) must not be copied anywhere new.
        for c in spec_list(self.original, "containers") + spec_list(self.original, "initContainers"):
            for e in c.get("env") or []:
                if isinstance(e.get("value"), str) and e["value"].startswith("canary-"):
                    self.assertNotIn(e["value"], self.adm.patch_text, "an app env value was copied into the patch")

    def test_app_containers_mount_read_only(self):
        patched = self.require_patched()
        vol = self.tmpfs_volume()["name"]
        injector_names = set(names(self.injectors()))
        expected = {"containers": set(self.APPS), "initContainers": set(self.INITS)}
        for key, selected in expected.items():
            for c in spec_list(patched, key):
                if c["name"] in injector_names:
                    continue
                mounts = [m for m in c.get("volumeMounts") or [] if m["name"] == vol]
                if c["name"] in selected:
                    self.assertEqual(len(mounts), 1, "%s should mount %s once" % (c["name"], vol))
                    self.assertEqual(mounts[0]["mountPath"], self.mount_path)
                    self.assertIs(mounts[0].get("readOnly"), True, "%s mount must be read-only" % c["name"])
                    self.assertNotIn("subPath", mounts[0])
                else:
                    self.assertEqual(mounts, [], "%s was not selected but mounts %s" % (c["name"], vol))

    def test_injector_layout(self):
        patched = self.require_patched()
        inits, regular = self.new_items("initContainers"), self.new_items("containers")
        first = spec_list(patched, "initContainers")[0]
        binary = self.cfg.binary
        if self.MODE == "native":
            self.assertEqual(len(inits), 1)
            self.assertEqual(regular, [], "native sidecar mode must not add a regular container")
            inj = inits[0]
            self.assertTrue(inj["name"] == "memsecret-injector" or inj["name"].startswith("memsecret-injector-"))
            self.assertEqual(inj.get("restartPolicy"), "Always")
            # Started = the postStart hook returned (the first complete write);
            # a startupProbe would delay the app to the prober's next tick.
            hook = (inj.get("lifecycle") or {}).get("postStart") or {}
            self.assertEqual((hook.get("exec") or {}).get("command"), [binary, "probe", "--wait", "300s"])
            self.assertNotIn("startupProbe", inj)
            self.assertEqual((inj.get("command") or []) + (inj.get("args") or []), [binary, "run"])
        elif self.MODE == "classic":
            self.assertEqual(len(inits), 1)
            self.assertEqual(len(regular), 1)
            init, side = inits[0], regular[0]
            self.assertTrue(init["name"] == "memsecret-init" or init["name"].startswith("memsecret-init-"))
            self.assertTrue(side["name"] == "memsecret-injector" or side["name"].startswith("memsecret-injector-"))
            self.assertNotIn("restartPolicy", init)
            self.assertNotIn("restartPolicy", side)
            self.assertEqual((init.get("command") or []) + (init.get("args") or [])[:1], [binary, "run"])
            self.assertEqual((side.get("command") or []) + (side.get("args") or []), [binary, "run"])
            self.assertEqual(spec_list(patched, "containers")[-1]["name"], side["name"])
        else:  # lifecycle: init
            self.assertEqual(len(inits), 1)
            self.assertEqual(regular, [], "lifecycle init must add only the init container")
            init = inits[0]
            self.assertTrue(init["name"] == "memsecret-init" or init["name"].startswith("memsecret-init-"))
            self.assertNotIn("restartPolicy", init)
            self.assertNotIn("startupProbe", init)
            self.assertNotIn("lifecycle", init)
            self.assertEqual((init.get("command") or []) + (init.get("args") or [])[:1], [binary, "run"])
        self.assertEqual(first["name"], inits[0]["name"], "the injector init container must be first")
        for inj in self.injectors():
            self.assertEqual(inj.get("image"), self.cfg.image)
            res = inj.get("resources") or {}
            self.assertEqual((res.get("limits") or {}).get("memory"), self.cfg.limits_memory)
            self.assertEqual((res.get("requests") or {}).get("memory"), self.cfg.requests_memory)
            self.assertNotIn("envFrom", inj)
            mounts = {m["name"]: m for m in inj.get("volumeMounts") or []}
            tmpfs = mounts.get(self.tmpfs_volume()["name"])
            self.assertIsNotNone(tmpfs, "injector %s does not mount the tmpfs" % inj["name"])
            self.assertEqual(tmpfs["mountPath"], self.mount_path)
            self.assertFalse(tmpfs.get("readOnly", False), "the injector must be able to write")
            env = env_map(inj)
            for name, e in env.items():
                self.assertNotIn("secretKeyRef", e.get("valueFrom") or {})
            for name, value in self.cfg.extra_env.items():
                self.assertEqual(env.get(name, {}).get("value"), value, "config injector.env %s missing" % name)

    def test_injector_security_context(self):
        for inj in self.injectors():
            sc = inj.get("securityContext") or {}
            self.assertIs(sc.get("runAsNonRoot"), True)
            self.assertIs(sc.get("readOnlyRootFilesystem"), True)
            self.assertIs(sc.get("allowPrivilegeEscalation"), False)
            self.assertIn(sc.get("privileged"), (None, False))
            self.assertEqual((sc.get("capabilities") or {}).get("drop"), ["ALL"])
            self.assertFalse((sc.get("capabilities") or {}).get("add"))
            self.assertEqual((sc.get("seccompProfile") or {}).get("type"), "RuntimeDefault")
            # Effective identity: the injector's own securityContext, else the pod's.
            patched = self.require_patched()
            self.assertIsNotNone(sc.get("runAsUser"), "the injector must state its UID (runAsNonRoot needs one)")
            self.assertEqual(effective(inj, patched, "runAsUser"), self.RUN_AS_USER)
            self.assertNotEqual(sc.get("runAsUser"), 0)
            self.assertEqual(effective(inj, patched, "runAsGroup"), self.RUN_AS_GROUP)

    def test_service_account_token_volume(self):
        patched = self.require_patched()
        vols = self.token_volumes()
        if not self.AUDIENCES:
            self.assertEqual(vols, [], "no backend needs a token, yet a projected volume was added")
            for inj in self.injectors():
                self.assertEqual(names(inj.get("volumeMounts") or []), [self.tmpfs_volume()["name"]])
            return
        self.assertEqual(len(vols), 1, "expected one projected service-account token volume")
        vol = vols[0]
        sources = vol["projected"]["sources"]
        self.assertEqual(sorted(s["serviceAccountToken"]["audience"] for s in sources), sorted(self.AUDIENCES))
        for s in sources:
            t = s["serviceAccountToken"]
            self.assertGreaterEqual(t.get("expirationSeconds", 3600), SA_TOKEN_MIN_EXPIRATION)
            self.assertTrue(t["path"] and "/" not in t["path"] and not t["path"].startswith("."))
        self.assertEqual(len({s["serviceAccountToken"]["path"] for s in sources}), len(sources))
        injector_names = set(names(self.injectors()))
        for c in spec_list(patched, "initContainers") + spec_list(patched, "containers"):
            mounts = [m for m in c.get("volumeMounts") or [] if m["name"] == vol["name"]]
            if c["name"] in injector_names:
                self.assertEqual(len(mounts), 1, "injector %s must mount the token volume" % c["name"])
                self.assertIs(mounts[0].get("readOnly"), True)
            else:
                self.assertEqual(mounts, [], "the SA token volume is mounted into app container %s" % c["name"])

    def test_token_readable_by_injector(self):
        patched = self.require_patched()
        for vol in self.token_volumes():
            for inj in self.injectors():
                self.assertTrue(token_file_readable(patched, vol, inj),
                                "kubelet would write the %s token files as root:root mode %s; injector %s "
                                "(runAsUser %s, no fsGroup) cannot read them" % (
                                    vol["name"], oct(vol["projected"].get("defaultMode", 0o644)), inj["name"],
                                    effective(inj, patched, "runAsUser")))

    def test_selected_containers_can_read_files(self):
        """Every selected container whose UID the pod states can read every planned file.

        Model: the injector creates the files as its effective UID with the
        planned mode; in an emptyDir with fsGroup the files inherit the fsGroup
        (setgid directory), otherwise the injector's effective GID."""
        patched = self.require_patched()
        inj = self.injectors()[0]
        inj_uid = effective(inj, patched, "runAsUser")
        pod_sc = patched["spec"].get("securityContext") or {}
        fs_group = pod_sc.get("fsGroup")
        file_group = fs_group if fs_group is not None else effective(inj, patched, "runAsGroup")
        modes = {f["name"]: int(f["mode"], 8) for f in self.plan(inj)["files"]}
        for key, selected in (("containers", self.APPS), ("initContainers", self.INITS)):
            for c in spec_list(patched, key):
                if c["name"] not in selected:
                    continue
                uid = effective(c, patched, "runAsUser")
                if uid is None:
                    continue  # the image decides; the webhook can only warn
                groups = set(pod_sc.get("supplementalGroups") or [])
                groups |= {g for g in (effective(c, patched, "runAsGroup"), fs_group) if g is not None}
                for name, mode in modes.items():
                    readable = (uid == 0 or (uid == inj_uid and mode & 0o400)
                                or (mode & 0o040 and file_group is not None and file_group in groups)
                                or mode & 0o004)
                    self.assertTrue(readable, "%s (UID %s) cannot read %s: written by UID %s, group %s, mode %04o" % (
                        c["name"], uid, name, inj_uid, file_group, mode))

    def test_plan(self):
        injectors = self.injectors()
        plan = self.plan(injectors[0])
        for other in injectors[1:]:
            self.assertEqual(self.plan(other), plan, "injector containers carry different plans")
        for path, key, value in walk(plan):
            self.assertNotIn(key.lower(), VALUE_LIKE_KEYS, "value-like field %s/%s in MEMSECRET_PLAN" % (path, key))
        self.assertEqual(plan.get("outputDir"), self.mount_path)
        self.assertEqual(plan.get("lifecycle"), "init" if self.MODE == "init" else "sidecar")
        pod = plan.get("pod") or {}
        self.assertEqual(pod.get("namespace"), self.NAMESPACE)
        self.assertEqual(pod.get("serviceAccount"), self.SERVICE_ACCOUNT)
        files = {f["name"]: f for f in plan.get("files") or []}
        self.assertEqual(set(files), set(self.FILES))
        for name, ref in self.FILES.items():
            self.assertEqual(files[name]["ref"], ref)
        # Token files the plan points at are where the projected volume puts them.
        vols = self.token_volumes()
        token_files = []
        if (plan.get("aws") or {}).get("webIdentityTokenFile"):
            token_files.append((plan["aws"]["webIdentityTokenFile"], self.cfg.aws_audience))
        if plan.get("vault"):
            token_files.append((plan["vault"].get("tokenFile", ""), self.cfg.vault_audience))
        self.assertEqual(sorted(a for _, a in token_files), sorted(self.AUDIENCES))
        for path, audience in token_files:
            self.assertEqual(len(vols), 1)
            mount = [m for m in injectors[0]["volumeMounts"] if m["name"] == vols[0]["name"]][0]
            d, _, f = path.rpartition("/")
            self.assertEqual(d, mount["mountPath"].rstrip("/"), "plan token file outside the token mount")
            src = [s["serviceAccountToken"] for s in vols[0]["projected"]["sources"]
                   if s["serviceAccountToken"]["path"] == f]
            self.assertEqual(len(src), 1, "plan names token file %s that the volume does not project" % f)
            self.assertEqual(src[0]["audience"], audience)

    def test_originals_untouched(self):
        """Removing exactly what the contract allows the webhook to add gives back the original pod."""
        patched = copy.deepcopy(self.require_patched())
        original = self.original
        new_vol_names = set(names(self.new_volumes()))
        for key in ("initContainers", "containers"):
            orig_names = names(spec_list(original, key))
            kept = [c for c in spec_list(patched, key) if c.get("name") in orig_names]
            self.assertEqual(names(kept), orig_names, "original %s reordered or lost" % key)
            for c in kept:
                if "volumeMounts" in c:
                    c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] not in new_vol_names]
                    orig_c = [o for o in spec_list(original, key) if o["name"] == c["name"]][0]
                    if not c["volumeMounts"] and "volumeMounts" not in orig_c:
                        del c["volumeMounts"]
            if key in patched["spec"]:
                if kept or key in original.get("spec", {}):
                    patched["spec"][key] = kept
                else:
                    del patched["spec"][key]
        vols = [v for v in spec_list(patched, "volumes") if v["name"] not in new_vol_names]
        self.assertEqual(vols, spec_list(original, "volumes"), "original volumes changed or reordered")
        if "volumes" in patched["spec"]:
            if "volumes" in original.get("spec", {}):
                patched["spec"]["volumes"] = vols
            else:
                self.assertEqual(vols, [])
                del patched["spec"]["volumes"]
        ann = patched["metadata"].get("annotations") or {}
        ann.pop(STATUS_ANNOTATION, None)
        if not ann and "annotations" not in original.get("metadata", {}):
            patched["metadata"].pop("annotations", None)
        self.assertEqual(patched, original)

    def test_idempotent_resubmission(self):
        patched = self.require_patched()
        again = admit(copy.deepcopy(patched), self.NAMESPACE, self.CONFIG)
        self.assertEqual(again.http_status, 200)
        self.assertTrue(again.allowed, again.body[:500])
        self.assertNotIn("patch", again.response)
        self.assertNotIn("patchType", again.response)
        self.assertEqual(again.response["uid"], again.uid)

    def test_dry_run_same_answer(self):
        uid = next_uid()
        wet = admit(copy.deepcopy(self.original), self.NAMESPACE, self.CONFIG, uid=uid, dry_run=False)
        dry = admit(copy.deepcopy(self.original), self.NAMESPACE, self.CONFIG, uid=uid, dry_run=True)
        self.assertEqual(dry.http_status, wet.http_status)
        self.assertEqual(dry.answer, wet.answer)

    def test_kubectl_patch_agrees(self):
        if KUBECTL is None:
            self.skipTest("kubectl not on PATH: skipping the `kubectl patch --local --type=json` cross-check "
                          "(python3-jsonpatch result still verified)")
        patched = self.require_patched()
        self.assertEqual(apply_kubectl(self.original, self.adm.ops), patched,
                         "kubectl and python3-jsonpatch disagree on the patched pod")


# ---------------------------------------------------------- the scenarios ---

CRM_FILES = {
    "db-password": "aws:/genesys/production/crm-sync-service/postgres#password",
    "salesforce.json": "aws:/genesys/production/crm-sync-service/salesforce-connected-app",
    "genesys-token": "aws:/genesys/production/crm-sync-service/oauth-client-secret",
}


class CrmSyncNativeSidecar(ScenarioChecks, unittest.TestCase):
    """Deployment pod, 3 containers, AWS with a role ARN annotation, Genesys token, native sidecar."""
    POD, NAMESPACE, CONFIG = "crm-sync-service", "crm-sync", "contact-centre"
    MODE = "native"
    APPS = ["crm-sync", "outbox-relay"]
    AUDIENCES = ["sts.amazonaws.com"]
    RUN_AS_USER, RUN_AS_GROUP = 10001, 10001
    FILES = CRM_FILES
    SERVICE_ACCOUNT = "crm-sync-service"

    def test_generate_name_pod(self):
        patched = self.require_patched()
        self.assertEqual(self.adm.review["request"]["name"], "")
        self.assertNotIn("name", patched["metadata"])
        self.assertEqual(patched["metadata"]["generateName"], "crm-sync-service-7d9f8b6c4-")
        self.assertEqual(self.plan()["pod"].get("name", ""), "")
        for op in self.adm.ops:
            self.assertFalse(op["path"].startswith("/metadata/name"), op["path"])
        env = env_map(self.injectors()[0])
        self.assertEqual(env["MEMSECRET_POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")

    def test_plan_details(self):
        plan = self.plan()
        self.assertEqual(plan["aws"]["roleArn"], "arn:aws:iam::123456789012:role/crm-sync-service")
        self.assertEqual(plan["aws"]["region"], "eu-west-1")
        self.assertEqual(plan["refreshIntervalSeconds"], 600)
        files = {f["name"]: f for f in plan["files"]}
        self.assertEqual(files["genesys-token"]["kind"], "token")
        self.assertEqual(files["genesys-token"]["token"]["issuer"], "genesys:mypurecloud.ie")
        self.assertEqual(files["genesys-token"]["token"].get("scope"), "users:readonly conversations")
        self.assertEqual(files["salesforce.json"]["format"], "json")
        self.assertEqual(files["salesforce.json"]["mode"], "0440")
        self.assertEqual(files["db-password"]["mode"], "0400")

    def test_app_commands_and_env_untouched(self):
        patched = self.require_patched()
        for orig in spec_list(self.original, "containers"):
            got = [c for c in spec_list(patched, "containers") if c["name"] == orig["name"]][0]
            for key in ("command", "args", "env", "image", "ports", "resources"):
                self.assertEqual(got.get(key), orig.get(key), "%s.%s changed" % (orig["name"], key))


class CrmSyncClassic(CrmSyncNativeSidecar):
    """Same pod, config injector.nativeSidecar: false."""
    CONFIG = "classic"
    MODE = "classic"

    def test_init_runs_once(self):
        init = self.new_items("initContainers")[0]
        self.assertIn("--once", init.get("args") or [], "the classic init container must exit after the first write")
        side = self.new_items("containers")[0]
        self.assertNotIn("--once", side.get("args") or [])


class CxonePipelineJobVaultInit(ScenarioChecks, unittest.TestCase):
    """Job pod, Vault KV v2, CXone token, lifecycle: init, custom mount path, namespace only in the request."""
    POD, NAMESPACE, CONFIG = "cxone-pipeline-job", "cx-analytics", "contact-centre"
    MODE = "init"
    APPS = ["extract"]
    AUDIENCES = ["vault-cx"]
    RUN_AS_USER, RUN_AS_GROUP = 4100, 4100
    MOUNT_PATH = "/run/cx-secrets"
    FILES = {
        "cxone-token": "vault:secret/genesys/cx-analytics/cxone-access-key",
        "warehouse.env": "vault:secret/genesys/cx-analytics/warehouse?version=3",
    }
    SERVICE_ACCOUNT = "cx-pipeline"

    def test_vault_settings(self):
        plan = self.plan()
        self.assertEqual(plan["vault"]["addr"], "https://vault.vault.svc:8200")
        self.assertEqual(plan["vault"]["role"], "cx-pipeline")
        self.assertEqual(plan["vault"]["authPath"], "kubernetes")
        self.assertNotIn("aws", plan)
        files = {f["name"]: f for f in plan["files"]}
        self.assertEqual(files["cxone-token"]["token"]["issuer"], "cxone")
        self.assertEqual(files["warehouse.env"]["format"], "env")


class BarePod(ScenarioChecks, unittest.TestCase):
    """No volumes, no initContainers, no volumeMounts, no securityContext, AWS without a role."""
    POD, NAMESPACE, CONFIG = "bare-pod", "ivr", "contact-centre"
    APPS = ["bot"]
    AUDIENCES = []
    RUN_AS_USER, RUN_AS_GROUP = 65532, None
    FILES = {"api-key": "aws:/genesys/ivr/ivr-bot/callback-api-key#apiKey"}
    SERVICE_ACCOUNT = "ivr-bot"

    def test_missing_arrays_created_whole(self):
        ops = {op["path"]: op for op in self.adm.ops}
        for path in ("/spec/volumes", "/spec/initContainers", "/spec/containers/0/volumeMounts"):
            self.assertIn(path, ops, "%s must be added whole (its parent array is absent)" % path)
            self.assertEqual(ops[path]["op"], "add")
            self.assertIsInstance(ops[path]["value"], list)
        order = [op["path"] for op in self.adm.ops]
        for parent in ("/spec/volumes", "/spec/initContainers", "/spec/containers/0/volumeMounts"):
            created = order.index(parent)
            for i, path in enumerate(order):
                if path.startswith(parent + "/"):
                    self.assertGreater(i, created, "%s used before %s was created" % (path, parent))

    def test_no_uid_warning(self):
        self.assertTrue(any("65532" in w for w in self.adm.response.get("warnings") or []),
                        "a pod without runAsUser should get a warning naming the injector UID")


class BarePodAwsRoleFromConfig(BarePod):
    """Same pod; the config names an IRSA role and a custom binary path."""
    CONFIG = "aws-role"
    AUDIENCES = ["sts.amazonaws.com"]

    def test_role_from_config(self):
        plan = self.plan()
        self.assertEqual(plan["aws"]["roleArn"], "arn:aws:iam::123456789012:role/memsecret-crm-sync")
        self.assertEqual(plan["aws"]["region"], "us-east-1")

    def test_token_readable_by_injector(self):
        super().test_token_readable_by_injector()


class ExistingNamesNative(ScenarioChecks, unittest.TestCase):
    """Existing volumes memsecret / memsecret-sa-token, containers memsecret-injector / memsecret-init,
    an init container that needs the secrets."""
    POD, NAMESPACE, CONFIG = "existing-memsecret", "wfm", "contact-centre"
    MODE = "native"
    APPS = ["forecaster"]
    INITS = ["db-migrate"]
    AUDIENCES = ["vault-cx"]
    RUN_AS_USER, RUN_AS_GROUP = 20000, 20000
    FILES = {
        "db-password": "aws:/genesys/wfm/wfm-forecaster/postgres#password",
        "genesys-token": "vault:secret/genesys/wfm/genesys-oauth-client",
    }
    SERVICE_ACCOUNT = "wfm-forecaster"

    def test_suffixed_names(self):
        patched = self.require_patched()
        self.assertNotEqual(self.tmpfs_volume()["name"], "memsecret")
        self.assertNotIn(self.token_volumes()[0]["name"], ("memsecret", "memsecret-sa-token"))
        for inj in self.injectors():
            self.assertNotIn(inj["name"], ("memsecret-injector", "memsecret-init"))
        # The legacy volume and its mounts are exactly as they were.
        legacy = [v for v in spec_list(patched, "volumes") if v["name"] == "memsecret"]
        self.assertEqual(legacy, [{"name": "memsecret", "emptyDir": {}}])

    def test_secret_reader_init_container_runs_after_injector(self):
        patched = self.require_patched()
        order = names(spec_list(patched, "initContainers"))
        self.assertLess(order.index(self.injectors()[0]["name"]), order.index("db-migrate"))

    def test_other_annotations_untouched(self):
        patched = self.require_patched()
        self.assertEqual(patched["metadata"]["annotations"]["example.com/owner"], "team-wfm~forecasting")


class ExistingNamesClassic(ExistingNamesNative):
    CONFIG = "classic"
    MODE = "classic"


class RunAsUserOverride(ScenarioChecks, unittest.TestCase):
    """Pod runAsUser 1000 / runAsGroup 3000, container override runAsUser 2000."""
    POD, NAMESPACE, CONFIG = "run-as-user", "agent-desktop", "contact-centre"
    APPS = ["api"]
    AUDIENCES = ["vault-cx"]
    RUN_AS_USER, RUN_AS_GROUP = 2000, 3000
    FILES = {"session-key": "vault:secret/genesys/agent-desktop/session-key#key"}
    SERVICE_ACCOUNT = "agent-desktop-api"


def _only_init_container_selected(pod):
    pod["metadata"]["annotations"]["memsecret.io/containers"] = "db-migrate"


class InitContainerOnlySelected(ExistingNamesNative):
    """Only the init container db-migrate reads the secrets; the pod states runAsUser/runAsGroup 20000."""
    MUTATE = staticmethod(_only_init_container_selected)
    APPS = []
    INITS = ["db-migrate"]

    def test_injector_security_context(self):
        super().test_injector_security_context()

    def test_token_readable_by_injector(self):
        super().test_token_readable_by_injector()

    def test_selected_containers_can_read_files(self):
        super().test_selected_containers_can_read_files()


def _empty_arrays(pod):
    pod["spec"]["volumes"] = []
    pod["spec"]["initContainers"] = []
    pod["spec"]["containers"][0]["volumeMounts"] = []


class BarePodEmptyArrays(ScenarioChecks, unittest.TestCase):
    """Arrays present but empty (as hand-written manifests have them): inserts into empty arrays."""
    POD, NAMESPACE, CONFIG = "bare-pod", "ivr", "contact-centre"
    MUTATE = staticmethod(_empty_arrays)
    APPS = ["bot"]
    FILES = BarePod.FILES
    SERVICE_ACCOUNT = "ivr-bot"


def _only_container_group(pod):
    pod["spec"]["securityContext"] = {"fsGroup": 3000}
    pod["spec"]["containers"][0]["securityContext"] = {"runAsGroup": 3000}


class RunAsGroupOnly(ScenarioChecks, unittest.TestCase):
    """The app container states only runAsGroup (the image sets the UID): the injector keeps the app's GID."""
    POD, NAMESPACE, CONFIG = "run-as-user", "agent-desktop", "contact-centre"
    MUTATE = staticmethod(_only_container_group)
    APPS = ["api"]
    AUDIENCES = ["vault-cx"]
    RUN_AS_USER, RUN_AS_GROUP = 65532, 3000
    FILES = RunAsUserOverride.FILES
    SERVICE_ACCOUNT = "agent-desktop-api"

    def test_injector_security_context(self):
        super().test_injector_security_context()


def _metadata_namespace_differs(pod):
    pod["metadata"]["namespace"] = "some-other-namespace"


class RequestNamespaceIsAuthoritative(BarePod):
    """metadata.namespace disagrees with request.namespace: the request wins (policy and plan)."""
    MUTATE = staticmethod(_metadata_namespace_differs)


# ------------------------------------------------------------- responses ---

class ResponseTests(unittest.TestCase):
    def check_envelope(self, a):
        self.assertEqual(a.http_status, 200, a.body[:300])
        self.assertEqual(a.answer["apiVersion"], "admission.k8s.io/v1")
        self.assertEqual(a.answer["kind"], "AdmissionReview")
        self.assertEqual(a.response["uid"], a.uid)
        self.assertIsInstance(a.response["allowed"], bool)
        self.assertEqual("patch" in a.response, "patchType" in a.response)

    def check_unchanged(self, a):
        self.check_envelope(a)
        self.assertIs(a.response["allowed"], True)
        self.assertNotIn("patch", a.response)
        self.assertNotIn("patchType", a.response)

    def test_not_opted_in_unchanged(self):
        self.check_unchanged(admit(load_pod("not-opted-in"), "crm-sync", "contact-centre"))

    def test_label_false_unchanged(self):
        pod = load_pod("bare-pod")
        pod["metadata"]["labels"]["memsecret.io/inject"] = "false"
        self.check_unchanged(admit(pod, "ivr", "contact-centre"))

    def test_already_injected_unchanged(self):
        pod = load_pod("bare-pod")
        pod["metadata"]["annotations"][STATUS_ANNOTATION] = "injected"
        self.check_unchanged(admit(pod, "ivr", "contact-centre"))

    def test_update_unchanged(self):
        pod = load_pod("bare-pod")
        self.check_unchanged(admit(pod, "ivr", "contact-centre", operation="UPDATE", old=copy.deepcopy(pod)))

    def test_non_pod_unchanged(self):
        deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x", "namespace": "ivr"},
                  "spec": {}}
        self.check_unchanged(admit(deploy, "ivr", "contact-centre", kind="Deployment", group="apps"))

    def test_uid_echoed_verbatim(self):
        a = admit(load_pod("bare-pod"), "ivr", "contact-centre", uid="0b7f7c9e-uid-with/odd~chars")
        self.check_envelope(a)
        self.assertEqual(a.response["uid"], "0b7f7c9e-uid-with/odd~chars")

    def test_wrong_review_version_is_http_400(self):
        review = make_review(load_pod("bare-pod"), "ivr")
        review["apiVersion"] = "admission.k8s.io/v1beta1"
        self.assertEqual(run_admit(review, "contact-centre").http_status, 400)

    def test_default_config_denies_without_policy(self):
        a = admit(load_pod("bare-pod"), "ivr", None)
        self.check_envelope(a)
        self.assertIs(a.response["allowed"], False)
        self.assertEqual(a.response["status"]["code"], 403)


class DenialTests(unittest.TestCase):
    def denied(self, pod, namespace, config="contact-centre", code=None):
        a = admit(pod, namespace, config)
        self.assertEqual(a.http_status, 200, a.body[:300])
        self.assertEqual(a.answer["apiVersion"], "admission.k8s.io/v1")
        self.assertEqual(a.answer["kind"], "AdmissionReview")
        self.assertEqual(a.response["uid"], a.uid)
        self.assertIs(a.response["allowed"], False)
        self.assertNotIn("patch", a.response)
        self.assertNotIn("patchType", a.response)
        status = a.response["status"]
        self.assertIsInstance(status.get("message"), str)
        self.assertTrue(status["message"])
        if code is not None:
            self.assertEqual(status.get("code"), code, status.get("message"))
        return status

    def assert_names_all(self, message, needles):
        for n in needles:
            self.assertIn(n, message, "denial message does not name %r" % n)

    def test_bad_annotations_400_names_every_problem(self):
        status = self.denied(load_pod("bad-annotations"), "crm-sync", code=400)
        self.assert_names_all(status["message"], [
            "memsecret.io/secert-db-password",  # typo: unknown annotation
            "memsecret.io/mode-api-key",         # 0777
            "memsecret.io/issuer-genesys-token",  # token without issuer
            "memsecret.io/lifecycle",            # "forever"
        ])

    def test_policy_denied_403_names_every_problem(self):
        status = self.denied(load_pod("policy-denied"), "crm-sync", code=403)
        self.assert_names_all(status["message"], [
            "aws:/genesys/production/billing-service/postgres",
            "vault:secret/genesys/crm-sync/other",
            "https://vault.attacker.example:8200",
        ])
        self.assertNotIn("crm-sync-service/api", status["message"], "an allowed ref was reported as denied")

    def test_invalid_and_forbidden_together(self):
        pod = load_pod("policy-denied")
        pod["metadata"]["annotations"]["memsecret.io/refresh-interval"] = "often"
        status = self.denied(pod, "crm-sync", code=400)
        self.assert_names_all(status["message"], ["memsecret.io/refresh-interval", "billing-service"])

    def test_no_annotations_map_denied(self):
        status = self.denied(load_pod("no-annotations"), "crm-sync", code=400)
        self.assertIn("secret-", status["message"])

    def test_unknown_container_denied(self):
        pod = load_pod("crm-sync-service")
        pod["metadata"]["annotations"]["memsecret.io/containers"] = "crm-sync, crm-sink"
        status = self.denied(pod, "crm-sync", code=400)
        self.assertIn("crm-sink", status["message"])

    def test_mount_path_collision_denied(self):
        pod = load_pod("bare-pod")
        pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "x", "mountPath": "/var/run/secrets/memsecret"}]
        pod["spec"]["volumes"] = [{"name": "x", "emptyDir": {}}]
        status = self.denied(pod, "ivr", code=400)
        self.assertIn("/var/run/secrets/memsecret", status["message"])

    def test_policy_uses_request_namespace(self):
        pod = load_pod("bare-pod")  # metadata.namespace ivr, refs under aws:/genesys/ivr/...
        status = self.denied(pod, "contact-centre-sandbox", code=403)
        self.assertIn("aws:/genesys/ivr/ivr-bot/callback-api-key", status["message"])

    def test_dry_run_denial_same_answer(self):
        uid = next_uid()
        wet = admit(load_pod("policy-denied"), "crm-sync", "contact-centre", uid=uid)
        dry = admit(load_pod("policy-denied"), "crm-sync", "contact-centre", uid=uid, dry_run=True)
        self.assertEqual(dry.answer, wet.answer)


if __name__ == "__main__":
    if not ADMIT_TOOL:
        sys.stderr.write("patch_independent_test.py: set MEMSECRET_ADMIT_TOOL or pass --admit-tool PATH\n")
        sys.exit(2)
    # A skipped cross-check (no kubectl) makes the whole test "Skipped" for
    # ctest (exit 77, SKIP_RETURN_CODE), never a pass; a failure still fails.
    result = unittest.main(exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped:
        print("SKIP: %d case(s) skipped: %s" % (len(result.skipped), "; ".join(why for _, why in result.skipped)))
        sys.exit(77)
