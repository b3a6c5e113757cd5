// Regional failover for Secrets Manager (docs/backends.md "Regional failover"):
// the pure rules — which failures mean "this region is out" and how an ARN is
// rewritten for a replica region — and RegionalFailoverProvider, which tries
// the primary region first on every fetch and the replicas in order after an
// outage-type failure.
//
// Thread-safety: Fetch may be called from any thread (the regions' providers
// are thread-safe); the serving region is the only shared state, under a lock.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "injector/providers/secret_provider.h"
#include "memsecret/status.h"

namespace memsecret::injector::aws {

// kOutage: the region did not answer (connect error, timeout, TLS failure,
// HTTP 5xx, InternalServiceError, STS unreachable): try the next region.
// kAnswer: the region answered definitely (not found, access denied, KMS
// decryption failure, invalid identity token, throttling, bad request): final
// for this fetch, no failover.
enum class FailureKind { kOutage, kAnswer };

// Classifies a Status produced by SecretsManagerProvider (MapSecretsManagerError,
// MapStsError, HttpClient transport errors). Pure.
FailureKind ClassifyFailure(const Status& status);

// For a full Secrets Manager ARN
// (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>) the same
// ARN with <region> replaced; any other SecretId (a name) unchanged. Pure.
std::string SecretIdForRegion(std::string_view secret_id, std::string_view region);

// One region: its name and the provider that talks to its endpoints with
// credentials from its own STS.
struct RegionalProvider {
  std::string region;
  std::unique_ptr<SecretProvider> provider;
};

class RegionalFailoverProvider final : public SecretProvider {
 public:
  // `regions[0]` is the primary; the rest are tried in order. Must be non-empty.
  explicit RegionalFailoverProvider(std::vector<RegionalProvider> regions);

  // Tries regions in order until one serves or answers definitely; the
  // result's `region` names that region. When every region is out, the
  // failure is kUnavailable (retryable) and names each region's reason.
  // Logs one line whenever the serving region changes (failover, recovery).
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override;

 private:
  std::vector<RegionalProvider> regions_;
  std::mutex serving_mu_;
  std::string serving_;  // guarded by serving_mu_; region of the last success, "" before the first
};

}  // namespace memsecret::injector::aws
