#!/usr/bin/env python3
"""One version number for everything a user installs. It lives in the
top-level CMakeLists.txt (`project(memsecret VERSION x.y.z)`); these must all
say the same: both binaries' `--version`, the images (archive names, tags and
the org.opencontainers.image.version labels, scripts/images.sh), the chart's
version and appVersion, every memsecret image tag in the chart, the kustomize
base, the examples, the chart's example values, the README, docs/ and the Dockerfile, the injector image the
webhook defaults to, and the newest release in CHANGELOG.md."""

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import unittest

import yaml

ARGS = None
# An image tag (memsecret-injector:0.1.0) or an archive name (memsecret-injector-0.1.0.oci.tar).
IMAGE_TAG = re.compile(r"memsecret-(?:webhook|injector)(?::([0-9A-Za-z.+-]+)|-([0-9][0-9A-Za-z.+-]*)\.oci\.tar)")


def project_version():
    with open(os.path.join(ARGS.repo_root, "CMakeLists.txt")) as f:
        m = re.search(r"project\(\s*memsecret\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", f.read())
    assert m, "project(memsecret VERSION ...) not found in CMakeLists.txt"
    return m.group(1)


def read(*parts):
    with open(os.path.join(ARGS.repo_root, *parts)) as f:
        return f.read()


class OneVersion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.version = project_version()

    def test_binaries(self):
        for name, path in (("memsecret-webhook", ARGS.webhook), ("memsecret-injector", ARGS.injector)):
            res = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
            self.assertEqual((res.returncode, res.stdout), (0, "%s %s\n" % (name, self.version)), name)

    def test_version_flag_only_alone(self):
        """`--version` is answered only as the sole argument; elsewhere the program's own parsing sees it."""
        res = subprocess.run([ARGS.webhook, "render", "--version"], capture_output=True, text=True, timeout=10)
        self.assertNotEqual(res.returncode, 0)
        self.assertNotIn(self.version, res.stdout)

    def test_images(self):
        with open(os.path.join(ARGS.images_dir, "images.json")) as f:
            summary = json.load(f)
        self.assertEqual(summary["version"], self.version)
        for name, info in summary["images"].items():
            self.assertEqual(info["archive"], "%s-%s.oci.tar" % (name, self.version))
            with tarfile.open(os.path.join(ARGS.images_dir, info["archive"])) as t:
                index = json.loads(t.extractfile("index.json").read())
                desc = index["manifests"][0]
                self.assertEqual(desc["annotations"]["org.opencontainers.image.ref.name"], self.version)
                manifest = json.loads(t.extractfile("blobs/sha256/" + desc["digest"][7:]).read())
                config = json.loads(t.extractfile("blobs/sha256/" + manifest["config"]["digest"][7:]).read())
            self.assertEqual(config["config"]["Labels"]["org.opencontainers.image.version"], self.version, name)

    def test_chart(self):
        chart = yaml.safe_load(read("charts", "memsecret", "Chart.yaml"))
        self.assertEqual(chart["appVersion"], self.version)
        self.assertEqual(chart["version"], self.version)

    def test_every_image_tag_in_what_users_read(self):
        files = ["README.md", "Dockerfile", "CHANGELOG.md", os.path.join("charts", "memsecret", "values.yaml")]
        for d, ext in (("deploy", ".yaml"), (os.path.join("deploy", "examples"), ".yaml"),
                       (os.path.join("charts", "memsecret", "examples"), ".yaml"), ("docs", ".md")):
            files += [os.path.join(d, n) for n in sorted(os.listdir(os.path.join(ARGS.repo_root, d)))
                      if n.endswith(ext)]
        seen = 0
        for rel in files:
            for tag_groups in IMAGE_TAG.findall(read(rel)):
                tag = tag_groups[0] or tag_groups[1]
                seen += 1
                self.assertEqual(tag, self.version, "%s names memsecret image tag %s" % (rel, tag))
        self.assertGreaterEqual(seen, 6)
        self.assertIn("ARG MEMSECRET_VERSION=%s\n" % self.version, read("Dockerfile"))

    def test_webhook_default_injector_image(self):
        """With a config that names no image, the webhook injects its own version's injector."""
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "config.yaml"), "w") as f:
                yaml.safe_dump({"policy": [{"namespaces": ["*"], "allow": ["aws:/*"]}]}, f)
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": "v", "namespace": "default", "labels": {"memsecret.io/inject": "true"},
                                "annotations": {"memsecret.io/secret-x": "aws:/x"}},
                   "spec": {"containers": [{"name": "app", "image": "app"}]}}
            with open(os.path.join(d, "pod.yaml"), "w") as f:
                yaml.safe_dump(pod, f)
            res = subprocess.run([ARGS.webhook, "render", "-f", os.path.join(d, "pod.yaml"), "--config",
                                  os.path.join(d, "config.yaml")], capture_output=True, text=True, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        out = yaml.safe_load(res.stdout)
        images = {c["image"] for c in out["spec"]["initContainers"] + out["spec"]["containers"]
                  if c["name"].startswith("memsecret")}
        self.assertEqual({i.rsplit(":", 1)[1] for i in images}, {self.version}, images)

    def test_changelog(self):
        text = read("CHANGELOG.md")
        releases = re.findall(r"^## \[([^\]]+)\]", text, re.M)
        self.assertTrue(releases, "CHANGELOG.md has no release headings")
        newest = [r for r in releases if r.lower() != "unreleased"][0]
        self.assertEqual(newest, self.version, "the newest CHANGELOG release is not the project version")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo-root", required=True)
    parser.add_argument("--webhook", required=True)
    parser.add_argument("--injector", required=True)
    parser.add_argument("--images-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
