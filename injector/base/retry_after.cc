#include "injector/base/retry_after.h"

#include <algorithm>
#include <ctime>
#include <string>

#include "memsecret/unix_time.h"

namespace memsecret::injector {

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, WallTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return kMaxRetryAfter;
    return std::min(std::chrono::seconds(std::stol(std::string(value))), kMaxRetryAfter);
  }
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = WallTimeFromUnixSeconds(timegm(&tm));
  if (!at) return std::nullopt;
  if (*at <= now) return std::chrono::seconds(0);
  return std::min(std::chrono::duration_cast<std::chrono::seconds>(*at - now), kMaxRetryAfter);
}

std::optional<std::chrono::seconds> ParseRetryAfter(const HttpResponse& response, WallTime now) {
  auto value = response.Header("Retry-After");
  if (!value) return std::nullopt;
  return ParseRetryAfter(*value, now);
}

}  // namespace memsecret::injector
