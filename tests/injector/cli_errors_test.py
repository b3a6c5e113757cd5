#!/usr/bin/env python3
"""The injector binary's command-line errors, as a user sees them on stderr:
an unknown or misplaced flag of `run`/`probe` is named (not just the usage),
and a bad plan is reported with the plan named once ("plan: plan: ..." was the
old doubled prefix). Needs no root, no network.

usage: cli_errors_test.py <memsecret-injector>
"""
import os
import subprocess
import sys
import unittest

BINARY = None


def run(args, plan=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMSECRET_")}
    if plan is not None:
        env["MEMSECRET_PLAN"] = plan
    return subprocess.run([BINARY] + args, env=env, capture_output=True, text=True, timeout=30)


class FlagErrors(unittest.TestCase):
    def test_unknown_flags_are_named(self):
        for args, expected in [
            (["run", "--bogus"], "memsecret-injector run: unknown flag --bogus"),
            (["probe", "--bogus"], "memsecret-injector probe: unknown flag --bogus"),
            (["run", "--wait", "5s"], "memsecret-injector run: --wait is a flag of probe, not of run"),
            (["run", "--plan"], "memsecret-injector run: --plan needs a value (FILE)"),
            (["probe", "--wait", "soon"], "memsecret-injector probe: --wait: "),
            (["runn"], 'memsecret-injector: unknown command "runn"'),
        ]:
            with self.subTest(args=args):
                res = run(args)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertTrue(res.stderr.startswith(expected), res.stderr)
                self.assertIn("usage:", res.stderr)


class PlanErrors(unittest.TestCase):
    def test_plan_is_named_once(self):
        for command in ("run", "probe"):
            for plan in ('{"version":1}', "not json", '{"version":1,"outputDir":"x","files":[]}'):
                with self.subTest(command=command, plan=plan):
                    res = run([command], plan=plan)
                    self.assertEqual(res.returncode, 2, res.stderr)
                    self.assertIn("plan", res.stderr)
                    self.assertNotIn("plan: plan", res.stderr)
                    self.assertNotIn("plan: plan.", res.stderr)

    def test_missing_plan_file_names_the_file(self):
        res = run(["run", "--plan", "/nonexistent/plan.json"])
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("memsecret-injector: cannot read plan file /nonexistent/plan.json", res.stderr)


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main()
