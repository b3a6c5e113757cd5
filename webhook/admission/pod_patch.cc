#include "webhook/admission/pod_patch.h"

#include <set>
#include <string>

#include "memsecret/json_writer.h"
#include "memsecret/plan/injection_plan.h"
#include "webhook/admission/annotations.h"
#include "webhook/admission/json_pointer.h"

namespace memsecret::webhook {

namespace {

constexpr const char* kVolumeName = "memsecret";
constexpr const char* kTokenVolumeName = "memsecret-sa-token";
constexpr const char* kSidecarName = "memsecret-injector";
// The injector's metrics port (docs/injector.md). A container port name is
// an IANA service name: at most 15 characters.
constexpr const char* kMetricsPortName = "memsec-metrics";
constexpr const char* kInitName = "memsecret-init";

// base, base-2, base-3, ... whichever is not taken.
std::string UniqueName(const std::string& base, const std::set<std::string>& taken) {
  if (!taken.count(base)) return base;
  for (int i = 2;; ++i) {
    std::string candidate = base + "-" + std::to_string(i);
    if (!taken.count(candidate)) return candidate;
  }
}

void AddNames(const ContainerListFacts& list, std::set<std::string>* names) {
  for (const auto& c : list.items)
    if (c.is_object) names->insert(c.name);
}

// Writes values into the patch; every member in sorted key order.
class PatchWriter {
 public:
  explicit PatchWriter(std::string* out) : w_(out) { w_.BeginArray(); }
  void Finish() { w_.EndArray(); }

  // An "add" of the value write_value() writes; when `append` is set the
  // array at `path` exists and the value is added at its end ("/-") or front
  // ("/0"); otherwise a one-element array is created at `path`.
  template <typename Fn>
  void AddToArray(bool exists, const std::string& path, Fn&& write_value, bool at_front = false) {
    BeginAdd(exists ? path + (at_front ? "/0" : "/-") : path);
    if (!exists) w_.BeginArray();
    write_value(w_);
    if (!exists) w_.EndArray();
    w_.EndObject();
  }

  template <typename Fn>
  void Add(const std::string& path, Fn&& write_value) {
    BeginAdd(path);
    write_value(w_);
    w_.EndObject();
  }

 private:
  void BeginAdd(const std::string& path) {
    w_.BeginObject().Member("op", "add").Member("path", path).Key("value");
  }
  JsonWriter w_;
};

void WriteResources(JsonWriter& w, const Resources& r) {
  w.BeginObject();
  if (!r.limits_cpu.empty() || !r.limits_memory.empty()) {
    w.Key("limits").BeginObject();
    if (!r.limits_cpu.empty()) w.Member("cpu", r.limits_cpu);
    if (!r.limits_memory.empty()) w.Member("memory", r.limits_memory);
    w.EndObject();
  }
  if (!r.requests_cpu.empty() || !r.requests_memory.empty()) {
    w.Key("requests").BeginObject();
    if (!r.requests_cpu.empty()) w.Member("cpu", r.requests_cpu);
    if (!r.requests_memory.empty()) w.Member("memory", r.requests_memory);
    w.EndObject();
  }
  w.EndObject();
}

struct InjectorShape {
  std::string name;
  bool once = false;            // `run --once` (init container) or `run` (sidecar)
  bool native_sidecar = false;  // restartPolicy Always + postStart `probe --wait`
};

// The native sidecar's postStart hook waits this long for the first complete
// write (the budget the startup probe had: 300 periods of 1 s); then it
// fails, and the kubelet kills and restarts the injector.
constexpr const char* kReadyWait = "300s";

void WriteInjectorContainer(JsonWriter& w, const InjectorShape& shape, const PodPlan& p,
                            const std::string& plan_json, const Config& config,
                            const std::string& volume, const std::string& token_volume) {
  w.BeginObject();
  w.Key("args").BeginArray().String("run");
  if (shape.once) w.String("--once");
  w.EndArray();
  w.Key("command").BeginArray().String(config.injector.binary_path).EndArray();
  w.Key("env").BeginArray();
  w.BeginObject().Member("name", "MEMSECRET_PLAN").Member("value", plan_json).EndObject();
  w.BeginObject().Member("name", "MEMSECRET_POD_NAME").Key("valueFrom").BeginObject();
  w.Key("fieldRef").BeginObject().Member("fieldPath", "metadata.name").EndObject();
  w.EndObject().EndObject();
  for (const auto& e : config.injector.env)
    w.BeginObject().Member("name", e.name).Member("value", e.value).EndObject();
  w.EndArray();
  w.Member("image", config.injector.image);
  w.Member("imagePullPolicy", config.injector.image_pull_policy);
  if (shape.native_sidecar) {
    // A restartable init container counts as started when its postStart hook
    // has returned (and it has no startupProbe), and only then does the
    // kubelet start the next container. The hook returns the moment the
    // readiness marker exists, so the app starts within milliseconds of the
    // first complete write; a startupProbe would add up to one probe period
    // (its first success comes on the prober's tick).
    w.Key("lifecycle").BeginObject().Key("postStart").BeginObject().Key("exec").BeginObject();
    w.Key("command")
        .BeginArray()
        .String(config.injector.binary_path)
        .String("probe")
        .String("--wait")
        .String(kReadyWait)
        .EndArray();
    w.EndObject().EndObject().EndObject();
  }
  w.Member("name", shape.name);
  if (!shape.once && p.plan.metrics_port != 0) {
    w.Key("ports").BeginArray().BeginObject();
    w.Member("containerPort", p.plan.metrics_port).Member("name", kMetricsPortName);
    w.Member("protocol", "TCP").EndObject().EndArray();
  }
  w.Key("resources");
  WriteResources(w, config.injector.resources);
  if (shape.native_sidecar) w.Member("restartPolicy", "Always");

  w.Key("securityContext").BeginObject();
  w.Member("allowPrivilegeEscalation", false);
  w.Key("capabilities").BeginObject().Key("drop").BeginArray().String("ALL").EndArray().EndObject();
  w.Member("privileged", false);
  w.Member("readOnlyRootFilesystem", true);
  if (p.run_as_group) w.Member("runAsGroup", *p.run_as_group);
  w.Member("runAsNonRoot", true);
  w.Member("runAsUser", p.run_as_user);
  w.Key("seccompProfile").BeginObject().Member("type", "RuntimeDefault").EndObject();
  w.EndObject();

  w.Member("terminationMessagePolicy", "FallbackToLogsOnError");
  w.Key("volumeMounts").BeginArray();
  w.BeginObject().Member("mountPath", p.mount_path).Member("name", volume).EndObject();
  if (!token_volume.empty())
    w.BeginObject()
        .Member("mountPath", kServiceAccountTokenDir)
        .Member("name", token_volume)
        .Member("readOnly", true)
        .EndObject();
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string BuildPodPatch(const PodFacts& pod, const PodPlan& p, const Config& config) {
  std::string out;
  out.reserve(4096);
  PatchWriter patch(&out);

  // 1. Status annotation.
  if (pod.annotations.shape == JsonShape::kObject) {
    patch.Add(Pointer({"metadata", "annotations", kStatusAnnotation}),
              [](JsonWriter& w) { w.String(kStatusInjected); });
  } else {
    patch.Add("/metadata/annotations", [](JsonWriter& w) {
      w.BeginObject().Member(kStatusAnnotation, kStatusInjected).EndObject();
    });
  }

  // 2. Volumes: the tmpfs and, when a backend needs one, projected SA tokens.
  std::set<std::string> volumes(pod.volume_names.begin(), pod.volume_names.end());
  const std::string volume = UniqueName(kVolumeName, volumes);
  volumes.insert(volume);
  patch.AddToArray(pod.volumes == JsonShape::kArray, "/spec/volumes", [&](JsonWriter& w) {
    w.BeginObject()
        .Key("emptyDir")
        .BeginObject()
        .Member("medium", "Memory")
        .Member("sizeLimit", config.volume_size_limit);
    w.EndObject().Member("name", volume).EndObject();
  });
  std::string token_volume;
  if (!p.sa_tokens.empty()) {
    token_volume = UniqueName(kTokenVolumeName, volumes);
    // After step 2's first add the array exists, so append. No defaultMode:
    // kubelet's 0644 lets the injector read its token whatever UID it runs
    // as; the volume is mounted in the injector only.
    patch.AddToArray(true, "/spec/volumes", [&](JsonWriter& w) {
      w.BeginObject()
          .Member("name", token_volume)
          .Key("projected")
          .BeginObject()
          .Key("sources")
          .BeginArray();
      for (const auto& t : p.sa_tokens) {
        w.BeginObject().Key("serviceAccountToken").BeginObject();
        w.Member("audience", t.audience)
            .Member("expirationSeconds", config.service_account_token_expiration_seconds);
        w.Member("path", t.path).EndObject().EndObject();
      }
      w.EndArray().EndObject().EndObject();
    });
  }

  // 3. Read-only mounts in the selected containers (original indices, before any insert).
  auto add_mounts = [&](const char* list, const ContainerListFacts& containers,
                        const std::vector<size_t>& indices) {
    for (size_t i : indices)
      patch.AddToArray(containers.items[i].volume_mounts == JsonShape::kArray,
                       "/spec/" + std::string(list) + "/" + std::to_string(i) + "/volumeMounts",
                       [&](JsonWriter& w) {
                         w.BeginObject()
                             .Member("mountPath", p.mount_path)
                             .Member("name", volume)
                             .Member("readOnly", true);
                         w.EndObject();
                       });
  };
  add_mounts("containers", pod.containers, p.app_containers);
  add_mounts("initContainers", pod.init_containers, p.init_containers);

  // 4. Injector containers.
  std::set<std::string> names;
  AddNames(pod.containers, &names);
  AddNames(pod.init_containers, &names);
  AddNames(pod.ephemeral_containers, &names);
  const std::string plan_json = EncodePlan(p.plan);
  auto injector = [&](const InjectorShape& shape) {
    return [&, shape](JsonWriter& w) {
      WriteInjectorContainer(w, shape, p, plan_json, config, volume, token_volume);
    };
  };
  const bool init_only = p.plan.lifecycle == Lifecycle::kInit;
  const bool has_inits = pod.init_containers.shape == JsonShape::kArray;
  if (init_only || !p.native_sidecar) {
    const std::string init_name = UniqueName(kInitName, names);
    names.insert(init_name);
    patch.AddToArray(has_inits, "/spec/initContainers", injector({init_name, /*once=*/true, false}),
                     /*at_front=*/true);
    if (!init_only)
      patch.AddToArray(pod.containers.shape == JsonShape::kArray, "/spec/containers",
                       injector({UniqueName(kSidecarName, names), /*once=*/false, false}));
  } else {
    patch.AddToArray(
        has_inits, "/spec/initContainers",
        injector({UniqueName(kSidecarName, names), /*once=*/false, /*native_sidecar=*/true}),
        /*at_front=*/true);
  }
  patch.Finish();
  return out;
}

}  // namespace memsecret::webhook
