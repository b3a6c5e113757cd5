#include "webhook/pod_patch.h"

#include <set>
#include <string>

#include "memsecret/injection_plan.h"
#include "webhook/annotations.h"
#include "webhook/json_pointer.h"

namespace memsecret::webhook {

namespace {

using nlohmann::json;

constexpr const char* kVolumeName = "memsecret";
constexpr const char* kTokenVolumeName = "memsecret-sa-token";
constexpr const char* kSidecarName = "memsecret-injector";
constexpr const char* kInitName = "memsecret-init";

bool Has(const json& obj, const char* key) { return obj.is_object() && obj.contains(key) && !obj[key].is_null(); }

// base, base-2, base-3, ... whichever is not taken.
std::string UniqueName(const std::string& base, const std::set<std::string>& taken) {
  if (!taken.count(base)) return base;
  for (int i = 2;; ++i) {
    std::string candidate = base + "-" + std::to_string(i);
    if (!taken.count(candidate)) return candidate;
  }
}

std::set<std::string> Names(const json& spec, std::initializer_list<const char*> lists) {
  std::set<std::string> out;
  for (const char* list : lists)
    if (Has(spec, list) && spec[list].is_array())
      for (const auto& item : spec[list])
        if (item.is_object() && item.contains("name") && item["name"].is_string()) out.insert(item["name"].get<std::string>());
  return out;
}

// An "add" operation. Built by assignment: nlohmann initializer lists copy
// their elements, and containers with the encoded plan are not small.
json AddOp(std::string path, json value) {
  json op = json::object();
  op["op"] = "add";
  op["path"] = std::move(path);
  op["value"] = std::move(value);
  return op;
}

// Appends `value` to the array at `path`, creating the array if absent.
void AddToArray(json& ops, const json& parent, const char* key, const std::string& path, json value, bool at_front = false) {
  if (Has(parent, key) && parent[key].is_array()) {
    ops.push_back(AddOp(path + (at_front ? "/0" : "/-"), std::move(value)));
  } else {
    json array = json::array();
    array.push_back(std::move(value));
    ops.push_back(AddOp(path, std::move(array)));
  }
}

json Resources(const Resources& r) {
  json requests = json::object(), limits = json::object();
  if (!r.requests_cpu.empty()) requests["cpu"] = r.requests_cpu;
  if (!r.requests_memory.empty()) requests["memory"] = r.requests_memory;
  if (!r.limits_cpu.empty()) limits["cpu"] = r.limits_cpu;
  if (!r.limits_memory.empty()) limits["memory"] = r.limits_memory;
  json out = json::object();
  if (!requests.empty()) out["requests"] = requests;
  if (!limits.empty()) out["limits"] = limits;
  return out;
}

json InjectorContainer(const std::string& name, bool once, const PodPlan& p, const Config& config,
                       const std::string& volume, const std::string& token_volume) {
  json env = json::array();
  json plan_env = json::object();
  plan_env["name"] = "MEMSECRET_PLAN";
  plan_env["value"] = EncodePlan(p.plan);
  env.push_back(std::move(plan_env));
  env.push_back({{"name", "MEMSECRET_POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}});
  for (const auto& e : config.injector.env) env.push_back({{"name", e.name}, {"value", e.value}});

  json security = {{"runAsNonRoot", true},
                   {"runAsUser", p.run_as_user},
                   {"readOnlyRootFilesystem", true},
                   {"allowPrivilegeEscalation", false},
                   {"privileged", false},
                   {"capabilities", {{"drop", json::array({"ALL"})}}},
                   {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  if (p.run_as_group) security["runAsGroup"] = *p.run_as_group;

  json mounts = json::array({{{"name", volume}, {"mountPath", p.mount_path}}});
  if (!token_volume.empty())
    mounts.push_back({{"name", token_volume}, {"mountPath", kServiceAccountTokenDir}, {"readOnly", true}});

  json c = json::object();
  c["name"] = name;
  c["image"] = config.injector.image;
  c["imagePullPolicy"] = config.injector.image_pull_policy;
  c["command"] = json::array({config.injector.binary_path});
  c["args"] = once ? json::array({"run", "--once"}) : json::array({"run"});
  c["env"] = std::move(env);
  c["resources"] = Resources(config.injector.resources);
  c["securityContext"] = std::move(security);
  c["volumeMounts"] = std::move(mounts);
  c["terminationMessagePolicy"] = "FallbackToLogsOnError";
  return c;
}

}  // namespace

json BuildPodPatch(const json& pod, const PodPlan& p, const Config& config) {
  json ops = json::array();
  static const json kEmpty = json::object();
  const json& metadata = Has(pod, "metadata") ? pod["metadata"] : kEmpty;
  const json& spec = Has(pod, "spec") ? pod["spec"] : kEmpty;

  // 1. Status annotation.
  if (Has(metadata, "annotations") && metadata["annotations"].is_object()) {
    ops.push_back({{"op", "add"}, {"path", Pointer({"metadata", "annotations", kStatusAnnotation})}, {"value", kStatusInjected}});
  } else {
    ops.push_back({{"op", "add"}, {"path", "/metadata/annotations"}, {"value", {{kStatusAnnotation, kStatusInjected}}}});
  }

  // 2. Volumes: the tmpfs and, when a backend needs one, projected SA tokens.
  std::set<std::string> volumes = Names(spec, {"volumes"});
  const std::string volume = UniqueName(kVolumeName, volumes);
  volumes.insert(volume);
  AddToArray(ops, spec, "volumes", "/spec/volumes",
             {{"name", volume}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", config.volume_size_limit}}}});
  std::string token_volume;
  if (!p.sa_tokens.empty()) {
    token_volume = UniqueName(kTokenVolumeName, volumes);
    json sources = json::array();
    for (const auto& t : p.sa_tokens)
      sources.push_back({{"serviceAccountToken",
                          {{"audience", t.audience},
                           {"expirationSeconds", config.service_account_token_expiration_seconds},
                           {"path", t.path}}}});
    // After step 2's first add the array exists, so append.
    ops.push_back({{"op", "add"},
                   {"path", "/spec/volumes/-"},
                   // No defaultMode: kubelet's 0644 lets the injector read its token whatever
                   // UID it runs as; the volume is mounted in the injector only.
                   {"value", {{"name", token_volume}, {"projected", {{"sources", sources}}}}}});
  }

  // 3. Read-only mounts in the selected containers (original indices, before any insert).
  json mount = {{"name", volume}, {"mountPath", p.mount_path}, {"readOnly", true}};
  auto add_mounts = [&](const char* list, const std::vector<size_t>& indices) {
    for (size_t i : indices) {
      const json& c = spec[list][i];
      AddToArray(ops, c, "volumeMounts", "/spec/" + std::string(list) + "/" + std::to_string(i) + "/volumeMounts", mount);
    }
  };
  add_mounts("containers", p.app_containers);
  add_mounts("initContainers", p.init_containers);

  // 4. Injector containers.
  std::set<std::string> names = Names(spec, {"containers", "initContainers", "ephemeralContainers"});
  const bool init_only = p.plan.lifecycle == Lifecycle::kInit;
  if (init_only || !p.native_sidecar) {
    std::string init_name = UniqueName(kInitName, names);
    names.insert(init_name);
    AddToArray(ops, spec, "initContainers", "/spec/initContainers",
               InjectorContainer(init_name, /*once=*/true, p, config, volume, token_volume), /*at_front=*/true);
    if (!init_only)
      AddToArray(ops, spec, "containers", "/spec/containers",
                 InjectorContainer(UniqueName(kSidecarName, names), /*once=*/false, p, config, volume, token_volume));
  } else {
    json sidecar = InjectorContainer(UniqueName(kSidecarName, names), /*once=*/false, p, config, volume, token_volume);
    sidecar["restartPolicy"] = "Always";
    sidecar["startupProbe"] = {{"exec", {{"command", json::array({config.injector.binary_path, "probe"})}}},
                               {"periodSeconds", 1},
                               {"timeoutSeconds", 1},
                               {"failureThreshold", 300}};
    AddToArray(ops, spec, "initContainers", "/spec/initContainers", std::move(sidecar), /*at_front=*/true);
  }
  return ops;
}

}  // namespace memsecret::webhook
