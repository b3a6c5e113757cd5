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

// The problems (all kInvalid), labels first, each in key order; empty: the
// pod may start. Mutate's DenialMessage() words a denial.
Problems CheckOptIn(const std::map<std::string, std::string>& labels,
                    const std::map<std::string, std::string>& annotations);

// Levenshtein distance, stopping early once it exceeds `limit` (returns
// limit + 1 then). Exposed for tests.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit);

}  // namespace memsecret::webhook
