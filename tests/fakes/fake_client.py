"""Runs one of the loopback fakes in this folder for a test or a benchmark and
talks to its control channel (fake_base.py serves it):

  fake = fake_client.start("fake_aws.py", "--region", "eu-west-1")
  fake.url, fake.port            # once the fake printed "PORT <n>"
  fake.control(op="put_secret", name=..., string=...)   # POST /_control -> its JSON answer
  fake.get("/_control/quota"), fake.stats()             # GET, JSON
  fake.stop()                    # also on leaving `with fake:`

`script` is a file name in this folder or a path. A fake that exits or stays
silent before its "PORT" line raises RuntimeError; a control call answered
other than 2xx raises urllib.error.HTTPError. Callers import this module with
this folder on sys.path, computed from their own location; a helper that
wraps one fake may subclass RunningFake."""
import json
import os
import select
import subprocess
import sys
import urllib.request

FAKES_DIR = os.path.dirname(os.path.abspath(__file__))
# fake_aws.py needs botocore (Debian's python3-botocore): prefer the system interpreter.
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


class RunningFake:
    """A started fake; see start()."""

    def __init__(self, script, *args, env=None, stderr=None, preexec_fn=None, timeout=30):
        path = script if os.sep in script else os.path.join(FAKES_DIR, script)
        self.name = os.path.basename(path)
        self.proc = subprocess.Popen([PYTHON, path] + list(args), stdout=subprocess.PIPE, stderr=stderr,
                                     env=env, text=True, preexec_fn=preexec_fn)
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else None
        words = (line or "").split()
        if len(words) != 2 or words[0] != "PORT":
            why = ("no PORT line within %ds" % timeout if line is None else
                   "exit status %d" % self.proc.wait() if line == "" else "it printed %r" % line[:80])
            self.stop()
            raise RuntimeError("%s did not start: %s" % (self.name, why))
        self.port = int(words[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def control(self, timeout=30, **cmd):
        """One control command; the fake's JSON answer ({} for an empty one)."""
        req = urllib.request.Request(self.url + "/_control", data=json.dumps(cmd).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"{}")

    def get(self, path, timeout=30):
        """GET `path` (a control view such as /_control/state?...) as JSON."""
        with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
            return json.loads(r.read())

    def stats(self):
        return self.get("/_control/stats")

    def stop(self):
        """Kills the fake (by its pid) and reaps it; idempotent."""
        if self.proc.returncode is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(script, *args, env=None, stderr=None, preexec_fn=None, timeout=30):
    """Starts `script` with `args` and waits for it to listen. env: the whole
    environment (default: this process's); stderr: where its stderr goes."""
    return RunningFake(script, *args, env=env, stderr=stderr, preexec_fn=preexec_fn, timeout=timeout)
