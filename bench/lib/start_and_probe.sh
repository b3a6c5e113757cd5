#!/bin/sh
# One measured start for injector_startup.sh (run by hyperfine): exec the
# sidecar, exec `probe` back to back until it passes (as a startupProbe
# would, without its period), then stop the sidecar. Output dir is emptied
# first so every run does the whole first write.
# usage: start_and_probe.sh INJECTOR PLAN OUT_DIR
inj=$1 plan=$2 out=$3
rm -f "$out"/* "$out"/.memsecret-ready
"$inj" run --plan "$plan" >/dev/null 2>&1 &
pid=$!
n=0
until "$inj" probe --plan "$plan" 2>/dev/null; do
  n=$((n + 1))
  if [ $n -gt 20000 ]; then kill $pid; exit 1; fi
done
kill -TERM $pid
wait $pid
