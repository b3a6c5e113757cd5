// Reading fields of a remote JSON document (a backend's answer or error body)
// that may be missing or of the wrong type: one helper instead of a copy per
// backend. Header-only; nlohmann_json is the adapter every backend parses with.
#pragma once

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "memsecret/clock.h"
#include "memsecret/rfc3339.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector {

// The string member `key` of `j`, or "" when `j` is not an object, the member
// is missing, or it is not a string. Never throws.
inline std::string JsonStringField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The number member `key` of `j` read as Unix seconds (fractional allowed:
// AWS CreatedDate is 1700000000.123), to the millisecond; nullopt when `j` is
// not an object, the member is missing or not a number, or the time is
// before 1970 or from 2200 on (unix_time.h). Never throws.
inline std::optional<WallTime> JsonUnixTimeField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  const double seconds = it->get<double>();
  if (!(seconds >= 0) || seconds >= static_cast<double>(kMaxUnixSeconds)) return std::nullopt;
  const auto millis = static_cast<int64_t>(std::floor(seconds * 1000.0));
  return WallTime(std::chrono::milliseconds(millis));
}

// The string member `key` of `j` read as an RFC 3339 time (Vault's
// created_time, with nanoseconds); nullopt when missing, not a string or not
// a valid time. Never throws.
inline std::optional<WallTime> JsonRfc3339Field(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  Result<WallTime> t = ParseRfc3339(it->get_ref<const std::string&>());
  if (!t.ok()) return std::nullopt;
  return *t;
}

}  // namespace memsecret::injector
