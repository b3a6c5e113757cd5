#!/usr/bin/env python3
"""scripts/check_layers.py: the real tree passes; a wrong-way include, a link cycle and an
internal header under include/ each fail, named."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECK = os.path.join(ROOT, "scripts", "check_layers.py")


def run(root):
    p = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


class MiniTree:
    """common (base) <- injector/wire <- injector/runtime, as CMakeLists.txt declare them."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.write("common/CMakeLists.txt", "add_library(memsecret_common STATIC a.cc)\n")
        self.write("common/a.cc", '#include "memsecret/a.h"\n')
        self.write("include/memsecret/a.h", "#pragma once\n")
        self.write("injector/base/CMakeLists.txt",
                   "add_library(memsecret_base STATIC w.cc)\n"
                   "target_link_libraries(memsecret_base PUBLIC memsecret_common)\n")
        self.write("injector/base/w.h", '#include "memsecret/a.h"\n')
        self.write("injector/base/w.cc", '#include "injector/base/w.h"\n')
        self.write("injector/runtime/CMakeLists.txt",
                   "add_library(memsecret_runtime STATIC r.cc)\n"
                   "target_link_libraries(memsecret_runtime PUBLIC memsecret_base)\n")
        self.write("injector/runtime/r.h", "#pragma once\n")
        self.write("injector/runtime/r.cc",
                   '#include "injector/runtime/r.h"\n#include "injector/base/w.h"\n#include <vector>\n')

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))


class CheckLayersTest(unittest.TestCase):
    def test_the_repository_follows_its_layers(self):
        rc, out = run(ROOT)
        self.assertEqual(rc, 0, out)

    def test_a_well_layered_tree_passes(self):
        tree = MiniTree()
        rc, out = run(tree.root)
        self.assertEqual(rc, 0, out)

    def test_a_wrong_way_include_fails_and_is_named(self):
        tree = MiniTree()
        tree.write("injector/base/w.cc", '#include "injector/base/w.h"\n#include "injector/runtime/r.h"\n')
        rc, out = run(tree.root)
        self.assertEqual(rc, 1, out)
        self.assertIn('injector/base/w.cc: wrong-way include "injector/runtime/r.h"', out)
        self.assertIn("memsecret_base does not link memsecret_runtime", out)

    def test_a_transitive_dependency_is_allowed(self):
        tree = MiniTree()
        tree.write("injector/runtime/r.cc", '#include "memsecret/a.h"\n')
        rc, out = run(tree.root)
        self.assertEqual(rc, 0, out)

    def test_a_link_cycle_fails(self):
        tree = MiniTree()
        tree.write("common/CMakeLists.txt", "add_library(memsecret_common STATIC a.cc)\n"
                   "target_link_libraries(memsecret_common PRIVATE memsecret_runtime)\n")
        rc, out = run(tree.root)
        self.assertEqual(rc, 1, out)
        self.assertIn("link cycle:", out)

    def test_a_header_only_its_library_uses_does_not_belong_in_include(self):
        tree = MiniTree()
        tree.write("include/memsecret/internal.h", "#pragma once\n")
        tree.write("common/a.cc", '#include "memsecret/a.h"\n#include "memsecret/internal.h"\n')
        rc, out = run(tree.root)
        self.assertEqual(rc, 1, out)
        self.assertIn("include/memsecret/internal.h: used only inside memsecret_common", out)

    def test_the_documented_order_must_follow_the_link_graph(self):
        tree = MiniTree()
        good = "```\ncommon/ memsecret_common: x\ninjector/base/ memsecret_base: y\ninjector/runtime/ memsecret_runtime: z\n```\n"
        tree.write("docs/architecture.md", good)
        rc, out = run(tree.root)
        self.assertEqual(rc, 0, out)
        tree.write("docs/architecture.md", good.replace("injector/base/ memsecret_base: y\n", "")
                   .replace("```\n", "```\ninjector/base/ memsecret_base: y\n", 1)
                   .replace("common/ memsecret_common: x\n", "") + "common/ memsecret_common: x\n")
        rc, out = run(tree.root)
        self.assertEqual(rc, 1, out)
        self.assertIn("docs/architecture.md lists memsecret_base above memsecret_common", out)
        tree.write("docs/architecture.md", "common/ memsecret_common: x\n")
        rc, out = run(tree.root)
        self.assertEqual(rc, 1, out)
        self.assertIn("does not list the library memsecret_runtime", out)

    def test_a_source_in_no_library_fails(self):
        tree = MiniTree()
        tree.write("orphan/x.cc", "")
        tree.write("injector/x.cc", "int x;\n")
        rc, out = run(tree.root)
        self.assertEqual(rc, 1, out)
        self.assertIn("injector/x.cc: belongs to no library", out)


if __name__ == "__main__":
    unittest.main()
