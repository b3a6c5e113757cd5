#include "webhook/admission/mutator.h"

#include <map>

#include "webhook/admission/annotations.h"
#include "webhook/admission/planner.h"
#include "webhook/admission/pod_patch.h"
#include "webhook/admission/policy.h"

namespace memsecret::webhook {

namespace {

constexpr size_t kMaxProblemChars = 300;
constexpr size_t kMaxMessageChars = 4000;

std::string ServiceAccountOf(const PodFacts& pod) {
  if (!pod.service_account_name.empty()) return pod.service_account_name;
  if (!pod.service_account.empty()) return pod.service_account;
  return "default";
}

// Labels and annotations must be maps of strings; anything else is a problem.
void CheckStringMap(const StringMapFacts& m, const char* what, Problems* problems) {
  if (IsPresent(m.shape) && m.shape != JsonShape::kObject) {
    problems->push_back(
        {ProblemKind::kInvalid, "metadata." + std::string(what) + " must be a map"});
    return;
  }
  for (const auto& k : m.non_string_keys)
    problems->push_back(
        {ProblemKind::kInvalid, "metadata." + std::string(what) + "[" + k + "] must be a string"});
}

// The patch adds to containers by index, so each entry must be an object (the
// apiserver guarantees it; `render` reads arbitrary manifests).
void CheckContainerList(const ContainerListFacts& list, const char* what, Problems* problems) {
  if (!IsPresent(list.shape)) return;
  if (list.shape != JsonShape::kArray) {
    problems->push_back({ProblemKind::kInvalid, "spec." + std::string(what) + " must be a list"});
    return;
  }
  for (size_t i = 0; i < list.items.size(); ++i)
    if (!list.items[i].is_object)
      problems->push_back({ProblemKind::kInvalid, "spec." + std::string(what) + "[" +
                                                      std::to_string(i) + "] must be an object"});
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

MutationResult Mutate(const PodFacts& pod, const std::string& namespace_name,
                      const Config& config) {
  MutationResult unchanged;
  if (!pod.is_object) return Deny({{ProblemKind::kInvalid, "object is not a Pod"}});
  Problems problems;
  CheckStringMap(pod.labels, "labels", &problems);
  if (auto it = pod.labels.values.find(kInjectLabel);
      it == pod.labels.values.end() || it->second != "true") {
    unchanged.reason = "not opted in (label memsecret.io/inject is not \"true\")";
    return unchanged;
  }
  CheckStringMap(pod.annotations, "annotations", &problems);
  PodInjectionSpec spec = ParseAnnotations(pod.annotations.values, &problems);
  if (spec.already_injected) {
    unchanged.reason = "already injected";
    return unchanged;
  }
  if (pod.spec != JsonShape::kObject || pod.containers.shape != JsonShape::kArray ||
      pod.containers.items.empty()) {
    problems.push_back({ProblemKind::kInvalid, "pod has no spec.containers"});
  } else {
    CheckContainerList(pod.containers, "containers", &problems);
    CheckContainerList(pod.init_containers, "initContainers", &problems);
  }
  if (problems.empty() && spec.files.empty())
    problems.push_back({ProblemKind::kInvalid,
                        "labelled memsecret.io/inject=true but no memsecret.io/secret-<name> or "
                        "token-<name> annotation"});
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

MutationResult Mutate(const nlohmann::json& pod, const std::string& namespace_name,
                      const Config& config) {
  return Mutate(PodFactsFromJson(pod), namespace_name, config);
}

}  // namespace memsecret::webhook
