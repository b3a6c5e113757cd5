#include "memsecret/duration.h"

#include <cctype>

namespace memsecret {

Result<std::chrono::seconds> ParseDuration(std::string_view text, std::chrono::seconds max) {
  const int64_t max_seconds = max.count();
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid duration \"" + std::string(text) + "\": " + why +
                           " (use e.g. 30s, 5m, 1h30m, or 0)");
  };
  if (text == "0") return std::chrono::seconds(0);
  if (text.empty()) return bad("empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return bad("expected a number");
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > max_seconds) return bad("too long (max " + FormatDuration(max) + ")");
      ++i;
    }
    if (i == text.size()) return bad("missing unit (s, m, h or d)");
    int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return bad(std::string("unknown unit '") + text[i] + "'");
    }
    ++i;
    total += n * unit;
    if (total > max_seconds) return bad("too long (max " + FormatDuration(max) + ")");
  }
  return std::chrono::seconds(total);
}

std::string FormatDuration(std::chrono::seconds d) {
  int64_t s = d.count();
  if (s <= 0) return "0";
  std::string out;
  const std::pair<int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (auto [size, c] : units) {
    if (s >= size) {
      out += std::to_string(s / size) + c;
      s %= size;
    }
  }
  return out;
}

}  // namespace memsecret
