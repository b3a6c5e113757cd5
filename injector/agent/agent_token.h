// The Agent endpoint's SSRF token: 32 random bytes (OpenSSL RAND_bytes) as 64
// lower-case hex characters, made once per injector start and written to
// `<mount>/.agent-token` for the app to send as X-Aws-Parameters-Secrets-Token.
// Whoever reads the token reads every declared secret through the endpoint,
// so the file gets the mode of the most restrictive file the pod declared
// (AgentTokenMode) and, written by the same process, the same owner. The
// token is a secret: it lives in a SecretValue and is never logged.
// Thread-safe.
#pragma once

#include <string_view>

#include "injector/base/secret_value.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/status.h"

namespace memsecret::injector::agent {

inline constexpr const char* kAgentTokenFile = ".agent-token";
inline constexpr size_t kAgentTokenHexChars = 64;

// The token file's mode: the read bits every file of `plan` grants (their
// intersection, masked to 0444), so no reader of the token could not read
// each declared file itself: 0400 with the default modes; 0440 when every
// file is 0440; 0000 when the files share no reader (the endpoint is then
// usable by root only). A plan without files gets 0400.
uint32_t AgentTokenMode(const InjectionPlan& plan);

// kInternal when the OpenSSL random generator fails (never a weak token).
Result<SecretValue> NewAgentToken();

// Whether `presented` equals `token`, in time independent of where they
// differ (CRYPTO_memcmp); a different length is a mismatch.
bool AgentTokenMatches(std::string_view presented, const SecretValue& token);

}  // namespace memsecret::injector::agent
