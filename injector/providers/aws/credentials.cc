#include "injector/providers/aws/credentials.h"

#include <spdlog/spdlog.h>

namespace memsecret::injector::aws {

RefreshingCredentials::RefreshingCredentials(std::unique_ptr<CredentialSource> source,
                                             const Clock& clock,
                                             std::chrono::seconds refresh_before,
                                             std::chrono::seconds min_usable)
    : source_(std::move(source)),
      clock_(clock),
      refresh_before_(refresh_before),
      min_usable_(min_usable) {}

Result<AwsCredentials> RefreshingCredentials::Get() {
  const uint64_t seen = exchanges_.load();
  std::lock_guard<std::mutex> lock(mu_);
  const WallTime now = clock_.Now();
  if (cached_ && (!cached_->expiration || *cached_->expiration - now > refresh_before_))
    return *cached_;
  const bool usable = cached_ && cached_->expiration && *cached_->expiration - now > min_usable_;
  // An exchange failed while this caller waited for the lock: its answer is
  // this caller's too (no second request for the same refusal).
  if (exchanges_.load() != seen && last_failure_) {
    if (usable) return *cached_;
    return *last_failure_;
  }
  auto fresh = source_->Fetch();
  exchanges_.fetch_add(1);
  if (fresh.ok()) {
    last_failure_.reset();
    cached_ = std::move(fresh).value();
    return *cached_;
  }
  last_failure_ = fresh.status();
  if (usable) {
    spdlog::warn(
        "aws credentials: refresh from {} failed, using cached credentials until they expire: {}",
        source_->Describe(), fresh.status().message());
    return *cached_;
  }
  cached_.reset();
  return fresh.status();
}

}  // namespace memsecret::injector::aws
