// CheckOptIn: the rule that no pod starts silently without its secrets.
// The injection entry only sees pods labelled memsecret.io/inject: "true"
// (its objectSelector), so a typo in the label or in the annotation prefix
// would give a pod that starts without its secrets and no message at all.
// The check entry (POST /check, failurePolicy Ignore, no objectSelector) and
// `render` run this on every pod and deny one that
//   - carries a memsecret.io/ annotation without the label
//     memsecret.io/inject: "true";
//   - carries the label memsecret.io/inject with any value but "true";
//   - carries any other label under memsecret.io/ (memsecret.io/injcet);
//   - carries a label or annotation key whose prefix is a near miss of
//     memsecret.io/ (memsecrets.io/, memsecret.com/, memsecret/,
//     memsecret-inject): within edit distance 3 of it, or starting with
//     "memsecret" in any case.
// Given the workload that holds the pod template (render reads Deployments,
// Jobs, CronJobs, ...), it also denies memsecret.io/ labels and annotations
// on the workload's own metadata, which its pods never get: they belong in
// the pod template's metadata. The check entry sees only pods; its message for
// annotations without the label names that mistake as the likely cause.
// Each problem names the key and the fix. Pure: no I/O, no config;
// thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/admission/problems.h"

namespace memsecret::webhook {

// Edit distance between two key prefixes is at most this for a near miss.
inline constexpr size_t kNearMissDistance = 3;

// The object a pod template sits in, as far as the check reads it.
struct WorkloadMetadata {
  std::string kind;           // "Deployment", "CronJob", ...
  std::string template_path;  // where its pods' metadata is: "spec.template.metadata"
  std::map<std::string, std::string> labels, annotations;
};

// The problems (all kInvalid), the workload's first, then labels, each in key
// order; empty: the pod may start. `workload`: null for a bare pod.
// Mutate's DenialMessage() words a denial.
Problems CheckOptIn(const std::map<std::string, std::string>& labels,
                    const std::map<std::string, std::string>& annotations,
                    const WorkloadMetadata* workload = nullptr);

// Levenshtein distance, stopping early once it exceeds `limit` (returns
// limit + 1 then). Exposed for tests.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit);

}  // namespace memsecret::webhook
