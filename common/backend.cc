#include "memsecret/backend.h"

namespace memsecret {

bool PlanSettings::operator==(const PlanSettings& other) const {
  if (map_.size() != other.map_.size()) return false;
  for (auto a = map_.begin(), b = other.map_.begin(); a != map_.end(); ++a, ++b)
    if (a->first != b->first || !a->second->Equals(*b->second)) return false;
  return true;
}

std::string PlanContext::ProjectToken(const std::string& audience, const std::string& file,
                                      PlanNotes* notes) const {
  if (token_dir.empty()) return "";
  notes->sa_tokens.push_back({audience, file});
  return token_dir + "/" + file;
}

std::optional<std::string> KeyValue(const BackendKeys& keys, std::string_view key) {
  auto it = keys.find(key);
  if (it == keys.end()) return std::nullopt;
  return it->second;
}

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

}  // namespace memsecret
