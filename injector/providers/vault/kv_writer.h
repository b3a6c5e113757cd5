// VaultKvWriter: writes a new KV v2 version with check-and-set, for a
// credential rotation (docs/rotation.md): POST /v1/<mount>/data/<path> with
// {"data": {...}, "options": {"cas": N}}. Vault refuses the write when the
// secret's current version is not N (another writer came first): that is
// kFailedPrecondition and nothing was written. Authenticates exactly as the
// reader (VaultTokenManager over vault_auth.h), from the same VaultConfig.
// Errors name the location, never the value. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "injector/providers/vault/kv_location.h"
#include "injector/providers/vault/token_manager.h"
#include "injector/providers/vault/vault_config.h"
#include "injector/providers/vault/vault_http.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/clock.h"

namespace memsecret::injector::vault {

class VaultKvWriter {
 public:
  VaultKvWriter(const VaultConfig& config, std::unique_ptr<HttpClient> http, const Clock& clock);

  // `data_json` is the secret's key/value map as a JSON object. Returns the
  // new version number. A KV v1 location is kInvalidArgument (no cas there).
  Result<int64_t> Write(const KvLocation& location, const SecretValue& data_json, int64_t cas);

 private:
  std::unique_ptr<HttpClient> owned_http_;
  VaultHttp http_;
  VaultTokenManager tokens_;
};

Result<std::unique_ptr<VaultKvWriter>> MakeVaultKvWriter(const VaultSettings& settings,
                                                         const Environment& env,
                                                         const Clock& clock);

}  // namespace memsecret::injector::vault
