#include "injector/wire/percent_encoding.h"

namespace memsecret::injector {

std::string PercentEncode(std::string_view s, std::string_view keep, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || (c != 0 && keep.find(static_cast<char>(c)) != std::string_view::npos)) {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string UriEncode(std::string_view s, bool encode_slash) {
  return PercentEncode(s, encode_slash ? "-_.~" : "-_.~/");
}

std::string FormUrlEncode(std::string_view s) { return PercentEncode(s, "-._*", true); }

}  // namespace memsecret::injector
