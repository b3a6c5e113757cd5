#include "injector/providers/vault/token_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace memsecret::injector::vault {

namespace {

// The cache's times for a lease: refreshed at the lifecycle's refresh point,
// and no later than kExpiryMargin before expiry (where NextTokenAction logs
// in); a lease that does not expire never is.
Expiring<VaultToken> Cached(VaultToken token) {
  Expiring<VaultToken> out{std::move(token)};
  const VaultLease& lease = out.value.lease;
  if (lease.expires()) {
    out.expires_at = lease.Expiry();
    out.refresh_at = std::min(lease.RefreshAt(), lease.Expiry() - kExpiryMargin);
  }
  return out;
}

}  // namespace

VaultTokenManager::VaultTokenManager(std::unique_ptr<VaultAuthenticator> auth, VaultHttp& http,
                                     const Clock& clock)
    : auth_(std::move(auth)),
      http_(http),
      clock_(clock),
      cache_([this](const Expiring<VaultToken>* current,
                    bool* refused) { return Refresh(current, refused); },
             clock,
             // Keep serving a token that Vault has not refused while it is
             // valid: the refresh point is well before expiry, so a sealed
             // period or an outage of the login path does not stop reads
             // that still work.
             {kExpiryMargin, KeepOnFailure::kRetryable, [](const Status& failure) {
                spdlog::warn("vault: {}; using the current token until it nears expiry",
                             failure.message());
              }}) {}

Result<SecretValue> VaultTokenManager::Token() {
  auto current = cache_.Get();
  if (!current.ok()) return current.status();
  return current->token;
}

std::optional<VaultLease> VaultTokenManager::lease() const {
  auto cached = cache_.Peek();
  if (!cached) return std::nullopt;
  return cached->value.lease;
}

Result<Expiring<VaultToken>> VaultTokenManager::Refresh(const Expiring<VaultToken>* current,
                                                        bool* refused) {
  if (current && NextTokenAction(current->value.lease, clock_.Now()) == TokenAction::kRenew) {
    auto renewed = Renew(current->value);
    if (renewed.ok()) return renewed;
    *refused = !renewed.status().retryable();  // Vault refused the current token
    spdlog::info("vault: token renewal failed ({}); logging in again", renewed.status().message());
  }
  return Login();
}

Result<Expiring<VaultToken>> VaultTokenManager::Login() {
  auto login = auth_->Login();
  if (!login.ok()) return login.status();
  spdlog::info("vault: authenticated with {} (lease {}s, {})", auth_->Describe(),
               login->lease_duration.count(), login->renewable ? "renewable" : "not renewable");
  return Cached({std::move(login->token),
                 VaultLease{clock_.Now(), login->lease_duration, login->renewable, false}});
}

Result<Expiring<VaultToken>> VaultTokenManager::Renew(const VaultToken& current) {
  auto resp = http_.Send("POST", "/v1/auth/token/renew-self", &current.token, "{}");
  if (!resp.ok()) return resp.status().WithContext("vault token renew-self");
  if (!IsVaultSuccess(resp->status)) {
    Status st = VaultHttp::ErrorOf(*resp, current.token.Reveal());
    SecureWipe(resp->body);
    return st.WithContext("vault token renew-self");
  }
  VaultLogin renewed;
  if (Status st = ParseAuthBlock(resp->body, &renewed); !st.ok())
    return st.WithContext("vault token renew-self");
  const VaultLease lease =
      AfterRenewal(current.lease, clock_.Now(), renewed.lease_duration, renewed.renewable);
  if (lease.capped)
    spdlog::info("vault: token renewal no longer extends the lease ({}s left); will log in again",
                 renewed.lease_duration.count());
  else
    spdlog::debug("vault: token renewed (lease {}s)", renewed.lease_duration.count());
  // Vault returns the same token; keep what it says.
  return Cached({std::move(renewed.token), lease});
}

}  // namespace memsecret::injector::vault
