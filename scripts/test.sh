#!/usr/bin/env bash
# The README's test command: set up a fresh Debian machine, build, run the memory-safety pass
# (scripts/memory_safety.sh: the whole suite under ASan+UBSan+LSan unless MEMSECRET_SANITIZERS=0,
# and bounded libFuzzer runs unless MEMSECRET_FUZZ_SECONDS=0), then every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh
scripts/memory_safety.sh
# The normal suite last, so the run closes on ctest's summary line. No test is retried: a
# failure is a failure (timing-sensitive tests derive their deadlines from events instead).
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
