#include "injector/base/remote_text.h"

#include <algorithm>

namespace memsecret::injector {

std::string CleanRemoteText(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (unsigned char c : text.substr(0, max))
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : ' ';
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace memsecret::injector
