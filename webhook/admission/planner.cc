#include "webhook/admission/planner.h"

#include <algorithm>
#include <functional>

#include "memsecret/duration.h"
#include "memsecret/plan/backend_settings.h"
#include "memsecret/plan/rotation_rules.h"

namespace memsecret::webhook {

namespace {

// A literal env value (one of kEnvNamesRead) from the first selected container that sets it.
std::string EnvValue(const std::vector<ContainerFacts>& containers,
                     const std::vector<size_t>& indices, std::string_view name) {
  for (size_t i : indices)
    for (const auto& [n, value] : containers[i].env)
      if (n == name) return value;
  return "";
}

// The UID/GID the selected containers state (container level first, then
// pod level). UID and GID are resolved independently.
void ResolveIdentity(const PodFacts& pod, const std::vector<const ContainerFacts*>& selected,
                     const Config& config, PodPlan* out) {
  std::optional<int64_t> uid, gid;
  bool conflicting = false;
  for (const ContainerFacts* c : selected) {
    auto c_uid = c->security.run_as_user ? c->security.run_as_user : pod.security.run_as_user;
    auto c_gid = c->security.run_as_group ? c->security.run_as_group : pod.security.run_as_group;
    if (c_uid && uid && *c_uid != *uid) conflicting = true;
    if (c_uid && !uid) uid = c_uid;
    if (c_gid && !gid) gid = c_gid;
  }
  if (selected.empty()) {
    uid = pod.security.run_as_user;
    gid = pod.security.run_as_group;
  }
  if (conflicting)
    out->warnings.push_back(
        "memsecret: selected containers run as different UIDs; injector uses the first");
  if (uid && *uid == 0) {
    out->warnings.push_back("memsecret: app runs as root; injector runs as UID " +
                            std::to_string(config.injector.default_run_as_user));
    uid.reset();
  }
  if (!uid && !gid && !pod.security.fs_group)
    out->warnings.push_back("memsecret: no runAsUser on the pod; injector runs as UID " +
                            std::to_string(config.injector.default_run_as_user) +
                            " and owns the files");
  out->run_as_user = uid.value_or(config.injector.default_run_as_user);
  out->run_as_group = gid;
}

// The injector's listeners join the pod's network namespace, so they meet the
// app's ports there (docs/annotations.md, "The injector's ports"):
//  - a port an app or init container declares cannot be bound twice: the pod
//    would never start, so that is denied;
//  - on hostNetwork the pod's network is the node's: 127.0.0.1 is the node's
//    loopback, open to every process on the node and every hostNetwork pod,
//    so an Agent endpoint there would hand this pod's secrets to all of them
//    (denied), and a metrics port would be a port of the node (denied when
//    the annotation asks for it; the config's default is turned off for the
//    pod with a warning).
void CheckPorts(const PodFacts& pod, bool metrics_from_annotation, InjectionPlan* plan,
                const std::function<void(const std::string&)>& invalid,
                std::vector<std::string>* warnings) {
  const std::string prefix(kAnnotationPrefix);
  if (pod.host_network) {
    if (plan->agent_port != 0)
      invalid(prefix +
              "agent-port: not on a hostNetwork pod (its 127.0.0.1 is the node's: every "
              "process on the node could read the pod's secrets)");
    if (plan->metrics_port != 0 && metrics_from_annotation) {
      invalid(prefix +
              "metrics-port: not on a hostNetwork pod (it would be a port of the node, open to "
              "its whole network)");
    } else if (plan->metrics_port != 0) {
      plan->metrics_port = 0;
      warnings->push_back("memsecret: hostNetwork pod: injector metrics port turned off");
    }
  }
  for (const ContainerListFacts* list : {&pod.containers, &pod.init_containers})
    for (const ContainerFacts& c : list->items)
      for (int64_t declared : c.container_ports)
        for (const InjectorPort& p : InjectorPorts(*plan))
          if (p.port == declared)
            invalid(prefix + p.key + " " + std::to_string(p.port) + ": container \"" + c.name +
                    "\" declares containerPort " + std::to_string(declared) +
                    " (the injector shares the pod's network; choose another port" +
                    (p.key == "metrics-port" && !metrics_from_annotation
                         ? ", or 0, in memsecret.io/metrics-port)"
                         : ")"));
}

}  // namespace

PodPlan PlanInjection(const PodInjectionSpec& spec, const Config& config, const PodFacts& pod,
                      const std::string& ns, const std::string& sa, Problems* problems) {
  auto invalid = [&](const std::string& msg) { problems->push_back({ProblemKind::kInvalid, msg}); };
  PodPlan out;
  const std::vector<ContainerFacts>& containers = pod.containers.items;
  const std::vector<ContainerFacts>& inits = pod.init_containers.items;
  out.mount_path = spec.mount_path.value_or(config.mount_path);
  out.native_sidecar = config.injector.native_sidecar;

  // Which containers get the mount.
  if (spec.containers) {
    for (const auto& name : *spec.containers) {
      bool found = false;
      for (size_t i = 0; i < containers.size(); ++i)
        if (containers[i].name == name) found = true, out.app_containers.push_back(i);
      for (size_t i = 0; i < inits.size(); ++i)
        if (inits[i].name == name) found = true, out.init_containers.push_back(i);
      if (!found)
        invalid("memsecret.io/containers: no container named \"" + name + "\" in the pod");
    }
    std::sort(out.app_containers.begin(), out.app_containers.end());
    out.app_containers.erase(std::unique(out.app_containers.begin(), out.app_containers.end()),
                             out.app_containers.end());
    std::sort(out.init_containers.begin(), out.init_containers.end());
    out.init_containers.erase(std::unique(out.init_containers.begin(), out.init_containers.end()),
                              out.init_containers.end());
  } else {
    for (size_t i = 0; i < containers.size(); ++i) out.app_containers.push_back(i);
  }
  auto check_mounts = [&](const std::vector<ContainerFacts>& list, const std::vector<size_t>& idx) {
    for (size_t i : idx)
      for (const auto& path : list[i].mount_paths)
        if (path == out.mount_path)
          invalid("container \"" + list[i].name + "\" already mounts a volume at " +
                  out.mount_path + " (set memsecret.io/mount-path)");
  };
  check_mounts(containers, out.app_containers);
  check_mounts(inits, out.init_containers);
  std::vector<const ContainerFacts*> selected;
  for (size_t i : out.app_containers) selected.push_back(&containers[i]);
  for (size_t i : out.init_containers) selected.push_back(&inits[i]);
  ResolveIdentity(pod, selected, config, &out);

  // The plan the injector carries out.
  InjectionPlan& plan = out.plan;
  plan.pod.namespace_name = ns;
  plan.pod.service_account = sa;
  plan.pod.name = pod.name;
  plan.lifecycle = spec.lifecycle.value_or(Lifecycle::kSidecar);
  plan.output_dir = out.mount_path;
  plan.refresh_interval_seconds = spec.refresh_interval.value_or(config.refresh_interval).count();
  plan.token_refresh_fraction = config.oauth.refresh_fraction;
  plan.token_min_remaining_seconds = config.oauth.min_remaining_seconds;
  plan.files = spec.files;
  ApplyRotationRules(config.rotation, &plan.files);
  // Metrics: the annotation wins over injector.metricsPort ("0" turns it
  // off). An init-only injector exits before anything could scrape it.
  if (int port = spec.metrics_port.value_or(config.injector.metrics_port); port != 0) {
    if (plan.lifecycle == Lifecycle::kSidecar)
      plan.metrics_port = port;
    else if (spec.metrics_port)
      invalid(std::string(kAnnotationPrefix) +
              "metrics-port: needs lifecycle sidecar (an init injector exits before any scrape)");
  }

  // The backends' settings: the one resolver pipelines use too, with this
  // pod's config sections, env and projected tokens.
  PlanContext ctx;
  ctx.app_env = [&](std::string_view name) {
    return EnvValue(containers, out.app_containers, name);
  };
  ctx.token_dir = kServiceAccountTokenDir;
  ctx.namespace_name = ns;
  ctx.service_account = sa;
  ctx.key_prefix = kAnnotationPrefix;
  PlanNotes notes;
  PlanBackends(spec, ctx, &config.backends, &plan, &notes);
  for (const std::string& p : notes.problems) invalid(p);
  out.warnings.insert(out.warnings.end(), notes.warnings.begin(), notes.warnings.end());
  out.sa_tokens = std::move(notes.sa_tokens);
  // The Agent-compatible endpoint answers from the sidecar's cache; an
  // init-only injector exits before any request could come.
  if (spec.agent_port) {
    if (plan.lifecycle == Lifecycle::kSidecar)
      plan.agent_port = *spec.agent_port;
    else
      invalid(std::string(kAnnotationPrefix) +
              "agent-port: needs lifecycle sidecar (an init-only injector exits before the app "
              "could call the endpoint)");
  }
  if (Status ports = CheckInjectorPorts(InjectorPorts(plan)); !ports.ok())
    invalid(std::string(kAnnotationPrefix) + ports.message());
  CheckPorts(pod, spec.metrics_port.has_value(), &plan, invalid, &out.warnings);
  return out;
}

}  // namespace memsecret::webhook
