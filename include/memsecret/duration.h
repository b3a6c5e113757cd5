// Go-style durations as used in annotations: "30s", "5m", "1h30m", "0".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret {

// Parses a non-negative duration made of <int><unit> parts (units s, m, h, d)
// or the bare "0". Returns whole seconds; at most 30 days.
Result<std::chrono::seconds> ParseDuration(std::string_view text);

// Shortest readable form: 300s -> "5m", 5400s -> "1h30m", 0 -> "0".
std::string FormatDuration(std::chrono::seconds d);

}  // namespace memsecret
