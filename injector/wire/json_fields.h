// Reading fields of a remote JSON document (a backend's answer or error body)
// that may be missing or of the wrong type: one helper instead of a copy per
// backend. Header-only; nlohmann_json is the adapter every backend parses with.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace memsecret::injector {

// The string member `key` of `j`, or "" when `j` is not an object, the member
// is missing, or it is not a string. Never throws.
inline std::string JsonStringField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace memsecret::injector
