// VaultTokenManager: holds the provider's client token and keeps it usable —
// logs in when there is none, renews it (renew-self) before its lease ends,
// and logs in again when it is not renewable, when renewal stopped extending
// it, or after the caller saw a 403 (Invalidate). The decisions are the pure
// rules of token_lifecycle.h; this class only performs them.
// Thread-safety: Token and Invalidate may be called from any thread (the jobs
// of a concurrent pass). One lock covers the token and any login or renewal,
// so concurrent callers share one login — and its failure: a caller that
// waited while a login failed gets that failure instead of logging in again
// (one throttled login costs one request, not one per file); lease() is for
// tests and must not race with them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "injector/base/secret_value.h"
#include "injector/providers/vault/token_lifecycle.h"
#include "injector/providers/vault/vault_auth.h"
#include "injector/providers/vault/vault_http.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::vault {

class VaultTokenManager {
 public:
  // `http` and `clock` must outlive the manager.
  VaultTokenManager(std::unique_ptr<VaultAuthenticator> auth, VaultHttp& http, const Clock& clock);

  // A token to use now, logging in or renewing first when the lifecycle
  // rules say so. A failed renewal falls back to logging in. When that login
  // fails for a retryable reason (sealed, 5xx, network) while the current
  // token is still within its lease and Vault has not refused it, the current
  // token is returned. Errors are the login's. A copy: another thread may
  // replace the token at any time.
  Result<SecretValue> Token();

  // Forgets the token (a read was refused with 403); the next Token() logs in.
  void Invalidate();

  // The current lease, for tests and diagnostics.
  const std::optional<VaultLease>& lease() const { return lease_; }
  const VaultAuthenticator& authenticator() const { return *auth_; }

 private:
  Status Login();           // mu_ held
  Status Renew();           // mu_ held
  void InvalidateLocked();  // mu_ held

  std::unique_ptr<VaultAuthenticator> auth_;
  VaultHttp& http_;
  const Clock& clock_;
  std::mutex mu_;                             // held across a login or renewal
  SecretValue token_;                         // guarded by mu_
  std::optional<VaultLease> lease_;           // guarded by mu_; set iff token_ is usable
  std::optional<Status> last_login_failure_;  // guarded by mu_
  std::atomic<uint64_t> logins_{0};           // finished logins; written under mu_
};

}  // namespace memsecret::injector::vault
