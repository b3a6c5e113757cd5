#!/usr/bin/env python3
"""The static injector's layout, which its resident memory follows (nearly all
of a static binary's text and read-only data is mapped in by a long-running
sidecar, cmake/static_link.cmake):
- with a linker that packs relative relocations, the start-up relocations are
  packed (.relr.dyn) and .rela.dyn keeps only the few that cannot be (it was
  ~0.5 MiB, read whole by ld.so at every exec);
- the product's libraries are compiled one section per function, so
  --gc-sections can drop what the binary does not reach: fmt's float formatter,
  cloned privately into every translation unit that logs through spdlog, is
  linked once (it was 15 copies, ~150 KiB).

usage: static_layout_test.py <memsecret-injector> <ON|OFF: relocations packed>
"""
import re
import subprocess
import sys
import unittest

BINARY = None
PACKED = False


def section_sizes(path):
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True,
                         check=True).stdout
    sizes = {}
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            sizes[m.group(1)] = int(m.group(2), 16)
    return sizes


class StaticLayout(unittest.TestCase):
    def test_relative_relocations_are_packed(self):
        if not PACKED:
            self.skipTest("the linker does not pack relative relocations")
        sizes = section_sizes(BINARY)
        self.assertIn(".relr.dyn", sizes)
        self.assertLess(sizes.get(".rela.dyn", 0), 16 * 1024, sizes)

    def test_unreached_function_copies_are_dropped(self):
        out = subprocess.run(["nm", BINARY], capture_output=True, text=True, check=True).stdout
        # One copy of the formatter, and its out-of-line cold part.
        copies = [l for l in out.splitlines() if "format_dragon" in l]
        self.assertLessEqual(len(copies), 2, "\n".join(copies))


if __name__ == "__main__":
    BINARY, PACKED = sys.argv[1], sys.argv[2].upper() == "ON"
    unittest.main(argv=sys.argv[:1])
