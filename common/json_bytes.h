// Eight bytes at a time for JSON string scanning (JsonWriter, JsonReader):
// whether a word holds a byte that ends a plain run inside a JSON string
// literal. Classic SWAR zero-byte tests, exact as booleans.
#pragma once

#include <cstdint>
#include <cstring>

namespace memsecret {

inline uint64_t LoadWord(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// A control character (< 0x20), '"' or '\\': the bytes JSON must escape.
inline bool HasJsonEscapeByte(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const uint64_t below_space = (v - kOnes * 0x20) & ~v & kHigh;
  return (below_space | has_zero(v ^ (kOnes * '"')) | has_zero(v ^ (kOnes * '\\'))) != 0;
}

// Any byte >= 0x80 (UTF-8 sequences, which a reader must validate).
inline bool HasNonAsciiByte(uint64_t v) { return (v & 0x8080808080808080ull) != 0; }

}  // namespace memsecret
