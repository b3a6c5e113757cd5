// ASCII case helpers for protocol text (header names, hosts, regions, SigV4
// canonical headers). Locale-independent on purpose: std::tolower follows the
// C locale, and protocol tokens are ASCII whatever the process's locale.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace memsecret {

inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

inline std::string AsciiLowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
  return out;
}

inline bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

}  // namespace memsecret
