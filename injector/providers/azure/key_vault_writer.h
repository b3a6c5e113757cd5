// KeyVaultWriter: writes a new version of a Key Vault secret, for a credential
// rotation (docs/rotation.md): PUT {vault}/secrets/{name}?api-version=7.4 with
// {"value": ...}; Key Vault makes it the latest version and answers with its id.
// Authenticates as the reader does (workload identity, workload_identity.h),
// from the same AzureConfig; a 401 exchanges a new token and retries once.
// Errors as MapKeyVaultError, naming the secret, never the value. Not
// thread-safe.
#pragma once

#include <memory>
#include <string>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "injector/providers/azure/azure_config.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/azure/workload_identity.h"
#include "memsecret/clock.h"

namespace memsecret::injector::azure {

class KeyVaultWriter {
 public:
  // `http` and `clock` must outlive the writer.
  KeyVaultWriter(AzureConfig config, HttpClient& http, const Clock& clock);

  // `path` is the ref's "<vault-name>/<secret-name>". Returns the new version id.
  Result<std::string> SetSecret(const std::string& path, const SecretValue& value);

 private:
  Result<std::string> SetOnce(const std::string& url, const SecretValue& value, bool* unauthorized);

  AzureConfig config_;
  HttpClient& http_;
  WorkloadIdentityCredential credential_;
};

Result<std::unique_ptr<KeyVaultWriter>> MakeKeyVaultWriter(const AzureSettings& settings,
                                                           const Environment& env, HttpClient& http,
                                                           const Clock& clock);

}  // namespace memsecret::injector::azure
