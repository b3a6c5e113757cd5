// Parsing of token endpoint responses (RFC 6749 §5.1 success, §5.2 error) and
// the HTTP-status classification every issuer shares. Pure functions: the
// body is read but never copied into a message except the server's `error`
// and `error_description` (CleanRemoteText: printable ASCII, at most 200 chars).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/base/remote_text.h"
#include "injector/base/retry_after.h"
#include "injector/oauth/token_issuer.h"
#include "memsecret/clock.h"

namespace memsecret::injector::oauth {

// Turns one token endpoint response into a MintResult. `issuer` names the
// endpoint in messages ("genesys(login.mypurecloud.ie)"); `sent_at` is when
// the request was sent. A 2xx needs a JSON object with a non-empty string
// `access_token`; `expires_in` may be a number or a numeric string; without
// it the `exp` claim of a JWT access token is used, else expires_at is unset.
MintResult ParseTokenResponse(const HttpResponse& response, std::string_view issuer,
                              WallTime sent_at);

// The `exp` claim of a JWT (unverified; used only to schedule refreshes).
std::optional<WallTime> JwtExpiry(std::string_view jwt);

}  // namespace memsecret::injector::oauth
