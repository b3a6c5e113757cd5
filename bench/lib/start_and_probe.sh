#!/usr/bin/env bash
# One measured start for injector_startup.sh (run by hyperfine): exec the
# sidecar, wait for its readiness marker (checked every 2 ms by a shell
# builtin, so the wait itself takes no CPU from the injector and the fakes),
# then exec `probe` once, as the startupProbe would, and it must pass; then
# stop the sidecar. The output dir is emptied first so every run does the
# whole first write. When $BENCH_STARTUP_LOG is set, the time from just before
# the exec to the probe's exit is appended to it (ms): hyperfine's own figure
# also counts bash's start and the sidecar's shutdown.
# usage: start_and_probe.sh INJECTOR PLAN OUT_DIR
inj=$1 plan=$2 out=$3
rm -f "$out"/* "$out"/.memsecret-ready
t0=$EPOCHREALTIME
"$inj" run --plan "$plan" >/dev/null 2>&1 &
pid=$!
exec 9<> <(:)  # a descriptor that never has data: `read -t` on it is a sleep without fork
n=0
until [[ -e $out/.memsecret-ready ]]; do
  read -r -t 0.002 -u 9 _
  n=$((n + 1))
  if ((n > 10000)) || ! kill -0 $pid 2>/dev/null; then kill $pid 2>/dev/null; exit 1; fi
done
"$inj" probe --plan "$plan" 2>/dev/null
rc=$?
t1=$EPOCHREALTIME
if [[ -n ${BENCH_STARTUP_LOG:-} && $rc == 0 ]]; then
  echo "${t0/[.,]/} ${t1/[.,]/}" | awk '{printf "%.3f\n", ($2 - $1) / 1000}' >>"$BENCH_STARTUP_LOG"
fi
kill -TERM $pid
wait $pid
exit $rc
