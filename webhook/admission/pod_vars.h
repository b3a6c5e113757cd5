// Pod variables in configuration values: `{namespace}` and `{serviceAccount}` are replaced by
// the requesting pod's namespace and service account — in policy allow globs
// (`aws:/genesys/{namespace}/*`) and in settings the planner writes into the plan
// (`vault.role: "{serviceAccount}"`). Any other text, braces included, is kept. Pure.
#pragma once

#include <string>
#include <string_view>

namespace memsecret::webhook {

std::string SubstitutePodVars(std::string_view pattern, const std::string& namespace_name,
                              const std::string& service_account);

}  // namespace memsecret::webhook
