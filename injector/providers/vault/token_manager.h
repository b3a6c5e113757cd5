// VaultTokenManager: holds the provider's client token and keeps it usable —
// logs in when there is none, renews it (renew-self) before its lease ends,
// and logs in again when it is not renewable, when renewal stopped extending
// it, or after the caller saw a 403 (Invalidate). When to refresh is the pure
// rules of token_lifecycle.h; caching and sharing is ExpiringCredential (the
// one cache rule); this class performs the logins and renewals.
// Thread-safety: every method may be called from any thread (the jobs of a
// concurrent pass). Concurrent callers share one login or renewal — and its
// failure: a caller that waited while a login failed gets that outcome
// instead of logging in again (one throttled login costs one request, not one
// per file).
#pragma once

#include <memory>
#include <optional>

#include "injector/base/secret_value.h"
#include "injector/providers/expiring_credential.h"
#include "injector/providers/vault/token_lifecycle.h"
#include "injector/providers/vault/vault_auth.h"
#include "injector/providers/vault/vault_http.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::vault {

// The cached client token and the lease it was granted.
struct VaultToken {
  SecretValue token;
  VaultLease lease;
};

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
  void Invalidate() { cache_.Invalidate(); }

  // The current lease, for tests and diagnostics.
  std::optional<VaultLease> lease() const;
  const VaultAuthenticator& authenticator() const { return *auth_; }

 private:
  // Renews `current` when its lease says so, else (or when that fails) logs in.
  Result<Expiring<VaultToken>> Refresh(const Expiring<VaultToken>* current, bool* refused);
  Result<Expiring<VaultToken>> Login();
  Result<Expiring<VaultToken>> Renew(const VaultToken& current);

  std::unique_ptr<VaultAuthenticator> auth_;
  VaultHttp& http_;
  const Clock& clock_;
  ExpiringCredential<VaultToken> cache_;
};

}  // namespace memsecret::injector::vault
