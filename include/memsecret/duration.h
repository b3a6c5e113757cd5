// Go-style durations as used in annotations: "30s", "5m", "1h30m", "0".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret {

// The longest duration ParseDuration accepts unless told otherwise: refresh
// intervals, delays and timeouts.
inline constexpr std::chrono::seconds kDefaultMaxDuration{30LL * 24 * 3600};
// The longest rotation age a `rotation` rule may name (maxAge): ten years.
inline constexpr std::chrono::seconds kMaxRotationAge{3650LL * 24 * 3600};

// Parses a non-negative duration made of <int><unit> parts (units s, m, h, d)
// or the bare "0". Returns whole seconds; at most `max` (error "too long (max
// <max>)" beyond it).
Result<std::chrono::seconds> ParseDuration(std::string_view text,
                                           std::chrono::seconds max = kDefaultMaxDuration);

// Shortest readable form: 300s -> "5m", 5400s -> "1h30m", 0 -> "0".
std::string FormatDuration(std::chrono::seconds d);

}  // namespace memsecret
