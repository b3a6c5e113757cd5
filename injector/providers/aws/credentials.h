// AWS credentials and where they come from. A CredentialSource performs one
// exchange (STS web identity, Pod Identity agent, static env); the
// RefreshingCredentials wrapper caches temporary credentials and renews them
// before their Expiration. Secret parts are SecretValue: never logged.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "injector/base/secret_value.h"
#include "injector/providers/expiring_credential.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::aws {

struct AwsCredentials {
  std::string access_key_id;  // not secret (it appears in Authorization headers)
  SecretValue secret_access_key;
  SecretValue session_token;           // empty for long-term keys
  std::optional<WallTime> expiration;  // nullopt: does not expire
};

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // Obtains fresh credentials (network or file I/O). Errors name the source
  // ("sts AssumeRoleWithWebIdentity: ...") and are retryable when the remote
  // end said so; never include tokens or keys.
  virtual Result<AwsCredentials> Fetch() = 0;
  // Short description for logs, e.g. "web identity (arn:aws:iam::...:role/x)".
  virtual std::string Describe() const = 0;
};

// Caches credentials from `source` (ExpiringCredential: the one cache rule)
// and fetches new ones when fewer than `refresh_before` remain before
// expiration. If a refresh fails — for any reason — while the cached
// credentials are still valid for `min_usable`, the cached ones are returned
// (the failure is logged at warn): they were granted until their Expiration.
//
// Thread-safety: Get and Invalidate may be called from any thread; concurrent
// callers of a cold or expiring cache wait for a single exchange and share
// its credentials (one STS call per pod start, however many secrets are read
// at once) — and its failure, so one throttled STS answer costs one call, not
// one per file.
class RefreshingCredentials {
 public:
  RefreshingCredentials(std::unique_ptr<CredentialSource> source, const Clock& clock,
                        std::chrono::seconds refresh_before = std::chrono::minutes(10),
                        std::chrono::seconds min_usable = std::chrono::seconds(60));

  // A copy: the cache may be replaced by another thread at any time.
  Result<AwsCredentials> Get() { return cache_.Get(); }
  // Forgets the cache (e.g. after ExpiredTokenException); next Get() fetches.
  void Invalidate() { cache_.Invalidate(); }
  const CredentialSource& source() const { return *source_; }

 private:
  std::unique_ptr<CredentialSource> source_;
  ExpiringCredential<AwsCredentials> cache_;
};

}  // namespace memsecret::injector::aws
