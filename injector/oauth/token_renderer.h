// Renders a minted token into the bytes of its output file (docs/annotations.md, format-*):
//   raw   the bare access token, no trailing newline
//   json  {"access_token":"...","token_type":"Bearer","expires_at":"<RFC 3339>"}
//         plus "\n"
//   env   <V>='<token>'\n<V>_TYPE='<type>'\n<V>_EXPIRES_AT=<RFC 3339>\n where V
//         is `var` (TokenEnvVar: env-var-<name>, else <FILE_NAME>_ACCESS_TOKEN),
//         quoted by the one rule of every env file (ShellSingleQuote, runtime/secret_format.h);
//         tokens are printable ASCII (ParseTokenResponse refuses others)
// `expires_at` is the token's effective expiry (EffectiveExpiry: the issuer's
// value, or the assumed lifetime when it gave none), in UTC, whole seconds
// rounded down. The result is a SecretValue; nothing is logged.
#pragma once

#include <string>
#include <string_view>

#include "injector/base/secret_value.h"
#include "injector/oauth/token_issuer.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector::oauth {

SecretValue RenderToken(const AccessToken& token, OutputFormat format, std::string_view var);

}  // namespace memsecret::injector::oauth
