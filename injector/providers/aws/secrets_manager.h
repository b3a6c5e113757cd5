// SecretsManagerProvider: the `aws:` SecretProvider. GetSecretValue over the
// JSON 1.1 protocol, SigV4-signed with credentials from the chain
// (docs/backends.md §3.1). Returns SecretString, or SecretBinary's decoded bytes,
// with VersionId as the version.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/credentials.h"
#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"

namespace memsecret::injector::aws {

// Per-request timeout (GetSecretValue and STS) without failover regions.
inline constexpr std::chrono::seconds kDefaultRequestTimeout{10};

class SecretsManagerProvider final : public SecretProvider {
 public:
  // `http` and `clock` must outlive the provider. `timeout` bounds each
  // GetSecretValue request.
  SecretsManagerProvider(std::string region, std::string endpoint,
                         std::unique_ptr<CredentialSource> credentials, HttpClient& http,
                         const Clock& clock,
                         std::chrono::milliseconds timeout = kDefaultRequestTimeout);

  // Errors: "GetSecretValue <id>: <Type>: <AWS message>" with a code chosen by
  // __type (MapSecretsManagerError). An ExpiredToken-style rejection drops the
  // cached credentials and retries once with fresh ones.
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override;

 private:
  FetchResult FetchOnce(const SecretRef& ref, const FetchOptions& options,
                        bool* credentials_rejected);

  std::string region_;
  std::string endpoint_;
  RefreshingCredentials credentials_;
  HttpClient& http_;
  const Clock& clock_;
  std::chrono::milliseconds timeout_;
};

// Maps a Secrets Manager error (`__type`, already sanitised) to a Status.
// Throttling, 5xx and internal errors are retryable; not-found, access
// denied, KMS decryption failure and bad parameters are final.
Status MapSecretsManagerError(int http_status, const std::string& type, const std::string& message);

// True for error types meaning "these credentials are no longer accepted".
bool IsCredentialRejection(const std::string& type);

// Per-request timeout (GetSecretValue and STS) when failover regions are set:
// a region that does not answer within it counts as out, so a new pod reaches
// a replica within seconds instead of after kDefaultRequestTimeout per request.
inline constexpr std::chrono::seconds kFailoverRequestTimeout{3};

// Builds the provider from the plan's aws settings and the environment
// (region, endpoint overrides, credential chain): one SecretsManagerProvider
// per region (primary, then plan.failover_regions), each with its own
// endpoints and its own STS, behind a RegionalFailoverProvider (failover.h).
Result<std::unique_ptr<SecretProvider>> MakeSecretsManagerProvider(const AwsSettings& plan,
                                                                   const Environment& env,
                                                                   HttpClient& http,
                                                                   const Clock& clock);

}  // namespace memsecret::injector::aws
