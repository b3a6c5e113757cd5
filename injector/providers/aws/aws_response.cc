#include "injector/providers/aws/aws_response.h"

#include <cstdio>
#include <ctime>

#include "injector/providers/aws/sigv4.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector::aws {

std::string SanitizeErrorCode(std::string_view code) {
  if (auto hash = code.find('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  if (auto colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.remove_suffix(1);
  return std::string(code);
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
