// Glob matching for policy rules: `*` matches any run of characters, `/`
// included; every other character matches itself. No escapes, no `?`.
#pragma once

#include <string_view>

namespace memsecret {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace memsecret
