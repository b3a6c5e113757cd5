// RFC 3339 timestamps in UTC, the one place they are written and read:
// audit lines, token files, expiry messages, and the timestamps remote
// services send (STS and container-credential expirations, Vault's
// created_time). Pure.
#pragma once

#include <string>
#include <string_view>

#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret {

// "2023-11-14T22:13:20Z" (whole seconds, rounded down).
std::string FormatRfc3339(WallTime t);
// "2023-11-14T22:13:20.123Z" (milliseconds, rounded down).
std::string FormatRfc3339Millis(WallTime t);

// Reads "YYYY-MM-DDTHH:MM:SS[.fraction](Z|z|+00:00)" (the zone may be
// omitted: UTC). Other offsets, other shapes, and times outside 1970..2200
// are errors; the message never repeats the input (it is remote text).
Result<WallTime> ParseRfc3339(std::string_view text);

}  // namespace memsecret
