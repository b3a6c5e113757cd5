#!/usr/bin/env python3
"""The Helm chart checked by Helm itself (3.17, tests/deploy/setup.sh):
`helm lint --strict` and `helm template` for every documented values
combination — serving certificate from cert-manager (self-signed CA or your
issuer) or provided (existing Secret + caBundle), native or classic injector
sidecar, every optional value set (the PodMonitor and PrometheusRule
included) —, each rendered object validated against the Kubernetes schema
(k8s_validate.mjs; the Prometheus Operator's kinds against their CRD schema;
cert-manager kinds skipped and listed), the rendered webhook config accepted by the webhook's own parser and
used by `memsecret-webhook render` on the examples; values.schema.json
rejecting each bad shape of values (one test per shape), and the values the
templates require failing with their message; the quick start's example values
(charts/memsecret/examples/) linted, rendered and admitting the shipped
examples and the README's workload; the native-sidecar default refused below
Kubernetes 1.29 with the fix in the message. The rotation CronJob: rendered for
the documented values and each identity (IRSA, Pod Identity, Azure Workload
Identity, an existing service account), refused for issuers without a client
API, and its command lines, taken from the rendered manifest, run with the
built injector against the Secrets Manager and Genesys fakes."""

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

import k8s_tools

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import fake_client  # noqa: E402

ARGS = None
RELEASE, NAMESPACE = "memsecret", "memsecret-system"


def chart_dir():
    return os.path.join(ARGS.repo_root, "charts", "memsecret")


def ca_pem():
    """A throwaway CA certificate (the caBundle of the provided-TLS setup)."""
    if not hasattr(ca_pem, "pem"):
        with tempfile.TemporaryDirectory() as d:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", "1", "-subj", "/CN=memsecret-test-ca", "-keyout",
                            os.path.join(d, "k"), "-out", os.path.join(d, "c")], check=True, capture_output=True)
            with open(os.path.join(d, "c")) as f:
                ca_pem.pem = f.read()
    return ca_pem.pem


def tls_modes():
    return {
        "cert-manager, self-signed CA": {},
        "cert-manager, your issuer": {"tls": {"certManager": {"issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer",
                                                                             "group": "cert-manager.io"}}}},
        "provided TLS": {"tls": {"certManager": {"enabled": False}, "existingSecret": "memsecret-serving-tls",
                                 "caBundle": ca_pem()}},
    }


SIDECARS = {"native sidecar": {"config": {"injector": {"nativeSidecar": True}}},
            "classic sidecar": {"config": {"injector": {"nativeSidecar": False}}}}

EVERY_OPTION = {
    "replicaCount": 3,
    "image": {"repository": "registry.example.com/memsecret-webhook", "tag": "custom", "pullPolicy": "Always"},
    "imagePullSecrets": [{"name": "regcred"}],
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
    "priorityClassName": "",
    "podDisruptionBudget": {"minAvailable": "50%"},
    "logLevel": "debug",
    "webhook": {"failurePolicy": "Ignore", "timeoutSeconds": 10, "reinvocationPolicy": "Never", "checkTimeoutSeconds": 1,
                "excludeNamespaces": ["kube-system", "monitoring"]},
    "monitoring": {"podMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"},
                                  "namespaceSelector": {"matchNames": ["production"]}, "interval": "30s"},
                   "prometheusRule": {"enabled": True, "labels": {"release": "kube-prometheus-stack"},
                                      "rotationOverdueFor": "2h", "refreshFailingMinutes": 20,
                                      "tokenExpiryMinutes": 5,
                                      "severity": {"rotationOverdue": "info", "refreshFailing": "warning",
                                                   "tokenExpiring": "page"}}},
    "config": {"injector": {"image": "registry.example.com/memsecret-injector:custom", "imagePullPolicy": "Always",
                            "binaryPath": "/usr/local/bin/memsecret-injector",
                            "env": [{"name": "HTTPS_PROXY", "value": "http://proxy.example.com:3128"}],
                            "defaultRunAsUser": 10001, "metricsPort": 9464},
               "rotation": [{"match": "aws:*/genesys/*/admin-client", "maxAge": "90d"},
                            {"match": "*", "maxAge": "180d"}],
               "serviceAccountTokenExpirationSeconds": 7200,
               "aws": {"region": "eu-west-1", "roleArn": "arn:aws:iam::123456789012:role/memsecret"},
               "vault": {"namespace": "team-a", "allowSkipVerify": False},
               "azure": {"tokenAudience": "api://AzureADTokenExchange"},
               "oauth": {"allowedTokenUrls": ["https://idp.example.com/oauth2/token"], "refreshFraction": 0.8,
                         "minRemainingSeconds": 30}},
}


def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def combinations():
    out = {}
    for tname, tvals in tls_modes().items():
        for sname, svals in SIDECARS.items():
            out["%s + %s" % (tname, sname)] = merge(tvals, svals)
    out["every optional value + provided TLS"] = merge(EVERY_OPTION, tls_modes()["provided TLS"])
    return out


def values_file(test, values):
    f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    test.addCleanup(os.unlink, f.name)
    with f:
        yaml.safe_dump(values, f)
    return f.name


def helm(*args):
    return k8s_tools.run([k8s_tools.HELM, *args], env=dict(os.environ, HELM_CACHE_HOME=ARGS.helm_home,
                                                              HELM_CONFIG_HOME=ARGS.helm_home,
                                                              HELM_DATA_HOME=ARGS.helm_home))


def template(test, values):
    return helm("template", RELEASE, chart_dir(), "--namespace", NAMESPACE, "-f", values_file(test, values))


def setUpModule():
    k8s_tools.require_tools()


class Combinations(unittest.TestCase):
    def test_lint_strict_every_combination(self):
        for name, values in combinations().items():
            with self.subTest(name):
                res = helm("lint", "--strict", chart_dir(), "--namespace", NAMESPACE, "-f", values_file(self, values))
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                self.assertIn("1 chart(s) linted, 0 chart(s) failed", res.stdout)
                self.assertNotIn("[WARNING]", res.stdout)
                self.assertNotIn("[ERROR]", res.stdout)

    def test_template_every_combination(self):
        all_skipped = set()
        for name, values in combinations().items():
            with self.subTest(name):
                res = template(self, values)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stderr.strip(), "", "helm template warned")
                docs = [d for d in yaml.safe_load_all(res.stdout) if d]
                report = k8s_tools.assert_valid(self, [("helm template (%s)" % name, d) for d in docs])
                all_skipped.update(s["what"].split(": ", 1)[1] for s in report["skipped"])
                self.check_render(name, values, docs)
        print("\nhelm: %d combinations valid; skipped (cert-manager CRDs): %s" % (
            len(combinations()), ", ".join(sorted(all_skipped))), file=sys.stderr)

    def check_render(self, name, values, docs):
        kinds = {}
        for d in docs:
            kinds.setdefault(d["kind"], []).append(d)
            self.assertEqual(d["metadata"]["labels"]["app.kubernetes.io/name"], "memsecret", d["kind"])
            # Namespaced objects name the release namespace (which the webhook registration and the
            # certificate's DNS names assume), also when rendered with `helm template` and applied.
            if d["kind"] != "MutatingWebhookConfiguration":
                self.assertEqual(d["metadata"].get("namespace"), NAMESPACE, "%s %s" % (d["kind"], d["metadata"]["name"]))
        for k in ("ServiceAccount", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
                  "MutatingWebhookConfiguration"):
            self.assertEqual(len(kinds.get(k, [])), 1, "%s: %s" % (name, k))
        mwc = kinds["MutatingWebhookConfiguration"][0]
        wh = mwc["webhooks"][0]
        self.assertEqual([w["name"] for w in mwc["webhooks"]], ["inject.memsecret.io", "check.memsecret.io"])
        k8s_tools.check_entry_invariants(self, wh, mwc["webhooks"][1])
        webhook_values = values.get("webhook", {})
        self.assertEqual(wh["failurePolicy"], webhook_values.get("failurePolicy", "Fail"))
        self.assertEqual(mwc["webhooks"][1]["timeoutSeconds"], webhook_values.get("checkTimeoutSeconds", 2))
        dep = kinds["Deployment"][0]
        tls_volume = [v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "tls"][0]
        tls = values.get("tls", {})
        if tls.get("certManager", {}).get("enabled", True):
            self.assertEqual(mwc["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
                             "%s/%s-webhook" % (NAMESPACE, RELEASE))
            self.assertNotIn("caBundle", wh["clientConfig"])
            certs = kinds["Certificate"]
            serving = [c for c in certs if c["spec"]["secretName"] == tls_volume["secret"]["secretName"]]
            self.assertEqual(len(serving), 1, "the Deployment mounts the Certificate's Secret")
            self.assertIn("%s-webhook.%s.svc" % (RELEASE, NAMESPACE), serving[0]["spec"]["dnsNames"])
            if tls.get("certManager", {}).get("issuerRef"):
                self.assertNotIn("Issuer", kinds, "your issuer: no self-signed CA is created")
                self.assertEqual(serving[0]["spec"]["issuerRef"], tls["certManager"]["issuerRef"])
            else:
                self.assertEqual(len(kinds["Issuer"]), 2)
        else:
            self.assertNotIn("Certificate", kinds)
            self.assertNotIn("Issuer", kinds)
            self.assertNotIn("annotations", mwc["metadata"])
            self.assertEqual(base64.b64decode(wh["clientConfig"]["caBundle"]).decode(), tls["caBundle"])
            self.assertEqual(tls_volume["secret"]["secretName"], tls["existingSecret"])
        # The rendered webhook config: accepted by the webhook, and it drives `render`.
        config_text = kinds["ConfigMap"][0]["data"]["config.yaml"]
        config = yaml.safe_load(config_text)
        native = values.get("config", {}).get("injector", {}).get("nativeSidecar", True)
        self.assertIs(config["injector"]["nativeSidecar"], native)
        path = values_file(self, config)
        res = k8s_tools.run([ARGS.admit_tool, path], input="{}")
        self.assertEqual(res.returncode, 0, "%s: the webhook rejects the chart's config: %s" % (name, res.stderr))
        example = os.path.join(ARGS.repo_root, "deploy", "examples", "crm-sync-service.yaml")
        # The chart's default policy allows aws:/genesys/{namespace}/{serviceAccount}/*: the
        # example's refs are allowed in namespace "production".
        res = k8s_tools.run([ARGS.webhook, "render", "-f", example, "--namespace", "production", "--config", path])
        self.assertEqual(res.returncode, 0, "%s: render with the chart's config: %s" % (name, res.stderr))
        rendered = [d for d in yaml.safe_load_all(res.stdout) if d]
        spec = rendered[0]["spec"]["template"]["spec"]
        self.assertEqual(spec["initContainers"][0]["name"], "memsecret-injector" if native else "memsecret-init")
        self.assertEqual(spec["initContainers"][0]["image"], config["injector"]["image"])
        k8s_tools.assert_valid(self, [("render with the chart's config (%s)" % name, d) for d in rendered])
        # Images: the webhook's tag defaults to the chart's appVersion.
        image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
        with open(os.path.join(chart_dir(), "Chart.yaml")) as f:
            app_version = yaml.safe_load(f)["appVersion"]
        tag = values.get("image", {}).get("tag") or app_version
        self.assertTrue(image.endswith(":" + tag), image)
        self.check_monitoring(name, values, kinds, spec["initContainers"][0] if native else spec["containers"][-1])

    # Metric names the injector serves (injector/runtime/health_metrics.h).
    INJECTOR_SERIES = {"memsecret_injector_version_age_seconds", "memsecret_injector_rotation_max_age_seconds",
                       "memsecret_injector_rotation_overdue", "memsecret_injector_token_expiry_timestamp_seconds",
                       "memsecret_injector_last_success_timestamp_seconds", "memsecret_injector_fetch_failures_total"}

    def check_monitoring(self, name, values, kinds, injector):
        monitoring = values.get("monitoring", {})
        metrics_port = values.get("config", {}).get("injector", {}).get("metricsPort", 0)
        if not monitoring.get("podMonitor", {}).get("enabled"):
            self.assertNotIn("PodMonitor", kinds, name)
        else:
            pm = kinds["PodMonitor"][0]
            self.assertEqual(pm["spec"]["selector"], {"matchLabels": {"memsecret.io/inject": "true"}})
            self.assertEqual(pm["metadata"]["labels"]["release"], "kube-prometheus-stack")
            endpoint = pm["spec"]["podMetricsEndpoints"][0]
            self.assertEqual(endpoint["interval"], monitoring["podMonitor"]["interval"])
            self.assertEqual(endpoint["path"], "/metrics")
            # The port the PodMonitor scrapes is the one the mutation declares on the injector.
            self.assertEqual(injector["ports"], [{"containerPort": metrics_port, "name": endpoint["port"],
                                                  "protocol": "TCP"}])
        if not monitoring.get("prometheusRule", {}).get("enabled"):
            self.assertNotIn("PrometheusRule", kinds, name)
            return
        rule_values = monitoring["prometheusRule"]
        rules = kinds["PrometheusRule"][0]["spec"]["groups"][0]["rules"]
        by_name = {r["alert"]: r for r in rules}
        self.assertEqual(set(by_name), {"MemsecretRotationOverdue", "MemsecretRefreshFailing",
                                        "MemsecretTokenExpiringWhileRefreshFails"})
        self.assertEqual(by_name["MemsecretRotationOverdue"]["for"], rule_values["rotationOverdueFor"])
        self.assertEqual(by_name["MemsecretTokenExpiringWhileRefreshFails"]["labels"]["severity"], "page")
        self.assertIn("[20m]", by_name["MemsecretRefreshFailing"]["expr"])
        self.assertIn("< 1200", by_name["MemsecretRefreshFailing"]["expr"])
        self.assertIn("< 300", by_name["MemsecretTokenExpiringWhileRefreshFails"]["expr"])
        for rule in rules:
            names = set(re.findall(r"memsecret_[a-z_]+", rule["expr"]))
            self.assertTrue(names, rule["alert"])
            self.assertLessEqual(names, self.INJECTOR_SERIES, rule["alert"])
            self.assertNotIn("{{", rule["annotations"]["summary"].replace("{{ $labels.", ""), rule["alert"])

    def test_required_values_fail_with_their_message(self):
        for values, needle in (
                ({"tls": {"certManager": {"enabled": False}, "caBundle": "x"}}, "tls.existingSecret is required"),
                ({"tls": {"certManager": {"enabled": False}, "existingSecret": "s"}}, "tls.caBundle is required")):
            with self.subTest(needle):
                res = template(self, values)
                self.assertNotEqual(res.returncode, 0)
                self.assertIn(needle, res.stderr)


def example_values_path():
    return os.path.join(chart_dir(), "examples", "contact-centre-values.yaml")


def readme_workload():
    """The Pod of the README's "Opting a workload in" (its metadata block), in the namespace and
    with the service account of deploy/examples/crm-sync-service.yaml, which it mirrors."""
    with open(os.path.join(ARGS.repo_root, "README.md")) as f:
        readme = f.read()
    section = readme.index("## Opting a workload in")
    start = readme.index("```yaml\n", section) + len("```yaml\n")
    meta = yaml.safe_load(readme[start:readme.index("```", start)])["metadata"]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": dict(meta, name="crm-sync-readme", namespace="crm-sync"),
            "spec": {"serviceAccountName": "crm-sync-service",
                     "containers": [{"name": "crm-sync", "image": "registry.example.com/crm-sync:1"}]}}


class ExampleValues(unittest.TestCase):
    """charts/memsecret/examples/contact-centre-values.yaml, the quick start's -f file."""

    def test_lint_strict(self):
        res = helm("lint", "--strict", chart_dir(), "--namespace", NAMESPACE, "-f", example_values_path())
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("1 chart(s) linted, 0 chart(s) failed", res.stdout)
        self.assertNotIn("[WARNING]", res.stdout)
        self.assertNotIn("[ERROR]", res.stdout)

    def test_template_admits_the_shipped_examples(self):
        res = helm("template", RELEASE, chart_dir(), "--namespace", NAMESPACE, "-f", example_values_path())
        self.assertEqual(res.returncode, 0, res.stderr)
        docs = [d for d in yaml.safe_load_all(res.stdout) if d]
        k8s_tools.assert_valid(self, [("helm template (example values)", d) for d in docs])
        config = yaml.safe_load([d for d in docs if d["kind"] == "ConfigMap"][0]["data"]["config.yaml"])
        with open(os.path.join(chart_dir(), "Chart.yaml")) as f:
            app_version = yaml.safe_load(f)["appVersion"]
        self.assertEqual(config["injector"]["image"].rsplit(":", 1)[1], app_version,
                         "the example's injector tag follows the chart's appVersion")
        path = values_file(self, config)
        examples = os.path.join(ARGS.repo_root, "deploy", "examples")
        readme_pod = values_file(self, readme_workload())
        for manifest in (os.path.join(examples, "crm-sync-service.yaml"),
                         os.path.join(examples, "cxone-pipeline-job.yaml"), readme_pod):
            with self.subTest(manifest):
                # No --namespace: each manifest's own namespace decides under the policy.
                res = k8s_tools.run([ARGS.webhook, "render", "-f", manifest, "--config", path])
                self.assertEqual(res.returncode, 0, res.stderr)
                rendered = [d for d in yaml.safe_load_all(res.stdout) if d][0]
                spec = rendered["spec"]["template"]["spec"] if rendered["kind"] != "Pod" else rendered["spec"]
                self.assertEqual(spec["initContainers"][0]["image"], config["injector"]["image"])
                # The injector first among init containers: the native sidecar, or the init
                # container of the Job's lifecycle: init.
                self.assertIn(spec["initContainers"][0]["name"], ("memsecret-injector", "memsecret-init"))
        res = k8s_tools.run([ARGS.webhook, "render", "-f", os.path.join(examples, "denied-staging.yaml"),
                             "--config", path])
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("policy: ref aws:/genesys/production/crm-sync-service/oauth-client", res.stderr)


class KubeVersion(unittest.TestCase):
    """Native sidecars (the default layout) need Kubernetes 1.29; the chart allows 1.25."""

    def test_native_sidecar_refused_before_1_29_with_the_fix(self):
        res = helm("template", RELEASE, chart_dir(), "--namespace", NAMESPACE, "--kube-version", "1.28.0")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("native sidecars need 1.29 or later", res.stderr)
        self.assertIn("config.injector.nativeSidecar=false", res.stderr)

    def test_classic_layout_on_1_25_to_1_28_and_native_from_1_29(self):
        for version, native in (("1.25.0", False), ("1.28.9", False), ("1.29.0", True), ("1.31.0", True)):
            with self.subTest(version=version, native=native):
                res = helm("template", RELEASE, chart_dir(), "--namespace", NAMESPACE, "--kube-version", version,
                           "-f", values_file(self, {"config": {"injector": {"nativeSidecar": native}}}))
                self.assertEqual(res.returncode, 0, res.stderr)

    def test_older_than_1_25_refused(self):
        res = helm("template", RELEASE, chart_dir(), "--namespace", NAMESPACE, "--kube-version", "1.24.0",
                   "-f", values_file(self, {"config": {"injector": {"nativeSidecar": False}}}))
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("incompatible with Kubernetes v1.24.0", res.stderr)


# values.schema.json: each bad shape is rejected by Helm before anything renders.
REJECTED = {
    "unknown_top_level_key": {"replicas": 3},
    "unknown_nested_key": {"config": {"injector": {"nativeSidecars": False}}},
    "replica_count_zero": {"replicaCount": 0},
    "replica_count_string": {"replicaCount": "2"},
    "image_without_repository": {"image": {"repository": "", "pullPolicy": "IfNotPresent"}},
    "pull_policy_not_an_enum_value": {"image": {"pullPolicy": "Sometimes"}},
    "log_level_unknown": {"logLevel": "verbose"},
    "failure_policy_not_an_enum_value": {"webhook": {"failurePolicy": "Sometimes"}},
    "timeout_above_30s": {"webhook": {"timeoutSeconds": 31}},
    "check_timeout_zero": {"webhook": {"checkTimeoutSeconds": 0}},
    "reinvocation_policy_unknown": {"webhook": {"reinvocationPolicy": "Always"}},
    "cert_manager_enabled_as_string": {"tls": {"certManager": {"enabled": "false"}}},
    "native_sidecar_as_string": {"config": {"injector": {"nativeSidecar": "yes"}}},
    "injector_env_without_name": {"config": {"injector": {"env": [{"value": "x"}]}}},
    "injector_env_value_from": {"config": {"injector": {"env": [{"name": "X", "valueFrom": {}}]}}},
    "binary_path_relative": {"config": {"injector": {"binaryPath": "usr/local/bin/memsecret-injector"}}},
    "default_run_as_root": {"config": {"injector": {"defaultRunAsUser": 0}}},
    "mount_path_relative": {"config": {"mountPath": "var/run/secrets/memsecret"}},
    "token_expiration_below_10_minutes": {"config": {"serviceAccountTokenExpirationSeconds": 599}},
    "token_url_not_https": {"config": {"oauth": {"allowedTokenUrls": ["http://idp.example.com/token"]}}},
    "refresh_fraction_one": {"config": {"oauth": {"refreshFraction": 1}}},
    "policy_rule_without_allow": {"config": {"policy": [{"namespaces": ["*"]}]}},
    "policy_rule_without_namespaces": {"config": {"policy": [{"namespaces": [], "allow": ["aws:/x/*"]}]}},
    "vault_unknown_key": {"config": {"vault": {"address": "https://vault:8200"}}},
    "monitoring_unknown_key": {"monitoring": {"serviceMonitor": {"enabled": True}}},
    "pod_monitor_enabled_as_string": {"monitoring": {"podMonitor": {"enabled": "true"}}},
    "refresh_failing_minutes_zero": {"monitoring": {"prometheusRule": {"refreshFailingMinutes": 0}}},
    "rotation_overdue_for_not_a_duration": {"monitoring": {"prometheusRule": {"rotationOverdueFor": "1 hour"}}},
    "metrics_port_privileged": {"config": {"injector": {"metricsPort": 80}}},
    "rotation_rule_without_max_age": {"config": {"rotation": [{"match": "*"}]}},
    "rotation_max_age_without_unit": {"config": {"rotation": [{"match": "*", "maxAge": "90"}]}},
}


class SchemaRejects(unittest.TestCase):
    def test_defaults_accepted(self):
        res = template(self, {})
        self.assertEqual(res.returncode, 0, res.stderr)


def _rejected_test(values):
    def test(self):
        res = template(self, values)
        self.assertNotEqual(res.returncode, 0, "Helm accepted %s" % values)
        self.assertIn("values don't meet the specifications of the schema", res.stderr)
    return test


for _name, _values in REJECTED.items():
    setattr(SchemaRejects, "test_rejects_" + _name, _rejected_test(_values))


# ---- The rotation CronJob (docs/rotation.md "On a schedule") -------------------------------

def documented_rotation_values():
    """The values of the docs' CronJob example, read from docs/rotation.md itself."""
    with open(os.path.join(ARGS.repo_root, "docs", "rotation.md")) as f:
        section = f.read().split("### The chart's CronJob", 1)[1]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))


def rotation_variants():
    doc = documented_rotation_values()
    items = doc["rotation"]["items"]
    return {
        "documented (IRSA, census)": doc,
        "EKS Pod Identity, no issuer (from the credential), no census": {
            "rotation": {"enabled": True, "items": [{k: v for k, v in items[0].items() if k != "issuer"}]}},
        "Azure Workload Identity, own service account name, time zone": {
            "rotation": {"enabled": True, "schedule": "@daily", "timeZone": "Etc/UTC", "items": items,
                         "serviceAccount": {"name": "genesys-rotation",
                                            "annotations": {"azure.workload.identity/client-id":
                                                            "00000000-0000-0000-0000-000000000001"}},
                         "podLabels": {"azure.workload.identity/use": "true"},
                         "env": [{"name": "MEMSECRET_LOG_LEVEL", "value": "debug"}],
                         "image": "registry.example.com/memsecret-injector:custom"}},
        "existing service account": {
            "rotation": {"enabled": True, "items": items[:1],
                         "serviceAccount": {"create": False, "name": "platform-rotation"}}},
    }


def rendered(test, values):
    res = template(test, values)
    test.assertEqual(res.returncode, 0, res.stderr)
    return [d for d in yaml.safe_load_all(res.stdout) if d]


def the_cronjob(docs):
    jobs = [d for d in docs if d["kind"] == "CronJob"]
    return jobs[0] if len(jobs) == 1 else None


class RotationCronJob(unittest.TestCase):
    def test_lint_strict_and_valid_objects_for_each_variant(self):
        for name, values in rotation_variants().items():
            with self.subTest(name):
                res = helm("lint", "--strict", chart_dir(), "--namespace", NAMESPACE, "-f", values_file(self, values))
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                self.assertNotIn("[WARNING]", res.stdout)
                docs = rendered(self, values)
                k8s_tools.assert_valid(self, [("helm template rotation (%s)" % name, d) for d in docs])
                self.check_cronjob(name, values["rotation"], docs)

    def check_cronjob(self, name, r, docs):
        cron = the_cronjob(docs)
        self.assertIsNotNone(cron, name)
        self.assertEqual(cron["metadata"]["namespace"], NAMESPACE)
        spec = cron["spec"]
        self.assertEqual(spec["schedule"], r.get("schedule", "17 3 * * *"))
        self.assertEqual(spec.get("timeZone"), r.get("timeZone"))
        self.assertEqual(spec["concurrencyPolicy"], "Forbid")
        job = spec["jobTemplate"]["spec"]
        self.assertEqual(job["backoffLimit"], 2)
        pod = job["template"]["spec"]
        self.assertEqual(pod["restartPolicy"], "Never")
        self.assertIs(pod["automountServiceAccountToken"], False)
        self.assertEqual(pod["securityContext"], {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                                                  "seccompProfile": {"type": "RuntimeDefault"}})
        for k, v in r.get("podLabels", {}).items():
            self.assertEqual(job["template"]["metadata"]["labels"][k], v)
        # The service account: created with the identity annotations, or the one named.
        sa = r.get("serviceAccount", {})
        accounts = [d for d in docs if d["kind"] == "ServiceAccount" and d["metadata"]["name"] != "%s-webhook" % RELEASE]
        if sa.get("create", True):
            self.assertEqual(len(accounts), 1, name)
            self.assertEqual(pod["serviceAccountName"], accounts[0]["metadata"]["name"])
            self.assertEqual(accounts[0]["metadata"]["name"], sa.get("name") or "%s-rotation" % RELEASE)
            self.assertEqual(accounts[0]["metadata"].get("annotations", {}), sa.get("annotations", {}))
            self.assertIs(accounts[0]["automountServiceAccountToken"], False)
        else:
            self.assertEqual(accounts, [], name)
            self.assertEqual(pod["serviceAccountName"], sa["name"])
        # One container per item, in order, each running `rotate` for its item only.
        containers = pod["containers"]
        self.assertEqual([c["name"] for c in containers], ["rotate-%d" % i for i in range(len(r["items"]))])
        for item, c in zip(r["items"], containers):
            self.assertEqual(c["image"], r.get("image", "ghcr.io/memsecret/memsecret-injector:0.1.0"))
            want = ["/usr/local/bin/memsecret-injector", "rotate", item["ref"]]
            if item.get("issuer"):
                want.append("--issuer=" + item["issuer"])
            want += ["--admin=" + item["admin"], "--if-older-than=" + item["maxAge"]]
            if r.get("prometheusUrl"):
                want += ["--prometheus=" + r["prometheusUrl"], "--census-timeout=1h"]
            self.assertEqual(c["command"], want)
            self.assertNotIn("args", c)
            self.assertEqual(c["securityContext"], {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                                                    "capabilities": {"drop": ["ALL"]}})
            self.assertEqual(c.get("env"), r.get("env"))
            self.assertIn("limits", c["resources"])

    def test_off_by_default(self):
        docs = rendered(self, {})
        self.assertIsNone(the_cronjob(docs))
        self.assertEqual([d["metadata"]["name"] for d in docs if d["kind"] == "ServiceAccount"], ["%s-webhook" % RELEASE])

    def test_issuers_without_a_client_api_are_refused_with_the_way_to_rotate_them(self):
        items = documented_rotation_values()["rotation"]["items"]
        for issuer in ("cxone", "https://idp.example.com/oauth2/token"):
            with self.subTest(issuer):
                bad = {"ref": "aws:/cxone/production/reporting/api-key", "issuer": issuer,
                       "admin": "aws:/cxone/production/admin", "maxAge": "90d"}
                res = template(self, {"rotation": {"enabled": True, "items": items + [bad]}})
                self.assertNotEqual(res.returncode, 0)
                self.assertIn("rotation.items[2] (aws:/cxone/production/reporting/api-key)", res.stderr)
                self.assertIn("MemsecretRotationOverdue", res.stderr)
                self.assertIn("--new-from-file", res.stderr)

    def test_enabled_without_items_is_refused(self):
        res = template(self, {"rotation": {"enabled": True}})
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("rotation.items is empty", res.stderr)

    def test_existing_service_account_needs_its_name(self):
        items = documented_rotation_values()["rotation"]["items"]
        res = template(self, {"rotation": {"enabled": True, "items": items, "serviceAccount": {"create": False}}})
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("rotation.serviceAccount.name is required", res.stderr)


class RotationCronJobRuns(unittest.TestCase):
    """The CronJob's command lines, taken from the rendered manifest, run with the built
    injector (the image's binary) against loopback fakes of Secrets Manager and Genesys Cloud:
    a due item rotates, a failing item fails only its own container, a rerun finds nothing due."""
    AKID, AWS_SECRET = "AKIDHELMROTATION", "AWS-SECRET-HELM-ROTATION-1"
    ADMIN = {"clientId": "admin-client-0001", "clientSecret": "ADMIN-SECRET-helm-42", "region": "mypurecloud.ie"}
    APP_SECRET = "APP-SECRET-helm-17"

    def fake(self, name):
        fake = fake_client.start(os.path.join(ARGS.repo_root, "tests", "fakes", name))
        self.addCleanup(fake.stop)
        return fake

    def test_the_rendered_commands_rotate_what_is_due(self):
        self.assertTrue(ARGS.injector, "--injector (the built memsecret-injector) is required")
        aws, gen = self.fake("fake_aws.py"), self.fake("genesys_api_fake.py")
        aws.control(op="static_key", akid=self.AKID, secret=self.AWS_SECRET)
        gen.control(op="add_client", id=self.ADMIN["clientId"], name="rotation-admin",
                    secret=self.ADMIN["clientSecret"],
                    permissions=["oauth:client:view", "oauth:client:add", "oauth:client:delete"])
        gen.control(op="add_client", id="client-a-0001", name="crm-sync", secret=self.APP_SECRET, roleIds=["role-crm"])
        aws.control(op="put_secret", name="genesys/production/oauth-admin-client", string=json.dumps(self.ADMIN))
        aws.control(op="put_secret", name="genesys/production/crm-sync/oauth-client", created=1, string=json.dumps(
            {"clientId": "client-a-0001", "clientSecret": self.APP_SECRET, "region": "mypurecloud.ie"}))
        admin = "aws:genesys/production/oauth-admin-client"
        values = {"rotation": {"enabled": True, "env": [{"name": "AWS_REGION", "value": "us-east-1"}], "items": [
            {"ref": "aws:genesys/production/missing/oauth-client", "issuer": "genesys:mypurecloud.ie",
             "admin": admin, "maxAge": "90d"},
            {"ref": "aws:genesys/production/crm-sync/oauth-client", "issuer": "genesys:mypurecloud.ie",
             "admin": admin, "maxAge": "90d"}]}}
        pod = the_cronjob(rendered(self, values))["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        outputs = []

        def run(container):
            command = list(container["command"])
            self.assertEqual(command[0], "/usr/local/bin/memsecret-injector", "the image's binary")
            env = {"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": self.AKID, "AWS_SECRET_ACCESS_KEY": self.AWS_SECRET,
                   "AWS_ENDPOINT_URL": aws.url, "MEMSECRET_GENESYS_LOGIN_URL": gen.url,
                   "MEMSECRET_GENESYS_API_URL": gen.url}
            env.update({e["name"]: e["value"] for e in container.get("env", [])})
            res = k8s_tools.run([ARGS.injector] + command[1:], env=env)
            outputs.append(res.stdout + res.stderr)
            return res

        def current():
            return json.loads(aws.get("/_control/secret?name=genesys/production/crm-sync/oauth-client"
                                      "&stage=AWSCURRENT")["string"])

        failing, due = pod["containers"]
        res = run(failing)
        self.assertEqual(res.returncode, 1, "a missing secret fails its container: " + res.stderr[-300:])
        res = run(due)
        self.assertEqual(res.returncode, 0, res.stderr[-500:])
        rotated = current()
        self.assertNotEqual(rotated["clientId"], "client-a-0001", "the due item was rotated")
        self.assertEqual(rotated["previousClientId"], "client-a-0001")
        res = run(due)
        self.assertEqual(res.returncode, 0, res.stderr[-500:])
        self.assertIn("nothing due", res.stdout)
        self.assertEqual(current()["clientId"], rotated["clientId"], "the next day's run changes nothing")
        every = "\n".join(outputs)
        for secret in (self.AWS_SECRET, self.ADMIN["clientSecret"], self.APP_SECRET, rotated["clientSecret"]):
            self.assertNotIn(secret, every)


ROTATION_ITEM = {"ref": "aws:/genesys/production/crm/oauth-client", "admin": "aws:/genesys/production/admin",
                 "maxAge": "90d"}
ROTATION_REJECTED = {
    "rotation_enabled_as_string": {"rotation": {"enabled": "true"}},
    "rotation_unknown_key": {"rotation": {"item": []}},
    "rotation_schedule_not_cron": {"rotation": {"schedule": "every day"}},
    "rotation_item_without_admin": {"rotation": {"items": [{"ref": "aws:/x", "maxAge": "90d"}]}},
    "rotation_item_without_max_age": {"rotation": {"items": [{"ref": "aws:/x", "admin": "aws:/y"}]}},
    "rotation_item_max_age_without_unit": {"rotation": {"items": [dict(ROTATION_ITEM, maxAge="90")]}},
    "rotation_item_ref_not_a_ref": {"rotation": {"items": [dict(ROTATION_ITEM, ref="/genesys/x")]}},
    "rotation_item_unknown_key": {"rotation": {"items": [dict(ROTATION_ITEM, max_age="90d")]}},
    "rotation_prometheus_url_not_a_url": {"rotation": {"prometheusUrl": "prometheus:9090"}},
    "rotation_binary_path_relative": {"rotation": {"binaryPath": "memsecret-injector"}},
    "rotation_backoff_limit_negative": {"rotation": {"backoffLimit": -1}},
    "rotation_service_account_annotation_not_a_string": {
        "rotation": {"serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": 7}}}},
    "rotation_env_value_from": {"rotation": {"env": [{"name": "X", "valueFrom": {}}]}},
}
for _name, _values in ROTATION_REJECTED.items():
    setattr(SchemaRejects, "test_rejects_" + _name, _rejected_test(_values))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo-root", required=True)
    parser.add_argument("--webhook", required=True)
    parser.add_argument("--admit-tool", required=True)
    parser.add_argument("--injector", default=None)  # the rotation CronJob's commands run with it
    ARGS, rest = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="memsecret-helm-") as home:
        ARGS.helm_home = home
        unittest.main(argv=[sys.argv[0]] + rest)
