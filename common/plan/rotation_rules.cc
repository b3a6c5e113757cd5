#include "memsecret/plan/rotation_rules.h"

#include "memsecret/duration.h"
#include "memsecret/glob.h"

namespace memsecret {

Result<RotationRule> MakeRotationRule(std::string_view match, std::string_view max_age,
                                      const std::string& where) {
  if (match.empty())
    return InvalidArgument(where + ".match: must be a glob on <provider>:<path> (e.g. aws:*)");
  if (max_age.empty()) return InvalidArgument(where + ".maxAge: must be set (e.g. 90d)");
  auto age = ParseDuration(max_age, kMaxRotationAge);
  if (!age.ok()) return age.status().WithContext(where + ".maxAge");
  if (age->count() <= 0) return InvalidArgument(where + ".maxAge: must be longer than 0");
  return RotationRule{std::string(match), *age};
}

Result<RotationRule> ParseRotationFlag(std::string_view text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string_view::npos)
    return InvalidArgument("--rotation \"" + std::string(text) +
                           "\": expected GLOB=AGE (e.g. 'aws:*/genesys/*=90d')");
  return MakeRotationRule(text.substr(0, eq), text.substr(eq + 1), "--rotation");
}

std::chrono::seconds RotationMaxAgeFor(const std::vector<RotationRule>& rules,
                                       const SecretRef& ref) {
  const std::string key = ref.PolicyKey();
  for (const RotationRule& rule : rules)
    if (GlobMatch(rule.match, key)) return rule.max_age;
  return std::chrono::seconds(0);
}

void ApplyRotationRules(const std::vector<RotationRule>& rules, std::vector<PlannedFile>* files) {
  for (PlannedFile& f : *files)
    f.rotation_max_age_seconds = RotationMaxAgeFor(rules, f.ref).count();
}

}  // namespace memsecret
