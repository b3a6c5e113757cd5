// Problems: every reason a pod is denied, collected so the denial names each.
#pragma once

#include <string>
#include <vector>

namespace memsecret::webhook {

enum class ProblemKind {
  kInvalid,  // malformed annotation or value -> HTTP 400-style status
  kPolicy,   // forbidden by policy or an allowlist -> HTTP 403-style status
};

struct Problem {
  ProblemKind kind;
  std::string message;  // names the annotation/ref; never a secret value
};

using Problems = std::vector<Problem>;

}  // namespace memsecret::webhook
