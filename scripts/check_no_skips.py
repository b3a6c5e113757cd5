#!/usr/bin/env python3
"""Fails when ctest skipped a test that this run was expected to run.

usage: scripts/check_no_skips.py CTEST_JUNIT_XML

scripts/test.sh runs ctest with --output-junit and then this check: CI runs as
root with everything scripts/setup.sh installs, so every test can run there,
and a test that skipped (exit 77 under SKIP_RETURN_CODE, a GTEST_SKIP, a
disabled test) would otherwise count as a pass. Tests that may skip are named
in MEMSECRET_ALLOWED_SKIPS (names separated by spaces or commas; "*" allows
every skip, e.g. for an unprivileged developer run). Exit status: 0 when no
test outside the list skipped, 1 otherwise, 2 when the report is unreadable.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET


def skipped_tests(junit_path):
    """(name, reason) for each test the report marks skipped, disabled or not run."""
    out = []
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        status = case.get("status", "")
        marker = case.find("skipped")
        if status in ("skipped", "disabled", "notrun") or marker is not None:
            reason = (marker.get("message", "") if marker is not None else "") or status
            out.append((case.get("name", "?"), reason))
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        skipped = skipped_tests(argv[1])
    except (OSError, ET.ParseError) as e:
        print("check_no_skips: cannot read %s: %s" % (argv[1], e), file=sys.stderr)
        return 2
    allowed = set(filter(None, re.split(r"[\s,]+", os.environ.get("MEMSECRET_ALLOWED_SKIPS", ""))))
    unexpected = [(n, r) for n, r in skipped if "*" not in allowed and n not in allowed]
    for name, reason in skipped:
        tag = "allowed" if (name, reason) not in unexpected else "NOT ALLOWED"
        print("check_no_skips: skipped (%s): %s: %s" % (tag, name, reason))
    if unexpected:
        print("check_no_skips: %d test(s) skipped that this run must run; fix the machine "
              "(scripts/setup.sh, run as root) or name them in MEMSECRET_ALLOWED_SKIPS"
              % len(unexpected), file=sys.stderr)
        return 1
    print("check_no_skips: %d skipped, none unexpected" % len(skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
