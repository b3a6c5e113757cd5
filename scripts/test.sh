#!/usr/bin/env bash
# The README's test command (CI runs it through .ci/run). In this order:
#   1. scripts/setup.sh: every dependency on a fresh Debian 12 machine (Debian packages, the
#      npm tools of tests/deploy and tests/oauth, the benchmarks' tools);
#   2. scripts/build.sh: the gcc build of every target into ${BUILD_DIR:-build}, warnings as
#      errors (MEMSECRET_WERROR=ON; the clang builds of step 3 keep warnings as warnings);
#   3. scripts/memory_safety.sh: a clang build with ASan+UBSan+LSan running the whole suite
#      (unless MEMSECRET_SANITIZERS=0), then bounded libFuzzer runs (unless
#      MEMSECRET_FUZZ_SECONDS=0);
#   4. the normal suite with ctest, last, so the run closes on ctest's summary line;
#   5. scripts/check_no_skips.py: fails when step 4 skipped a test (CI runs as root with
#      everything installed, so each test can run there), unless MEMSECRET_ALLOWED_SKIPS
#      names it ("*": any, e.g. an unprivileged developer run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} MEMSECRET_WERROR=ON scripts/build.sh
scripts/memory_safety.sh
# No test is retried: a failure is a failure (timing-sensitive tests derive their deadlines
# from events instead).
cd "${BUILD_DIR:-build}"
rc=0
ctest --output-on-failure -j"$(nproc)" --timeout 600 --output-junit "$PWD/ctest-junit.xml" || rc=$?
python3 "$ROOT/scripts/check_no_skips.py" "$PWD/ctest-junit.xml" || { [ "$rc" != 0 ] || rc=1; }
exit "$rc"
