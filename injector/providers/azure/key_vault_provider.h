// KeyVaultProvider: the `azure:` SecretProvider. Reads
// GET <vault url>/secrets/<name>[/<version>]?api-version=7.4 with a bearer
// token from WorkloadIdentityCredential (docs/backends.md §4). The value is the
// secret's `value`; the version is the last segment of its `id` (the 32-hex
// version id), which flows into the audit line.
#pragma once

#include <memory>
#include <string>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/providers/azure/azure_config.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/azure/workload_identity.h"
#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"

namespace memsecret::injector::azure {

inline constexpr const char* kKeyVaultApiVersion = "7.4";

// Maps a Key Vault error ({"error":{"code","message","innererror":{"code"}}},
// texts already cleaned) to a Status: 401 kUnauthenticated; 403 with inner
// SecretDisabled/SecretExpired kFailedPrecondition, other 403
// (ForbiddenByRbac, ForbiddenByPolicy) kPermissionDenied; 404 kNotFound;
// 409 kFailedPrecondition; 429 kResourceExhausted; 5xx kUnavailable; other
// 4xx kInvalidArgument. Message: "HTTP 403 Forbidden (SecretDisabled): ...".
Status MapKeyVaultError(int http_status, const std::string& code, const std::string& inner_code,
                        const std::string& message);

class KeyVaultProvider final : public SecretProvider {
 public:
  // `http` and `clock` must outlive the provider.
  KeyVaultProvider(AzureConfig config, HttpClient& http, const Clock& clock);

  // Errors name "azure <vault>/<name>" and never the value or a token. A 401
  // drops the cached token and retries once with a fresh one. A disabled
  // secret (403 SecretDisabled) and an expired or not-yet-valid one
  // (attributes exp/nbf; Key Vault itself still returns those) are
  // kFailedPrecondition. `options.stage` is kInvalidArgument.
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override;

 private:
  FetchResult FetchOnce(const std::string& url, bool* unauthorized);

  AzureConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  WorkloadIdentityCredential credential_;
};

// Builds the provider from the plan's azure settings and the environment
// (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE,
// AZURE_AUTHORITY_HOST, MEMSECRET_AZURE_KEYVAULT_ENDPOINT). No network I/O
// happens until the first Fetch.
Result<std::unique_ptr<SecretProvider>> MakeAzureProvider(const AzureSettings& settings,
                                                          const Environment& env, HttpClient& http,
                                                          const Clock& clock);

}  // namespace memsecret::injector::azure
