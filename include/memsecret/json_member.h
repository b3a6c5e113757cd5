// Reading an optional member of a JSON object we wrote ourselves (the
// injection plan, a backend's plan settings): a member of the wrong type, or
// an integer out of the target's range, is an error naming `where.key`.
// Header-only; nlohmann_json's exceptions stop here.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace memsecret {

// Sets `*out` from obj[key] when present and not null; false (and `*err`
// set) when it has another type.
template <typename T>
bool ReadMember(const nlohmann::json& obj, const char* key, T* out, std::string* err,
                const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann's get<int>() of a float or of an integer beyond T's range is a
    // plain cast (undefined for 1e75): integers are checked here.
    const bool in_range =
        it->is_number_unsigned()
            ? it->template get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())
        : it->is_number_integer() ? it->template get<int64_t>() >= std::numeric_limits<T>::min() &&
                                        it->template get<int64_t>() <= std::numeric_limits<T>::max()
                                  : false;
    if (!in_range) {
      *err = where + "." + key +
             (it->is_number() ? " is not an integer in range" : " has the wrong type");
      return false;
    }
    *out = static_cast<T>(it->is_number_unsigned() ? it->template get<uint64_t>()
                                                   : it->template get<int64_t>());
    return true;
  }
  try {
    *out = it->template get<T>();
    return true;
  } catch (const nlohmann::json::exception&) {
    *err = where + "." + key + " has the wrong type";
    return false;
  }
}

}  // namespace memsecret
