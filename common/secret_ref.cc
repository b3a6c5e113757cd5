#include "memsecret/secret_ref.h"

namespace memsecret {

std::optional<std::string> SecretRef::Query(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

std::string SecretRef::PolicyKey() const { return provider + ":" + path; }

std::string SecretRef::ToString() const {
  std::string out = PolicyKey();
  for (size_t i = 0; i < query.size(); ++i)
    out += (i == 0 ? "?" : "&") + query[i].first + "=" + query[i].second;
  if (field) out += "#" + *field;
  return out;
}

}  // namespace memsecret
