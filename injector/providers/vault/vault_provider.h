// VaultProvider: the `vault:` SecretProvider. Reads KV v2 (default) or KV v1
// secrets over Vault's HTTP API (docs/backends.md §2) with a client token kept alive
// by VaultTokenManager. The value is the secret's key/value map as compact
// JSON ({"clientId":"...","clientSecret":"..."}), so `#field` and the json/env
// formats work as for other providers; the version is the KV v2 version
// number ("" for KV v1).
#pragma once

#include <functional>
#include <memory>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/providers/secret_provider.h"
#include "injector/providers/vault/kv_location.h"
#include "injector/providers/vault/token_manager.h"
#include "injector/providers/vault/vault_config.h"
#include "injector/providers/vault/vault_http.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/clock.h"

namespace memsecret::injector::vault {

class VaultProvider final : public SecretProvider {
 public:
  // Owns `http` (built with the config's TLS options); `clock` must outlive
  // the provider.
  VaultProvider(const VaultConfig& config, std::unique_ptr<HttpClient> http, const Clock& clock);

  // Errors name the location ("vault read secret/app (kv v2): HTTP 404 ...")
  // and never a value or token:
  //  - a 403 drops the token, logs in again and retries once; a second 403 is
  //    final (kPermissionDenied);
  //  - a soft-deleted or destroyed version (404 with metadata) is
  //    kFailedPrecondition naming the version and its deletion time;
  //  - a missing secret is kNotFound (Vault's warnings are included, e.g. a
  //    KV v2 mount read with kv=1);
  //  - sealed (503), 412, 429 and other 5xx are retryable, with Retry-After.
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override;

  VaultTokenManager& tokens() { return tokens_; }

 private:
  FetchResult Read(const KvLocation& loc, const SecretValue& token, int* http_status);

  std::unique_ptr<HttpClient> owned_http_;
  VaultHttp http_;
  VaultTokenManager tokens_;
};

using HttpClientFactory = std::function<std::unique_ptr<HttpClient>(const TlsOptions&)>;

// Resolves VaultConfig from the plan and the environment (start-up errors
// are returned, e.g. VAULT_SKIP_VERIFY not allowed) and builds the provider
// with an HttpClient from `make_http` configured with Vault's TLS options.
// No network I/O happens until the first Fetch.
Result<std::unique_ptr<SecretProvider>> MakeVaultProvider(
    const VaultSettings& settings, const Environment& env, const Clock& clock,
    const HttpClientFactory& make_http = [](const TlsOptions& tls) { return MakeHttpClient(tls); });

}  // namespace memsecret::injector::vault
