#!/usr/bin/env python3
"""End-to-end: annotated pods go through the real HTTPS webhook as
kube-apiserver sends them, and the admitted pods RUN (tests/e2e/run_pod.py:
private mount namespace, real tmpfs volumes, projected service-account token,
containers as their UIDs, postStart hooks and startup probes, native-sidecar/Job semantics)
against the loopback AWS fake (SigV4 checked by botocore) and npm's
oidc-provider (real OAuth 2.0 client-credentials server, 6 s tokens).

The injector runs from its release image: the OCI archive scripts/images.sh
built (MEMSECRET_IMAGES_DIR, default <build-dir>/images, images.json) is
unpacked as a runtime would, and the mutated pod's injector containers run
chrooted in that root filesystem (run_pod.py), so a library, the CA bundle or
the user the image lacks fails these tests. Every mutated pod is also
validated against the Kubernetes OpenAPI schema (tests/deploy/k8s_validate.mjs).

usage: e2e_test.py <build-dir> [unittest args]     (needs root; skips otherwise)
Timings are printed at the end (stderr). No secret value is ever printed.
"""
import json
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "e2e")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "deploy"))

import cluster  # noqa: E402
import k8s_tools  # noqa: E402
import run_pod  # noqa: E402

BUILD = os.environ.get("MEMSECRET_BUILD_DIR", os.path.join(ROOT, "build"))
IMAGE_REPOSITORY = "ghcr.io/memsecret/memsecret-injector"
NS = "crm-sync"
ROLE = "arn:aws:iam::123456789012:role/crm-sync-service"
PREFIX = "/genesys/production/crm-sync-service/"
MOUNT = "/var/run/secrets/memsecret"
API_KEY_1 = "E2E-CRM-API-KEY-ONE-7f3a"
API_KEY_2 = "E2E-CRM-API-KEY-TWO-91bc"
API_KEY_3 = "E2E-CRM-API-KEY-THREE-c0de"
CXONE = {"accessKeyId": "E2E-CXONE-KEY-ID", "accessKeySecret": "E2E-CXONE-SECRET-'$(x) \"q\"-a81f"}
SETTINGS = {"crmUrl": "https://crm.example.com", "password": "E2E-SETTINGS-PASSWORD-55e1"}
# Every string that must never reach a log; minted tokens and JWTs are added as seen.
NEVER_PRINTED = [API_KEY_1, API_KEY_2, API_KEY_3, SETTINGS["password"], CXONE["accessKeySecret"]]
TIMINGS = {}
ENV = {}


def timing(key, value):
    TIMINGS.setdefault(key, []).append(round(value, 3))


def setUpModule():
    # Whether pods can run at all is decided in __main__ (exit 77); a
    # webhook missing from the build is a failure, not a skip.
    if not os.access(cluster.webhook_binary(BUILD), os.X_OK):
        raise RuntimeError("e2e pods: %s not built" % cluster.webhook_binary(BUILD))
    ENV["t0"] = time.monotonic()
    try:
        unpack_injector_image()
        start_cluster()
    except BaseException:
        tearDownModule()  # unittest skips it when setUpModule fails
        raise


def unpack_injector_image():
    """The injector image as a node would pull it: the archive's one layer
    unpacked into a root filesystem the pods' injector containers run in."""
    import tempfile
    images_dir = os.environ.get("MEMSECRET_IMAGES_DIR") or os.path.join(BUILD, "images")
    summary_path = os.path.join(images_dir, "images.json")
    if not os.path.exists(summary_path):
        raise AssertionError("no images in %s: run scripts/images.sh (ctest runs it as images_build)" % images_dir)
    with open(summary_path) as f:
        summary = json.load(f)
    info = summary["images"]["memsecret-injector"]
    ENV["image_dir"] = tempfile.mkdtemp(prefix="memsecret-e2e-image-")
    root = os.path.join(ENV["image_dir"], "rootfs")
    ref, _, config = run_pod.unpack_oci_archive(os.path.join(images_dir, info["archive"]), root)
    ENV["injector_image"] = "%s:%s" % (IMAGE_REPOSITORY, ref)
    ENV["images"] = {ENV["injector_image"]: {"root": root, "config": config}}


def start_cluster():
    aws = ENV["aws"] = cluster.FakeAws()
    proxy = ENV["aws_proxy"] = cluster.Proxy(aws.port)  # so a test can cut the network to AWS
    oauth = ENV["oauth"] = cluster.OAuthServer(ttl=6)
    ENV["vault"] = cluster.VaultFake()
    NEVER_PRINTED.append(oauth.client_secret)
    policy = [{"namespaces": ["crm-sync", "crm-sync-*"], "allow": ["aws:" + PREFIX + "*"]},
              {"namespaces": ["cx-pipelines"], "allow": ["vault:secret/genesys/production/cx-pipeline*"]},
              {"namespaces": ["*"], "allow": ["aws:/genesys/{namespace}/{serviceAccount}/*"]}]
    # Tokens (6 s TTL) are refreshed 3 s before they expire: a margin a loaded machine keeps.
    common = dict(injector_env=[("AWS_ENDPOINT_URL", proxy.url), ("MEMSECRET_LOG_LEVEL", "info")],
                  injector_image=ENV["injector_image"],
                  token_urls=[oauth.token_url], policy=policy, min_remaining_seconds=3, vault_addr=ENV["vault"].url)
    ENV["native"] = cluster.Webhook(BUILD, cluster.webhook_config(native_sidecar=True, **common))
    ENV["classic"] = cluster.Webhook(BUILD, cluster.webhook_config(native_sidecar=False, **common))
    seed()


def tearDownModule():
    for k in ("native", "classic", "oauth", "vault", "aws_proxy", "aws"):
        if k in ENV:
            ENV[k].close()
    if "image_dir" in ENV:
        import shutil
        shutil.rmtree(ENV["image_dir"], ignore_errors=True)
    if "t0" in ENV:
        TIMINGS["e2e_total_s"] = round(time.monotonic() - ENV["t0"], 1)
    sys.stderr.write("\nE2E TIMINGS " + json.dumps(TIMINGS, sort_keys=True) + "\n")


def seed():
    aws, oauth = ENV["aws"], ENV["oauth"]
    aws.put_secret(PREFIX + "crm", {"apiKey": API_KEY_1})
    aws.put_secret(PREFIX + "settings", SETTINGS)
    aws.put_secret(PREFIX + "oauth-client", {"clientId": oauth.client_id, "clientSecret": oauth.client_secret})
    ENV["vault"].control(op="mount", path="secret", version=2)
    ENV["vault"].control(op="kv_put", mount="secret", path="genesys/production/cx-pipeline", data=CXONE)


def fixture(name, **subs):
    import yaml
    with open(os.path.join(FIXTURES, name)) as f:
        text = f.read()
    for k, v in subs.items():
        text = text.replace("@%s@" % k, v)
    left = re.findall(r"@[A-Z_]+@", text)
    assert not left, "unsubstituted placeholders %s" % left
    return yaml.safe_load(text)


def crm_pod(refresh="2s", restart_policy="Always", app_tail="exec sleep 3600", **extra_annotations):
    pod = fixture("crm-sync-service.yaml", TOKEN_URL=ENV["oauth"].token_url, ROLE_ARN=ROLE, REFRESH=refresh,
                  RESTART_POLICY=restart_policy, APP_TAIL=app_tail)
    pod["metadata"]["annotations"].update({"memsecret.io/" + k: v for k, v in extra_annotations.items()})
    return pod


class PodTest(unittest.TestCase):
    """Admits a pod through a real webhook and runs it; checks logs for leaks."""

    def setUp(self):
        self.runs = []

    def admit_and_start(self, pod, webhook="native", namespace=NS, start=True):
        adm = ENV[webhook].admit(pod, namespace, timeout_seconds=10)
        self.assertTrue(adm.allowed, "admission denied: %s" % adm.status)
        self.assertEqual(adm.tls_version in ("TLSv1.2", "TLSv1.3"), True)
        timing("admission_ms", adm.latency_ms)
        admitted = run_pod.materialize(adm.pod, namespace)
        # The mutated pod as the apiserver would check it: the Kubernetes schema.
        report = k8s_tools.validate([("e2e %s" % self.id().rsplit(".", 1)[-1], admitted)])
        self.assertEqual(report["errors"], [], "the mutated pod is not a valid Kubernetes Pod")
        self.assertEqual(len(report["validated"]), 1)
        run = run_pod.PodRun(admitted, BUILD, images=ENV["images"])
        self.runs.append(run)
        for aud, jwt in run.sa_tokens.items():
            NEVER_PRINTED.append(jwt)
            if aud == "sts.amazonaws.com":  # the role trusts this pod's projected token
                ENV["aws"].control(op="sts", role=ROLE, token=jwt, duration=3600)
            if aud == "vault":  # Vault's Kubernetes auth role bound to this pod's token
                ENV["vault"].control(op="k8s_role", auth_path="kubernetes", role="cx-pipeline", jwt=jwt, ttl=600)
        if start:
            run.start()
        return adm, run

    def tearDown(self):
        for run in self.runs:
            try:
                if run.proc and run.result is None:
                    run.stop(timeout=30)
                text = run.all_logs()
            finally:
                run.close()
            for s in NEVER_PRINTED:
                self.assertNotIn(s, text, "a secret value, token or JWT reached the pod's logs")
        for w in ("native", "classic"):
            log = ENV[w].log()
            for s in NEVER_PRINTED:
                self.assertNotIn(s, log, "a secret value reached the webhook's log")

    # -- helpers
    def read(self, run, name):
        with open(run.volume_path("memsecret", name)) as f:
            return f.read()

    def token(self, run, name="api-token"):
        doc = json.loads(self.read(run, name))
        NEVER_PRINTED.append(doc["access_token"])
        return doc

    def app_log_lines(self, run, container="crm-sync"):
        return [l for l in run.logs(container).splitlines() if l.startswith("app:")]

    def audit(self, run, container="memsecret-injector"):
        out = []
        for line in run.logs(container).splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if doc.get("audit"):
                out.append(doc)
        return out


class NativeSidecar(PodTest):
    def test_secrets_and_token_present_before_the_app_starts(self):
        adm, run = self.admit_and_start(crm_pod())
        spec = run.pod["spec"]
        inj = spec["initContainers"][0]
        self.assertEqual((inj["name"], inj.get("restartPolicy")), ("memsecret-injector", "Always"))
        self.assertEqual(inj["command"], ["/usr/local/bin/memsecret-injector"])
        self.assertEqual(inj["lifecycle"]["postStart"]["exec"]["command"],
                         ["/usr/local/bin/memsecret-injector", "probe", "--wait", "300s"])
        self.assertNotIn("startupProbe", inj)
        env = {e["name"]: e for e in inj["env"]}
        self.assertEqual(env["AWS_ENDPOINT_URL"]["value"], ENV["aws_proxy"].url, "injector.env reaches the pod")
        self.assertEqual(env["MEMSECRET_POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")

        started = run.wait_event("container_started", container="memsecret-injector")
        self.assertEqual(started["how"], "image " + ENV["injector_image"], "the injector runs from its image")
        self.assertEqual(started["uid"], 10001)
        hook = run.wait_event("hook_succeeded", container="memsecret-injector", timeout=60)
        app = run.wait_event("container_started", container="crm-sync", timeout=30)
        self.assertLess(hook["t"], app["t"], "the app started before the injector's postStart hook returned")
        timing("injector_start_to_hook_return_ms", hook["since_start_ms"])
        timing("hook_return_to_app_start_ms", (app["t"] - hook["t"]) * 1000)
        first = re.search(r"first complete write done in (\d+) ms", run.logs("memsecret-injector"))
        self.assertIsNotNone(first)
        timing("injector_first_complete_write_ms", int(first.group(1)))

        cluster.wait_until(lambda: any("mount is" in l for l in self.app_log_lines(run)), 30, "app checked its files")
        lines = self.app_log_lines(run)
        self.assertFalse([l for l in lines if "MISSING" in l or "cannot read" in l], lines)
        self.assertIn("app: mount is read-only", lines)
        start_t = float(re.search(r"app: start ([0-9.]+) as 10001:10001", lines[0]).group(1))
        expect = {"crm-api-key": "400", "settings.json": "440", "api-token": "400"}
        for name, mode in expect.items():
            self.assertTrue(any(l.startswith("app: has %s " % name) and l.endswith(" %s 10001:10001" % mode)
                                for l in lines), (name, lines))
            st = os.stat(run.volume_path("memsecret", name))
            self.assertLess(st.st_mtime, start_t, "%s written after the app started" % name)
        self.assertEqual(self.read(run, "crm-api-key"), API_KEY_1)
        self.assertEqual(json.loads(self.read(run, "settings.json")), SETTINGS)
        tok = self.token(run)
        self.assertIs(ENV["oauth"].introspect(tok["access_token"]).get("active"), True)

        # The volume is a real tmpfs with the sizeLimit as its size; the SA token is projected.
        with open("/proc/%d/mountinfo" % run.proc.pid) as f:
            vol = os.path.join(run.dir, "volumes", "memsecret")
            info = [l for l in f if l.split()[4] == vol]
        self.assertEqual(len(info), 1, info)
        self.assertIn(" tmpfs ", info[0])
        self.assertIn("size=1024k", info[0])
        self.assertEqual(run.find_events("projected_file")[0]["path"], "aws-token")
        self.assertIn("AssumeRoleWithWebIdentity", json.dumps(ENV["aws"].stats()))
        self.assertGreaterEqual(ENV["aws"].stats()["AssumeRoleWithWebIdentity"], 1)
        # Audit lines: one per fetch/mint, references only.
        audit = self.audit(run)
        self.assertTrue({a["file"] for a in audit} >= set(expect), audit)
        for a in audit:
            self.assertEqual((a["pod"], a["namespace"], a["serviceAccount"]),
                             (run.pod["metadata"]["name"], NS, "crm-sync-service"))

    def test_token_refreshed_over_several_cycles_before_expiry(self):
        _, run = self.admit_and_start(crm_pod(refresh="30s"))
        run.wait_event("container_started", container="crm-sync", timeout=60)
        seen = []  # (token, first_seen, server exp)
        # Watched until three tokens were seen (two refreshes, ~6 s); 90 s is a hang guard.
        end = time.time() + 90
        while len(seen) < 3:
            self.assertLess(time.time(), end, "only %d tokens in 90 s with a 6 s TTL" % len(seen))
            doc = self.token(run)
            now = time.time()
            if not seen or seen[-1][0] != doc["access_token"]:
                info = ENV["oauth"].introspect(doc["access_token"])
                self.assertIs(info.get("active"), True)
                seen.append((doc["access_token"], now, info["exp"]))
            self.assertLess(now, seen[-1][2], "the file holds an expired token")
            time.sleep(0.05)
        leads = [seen[i][2] - seen[i + 1][1] for i in range(len(seen) - 1)]
        for lead in leads:
            timing("token_refresh_lead_s", lead)
        self.assertTrue(all(l > 0 for l in leads), leads)
        mints = [a for a in self.audit(run) if a["kind"] == "token" and a["outcome"] == "written"]
        self.assertGreaterEqual(len(mints), len(seen))

    def test_rotation_picked_up(self):
        _, run = self.admit_and_start(crm_pod(refresh="1s"))
        run.wait_event("container_started", container="crm-sync", timeout=60)
        self.assertEqual(self.read(run, "crm-api-key"), API_KEY_1)
        v2 = ENV["aws"].put_secret(PREFIX + "crm", {"apiKey": API_KEY_2})["version"]
        try:
            t0 = time.monotonic()
            cluster.wait_until(lambda: self.read(run, "crm-api-key") == API_KEY_2, 30, "rotated value in the file")
            timing("rotation_visible_s", time.monotonic() - t0)
            cluster.wait_until(lambda: any(a["file"] == "crm-api-key" and a["version"] == v2 and a["outcome"] == "written"
                                           for a in self.audit(run)), 30, "audit line for the new version")
            st = os.stat(run.volume_path("memsecret", "crm-api-key"))
            self.assertEqual(oct(st.st_mode & 0o777), "0o400")
        finally:
            ENV["aws"].put_secret(PREFIX + "crm", {"apiKey": API_KEY_1})

    def test_backend_outage_keeps_files_and_recovers(self):
        _, run = self.admit_and_start(crm_pod(refresh="1s"))
        run.wait_event("container_started", container="crm-sync", timeout=60)
        names = ["crm-api-key", "settings.json", "api-token"]
        before = {n: self.read(run, n) for n in names}
        self.token(run)
        ENV["aws_proxy"].cut()
        ENV["oauth"].down()
        try:
            t_down = time.monotonic()
            while time.monotonic() < t_down + 8:  # longer than the token TTL
                for n in names:
                    self.assertEqual(self.read(run, n), before[n], "%s changed or truncated during the outage" % n)
                time.sleep(0.05)
            self.assertEqual(run.find_events("container_exited", "memsecret-injector"), [], "injector died")
        finally:
            ENV["aws_proxy"].restore()
            ENV["oauth"].up()
        t_up = time.monotonic()
        cluster.wait_until(lambda: self.token(run)["access_token"] != json.loads(before["api-token"])["access_token"],
                           60, "a new token after the outage")
        timing("outage_recovery_s", time.monotonic() - t_up)
        self.assertIs(ENV["oauth"].introspect(self.token(run)["access_token"]).get("active"), True)
        n_audit = len(self.audit(run))
        cluster.wait_until(lambda: any(a["kind"] == "secret" and a["outcome"] in ("unchanged", "written")
                                       for a in self.audit(run)[n_audit:]), 10, "secrets read again after the outage")
        log = run.logs("memsecret-injector")
        self.assertIn("temporarily_unavailable", log)
        self.assertEqual(self.read(run, "crm-api-key"), API_KEY_1)

    def test_sigterm_at_pod_stop(self):
        _, run = self.admit_and_start(crm_pod())
        run.wait_event("container_started", container="crm-sync", timeout=60)
        res = run.stop()
        self.assertEqual(res["phase"], "Terminated")
        exits = {e["container"]: e for e in run.find_events("container_exited")}
        app, inj = exits["crm-sync"], exits["memsecret-injector"]
        self.assertLess(app["t"], inj["t"], "the sidecar must outlive the app")
        self.assertEqual(inj["exit_code"], 0)
        # Excludes running into the kubelet's SIGKILL after the 30 s grace period.
        self.assertLess(inj["after_sigterm_ms"], 10000)
        timing("injector_sigterm_exit_ms", inj["after_sigterm_ms"])
        timing("injector_peak_rss_kib", inj["peak_rss_kib"])
        self.assertIn("received SIGTERM", run.logs("memsecret-injector"))

    def test_job_completes_and_native_sidecar_is_stopped(self):
        _, run = self.admit_and_start(crm_pod(restart_policy="Never",
                                              app_tail='sleep 1; echo "app: done"; exit 0'))
        res = run.wait_done(timeout=30)
        self.assertEqual(res["phase"], "Succeeded", run.describe())
        self.assertIn("app: done", self.app_log_lines(run))
        exits = {e["container"]: e for e in run.find_events("container_exited")}
        self.assertEqual(exits["crm-sync"]["exit_code"], 0)
        self.assertEqual(exits["memsecret-injector"]["exit_code"], 0)
        self.assertIn("after_sigterm_ms", exits["memsecret-injector"], "sidecar stopped by the kubelet")
        timing("job_app_exit_to_pod_done_ms", (res["t"] - exits["crm-sync"]["t"]) * 1000)

    def test_pod_does_not_start_without_its_secrets(self):
        name = PREFIX + "late-secret"
        pod = crm_pod(**{"secret-late": "aws:" + name})
        _, run = self.admit_and_start(pod)
        run.wait_event("hook_started", container="memsecret-injector", timeout=60)
        time.sleep(2)  # the hook is still waiting for the first complete write: still blocked
        self.assertEqual(run.find_events("container_started", "crm-sync"), [])
        ENV["aws"].put_secret(name, "E2E-LATE-SECRET-6d2a")
        NEVER_PRINTED.append("E2E-LATE-SECRET-6d2a")
        run.wait_event("container_started", container="crm-sync", timeout=60)
        self.assertEqual(self.read(run, "late"), "E2E-LATE-SECRET-6d2a")
        self.assertIn("ResourceNotFoundException", run.logs("memsecret-injector"))


class ClassicAndInit(PodTest):
    def test_classic_init_container_then_regular_sidecar(self):
        _, run = self.admit_and_start(crm_pod(refresh="1s"), webhook="classic")
        spec = run.pod["spec"]
        self.assertEqual([c["name"] for c in spec["initContainers"]], ["memsecret-init"])
        self.assertEqual(spec["initContainers"][0]["args"], ["run", "--once"])
        self.assertIn("memsecret-injector", [c["name"] for c in spec["containers"]])
        init_started = run.wait_event("container_started", container="memsecret-init", timeout=60)
        self.assertEqual(init_started["how"], "image " + ENV["injector_image"])
        init_exit = run.wait_event("container_exited", container="memsecret-init", timeout=60)
        self.assertEqual(init_exit["exit_code"], 0)
        app = run.wait_event("container_started", container="crm-sync", timeout=30)
        self.assertLess(init_exit["t"], app["t"])
        timing("classic_init_run_s", init_exit["ran_s"])
        cluster.wait_until(lambda: any("mount is" in l for l in self.app_log_lines(run)), 30, "app checked its files")
        self.assertFalse([l for l in self.app_log_lines(run) if "MISSING" in l])
        # The regular sidecar keeps refreshing: rotation reaches the file.
        ENV["aws"].put_secret(PREFIX + "crm", {"apiKey": API_KEY_3})
        try:
            cluster.wait_until(lambda: self.read(run, "crm-api-key") == API_KEY_3, 30, "sidecar picked up rotation")
        finally:
            ENV["aws"].put_secret(PREFIX + "crm", {"apiKey": API_KEY_1})
        res = run.stop()
        exits = {e["container"]: e for e in run.find_events("container_exited")}
        self.assertEqual(exits["memsecret-injector"]["exit_code"], 0)
        # Excludes running into the kubelet's SIGKILL after the 30 s grace period.
        self.assertLess(exits["memsecret-injector"]["after_sigterm_ms"], 10000)
        self.assertEqual(res["phase"], "Terminated")

    def test_init_only_lifecycle(self):
        pod = crm_pod(restart_policy="Never", app_tail='echo "app: done"; exit 0', lifecycle="init")
        _, run = self.admit_and_start(pod)
        spec = run.pod["spec"]
        self.assertEqual([c["name"] for c in spec["initContainers"]], ["memsecret-init"])
        self.assertNotIn("restartPolicy", spec["initContainers"][0])
        self.assertEqual([c["name"] for c in spec["containers"]], ["crm-sync"])
        res = run.wait_done(timeout=30)
        self.assertEqual(res["phase"], "Succeeded", run.describe())
        lines = self.app_log_lines(run)
        self.assertIn("app: done", lines)
        self.assertFalse([l for l in lines if "MISSING" in l], lines)
        exits = {e["container"]: e for e in run.find_events("container_exited")}
        self.assertEqual(exits["memsecret-init"]["exit_code"], 0)
        self.assertLess(exits["memsecret-init"]["t"], run.find_events("container_started", "crm-sync")[0]["t"])


    def test_init_only_job_with_vault_dotenv(self):
        pod = fixture("cx-pipeline-job.yaml")
        _, run = self.admit_and_start(pod, namespace="cx-pipelines")
        spec = run.pod["spec"]
        self.assertEqual([c["name"] for c in spec["initContainers"]], ["memsecret-init"])
        self.assertIn("vault", run.sa_tokens, "projected token with the Vault audience")
        res = run.wait_done(timeout=30)
        self.assertEqual(res["phase"], "Succeeded", run.describe() + run.logs("memsecret-init") + run.logs("deploy"))
        lines = self.app_log_lines(run, "deploy")
        self.assertIn("app: environment loaded; deploying", lines)
        self.assertTrue(lines[0].endswith(" 400 10002:10002"), lines)
        self.assertGreaterEqual(ENV["vault"].stats()["login_ok"], 1)


class Denied(PodTest):
    def test_staging_pod_asking_for_production_never_runs(self):
        before = ENV["aws"].stats()["GetSecretValue"]
        pod = crm_pod()
        adm = ENV["native"].admit(pod, "staging")
        self.assertFalse(adm.allowed)
        self.assertEqual(adm.status.get("code"), 403, adm.status)
        self.assertIn("policy", adm.status.get("message", ""))
        self.assertIn("aws:" + PREFIX + "crm", adm.status.get("message", ""))
        self.assertIsNone(adm.pod, "a denied pod has nothing to run")
        # The example from deploy/examples is denied too (typo + policy).
        import yaml
        with open(os.path.join(ROOT, "deploy", "examples", "denied-staging.yaml")) as f:
            example = yaml.safe_load(f)
        adm2 = ENV["native"].admit(example, "staging")
        self.assertFalse(adm2.allowed)
        self.assertIn("formt-client-secret", adm2.status.get("message", ""))
        time.sleep(0.5)
        self.assertEqual(ENV["aws"].stats()["GetSecretValue"], before, "nothing fetched for a denied pod")


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BUILD = sys.argv.pop(1)
    ok, why = run_pod.can_run_pods()
    if not ok:
        print("SKIP: e2e pods: " + why)
        sys.exit(77)
    import shutil
    if shutil.which("node") is None:
        print("SKIP: e2e pods: node is required for the OAuth server (tests/oauth)")
        sys.exit(77)
    unittest.main(verbosity=2)
