#include "injector/providers/aws/failover.h"

#include <spdlog/spdlog.h>

namespace memsecret::injector::aws {

FailureKind ClassifyFailure(const Status& status) {
  switch (status.code()) {
    case Code::kUnavailable:       // refused, TLS failure, 5xx, InternalServiceError, STS out
    case Code::kDeadlineExceeded:  // timed out
      return FailureKind::kOutage;
    default:  // not found, denied, KMS, identity token, throttling, malformed, bad request
      return FailureKind::kAnswer;
  }
}

std::string SecretIdForRegion(std::string_view id, std::string_view region) {
  // arn : partition : service : region : account : resource
  if (!id.starts_with("arn:")) return std::string(id);
  size_t p1 = id.find(':', 4);  // after partition
  if (p1 == std::string_view::npos) return std::string(id);
  size_t p2 = id.find(':', p1 + 1);  // after service
  if (p2 == std::string_view::npos || id.substr(p1 + 1, p2 - p1 - 1) != "secretsmanager")
    return std::string(id);
  size_t p3 = id.find(':', p2 + 1);  // after region
  if (p3 == std::string_view::npos) return std::string(id);
  return std::string(id.substr(0, p2 + 1)) + std::string(region) + std::string(id.substr(p3));
}

RegionalFailoverProvider::RegionalFailoverProvider(std::vector<RegionalProvider> regions)
    : regions_(std::move(regions)) {}

FetchResult RegionalFailoverProvider::Fetch(const SecretRef& ref, const FetchOptions& options) {
  std::string outages;  // "us-east-1: <reason>; ..." of the regions that were out
  FetchResult last;
  for (const auto& r : regions_) {
    SecretRef regional = ref;
    regional.path = SecretIdForRegion(ref.path, r.region);
    last = r.provider->Fetch(regional, options);
    if (!last.ok() && ClassifyFailure(last.status) == FailureKind::kOutage) {
      outages += (outages.empty() ? "" : "; ") + r.region + ": " + last.status.message();
      continue;
    }
    last.region = r.region;
    std::lock_guard<std::mutex> lock(serving_mu_);
    if (last.ok() && serving_ != r.region) {
      if (r.region == regions_.front().region) {
        if (!serving_.empty())
          spdlog::warn("aws: primary region {} serves again (was {})", r.region, serving_);
      } else {
        spdlog::warn("aws: region {} serves secrets; primary {} is out ({})", r.region,
                     regions_.front().region, outages);
      }
      serving_ = r.region;
    }
    if (!outages.empty() && !last.ok())
      last.status = Status(last.status.code(), last.status.message() + " (" + r.region +
                                                   " answered after failover; " + outages + ")");
    return last;
  }
  if (regions_.size() == 1) {
    last.region = regions_.front().region;
    return last;
  }
  return FetchResult::Failure(Unavailable("every AWS region is out: " + outages), last.retry_after);
}

}  // namespace memsecret::injector::aws
