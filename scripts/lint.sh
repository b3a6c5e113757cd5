#!/usr/bin/env bash
# The tree's tooling checks, run by the test command (ctest test `lint`):
#   1. clang-format (.clang-format: Google style, 100 columns) on every C++ file: any
#      difference fails and is printed as a diff;
#   2. clang-tidy (.clang-tidy profile; one process, so it runs beside other tests) on the
#      product's core layers (see below), with BUILD_DIR's compile_commands.json;
#   3. no file cites a document outside the repository;
#   4. the layers (scripts/check_layers.py): includes follow the libraries' link graph, no link
#      cycle, include/ holds only headers other libraries use.
# Usage: scripts/lint.sh [BUILD_DIR]   (default build/)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
rc=0

mapfile -t cxx < <(git ls-files '*.cc' '*.h' | grep -v '^tests/fuzz/corpus/')
echo "lint: clang-format on ${#cxx[@]} files"
bad=0
for f in "${cxx[@]}"; do
  if ! clang-format --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" - >/tmp/lint.$$.diff; then
    cat /tmp/lint.$$.diff | head -40
    bad=$((bad + 1))
  fi
done
rm -f /tmp/lint.$$.diff
if ((bad)); then echo "lint: $bad files differ from clang-format (run: clang-format -i FILE)"; rc=1; fi

if [[ -f $BUILD_DIR/compile_commands.json ]]; then
  # The layers where a slip costs most (shared vocabulary, admission decision, HTTP server,
  # the injector's runtime and wire code). The profile leaves out the static analyzer, which cost
  # three quarters of the time.
  mapfile -t srcs < <(git ls-files 'common/*.cc' 'webhook/admission/*.cc' \
                        'injector/runtime/*.cc' 'injector/base/*.cc')
  echo "lint: clang-tidy on ${#srcs[@]} files"
  if ! run-clang-tidy -quiet -p "$BUILD_DIR" -j 1 "${srcs[@]/#/$PWD/}" >/tmp/lint-tidy.$$ 2>&1; then
    grep -E "warning:|error:" /tmp/lint-tidy.$$ | sort -u | head -50
    echo "lint: clang-tidy found problems"
    rc=1
  fi
  rm -f /tmp/lint-tidy.$$
else
  echo "lint: no $BUILD_DIR/compile_commands.json; clang-tidy skipped" >&2
  rc=1
fi

# Comments and docs cite only what a user of the repository can open.
if git grep -nE '\b(SPEC|PROTOCOLS|STYLE)(\.md)? §|\.\./shared/' -- ':!scripts/lint.sh' ; then
  echo "lint: the lines above cite documents outside the repository"
  rc=1
fi
# The direction of the layers, from the includes and the CMake link graph.
python3 scripts/check_layers.py . || rc=1
exit $rc
