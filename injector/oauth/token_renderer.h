// Renders a minted token into the bytes of its output file (SPEC §2 format-*):
//   raw   the bare access token, no trailing newline
//   json  {"access_token":"...","token_type":"Bearer","expires_at":"<RFC 3339>"}
//         plus "\n"
//   env   ACCESS_TOKEN=<shell-safe>\nTOKEN_TYPE=<type>\nTOKEN_EXPIRES_AT=<RFC 3339>\n
// `expires_at` is the token's effective expiry (EffectiveExpiry: the issuer's
// value, or the assumed lifetime when it gave none), in UTC, whole seconds
// rounded down. The result is a SecretValue; nothing is logged.
#pragma once

#include <string>
#include <string_view>

#include "injector/oauth/token_issuer.h"
#include "memsecret/injection_plan.h"
#include "memsecret/secret_value.h"

namespace memsecret::injector::oauth {

SecretValue RenderToken(const AccessToken& token, OutputFormat format);

// "2024-05-01T12:00:00Z" (seconds precision, rounded down).
std::string FormatRfc3339(WallTime t);

// A dotenv/POSIX-shell-safe value: unchanged when it consists only of
// [A-Za-z0-9_./:+=@%,-] (every access-token alphabet in practice), otherwise
// single-quoted with ' written as '\''.
std::string ShellQuote(std::string_view value);

}  // namespace memsecret::injector::oauth
