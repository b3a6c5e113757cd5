// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), one rule for the JSON reader and the YAML config adapter. Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace memsecret {

// Length (1-4) of the well-formed UTF-8 sequence starting at text[i], or 0
// when the bytes there are not one (truncated, overlong, surrogate, > U+10FFFF,
// a stray continuation byte).
inline size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) -> unsigned {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u;
  };
  const unsigned c = byte(i);
  if (i < text.size() && c < 0x80) return 1;
  unsigned lo = 0x80, hi = 0xBF;  // range of the first continuation byte
  size_t continuation;
  if (c >= 0xC2 && c <= 0xDF)
    continuation = 1;
  else if (c == 0xE0)
    continuation = 2, lo = 0xA0;
  else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    continuation = 2;
  else if (c == 0xED)
    continuation = 2, hi = 0x9F;
  else if (c == 0xF0)
    continuation = 3, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3)
    continuation = 3;
  else if (c == 0xF4)
    continuation = 3, hi = 0x8F;
  else
    return 0;
  for (size_t k = 1; k <= continuation; ++k) {
    const unsigned b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return continuation + 1;
}

inline bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace memsecret
