#include "webhook/admission/opt_in_check.h"

#include <algorithm>

#include "memsecret/ascii.h"
#include "webhook/admission/annotations.h"

namespace memsecret::webhook {

namespace {

constexpr std::string_view kPrefix = kAnnotationPrefix;  // "memsecret.io/"
constexpr std::string_view kLabel = kInjectLabel;        // "memsecret.io/inject"
constexpr std::string_view kOptOutValue = "false";
constexpr size_t kMaxQuotedChars = 63;  // label values and name parts are at most 63 chars

// "<text>" with quotes, cut to a length a message can carry. Keys and label
// values are metadata, never secret values.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  out += text.substr(0, kMaxQuotedChars);
  if (text.size() > kMaxQuotedChars) out += "...";
  return out + "\"";
}

// Whether `key` is under memsecret.io/.
bool HasPrefix(std::string_view key) { return key.substr(0, kPrefix.size()) == kPrefix; }

// The part of `key` up to and including its '/', or the whole key without one.
std::string_view PrefixPart(std::string_view key) {
  const size_t slash = key.find('/');
  return slash == std::string_view::npos ? key : key.substr(0, slash + 1);
}

// Whether PrefixPart(key) looks like a mistyped memsecret.io/ (and is not it).
bool IsNearMissPrefix(std::string_view key) {
  if (HasPrefix(key)) return false;
  const std::string_view head = PrefixPart(key);
  if (EqualsIgnoreAsciiCase(head.substr(0, 9), "memsecret")) return true;
  return !head.empty() && head.back() == '/' &&
         BoundedEditDistance(head, kPrefix, kNearMissDistance) <= kNearMissDistance;
}

// "memsecrets.io/token-x" -> "memsecret.io/token-x"; a key without '/' keeps
// its whole text as the name.
std::string WithExactPrefix(std::string_view key) {
  const size_t slash = key.find('/');
  return std::string(kPrefix) +
         std::string(slash == std::string_view::npos ? key : key.substr(slash + 1));
}

void CheckLabels(const std::map<std::string, std::string>& labels, Problems* problems) {
  const auto add = [&](std::string message) {
    problems->push_back({ProblemKind::kInvalid, std::move(message)});
  };
  for (const auto& [key, value] : labels) {
    if (key == kLabel) {
      if (value != "true" && value != kOptOutValue)
        add("label memsecret.io/inject is " + Quoted(value) +
            " but only \"true\" opts in: set memsecret.io/inject: \"true\" (or remove the label "
            "and every "
            "memsecret.io/ annotation)");
    } else if (HasPrefix(key)) {
      add("label " + Quoted(key) +
          " is not a memsecret label (the only one is memsecret.io/inject): "
          "did you mean memsecret.io/inject: \"true\"?");
    } else if (IsNearMissPrefix(key)) {
      add("label " + Quoted(key) + " has prefix " + Quoted(PrefixPart(key)) +
          ", not memsecret.io/: did you mean memsecret.io/inject: \"true\"?");
    }
  }
}

// memsecret.io/ keys on the workload's own metadata: Kubernetes copies only
// the pod template's metadata into pods, so these never reach one.
void CheckWorkload(const WorkloadMetadata& workload,
                   const std::map<std::string, std::string>& pod_labels, Problems* problems) {
  const std::string where = "the " + workload.kind + "'s own metadata";
  const std::string fix =
      "its pods get only the pod template's metadata (" + workload.template_path + ")";
  if (workload.labels.count(std::string(kLabel)) && !pod_labels.count(std::string(kLabel)))
    problems->push_back({ProblemKind::kInvalid, "label memsecret.io/inject is on " + where +
                                                    ", but " + fix + ": move the label to " +
                                                    workload.template_path + ".labels"});
  for (const auto& [key, value] : workload.annotations)
    if (HasPrefix(key))
      problems->push_back({ProblemKind::kInvalid, "annotation " + Quoted(key) + " is on " + where +
                                                      ", but " + fix + ": move it to " +
                                                      workload.template_path + ".annotations"});
}

void CheckAnnotations(const std::map<std::string, std::string>& annotations, bool opted_in,
                      bool label_problem, Problems* problems) {
  std::vector<std::string> exact;  // memsecret.io/ keys
  for (const auto& [key, value] : annotations) {
    if (HasPrefix(key)) {
      exact.push_back(key);
    } else if (IsNearMissPrefix(key)) {
      problems->push_back({ProblemKind::kInvalid, "annotation " + Quoted(key) + " has prefix " +
                                                      Quoted(PrefixPart(key)) +
                                                      ", not memsecret.io/: rename it to " +
                                                      Quoted(WithExactPrefix(key))});
    }
  }
  // A label problem already names the fix; this one is for a missing label.
  if (exact.empty() || opted_in || label_problem) return;
  std::string keys;
  for (size_t i = 0; i < exact.size() && i < 3; ++i) keys += (i ? ", " : "") + exact[i];
  if (exact.size() > 3) keys += ", ... (" + std::to_string(exact.size()) + " in all)";
  problems->push_back(
      {ProblemKind::kInvalid,
       "the pod has memsecret.io/ annotations (" + keys +
           ") but not the label memsecret.io/inject: \"true\", so nothing would be injected: "
           "add that label to the pod's metadata.labels; for a Deployment, StatefulSet, Job "
           "or other workload that is the pod template's metadata.labels "
           "(spec.template.metadata.labels), not the workload's own metadata, which pods "
           "never get"});
}

}  // namespace

size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit) {
  const size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;  // every later row is at least this
  }
  return std::min(row[b.size()], limit + 1);
}

Problems CheckOptIn(const std::map<std::string, std::string>& labels,
                    const std::map<std::string, std::string>& annotations,
                    const WorkloadMetadata* workload) {
  Problems problems;
  if (workload) CheckWorkload(*workload, labels, &problems);
  CheckLabels(labels, &problems);
  const auto label = labels.find(std::string(kLabel));
  const bool opted_in = label != labels.end() && label->second == "true";
  CheckAnnotations(annotations, opted_in, !problems.empty(), &problems);
  return problems;
}

}  // namespace memsecret::webhook
