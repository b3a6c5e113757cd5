#include "webhook/mutator.h"

#include <map>

#include "webhook/annotations.h"
#include "webhook/planner.h"
#include "webhook/pod_patch.h"
#include "webhook/policy.h"

namespace memsecret::webhook {

namespace {

using nlohmann::json;

constexpr size_t kMaxProblemChars = 300;
constexpr size_t kMaxMessageChars = 4000;

std::string ServiceAccountOf(const json& pod) {
  if (pod.contains("spec") && pod["spec"].is_object()) {
    const json& spec = pod["spec"];
    for (const char* key : {"serviceAccountName", "serviceAccount"})
      if (spec.contains(key) && spec[key].is_string() && !spec[key].get<std::string>().empty()) return spec[key];
  }
  return "default";
}

// Reads a string map (labels, annotations); non-string values are problems.
std::map<std::string, std::string> StringMap(const json& metadata, const char* key, Problems* problems) {
  std::map<std::string, std::string> out;
  if (!metadata.is_object() || !metadata.contains(key) || metadata[key].is_null()) return out;
  const json& m = metadata[key];
  if (!m.is_object()) {
    problems->push_back({ProblemKind::kInvalid, "metadata." + std::string(key) + " must be a map"});
    return out;
  }
  for (const auto& [k, v] : m.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
    else problems->push_back({ProblemKind::kInvalid, "metadata." + std::string(key) + "[" + k + "] must be a string"});
  }
  return out;
}

// The patch adds to containers by index, so each entry must be an object (the
// apiserver guarantees it; `render` reads arbitrary manifests).
void CheckContainerLists(const json& spec, Problems* problems) {
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || spec[list].is_null()) continue;
    if (!spec[list].is_array()) {
      problems->push_back({ProblemKind::kInvalid, "spec." + std::string(list) + " must be a list"});
      continue;
    }
    for (size_t i = 0; i < spec[list].size(); ++i)
      if (!spec[list][i].is_object())
        problems->push_back({ProblemKind::kInvalid, "spec." + std::string(list) + "[" + std::to_string(i) + "] must be an object"});
  }
}

MutationResult Deny(Problems problems) {
  MutationResult r;
  r.kind = MutationResult::Kind::kDenied;
  r.status_code = 403;
  for (const auto& p : problems)
    if (p.kind == ProblemKind::kInvalid) r.status_code = 400;
  r.problems = std::move(problems);
  return r;
}

}  // namespace

std::string MutationResult::DenialMessage() const {
  std::string msg = "memsecret denied the pod: " + std::to_string(problems.size()) +
                    (problems.size() == 1 ? " problem: " : " problems: ");
  for (size_t i = 0; i < problems.size(); ++i) {
    std::string p = problems[i].message;
    if (p.size() > kMaxProblemChars) p = p.substr(0, kMaxProblemChars) + "...";
    std::string next = (i ? "; " : "") + p;
    if (msg.size() + next.size() > kMaxMessageChars) {
      msg += "; ... and " + std::to_string(problems.size() - i) + " more";
      break;
    }
    msg += next;
  }
  return msg;
}

MutationResult Mutate(const json& pod, const std::string& namespace_name, const Config& config) {
  MutationResult unchanged;
  if (!pod.is_object()) return Deny({{ProblemKind::kInvalid, "object is not a Pod"}});
  static const json kEmpty = json::object();
  const json& metadata = pod.contains("metadata") ? pod["metadata"] : kEmpty;
  Problems problems;
  auto labels = StringMap(metadata, "labels", &problems);
  if (auto it = labels.find(kInjectLabel); it == labels.end() || it->second != "true") {
    unchanged.reason = "not opted in (label memsecret.io/inject is not \"true\")";
    return unchanged;
  }
  auto annotations = StringMap(metadata, "annotations", &problems);
  PodInjectionSpec spec = ParseAnnotations(annotations, &problems);
  if (spec.already_injected) {
    unchanged.reason = "already injected";
    return unchanged;
  }
  if (!pod.contains("spec") || !pod["spec"].is_object() || !pod["spec"].contains("containers") ||
      !pod["spec"]["containers"].is_array() || pod["spec"]["containers"].empty())
    problems.push_back({ProblemKind::kInvalid, "pod has no spec.containers"});
  else
    CheckContainerLists(pod["spec"], &problems);
  if (problems.empty() && spec.files.empty())
    problems.push_back({ProblemKind::kInvalid,
                        "labelled memsecret.io/inject=true but no memsecret.io/secret-<name> or token-<name> annotation"});
  const std::string sa = ServiceAccountOf(pod);
  CheckPolicy(spec, config, namespace_name, sa, &problems);
  if (!problems.empty()) return Deny(std::move(problems));

  PodPlan plan = PlanInjection(spec, config, pod, namespace_name, sa, &problems);
  if (!problems.empty()) return Deny(std::move(problems));

  MutationResult r;
  r.kind = MutationResult::Kind::kPatched;
  r.patch = BuildPodPatch(pod, plan, config);
  r.warnings = std::move(plan.warnings);
  r.files = spec.files.size();
  return r;
}

}  // namespace memsecret::webhook
