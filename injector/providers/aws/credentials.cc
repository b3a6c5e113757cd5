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
  std::lock_guard<std::mutex> lock(mu_);
  const WallTime now = clock_.Now();
  if (cached_ && (!cached_->expiration || *cached_->expiration - now > refresh_before_))
    return *cached_;
  auto fresh = source_->Fetch();
  if (fresh.ok()) {
    cached_ = std::move(fresh).value();
    return *cached_;
  }
  if (cached_ && cached_->expiration && *cached_->expiration - now > min_usable_) {
    spdlog::warn(
        "aws credentials: refresh from {} failed, using cached credentials until they expire: {}",
        source_->Describe(), fresh.status().message());
    return *cached_;
  }
  cached_.reset();
  return fresh.status();
}

}  // namespace memsecret::injector::aws
