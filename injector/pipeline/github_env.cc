#include "injector/pipeline/github_env.h"

#include <openssl/rand.h>

#include "memsecret/injection_plan.h"

namespace memsecret::injector::pipeline {

std::string MaskCommands(std::string_view value) {
  std::string out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t nl = value.find('\n', start);
    std::string_view line =
        value.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out += "::add-mask::" + std::string(line) + "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
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
