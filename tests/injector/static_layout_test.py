#!/usr/bin/env python3
"""The static injector's layout, which its resident memory follows (nearly all
of a static binary's text and read-only data is mapped in by a long-running
sidecar, cmake/static_link.cmake):
- with a linker that packs relative relocations, the start-up relocations are
  packed (.relr.dyn) and .rela.dyn keeps only the few that cannot be (it was
  ~0.5 MiB, read whole by ld.so at every exec);
- with a linker that takes cmake/injector_hot_text.ld, the code `run`
  executes comes first (.text.hot), so its pages are few and contiguous: the
  kernel maps 64 KiB around each page fault, and spread over all of the text
  the same code kept ~1.8 MiB more resident. The list must still name the
  binary's functions (regenerate it with scripts/injector_hot_text.sh);
- the product's libraries are compiled one section per function, so
  --gc-sections can drop what the binary does not reach: fmt's float formatter,
  cloned privately into every translation unit that logs through spdlog, is
  linked once (it was 15 copies, ~150 KiB).

usage: static_layout_test.py <memsecret-injector> <ON|OFF: relocations packed>
                             <injector_hot_text.ld|OFF>
"""
import re
import subprocess
import sys
import unittest

BINARY = None
PACKED = False
HOT_TEXT = None


def section_sizes(path):
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True,
                         check=True).stdout
    sizes = {}
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            sizes[m.group(1)] = int(m.group(2), 16)
    return sizes


def symbols(path):
    """name -> addresses of the binary's functions."""
    out = subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            found.setdefault(f[2], []).append(int(f[0], 16))
    return found


class StaticLayout(unittest.TestCase):
    def test_relative_relocations_are_packed(self):
        if not PACKED:
            self.skipTest("the linker does not pack relative relocations")
        sizes = section_sizes(BINARY)
        self.assertIn(".relr.dyn", sizes)
        self.assertLess(sizes.get(".rela.dyn", 0), 16 * 1024, sizes)

    def test_executed_code_comes_first(self):
        if not HOT_TEXT:
            self.skipTest("the linker does not take the hot-text script")
        listed = re.findall(r"\*\(\.text\.([^)]+)\)", open(HOT_TEXT).read())
        self.assertGreater(len(listed), 500)
        out = subprocess.run(["readelf", "-S", "-W", BINARY], capture_output=True, text=True,
                             check=True).stdout
        m = re.search(r"\s\.text\.hot\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", out)
        self.assertIsNotNone(m, "no .text.hot section")
        start, size = int(m.group(1), 16), int(m.group(2), 16)
        found = symbols(BINARY)
        present = [n for n in listed if n in found]
        # A stale list (renamed or removed functions) no longer groups the hot code.
        self.assertGreater(len(present), 0.6 * len(listed),
                           "regenerate cmake/injector_hot_text.ld (scripts/injector_hot_text.sh)")
        outside = [n for n in present if not any(start <= a < start + size for a in found[n])]
        self.assertLess(len(outside), 0.02 * len(present), outside[:10])

    def test_unreached_function_copies_are_dropped(self):
        out = subprocess.run(["nm", BINARY], capture_output=True, text=True, check=True).stdout
        # One copy of the formatter, and its out-of-line cold part.
        copies = [l for l in out.splitlines() if "format_dragon" in l]
        self.assertLessEqual(len(copies), 2, "\n".join(copies))


if __name__ == "__main__":
    BINARY, PACKED = sys.argv[1], sys.argv[2].upper() == "ON"
    HOT_TEXT = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3].upper() != "OFF" else None
    unittest.main(argv=sys.argv[:1])
