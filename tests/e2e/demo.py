"""scripts/demo.sh step 3 (`run_pod.py --demo`): the crm-sync-service pod runs.

The pod admitted in step 2 names the real AWS endpoints and Genesys Cloud,
which this machine cannot reach. The demo therefore re-admits the same
workload through a real webhook whose config adds, with the production
mechanism, `injector.env: AWS_ENDPOINT_URL=<loopback AWS fake>` and
allowlists a loopback OAuth issuer (npm oidc-provider) that the workload's
token annotation names instead of `genesys:mypurecloud.ie`. Everything else —
containers, hooks, volumes, mounts, identity — is what step 2 produced.
Prints names, sizes, modes, events and audit lines; never a value.
"""
import json
import os
import secrets
import sys
import time

import yaml

import cluster
import run_pod

ROOT = cluster.ROOT


def say(text=""):
    print("  " + text, flush=True)


def shape(pod):
    spec = pod["spec"]
    return {"init": [(c["name"], c.get("restartPolicy"), tuple(c.get("command", [])), tuple(c.get("args", [])))
                     for c in spec.get("initContainers", [])],
            "containers": [(c["name"], tuple((m["name"], m["mountPath"], bool(m.get("readOnly")))
                                             for m in c.get("volumeMounts", []))) for c in spec["containers"]],
            "volumes": [json.dumps(v, sort_keys=True) for v in spec["volumes"]]}


def plan_of(pod):
    for c in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
        for e in c.get("env", []):
            if e["name"] == "MEMSECRET_PLAN":
                return json.loads(e["value"])
    raise SystemExit("no injector in the pod")


def run(build_dir, mutated_path, seconds=14):
    with open(mutated_path) as f:
        step2 = yaml.safe_load(f)
    with open(os.path.join(ROOT, "deploy", "examples", "crm-sync-service.yaml")) as f:
        deployment = yaml.safe_load(f)
    with open(os.path.join(ROOT, "deploy", "examples", "config.yaml")) as f:
        example_config = yaml.safe_load(f)
    namespace = deployment["metadata"].get("namespace", "default")
    never = []
    aws = cluster.FakeAws()
    oauth = cluster.OAuthServer(ttl=6)
    never.append(oauth.client_secret)
    webhook = None
    pod_run = None
    try:
        say("loopback backends: AWS Secrets Manager + STS fake (SigV4 checked by botocore) on %s," % aws.url)
        say("OAuth 2.0 server (npm oidc-provider, 6 s access tokens) at %s" % oauth.token_url)
        cfg = dict(example_config)
        cfg["injector"] = dict(cfg.get("injector") or {})
        cfg["injector"]["env"] = [{"name": "AWS_ENDPOINT_URL", "value": aws.url}]
        cfg["aws"] = dict(cfg.get("aws") or {}, region="us-east-1")  # the fake's region
        cfg["oauth"] = dict(cfg.get("oauth") or {}, allowedTokenUrls=[oauth.token_url], minRemainingSeconds=2)
        webhook = cluster.Webhook(build_dir, yaml.safe_dump(cfg, sort_keys=False))
        say("webhook: deploy/examples/config.yaml + injector.env AWS_ENDPOINT_URL, aws.region us-east-1,")
        say("         oauth.allowedTokenUrls [loopback issuer]; serving on %s" % webhook.url)

        tpl = deployment["spec"]["template"]
        ann = dict(tpl["metadata"].get("annotations") or {})
        for k, v in list(ann.items()):
            if k.startswith("memsecret.io/issuer-") and not v.startswith(("https://", "http://")):
                say("workload: %s %s -> %s (Genesys Cloud is not reachable from here)" % (k, v, oauth.token_url))
                ann[k] = oauth.token_url
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": dict(tpl["metadata"], annotations=ann,
                                generateName=deployment["metadata"]["name"] + "-7d9f8b-"),
               "spec": tpl["spec"]}
        adm = webhook.admit(pod, namespace)
        if not adm.allowed:
            raise SystemExit("unexpected denial: %s" % adm.status)
        say("admitted over %s in %.1f ms: %d patch operations applied with python3-jsonpatch"
            % (adm.tls_version, adm.latency_ms, len(adm.patch)))
        same = shape(adm.pod) == shape(step2)
        say("same containers, commands, hooks, volumes and mounts as the pod from step 2: %s" % ("yes" if same else "NO"))
        admitted = run_pod.materialize(adm.pod, namespace)

        plan = plan_of(admitted)
        role = (plan.get("aws") or {}).get("roleArn")
        for f in plan["files"]:
            ref = f["ref"]
            name = ref.split(":", 1)[1].split("?")[0].split("#")[0]
            if f["kind"] == "token":
                value = {"clientId": oauth.client_id, "clientSecret": oauth.client_secret}
            elif "#" in ref:
                field = ref.split("#", 1)[1]
                value = {field: "demo-" + secrets.token_urlsafe(18)}
                never.append(value[field])
            else:
                value = "demo-" + secrets.token_urlsafe(18)
                never.append(value)
            aws.put_secret(name, value)
            say("seeded %s (%s)" % (ref, "OAuth client credentials" if f["kind"] == "token" else "random value"))

        pod_run = run_pod.PodRun(admitted, build_dir)
        for aud, jwt in pod_run.sa_tokens.items():
            never.append(jwt)
            if aud == "sts.amazonaws.com" and role:
                aws.control(op="sts", role=role, token=jwt, duration=3600)
                say("STS trusts pod %s's projected token (audience sts.amazonaws.com) for %s"
                    % (admitted["metadata"]["name"], role))
        print(flush=True)
        pod_run.start()
        shown = 0

        def show_events():
            nonlocal shown
            for ev in pod_run.events[shown:]:
                line = describe(ev)
                if line:
                    say(line)
            shown = len(pod_run.events)

        app = admitted["spec"]["containers"][0]["name"]
        pod_run.wait_event("container_started", container=app, timeout=30)
        time.sleep(0.5)
        show_events()
        say("")
        say("app container %s sees (stand-in app: the image is not on this machine):" % app)
        for line in pod_run.logs(app).splitlines():
            doc = json.loads(line)
            if "at_start" in doc:
                say("  %-45s %4d bytes  mode %s  owner %d:%d" % (doc["at_start"], doc["size"], doc["mode"], doc["uid"], doc["gid"]))
            elif "writable" in doc:
                say("  %s is %s" % (doc["mount"], "WRITABLE" if doc["writable"] else "read-only (%s)" % doc["error"]))
        say("")
        say("running for %d s; token refreshes as the app sees them, and the injector's audit lines:" % seconds)
        app_seen = len(pod_run.logs(app).splitlines())
        audit_seen = 0
        end = time.time() + seconds
        while time.time() < end:
            time.sleep(0.25)
            lines = pod_run.logs(app).splitlines()
            for line in lines[app_seen:]:
                doc = json.loads(line)
                if "changed" in doc:
                    say("  %s app sees %s changed: %d bytes, mode %s" % (time.strftime("%H:%M:%S"), doc["changed"],
                                                                        doc["size"], doc["mode"]))
            app_seen = len(lines)
            audit = [json.loads(l) for l in pod_run.logs(cname(admitted)).splitlines() if '"audit":true' in l]
            for a in audit[audit_seen:]:
                say("  audit %s %s %s %s -> %s %s (%d ms)" % (a["time"][11:19], a["kind"], a["file"], a["ref"],
                                                              a["outcome"], a.get("version", "")[:8], a.get("latencyMs", 0)))
            audit_seen = len(audit)
        say("")
        say("deleting the pod (kubelet: SIGTERM the app, then the native sidecar):")
        res = pod_run.stop()
        show_events()
        say("pod %s" % res["phase"])
        text = pod_run.all_logs() + webhook.log()
        leaked = [s for s in never if s in text]
        say("checked %d bytes of container, kubelet and webhook output: %s" % (
            len(text), "no secret value, token, client secret or JWT" if not leaked else "LEAK FOUND"))
        return 1 if leaked or not same or res["phase"] != "Terminated" else 0
    finally:
        if pod_run:
            pod_run.close()
        if webhook:
            webhook.close()
        oauth.close()
        aws.close()


def cname(pod):
    for c in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
        if c["name"].startswith("memsecret-injector"):
            return c["name"]
    return pod["spec"]["initContainers"][0]["name"]


def describe(ev):
    k = ev["event"]
    if k == "volume":
        return "volume %s: %s (%s)" % (ev["volume"], ev["type"], ev.get("options", ""))
    if k == "projected_file":
        return "volume %s: projected service-account token %s (%d bytes, mode %s)" % (
            ev["volume"], ev["path"], ev["bytes"], ev["mode"])
    if k == "container_started":
        ro = [m[1] + (" (ro)" if m[2] else "") for m in ev["mounts"]]
        return "started %s %s as %d:%d, mounts %s%s" % (ev["kind"], ev["container"], ev["uid"], ev["gid"],
                                                        ", ".join(ro), ", read-only root" if ev["ro_root"] else "")
    if k == "probe_failed":
        return "startupProbe %s: not yet (exit %s)" % (ev["container"], ev["result"])
    if k == "probe_succeeded":
        return "startupProbe %s: passed %.0f ms after start -> next containers may start" % (
            ev["container"], ev["since_start_ms"])
    if k == "hook_started":
        return "postStart %s: waiting for the first complete write" % ev["container"]
    if k == "hook_succeeded":
        return "postStart %s: returned %.0f ms after start -> next containers may start" % (
            ev["container"], ev["since_start_ms"])
    if k == "hook_failed":
        return "postStart %s: failed (exit %s) -> container killed" % (ev["container"], ev["exit_code"])
    if k == "container_killing":
        return "%s -> %s" % (ev["signal"], ev["container"])
    if k == "container_exited":
        extra = ", %.0f ms after SIGTERM" % ev["after_sigterm_ms"] if "after_sigterm_ms" in ev else ""
        rss = ", peak RSS %.1f MiB" % (ev["peak_rss_kib"] / 1024) if ev.get("peak_rss_kib") else ""
        return "%s exited %d%s%s" % (ev["container"], ev["exit_code"], extra, rss)
    return None


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2]))
