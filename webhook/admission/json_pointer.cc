#include "webhook/admission/json_pointer.h"

namespace memsecret::webhook {

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string Pointer(std::initializer_list<std::string_view> tokens) {
  std::string out;
  for (auto t : tokens) {
    out += '/';
    out += EscapePointerToken(t);
  }
  return out;
}

}  // namespace memsecret::webhook
