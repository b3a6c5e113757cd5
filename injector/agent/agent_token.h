// The Agent endpoint's SSRF token: 32 random bytes (OpenSSL RAND_bytes) as 64
// lower-case hex characters, made once per injector start and written to
// `<mount>/.agent-token` (mode 0444: the app containers run as other users)
// for the app to send as X-Aws-Parameters-Secrets-Token. The token is a
// secret: it lives in a SecretValue and is never logged. Thread-safe.
#pragma once

#include <string_view>

#include "injector/wire/secret_value.h"
#include "memsecret/status.h"

namespace memsecret::injector::agent {

inline constexpr const char* kAgentTokenFile = ".agent-token";
inline constexpr size_t kAgentTokenHexChars = 64;

// kInternal when the OpenSSL random generator fails (never a weak token).
Result<SecretValue> NewAgentToken();

// Whether `presented` equals `token`, in time independent of where they
// differ (CRYPTO_memcmp); a different length is a mismatch.
bool AgentTokenMatches(std::string_view presented, const SecretValue& token);

}  // namespace memsecret::injector::agent
