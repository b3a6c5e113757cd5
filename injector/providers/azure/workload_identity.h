// WorkloadIdentityCredential: Entra ID access tokens for Key Vault through
// Azure Workload Identity — the projected service-account token (re-read
// from its file at every exchange) is presented as a client assertion in a
// client-credentials request (docs/backends.md §4). Tokens are cached until
// their refresh point (ExpiringCredential: the one cache rule). Access tokens
// and assertions are SecretValues and appear in no message.
//
// Thread-safety: Token, Invalidate, expires_at and last_retry_after may be
// called from any thread. Concurrent callers share one exchange, and its
// failure.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "injector/providers/azure/azure_config.h"
#include "injector/providers/expiring_credential.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::azure {

// When a token issued at `issued` for `expires_in` is refreshed: 5 minutes
// before expiry (as the Azure SDKs do), or at half its life when it is
// shorter than 10 minutes. Pure.
WallTime TokenRefreshAt(WallTime issued, std::chrono::seconds expires_in);

// Maps a failed token response (`error`, `error_description` already cleaned)
// to a Status: invalid_client / unauthorized_client / invalid_grant
// (e.g. AADSTS70021 no matching federated identity, AADSTS700016 unknown
// application) kUnauthenticated; invalid_request / invalid_scope /
// unsupported_grant_type kInvalidArgument; 429 kResourceExhausted;
// temporarily_unavailable and 5xx kUnavailable.
Status MapEntraError(int http_status, const std::string& error, const std::string& description);

class WorkloadIdentityCredential {
 public:
  // `http` and `clock` must outlive the credential.
  WorkloadIdentityCredential(AzureConfig config, HttpClient& http, const Clock& clock);

  // A valid access token, exchanging first when none is cached or the
  // cached one reached its refresh point. If that exchange fails for a
  // retryable reason while the cached token is still valid for 30 s, the
  // cached token is returned. Errors say "entra token for client <id>: ...".
  // A copy: another thread may replace the cached token at any time.
  Result<SecretValue> Token() { return cache_.Get(); }

  // Drops the cached token (Key Vault answered 401); the next Token() exchanges.
  void Invalidate() { cache_.Invalidate(); }

  std::optional<WallTime> expires_at() const {
    auto cached = cache_.Peek();
    if (!cached) return std::nullopt;
    return cached->expires_at;
  }
  // The Retry-After hint of the last failed exchange, if it sent one.
  std::optional<std::chrono::seconds> last_retry_after() const {
    std::lock_guard<std::mutex> lock(retry_mu_);
    return last_retry_after_;
  }

 private:
  // One exchange, its errors with the client named.
  Result<Expiring<SecretValue>> Exchange();

  AzureConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  mutable std::mutex retry_mu_;                           // guards last_retry_after_
  std::optional<std::chrono::seconds> last_retry_after_;  // guarded by retry_mu_
  ExpiringCredential<SecretValue> cache_;                 // last: its fetch uses the above
};

}  // namespace memsecret::injector::azure
