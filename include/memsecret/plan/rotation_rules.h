// Rotation rules: how old a served secret version may be before rotation is
// overdue. A rule is `match` (a glob, memsecret/glob.h, on the ref's
// "<provider>:<path>", the same text policy globs see) and `maxAge`; the
// first rule that matches a file's ref applies. The webhook reads them from
// its config (`rotation:`), the pipeline commands from `-f` (`rotation:`) and
// `--rotation GLOB=AGE`; both resolve them into each PlannedFile's
// rotation_max_age_seconds before the injector starts. Pure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/plan/injection_plan.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret {

struct RotationRule {
  std::string match;               // glob on SecretRef::PolicyKey()
  std::chrono::seconds max_age{};  // > 0, at most kMaxRotationAge
  bool operator==(const RotationRule&) const = default;
};

// Validates one rule from its text parts: a non-empty glob and a duration
// ("90d", "2160h"; memsecret/duration.h) between 1s and 3650d. Errors are
// prefixed with `where` ("rotation[2]").
Result<RotationRule> MakeRotationRule(std::string_view match, std::string_view max_age,
                                      const std::string& where);

// "GLOB=AGE" (the --rotation flag); the glob is everything before the last '='.
Result<RotationRule> ParseRotationFlag(std::string_view text);

// The maxAge of the first rule matching `ref`; 0 when none does.
std::chrono::seconds RotationMaxAgeFor(const std::vector<RotationRule>& rules,
                                       const SecretRef& ref);

// Sets every file's rotation_max_age_seconds from `rules` (0 where none
// matches). For token files the ref is the client credentials'.
void ApplyRotationRules(const std::vector<RotationRule>& rules, std::vector<PlannedFile>* files);

}  // namespace memsecret
