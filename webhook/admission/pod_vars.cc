#include "webhook/admission/pod_vars.h"

namespace memsecret::webhook {

std::string SubstitutePodVars(std::string_view pattern, const std::string& namespace_name,
                              const std::string& service_account) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i, 11) == "{namespace}") {
      out += namespace_name;
      i += 11;
    } else if (pattern.substr(i, 16) == "{serviceAccount}") {
      out += service_account;
      i += 16;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

}  // namespace memsecret::webhook
