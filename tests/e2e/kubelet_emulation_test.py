#!/usr/bin/env python3
"""The kubelet emulation itself (tests/e2e/run_pod.py), before anything is
measured with it: hand-written pods of /bin/sh containers, no webhook.

  * a postStart hook runs after its container has started and the next
    container starts only after it returned 0 — for a restartable init
    container (native sidecar) and between regular containers;
  * a failing hook kills the container, which restarts (restartable init
    container) and gates the next one until a hook succeeds;
  * a startupProbe's first success comes on the prober's tick (every
    periodSeconds from when the pod was added), not when the condition
    became true, and the next container starts only after it.

usage: kubelet_emulation_test.py [unittest args]     (needs root; skips otherwise)
"""
import math
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_pod  # noqa: E402

SH = "/bin/sh"


def container(name, script, **extra):
    c = {"name": name, "image": "busybox", "command": [SH, "-c", script],
         "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    c.update(extra)
    return c


def pod(name, init=(), regular=(), restart_policy="Never"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": "uid-" + name},
            "spec": {"restartPolicy": restart_policy, "terminationGracePeriodSeconds": 2,
                     "volumes": [{"name": "data", "emptyDir": {}}],
                     "initContainers": list(init), "containers": list(regular)}}


def hook(script):
    return {"postStart": {"exec": {"command": [SH, "-c", script]}}}


# The sidecar's "first complete write": a file, then its mtime is when it happened.
WRITE_LATER = "sleep 0.4; echo x > /data/.tmp && mv /data/.tmp /data/ready; exec sleep 60"
WAIT_FOR_FILE = "while [ ! -e /data/ready ]; do sleep 0.005; done"
APP = "test -e /data/ready && echo app: saw the file || echo app: MISSING; sleep 0.2"


class KubeletEmulation(unittest.TestCase):
    def setUp(self):
        self.runs = []

    def tearDown(self):
        for r in self.runs:
            r.close()

    def run_pod(self, p):
        r = run_pod.PodRun(p, "/nonexistent-build", restart_backoff=0.2)
        self.runs.append(r)
        return r.start()

    def test_post_start_hook_gates_the_next_container(self):
        r = self.run_pod(pod("hook-gate", init=[container("side", WRITE_LATER, restartPolicy="Always",
                                                          lifecycle=hook(WAIT_FOR_FILE))],
                             regular=[container("app", APP)]))
        started = r.wait_event("container_started", container="side")
        hook_started = r.wait_event("hook_started", container="side")
        done = r.wait_event("hook_succeeded", container="side", timeout=30)
        app = r.wait_event("container_started", container="app", timeout=30)
        self.assertLessEqual(started["t"], hook_started["t"], "the hook runs after its container started")
        written = os.stat(r.volume_path("data", "ready")).st_mtime
        self.assertLessEqual(written, done["t"], "the hook waited for the file")
        self.assertLess(written, app["t"], "the app started before the sidecar's hook returned")
        self.assertLess(done["t"], app["t"])
        # Between the hook's success and the app's start the kubelet only marks the sidecar ready and
        # ends the init phase: no probe tick, no restart backoff, nothing else waited for.
        with r.cond:
            events = list(r.events)
        between = events[events.index(done) + 1:events.index(app)]
        self.assertEqual({e["event"] for e in between} - {"container_ready", "init_done"}, set(),
                         "the app waits for nothing after the hook returns: %s" % between)
        # Excludes waiting out a probe period or a restart backoff (1 s and more); a loaded machine
        # may delay the emulator's 20 ms loop.
        self.assertLess(app["t"] - done["t"], 1.0, "the app starts right after the hook returns")
        res = r.wait_done(timeout=60)
        self.assertEqual(res["phase"], "Succeeded", r.describe())
        self.assertIn("app: saw the file", r.logs("app"))

    def test_post_start_hook_of_a_regular_container_blocks_the_next_one(self):
        r = self.run_pod(pod("hook-regular", regular=[
            container("first", "exec sleep 2", lifecycle=hook("sleep 0.5; touch /data/ready")),
            container("second", APP)]))
        done = r.wait_event("hook_succeeded", container="first", timeout=30)
        second = r.wait_event("container_started", container="second", timeout=30)
        self.assertLess(done["t"], second["t"])
        self.assertEqual(r.wait_done(timeout=60)["phase"], "Succeeded", r.describe())
        self.assertIn("app: saw the file", r.logs("second"))

    def test_failing_hook_kills_and_restarts_a_restartable_init_container(self):
        # Fails on the first start, succeeds on the second.
        flaky = "if [ -e /data/failed-once ]; then exit 0; fi; touch /data/failed-once; exit 3"
        r = self.run_pod(pod("hook-fail", init=[container("side", "touch /data/ready; exec sleep 60",
                                                          restartPolicy="Always", lifecycle=hook(flaky))],
                             regular=[container("app", APP)]))
        failed = r.wait_event("hook_failed", container="side", timeout=30)
        self.assertEqual(failed["exit_code"], 3)
        killed = r.wait_event("container_exited", container="side", timeout=30)
        self.assertGreater(killed["t"], failed["t"])
        restarted = r.wait_event("container_started", container="side", restarts=1, timeout=30)
        app = r.wait_event("container_started", container="app", timeout=30)
        self.assertGreater(app["t"], restarted["t"], "the app started while the sidecar's hook was failing")
        ok = r.wait_event("hook_succeeded", container="side")
        self.assertLess(ok["t"], app["t"])
        self.assertEqual(r.wait_done(timeout=60)["phase"], "Succeeded", r.describe())

    def test_startup_probe_succeeds_on_the_probers_tick(self):
        period = 2
        probe = {"exec": {"command": [SH, "-c", "test -e /data/ready"]}, "periodSeconds": period,
                 "failureThreshold": 30, "timeoutSeconds": 1}
        r = self.run_pod(pod("probe-tick", init=[container("side", "sleep 0.1; touch /data/ready; exec sleep 60",
                                                           restartPolicy="Always", startupProbe=probe)],
                             regular=[container("app", APP)]))
        added = r.wait_event("sandbox_ready")["pod_added"]
        ok = r.wait_event("probe_succeeded", container="side", timeout=30)
        app = r.wait_event("container_started", container="app", timeout=30)
        written = os.stat(r.volume_path("data", "ready")).st_mtime
        # The file exists ~0.1 s after the start; the probes run on the
        # ticks, one period apart from when the pod was added — the first
        # success comes from a tick after the file appeared. Each probe starts
        # on or after its tick, never early, and well before the next one (a
        # loaded machine may delay the emulator's 20 ms loop: 0.5 s allowed).
        ticks = [e["t"] - added for e in r.find_events("probe_started", "side")]
        self.assertTrue(ticks, r.describe())
        on = [math.floor((t + 0.01) / period) for t in ticks]  # 10 ms for reading two clocks
        for t, k in zip(ticks, on):
            self.assertGreaterEqual(k, 1, "a probe before the first tick: %s" % ticks)
            self.assertLess(t - k * period, 0.5, "a probe off its tick: %s" % ticks)
        self.assertEqual(on, sorted(set(on)), "one probe per tick: %s" % ticks)
        # A prober that ran when the file appeared (~0.1 s after the start, long before the first
        # tick) would have started before the first tick, or off the tick grid.
        self.assertGreater(on[-1] * period + added, written, "the probe succeeded on a tick before the file existed")
        self.assertLess(ok["t"], app["t"])
        self.assertEqual(r.wait_done(timeout=60)["phase"], "Succeeded", r.describe())


if __name__ == "__main__":
    # Skipped is exit 77 (ctest's SKIP_RETURN_CODE), never a pass.
    ok, why = run_pod.can_run_pods()
    if not ok:
        print("SKIP: kubelet emulation: " + why)
        sys.exit(77)
    unittest.main()
