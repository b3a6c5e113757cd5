#!/usr/bin/env python3
"""Security property: neither binary ever writes secret material into its own
process environment. The running sidecar's /proc/<pid>/environ is checked by
tests/faults/fault_matrix_test.py; this test pins the other half: no code in
common/, webhook/ or injector/ calls setenv, putenv, unsetenv or clearenv
(so nothing can add a value there later, where child processes, `ps e` and
crash dumps would see it).

usage: env_mutation_test.py <repo root>
"""
import os
import re
import sys

CALL = re.compile(r"\b(setenv|putenv|unsetenv|clearenv)\s*\(")


def main():
    root = sys.argv[1]
    hits = []
    for area in ("common", "webhook", "injector", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, area)):
            for name in files:
                if not name.endswith((".cc", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        code = line.split("//", 1)[0]
                        if CALL.search(code):
                            hits.append("%s:%d: %s" % (os.path.relpath(path, root), n, line.strip()))
    for h in hits:
        print("environment mutation: " + h)
    print("checked common/ webhook/ injector/ include/: %d environment mutations" % len(hits))
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
