// Character rules the backends' ref syntax and key checks share (each
// backend's spec part, injector/providers/<name>/<name>_spec.cc). Pure.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

namespace memsecret {

// Every character of `s` is an ASCII letter or digit, or one of `extra`.
inline bool AllOf(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

inline bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "a/b//c" -> {"a", "b", "", "c"}
inline std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

}  // namespace memsecret
