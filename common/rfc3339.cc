#include "memsecret/rfc3339.h"

#include <cstdio>
#include <ctime>

#include "memsecret/unix_time.h"

namespace memsecret {
namespace {

std::tm UtcFields(WallTime t) {
  const std::time_t secs = static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string FormatRfc3339(WallTime t) {
  const std::tm tm = UtcFields(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRfc3339Millis(WallTime t) {
  const std::tm tm = UtcFields(t);
  const auto ms =
      std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count() % 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms < 0 ? ms + 1000 : ms));
  return buf;
}

Result<WallTime> ParseRfc3339(std::string_view text) {
  std::tm tm{};
  int consumed = 0;
  const std::string s(text.substr(0, 64));
  if (text.size() > 64 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return InvalidArgument("malformed RFC 3339 timestamp");
  std::string_view rest = std::string_view(s).substr(consumed);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  if (rest != "Z" && rest != "z" && rest != "+00:00" && !rest.empty())
    return InvalidArgument("timestamp must be UTC (Z)");
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return InvalidArgument("malformed RFC 3339 timestamp");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto at = WallTimeFromUnixSeconds(timegm(&tm));
  if (!at) return InvalidArgument("timestamp out of range");
  return *at;
}

}  // namespace memsecret
