// Times and durations read from remote input (timestamps, expires_in, leases,
// Retry-After dates) converted without overflow. system_clock counts
// nanoseconds in 64 bits (years 1678-2262), so converting an arbitrary remote
// number directly is undefined behaviour; these helpers range-check first.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "memsecret/clock.h"

namespace memsecret {

inline constexpr int64_t kMaxUnixSeconds = 7'258'118'400;  // 2200-01-01T00:00:00Z

// Unix seconds -> WallTime; nullopt before 1970 or from 2200 on.
inline std::optional<WallTime> WallTimeFromUnixSeconds(int64_t unix_seconds) {
  if (unix_seconds < 0 || unix_seconds >= kMaxUnixSeconds) return std::nullopt;
  return WallTime(std::chrono::seconds(unix_seconds));
}

// A remote number of seconds (any JSON number, NaN included) as a duration
// clamped to [0, max].
inline std::chrono::seconds ClampRemoteSeconds(double value, std::chrono::seconds max) {
  if (!(value > 0)) return std::chrono::seconds(0);
  if (value >= static_cast<double>(max.count())) return max;
  return std::chrono::seconds(static_cast<int64_t>(value));
}

}  // namespace memsecret
