#include "injector/pipeline/github_env.h"

#include <openssl/rand.h>

#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector::pipeline {

std::string EscapeCommandData(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MaskCommands(std::string_view value) {
  std::string out;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t end = value.find_first_of("\r\n", start);
    const std::string_view line =
        value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line.find_first_not_of(" \t\f\v") != std::string_view::npos)
      out += "::add-mask::" + EscapeCommandData(line) + "\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string GithubEnvPrefix(std::optional<char> last_byte) {
  return last_byte && *last_byte != '\n' ? "\n" : "";
}

DelimiterSource RandomDelimiters() {
  return [] {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return std::string();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "ghadelimiter_";
    for (unsigned char b : bytes) {
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
    return out;
  };
}

Result<std::string> GithubEnvEntry(std::string_view var, std::string_view value,
                                   const DelimiterSource& delimiters) {
  if (!IsValidEnvVarName(var))
    return InvalidArgument("\"" + std::string(var) + "\" is not a shell variable name");
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string delim = delimiters();
    if (delim.empty() || value.find(delim) != std::string_view::npos) continue;
    return std::string(var) + "<<" + delim + "\n" + std::string(value) + "\n" + delim + "\n";
  }
  return InvalidArgument("no delimiter for " + std::string(var) + " that is absent from its value");
}

}  // namespace memsecret::injector::pipeline
