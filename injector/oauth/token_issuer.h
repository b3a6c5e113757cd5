// TokenIssuer: one OAuth token endpoint flavour (Genesys Cloud, NICE CXone,
// generic RFC 6749 client credentials) behind one interface. An issuer turns
// client credentials into an access token with one HTTP exchange through the
// injected HttpClient; it keeps no state between calls, does not retry and
// does not log. Callers (TokenMinter) own retries, rotation and timing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "injector/base/secret_value.h"
#include "injector/oauth/credentials.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

// A minted access token. `expires_at` is counted from the moment the request
// was sent (conservative); it is unset when the issuer reported no lifetime
// (neither `expires_in` nor a JWT `exp`).
struct AccessToken {
  SecretValue access_token;
  std::string token_type = "Bearer";
  WallTime issued_at;
  std::optional<WallTime> expires_at;
  std::string scope;  // as granted, when the issuer says
};

// The outcome of one mint: a token, or a non-OK status whose message names the
// issuer and carries only the server's `error` and `error_description` (never
// a credential, token or raw body), plus the server's Retry-After hint.
// Codes: kUnauthenticated = credentials rejected (invalid_client, 401,
// invalid_grant): re-read credentials (rotation); kResourceExhausted (429),
// kUnavailable (5xx, transport, malformed success), kDeadlineExceeded:
// retryable; kInvalidArgument (invalid_scope, invalid_request, ...),
// kPermissionDenied (403, unauthorized_client), kFailedPrecondition
// (credentials lack a field the issuer needs, unexpected HTTP status).
struct MintResult {
  Status status;
  std::optional<AccessToken> token;  // set iff status.ok()
  std::optional<std::chrono::seconds> retry_after;

  bool ok() const { return status.ok(); }
  static MintResult Success(AccessToken t) { return {Status::Ok(), std::move(t), std::nullopt}; }
  static MintResult Failure(Status s, std::optional<std::chrono::seconds> retry_after = {}) {
    return {std::move(s), std::nullopt, retry_after};
  }
};

// Per-file request options from the plan (TokenSpec). Empty fields fall back
// to the credentials' own `scope` / `audience`.
struct TokenOptions {
  std::string scope;
  std::string audience;
};

class TokenIssuer {
 public:
  virtual ~TokenIssuer() = default;

  // A short, non-secret description for logs and audit lines, e.g.
  // "genesys(login.mypurecloud.ie)" or "oauth(https://idp.example/token)".
  virtual std::string Describe() const = 0;

  // Requests one token. `now` is the send time, used for `issued_at` and
  // `expires_at`. Not thread-safe per instance unless stated by the issuer.
  virtual MintResult Mint(const ClientCredentials& credentials, const TokenOptions& options,
                          WallTime now) = 0;
};

}  // namespace memsecret::injector::oauth
