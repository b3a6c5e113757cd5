#include "injector/providers/vault/token_manager.h"

#include <spdlog/spdlog.h>

namespace memsecret::injector::vault {

VaultTokenManager::VaultTokenManager(std::unique_ptr<VaultAuthenticator> auth, VaultHttp& http,
                                     const Clock& clock)
    : auth_(std::move(auth)), http_(http), clock_(clock) {}

void VaultTokenManager::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  InvalidateLocked();
}

void VaultTokenManager::InvalidateLocked() {
  token_ = SecretValue();
  lease_.reset();
}

Result<SecretValue> VaultTokenManager::Token() {
  const uint64_t seen = logins_.load();
  std::lock_guard<std::mutex> lock(mu_);
  if (!lease_) {
    // A login failed while this caller waited for the lock: its answer is
    // this caller's too.
    if (logins_.load() != seen && last_login_failure_) return *last_login_failure_;
    if (Status st = Login(); !st.ok()) return st;
    return token_;
  }
  const TokenAction action = NextTokenAction(*lease_, clock_.Now());
  if (action == TokenAction::kUse) return token_;
  bool still_trusted = true;  // false once Vault has refused the current token
  if (action == TokenAction::kRenew) {
    Status st = Renew();
    if (st.ok()) return token_;
    still_trusted = st.retryable();
    spdlog::info("vault: token renewal failed ({}); logging in again", st.message());
  }
  Status st = Login();
  if (st.ok()) return token_;
  // Keep serving a token that Vault has not refused while it is valid: the
  // refresh point is well before expiry, so a sealed period or an outage of
  // the login path does not stop reads that still work.
  if (still_trusted && st.retryable() && lease_ && lease_->UsableAt(clock_.Now())) {
    spdlog::warn("vault: {}; using the current token until it nears expiry", st.message());
    return token_;
  }
  InvalidateLocked();
  return st;
}

Status VaultTokenManager::Login() {
  auto login = auth_->Login();
  logins_.fetch_add(1);
  if (!login.ok()) {
    last_login_failure_ = login.status();
    return login.status();
  }
  last_login_failure_.reset();
  token_ = std::move(login->token);
  lease_ = VaultLease{clock_.Now(), login->lease_duration, login->renewable, false};
  spdlog::info("vault: authenticated with {} (lease {}s, {})", auth_->Describe(),
               login->lease_duration.count(), login->renewable ? "renewable" : "not renewable");
  return Status::Ok();
}

Status VaultTokenManager::Renew() {
  auto resp = http_.Send("POST", "/v1/auth/token/renew-self", &token_, "{}");
  if (!resp.ok()) return resp.status().WithContext("vault token renew-self");
  if (!IsVaultSuccess(resp->status)) {
    Status st = VaultHttp::ErrorOf(*resp, token_.Reveal());
    SecureWipe(resp->body);
    return st.WithContext("vault token renew-self");
  }
  VaultLogin renewed;
  if (Status st = ParseAuthBlock(resp->body, &renewed); !st.ok())
    return st.WithContext("vault token renew-self");
  const VaultLease previous = *lease_;
  lease_ = AfterRenewal(previous, clock_.Now(), renewed.lease_duration, renewed.renewable);
  token_ = std::move(renewed.token);  // Vault returns the same token; keep what it says
  if (lease_->capped)
    spdlog::info("vault: token renewal no longer extends the lease ({}s left); will log in again",
                 renewed.lease_duration.count());
  else
    spdlog::debug("vault: token renewed (lease {}s)", renewed.lease_duration.count());
  return Status::Ok();
}

}  // namespace memsecret::injector::vault
