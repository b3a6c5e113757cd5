// VaultConfig: where and how the `vault:` provider talks to Vault, resolved
// once at start-up from the plan's VaultSettings and the environment.
// Plan values win; VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT and VAULT_CAPATH
// fill what the plan leaves empty (e.g. `run --once` outside Kubernetes with a
// hand-written plan). Resolution is pure: no file or network I/O.
#pragma once

#include <string>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/status.h"

namespace memsecret::injector::vault {

// Default projected service-account token, used for Kubernetes auth when the
// plan names a role but no token file.
inline constexpr const char* kDefaultServiceAccountToken =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

enum class AuthMethod {
  kKubernetes,  // POST /v1/auth/<auth_path>/login {role, jwt}; jwt re-read per login
  kJwt,         // the same login with the JWT from MEMSECRET_VAULT_JWT_FILE (CI OIDC token)
  kToken,       // VAULT_TOKEN, or VAULT_TOKEN_FILE re-read at each (re-)login
};

struct VaultConfig {
  std::string addr;             // "https://vault.example:8200" (no trailing '/')
  std::string vault_namespace;  // "" or "ns1/ns2" (no leading or trailing '/')
  TlsOptions tls;               // VAULT_CACERT / VAULT_CAPATH / VAULT_SKIP_VERIFY
  AuthMethod auth = AuthMethod::kKubernetes;
  std::string auth_path = "kubernetes";  // kKubernetes/kJwt: mount of the auth method
  std::string role;                      // kKubernetes/kJwt
  std::string jwt_file;                  // kKubernetes: projected SA token; kJwt: the CI's JWT
  SecretValue token;                     // kToken from VAULT_TOKEN (empty: use token_file)
  std::string token_file;                // kToken from VAULT_TOKEN_FILE
};

// Resolves the configuration. Auth, first match: a role (settings.role) with
// MEMSECRET_VAULT_JWT_FILE set -> JWT login (auth path default "jwt"); a role
// -> Kubernetes login (auth path default "kubernetes"); VAULT_TOKEN;
// VAULT_TOKEN_FILE. Errors (start-up
// misconfiguration, kInvalidArgument/kFailedPrecondition) name the setting:
//  - no address (plan addr / VAULT_ADDR), an address that is not an absolute
//    https URL (http only to loopback) or that carries a query;
//  - VAULT_SKIP_VERIFY true while !settings.allow_skip_verify (the webhook
//    configuration must allow it), or a value that is not a boolean;
//  - no credentials at all.
Result<VaultConfig> ResolveVaultConfig(const VaultSettings& settings, const Environment& env);

// Vault's boolean spelling (Go strconv.ParseBool): 1 t T TRUE true True and
// 0 f F FALSE false False; anything else is kInvalidArgument.
Result<bool> ParseVaultBool(std::string_view text);

}  // namespace memsecret::injector::vault
