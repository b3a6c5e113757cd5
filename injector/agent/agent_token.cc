#include "injector/agent/agent_token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <string>

namespace memsecret::injector::agent {

Result<SecretValue> NewAgentToken() {
  std::array<unsigned char, kAgentTokenHexChars / 2> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return Internal("agent token: the OpenSSL random generator failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(kAgentTokenHexChars);
  for (unsigned char b : bytes) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0x0F];
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return SecretValue(std::move(hex));
}

uint32_t AgentTokenMode(const InjectionPlan& plan) {
  if (plan.files.empty()) return 0400;
  uint32_t mode = 0444;
  for (const PlannedFile& f : plan.files) mode &= f.mode;
  return mode;
}

bool AgentTokenMatches(std::string_view presented, const SecretValue& token) {
  const std::string_view want = token.Reveal();
  if (presented.size() != want.size() || want.empty()) return false;
  return CRYPTO_memcmp(presented.data(), want.data(), want.size()) == 0;
}

}  // namespace memsecret::injector::agent
