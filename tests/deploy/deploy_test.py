#!/usr/bin/env python3
"""Checks what the platform team installs: the kustomize base renders with
kubectl 1.31 (tests/deploy/setup.sh) without a warning, every object it renders
is valid against the Kubernetes schema (k8s_validate.mjs), and it has the
production settings the webhook relies on; the Helm chart's files parse,
values.yaml satisfies values.schema.json, and every value the templates
reference exists (helm_test.py renders it with Helm itself); every embedded
webhook config is accepted by the webhook's own strict config parser; the
example workloads render through `memsecret-webhook render` with native and
classic sidecars into objects the Kubernetes schema accepts (and the denied
example is denied)."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

import k8s_tools

ARGS = None


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def check_webhook_config(test, text, where):
    """The webhook's own parser (via admit_tool) must accept the config."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        res = run([ARGS.admit_tool, path], input="{}")
        test.assertEqual(res.returncode, 0, f"{where}: webhook rejects its config: {res.stderr.strip()}")
    finally:
        os.unlink(path)


class KustomizeBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        k8s_tools.require_tools()
        res = run([k8s_tools.KUBECTL, "kustomize", os.path.join(ARGS.repo_root, "deploy")])
        if res.returncode != 0:
            raise AssertionError("kubectl kustomize deploy/ failed: " + res.stderr)
        cls.stderr = res.stderr
        cls.docs = [d for d in yaml.safe_load_all(res.stdout) if d]
        cls.by_kind = {}
        for d in cls.docs:
            cls.by_kind.setdefault(d["kind"], []).append(d)

    def test_no_warning(self):
        """kubectl 1.31 warns about deprecated kustomization fields (commonLabels, ...)."""
        self.assertEqual(self.stderr.strip(), "", "kubectl kustomize deploy/ warned")

    def test_objects_valid_against_kubernetes_schema(self):
        report = k8s_tools.assert_valid(self, [("deploy/", d) for d in self.docs])
        self.assertGreaterEqual(len(report["validated"]), 7)
        print("\nkustomize: %d objects valid, skipped (cert-manager CRDs): %s" % (
            len(report["validated"]), ", ".join(s["what"] for s in report["skipped"])), file=sys.stderr)

    def test_common_labels(self):
        for d in self.docs:
            labels = d["metadata"].get("labels", {})
            self.assertEqual(labels.get("app.kubernetes.io/name"), "memsecret", d["metadata"]["name"])
            self.assertEqual(labels.get("app.kubernetes.io/part-of"), "memsecret", d["metadata"]["name"])
        dep = self.by_kind["Deployment"][0]
        sel = dep["spec"]["selector"]["matchLabels"]
        self.assertEqual(sel.get("app.kubernetes.io/name"), "memsecret")
        for k, v in sel.items():
            self.assertEqual(dep["spec"]["template"]["metadata"]["labels"].get(k), v, "selector must match the pods")

    def test_expected_objects(self):
        for kind in ["Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service",
                     "PodDisruptionBudget", "MutatingWebhookConfiguration", "Certificate", "Issuer"]:
            self.assertIn(kind, self.by_kind, kind)
        for d in self.docs:
            if d["kind"] not in ("Namespace", "MutatingWebhookConfiguration"):
                self.assertEqual(d["metadata"].get("namespace"), "memsecret-system", d["metadata"]["name"])

    def test_deployment(self):
        dep = self.by_kind["Deployment"][0]
        self.assertEqual(dep["spec"]["replicas"], 2)
        pod = dep["spec"]["template"]["spec"]
        self.assertIn("podAntiAffinity", pod["affinity"])
        self.assertFalse(pod["automountServiceAccountToken"])
        c = pod["containers"][0]
        self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/readyz")
        self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/healthz")
        self.assertIn("limits", c["resources"])
        self.assertTrue(c["securityContext"]["readOnlyRootFilesystem"])
        self.assertEqual(c["securityContext"]["capabilities"]["drop"], ["ALL"])
        self.assertIn("serve", c["args"])
        sel = dep["spec"]["selector"]["matchLabels"]
        pdb = self.by_kind["PodDisruptionBudget"][0]
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], sel)
        svc = self.by_kind["Service"][0]
        self.assertEqual(svc["spec"]["selector"], sel)

    def test_webhook_registration(self):
        mwc = self.by_kind["MutatingWebhookConfiguration"][0]
        wh = mwc["webhooks"][0]
        self.assertEqual(wh["objectSelector"], {"matchLabels": {"memsecret.io/inject": "true"}})
        self.assertEqual(wh["failurePolicy"], "Fail")
        self.assertEqual(wh["sideEffects"], "None")
        self.assertLessEqual(wh["timeoutSeconds"], 10)
        self.assertEqual(wh["admissionReviewVersions"], ["v1"])
        excluded = wh["namespaceSelector"]["matchExpressions"][0]
        self.assertEqual(excluded["operator"], "NotIn")
        self.assertTrue({"kube-system", "memsecret-system"} <= set(excluded["values"]))
        self.assertEqual(wh["clientConfig"]["service"]["path"], "/mutate")
        self.assertEqual(wh["rules"][0]["operations"], ["CREATE"])
        self.assertIn("cert-manager.io/inject-ca-from", mwc["metadata"]["annotations"])
        cert = [c for c in self.by_kind["Certificate"] if c["metadata"]["name"] == "memsecret-webhook"][0]
        svc = self.by_kind["Service"][0]["metadata"]["name"]
        self.assertIn(f"{svc}.memsecret-system.svc", cert["spec"]["dnsNames"])

    def test_check_entry(self):
        # The opt-in check: every pod in the same namespaces, never in the way when memsecret is down.
        mwc = self.by_kind["MutatingWebhookConfiguration"][0]
        self.assertEqual([w["name"] for w in mwc["webhooks"]], ["inject.memsecret.io", "check.memsecret.io"])
        inject, check = mwc["webhooks"]
        k8s_tools.check_entry_invariants(self, inject, check)
        self.assertEqual(check["timeoutSeconds"], 2)

    def test_config_is_accepted_by_the_webhook(self):
        cm = self.by_kind["ConfigMap"][0]
        check_webhook_config(self, cm["data"]["config.yaml"], "deploy/configmap.yaml")


class SchemaValidator(unittest.TestCase):
    """k8s_validate.mjs itself: what it must reject, skip and accept."""

    def test_verdicts(self):
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "c", "image": "i", "securityContext": {"readOnlyRootFilesystem": True}}],
                        "volumes": [{"name": "v", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}]}}
        bad_type = json.loads(json.dumps(pod))
        bad_type["spec"]["containers"][0]["ports"] = [{"containerPort": "8443"}]
        typo = json.loads(json.dumps(pod))
        typo["spec"]["containers"][0]["securityContext"] = {"readOnlyRootFileSystem": True}
        typo_map = json.loads(json.dumps(pod))
        typo_map["spec"]["volumes"][0]["emptyDir"]["sizelimit"] = "1Mi"
        bad_enum = json.loads(json.dumps(pod))
        bad_enum["spec"]["containers"][0]["imagePullPolicy"] = "Sometimes"
        deprecated_field = json.loads(json.dumps(pod))
        deprecated_field["spec"]["serviceAccount"] = "app"
        removed_api = {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": "x"}}
        unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
        cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c"}}
        report = k8s_tools.validate([("ok", pod), ("bad-type", bad_type), ("typo", typo), ("typo-map", typo_map),
                                     ("bad-enum", bad_enum), ("deprecated-field", deprecated_field),
                                     ("removed-api", removed_api), ("unknown", unknown),
                                     ("cert", cert)])
        self.assertEqual(report["validated"], ["ok: v1/Pod p"])
        self.assertEqual([s["what"] for s in report["skipped"]], ["cert: cert-manager.io/v1/Certificate c"])
        errors = {e["what"].split(":")[0]: e["error"] for e in report["errors"]}
        self.assertEqual(set(errors), {"bad-type", "typo", "typo-map", "bad-enum", "deprecated-field", "removed-api",
                                       "unknown"})
        self.assertIn('deprecated field "serviceAccount"', errors["deprecated-field"])
        self.assertIn("containerPort must be integer", errors["bad-type"])
        self.assertIn('unknown field "readOnlyRootFileSystem"', errors["typo"])
        self.assertIn('unknown field "sizelimit"', errors["typo-map"])
        self.assertIn("not a GA API version", errors["removed-api"])
        self.assertIn("unknown kind", errors["unknown"])


class HelmChart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(ARGS.repo_root, "charts", "memsecret")
        with open(os.path.join(cls.root, "values.yaml")) as f:
            cls.values = yaml.safe_load(f)
        cls.templates = {}
        tdir = os.path.join(cls.root, "templates")
        for name in sorted(os.listdir(tdir)):
            with open(os.path.join(tdir, name)) as f:
                cls.templates[name] = f.read()

    def test_chart_metadata(self):
        with open(os.path.join(self.root, "Chart.yaml")) as f:
            chart = yaml.safe_load(f)
        self.assertEqual(chart["apiVersion"], "v2")
        self.assertEqual(chart["name"], "memsecret")
        for key in ("version", "appVersion", "description"):
            self.assertTrue(chart.get(key), key)
        self.assertIn("NOTES.txt", self.templates)

    def test_values_match_schema(self):
        import jsonschema
        with open(os.path.join(self.root, "values.schema.json")) as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        jsonschema.validate(self.values, schema)
        bad = dict(self.values, webhook=dict(self.values["webhook"], failurePolicy="Sometimes"))
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
        typo = dict(self.values, replicas=3)
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(typo, schema)

    def test_every_referenced_value_exists(self):
        refs = set()
        for name, text in self.templates.items():
            for m in re.finditer(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", text):
                refs.add((name, m.group(1)[1:]))
        self.assertGreater(len(refs), 15)
        for name, path in sorted(refs):
            node = self.values
            for part in path.split("."):
                self.assertIsInstance(node, dict, f"{name}: .Values.{path}")
                self.assertIn(part, node, f"{name}: .Values.{path} is not in values.yaml")
                node = node[part]

    def test_templates_balance_actions(self):
        for name, text in self.templates.items():
            opens = len(re.findall(r"\{\{-?\s*(if|range|with|define)\b", text))
            ends = len(re.findall(r"\{\{-?\s*end\b", text))
            self.assertEqual(opens, ends, f"{name}: {opens} blocks opened, {ends} closed")

    def test_config_is_accepted_by_the_webhook(self):
        check_webhook_config(self, yaml.safe_dump(self.values["config"]), "charts/memsecret values.config")

    def test_webhook_registration_mirrors_kustomize(self):
        mwc = self.templates["mutatingwebhookconfiguration.yaml"]
        for needle in ("objectSelector", 'memsecret.io/inject: "true"', "sideEffects: None",
                       "kubernetes.io/metadata.name", '"path" "/mutate"', '"path" "/check"',
                       "check.memsecret.io", "failurePolicy: Ignore", "cert-manager.io/inject-ca-from"):
            self.assertIn(needle, mwc)


class Examples(unittest.TestCase):
    EXAMPLES = ("crm-sync-service.yaml", "cxone-pipeline-job.yaml")

    def render(self, name, config=None):
        path = os.path.join(ARGS.repo_root, "deploy", "examples", name)
        config = config or os.path.join(ARGS.repo_root, "deploy", "examples", "config.yaml")
        return run([ARGS.webhook, "render", "-f", path, "--config", config])

    def classic_config(self):
        with open(os.path.join(ARGS.repo_root, "deploy", "examples", "config.yaml")) as f:
            cfg = yaml.safe_load(f)
        cfg["injector"]["nativeSidecar"] = False
        f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        self.addCleanup(os.unlink, f.name)
        with f:
            yaml.safe_dump(cfg, f)
        return f.name

    def test_examples_render(self):
        for name in self.EXAMPLES:
            with self.subTest(name):
                res = self.render(name)
                self.assertEqual(res.returncode, 0, res.stderr)
                docs = [d for d in yaml.safe_load_all(res.stdout) if d]
                tmpl = docs[0]["spec"]["template"]
                self.assertEqual(tmpl["metadata"]["annotations"]["memsecret.io/status"], "injected")
                names = [c["name"] for c in tmpl["spec"].get("initContainers", [])]
                self.assertIn(names[0], ("memsecret-injector", "memsecret-init"))

    def test_examples_valid_against_kubernetes_schema(self):
        """The example workloads as shipped (before the webhook sees them)."""
        documents = []
        for name in self.EXAMPLES + ("denied-staging.yaml",):
            with open(os.path.join(ARGS.repo_root, "deploy", "examples", name)) as f:
                documents += [("deploy/examples/" + name, d) for d in yaml.safe_load_all(f) if d]
        report = k8s_tools.assert_valid(self, documents)
        self.assertEqual(report["skipped"], [])

    def test_mutated_examples_valid_against_kubernetes_schema(self):
        """Every object `render` prints, native and classic sidecars, as the apiserver would check it."""
        documents = []
        for mode, config in (("native", None), ("classic", self.classic_config())):
            for name in self.EXAMPLES:
                res = self.render(name, config)
                self.assertEqual(res.returncode, 0, res.stderr)
                docs = [d for d in yaml.safe_load_all(res.stdout) if d]
                self.assertTrue(docs, name)
                documents += [("render %s (%s)" % (name, mode), d) for d in docs]
                if mode == "classic":
                    spec = docs[0]["spec"]["template"]["spec"]
                    annotations = docs[0]["spec"]["template"]["metadata"].get("annotations", {})
                    lifecycle_init = annotations.get("memsecret.io/lifecycle") == "init"
                    self.assertEqual(spec["initContainers"][0]["name"], "memsecret-init")
                    if not lifecycle_init:
                        self.assertIn("memsecret-injector", [c["name"] for c in spec["containers"]])
        report = k8s_tools.assert_valid(self, documents)
        self.assertEqual(report["skipped"], [])

    def test_denied_example(self):
        res = self.render("denied-staging.yaml")
        self.assertEqual(res.returncode, 1)
        self.assertIn("not allowed in namespace staging", res.stderr)
        self.assertIn("memsecret.io/formt-client-secret: unknown annotation", res.stderr)
        self.assertEqual(res.stdout.strip(), "")

    def test_example_config(self):
        with open(os.path.join(ARGS.repo_root, "deploy", "examples", "config.yaml")) as f:
            check_webhook_config(self, f.read(), "deploy/examples/config.yaml")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo-root", required=True)
    parser.add_argument("--webhook", required=True)
    parser.add_argument("--admit-tool", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
