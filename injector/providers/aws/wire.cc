#include "injector/aws/wire.h"

#include <cstdio>
#include <ctime>

#include "injector/aws/sigv4.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector::aws {

std::string SanitizeErrorCode(std::string_view code) {
  if (auto hash = code.find('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  if (auto colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.remove_suffix(1);
  return std::string(code);
}

Result<WallTime> ParseIso8601(std::string_view text) {
  std::tm tm{};
  int consumed = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return InvalidArgument("malformed timestamp \"" + CleanRemoteText(text, 40) + "\"");
  }
  std::string_view rest = std::string_view(s).substr(consumed);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "" && rest != "z")
    return InvalidArgument("timestamp must be UTC: \"" + CleanRemoteText(text, 40) + "\"");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto at = WallTimeFromUnixSeconds(timegm(&tm));
  if (!at) return InvalidArgument("timestamp out of range");
  return *at;
}

std::optional<std::string> XmlElementText(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  start += open.size();
  size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view raw = xml.substr(start, end - start);
  std::string out;
  out.reserve(raw.size());
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  for (size_t i = 0; i < raw.size(); ++i) {
    bool replaced = false;
    if (raw[i] == '&') {
      for (const auto& [entity, ch] : kEntities) {
        if (raw.substr(i, entity.size()) == entity) {
          out += ch;
          i += entity.size() - 1;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += raw[i];
  }
  return out;
}


}  // namespace memsecret::injector::aws
