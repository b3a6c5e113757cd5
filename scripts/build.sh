#!/usr/bin/env bash
# Configures and builds memsecret into ${BUILD_DIR:-build} (gcc, ${BUILD_TYPE:-RelWithDebInfo}).
# usage: scripts/build.sh [--quiet] [--target T]... [-DVAR=VALUE]...
#   --target T  build only T (repeatable; default: every target, tests and benchmarks included)
#   --quiet     print one progress line instead of the compiler's output; the full output goes
#               to ${BUILD_DIR}/build.log, and its end is shown when the build fails
# MEMSECRET_WERROR=ON turns warnings into errors (scripts/test.sh, for CI); off by default so a
# newer compiler's new warnings never stop a user's build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
QUIET=
targets=()
defines=()
while (($#)); do
  case $1 in
    --quiet) QUIET=1 ;;
    --target) targets+=(--target "$2"); shift ;;
    -D*) defines+=("$1") ;;
    *) echo "usage: $0 [--quiet] [--target T]... [-DVAR=VALUE]..." >&2; exit 2 ;;
  esac
  shift
done
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DMEMSECRET_WERROR="${MEMSECRET_WERROR:-OFF}" ${defines[@]+"${defines[@]}"} >/dev/null
if [[ -z $QUIET ]]; then
  exec cmake --build "$BUILD_DIR" -j"$(nproc)" ${targets[@]+"${targets[@]}"}
fi

log=$BUILD_DIR/build.log
start=$SECONDS
# ninja's "[done/total]" lines become one progress line (a line per tenth when not a terminal).
progress() {
  local line step total tenth=-1 tty=
  [[ -t 1 ]] && tty=1
  while IFS= read -r line; do
    [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    step=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
    if [[ -n $tty ]]; then
      printf '\rbuild: step %s of %s (%d s)' "$step" "$total" $((SECONDS - start))
    elif ((step * 10 / total != tenth)); then
      tenth=$((step * 10 / total))
      echo "build: step $step of $total ($((SECONDS - start)) s)"
    fi
  done
  [[ -z $tty ]] || printf '\n'
}
rc=0
cmake --build "$BUILD_DIR" -j"$(nproc)" ${targets[@]+"${targets[@]}"} 2>&1 | tee "$log" | progress || rc=$?
if ((rc != 0)); then
  echo "build: FAILED (exit $rc) after $((SECONDS - start)) s; the end of $log:" >&2
  tail -n 60 "$log" >&2
  exit "$rc"
fi
warnings=$(grep -c 'warning:' "$log" || true)
echo "build: done in $((SECONDS - start)) s ($warnings compiler warnings; full output in $log)"
