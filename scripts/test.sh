#!/usr/bin/env bash
# The README's test command: set up a fresh Debian machine, build, run every test with ctest,
# then the memory-safety pass (scripts/memory_safety.sh: the same suite under ASan+UBSan+LSan
# unless MEMSECRET_SANITIZERS=0, and bounded libFuzzer runs unless MEMSECRET_FUZZ_SECONDS=0).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j"$(nproc)" --timeout 600)
scripts/memory_safety.sh
