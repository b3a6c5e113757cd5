#!/usr/bin/env bash
# Memory-safety pass of scripts/test.sh, in one clang build directory
# (${BUILD_DIR:-build}-asan) with AddressSanitizer + UndefinedBehaviorSanitizer
# (+ LeakSanitizer) and libFuzzer coverage on every target:
#   1. unless MEMSECRET_SANITIZERS=0: build everything and run the whole ctest
#      suite (every test labelled "sanitize"); any sanitizer report fails it;
#   2. unless MEMSECRET_FUZZ_SECONDS=0: fuzz every tests/fuzz target for that
#      many seconds (default 15) and print executions per target.
# Warnings stay warnings here (no MEMSECRET_WERROR): -Werror belongs to the gcc
# build of scripts/test.sh, the compiler the warning-free rule is checked with.
set -euo pipefail
cd "$(dirname "$0")/.."
SANITIZERS=${MEMSECRET_SANITIZERS:-1}
FUZZ_SECONDS=${MEMSECRET_FUZZ_SECONDS:-15}
[ "$SANITIZERS" != 0 ] || [ "$FUZZ_SECONDS" != 0 ] || exit 0
DIR=${SAN_BUILD_DIR:-${BUILD_DIR:-build}-asan}
JOBS=$(nproc)

start=$SECONDS
CC=clang CXX=clang++ cmake -S . -B "$DIR" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
  "-DCMAKE_CXX_FLAGS_SANITIZE=-O1 -gline-tables-only" -DMEMSECRET_SANITIZE=ON -DMEMSECRET_FUZZ=ON \
  -DMEMSECRET_BUILD_BENCH=OFF >/dev/null
if [ "$SANITIZERS" != 0 ]; then
  cmake --build "$DIR" -j"$JOBS"
else
  cmake --build "$DIR" -j"$JOBS" --target memsecret_fuzzers
fi
echo "memory-safety: sanitizer build took $((SECONDS - start)) s"

if [ "$SANITIZERS" != 0 ]; then
  REPORTS=$PWD/$DIR/sanitizer-reports
  rm -rf "$REPORTS" && mkdir -p "$REPORTS" && chmod 1777 "$REPORTS"
  # Reports go to files as well as failing the process, so a report from a
  # child process whose exit status a test ignores still fails the pass.
  export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:check_initialization_order=1:log_path=$REPORTS/asan"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
  export LSAN_OPTIONS="log_path=$REPORTS/lsan"
  start=$SECONDS
  rc=0
  (cd "$DIR" && ctest --output-on-failure -j"$JOBS" --timeout 600 ${MEMSECRET_SANITIZE_CTEST_ARGS:-}) || rc=$?
  echo "memory-safety: sanitizer ctest run took $((SECONDS - start)) s"
  if [ -n "$(ls -A "$REPORTS")" ]; then
    echo "memory-safety: sanitizer reports:"
    for f in "$REPORTS"/*; do echo "== $f"; head -c 20000 "$f"; done
    exit 1
  fi
  [ "$rc" = 0 ] || exit "$rc"
  echo "memory-safety: 0 sanitizer reports"
fi

if [ "$FUZZ_SECONDS" != 0 ]; then
  tests/fuzz/run_fuzzers.sh "$DIR" "$FUZZ_SECONDS"
fi
