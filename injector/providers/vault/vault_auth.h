// How the `vault:` provider obtains a client token: Kubernetes auth (login
// with the projected service-account JWT, re-read from its file at every
// login) or a given token (VAULT_TOKEN, or VAULT_TOKEN_FILE re-read at every
// "login") whose lease is learned with lookup-self. Tokens and JWTs are
// SecretValues and appear in no message.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "injector/base/secret_value.h"
#include "injector/providers/vault/vault_config.h"
#include "injector/providers/vault/vault_http.h"
#include "memsecret/status.h"

namespace memsecret::injector::vault {

// A token and its lease as Vault reported it.
struct VaultLogin {
  SecretValue token;
  std::chrono::seconds lease_duration{0};  // 0: does not expire
  bool renewable = false;
};

class VaultAuthenticator {
 public:
  virtual ~VaultAuthenticator() = default;
  // Obtains a token (network and file I/O). Errors carry the Vault status
  // mapping (503 sealed retryable, 403 rejected final, ...) and say which
  // method failed; never the JWT or token.
  virtual Result<VaultLogin> Login() = 0;
  // "kubernetes auth (role cx-pipeline at auth/kubernetes, JWT from <file>)"
  // or "JWT auth (...)": the method actually used, for logs.
  virtual std::string Describe() const = 0;
};

// POST /v1/auth/<auth_path>/login {"role":..,"jwt":..}; reads the `auth`
// block (client_token, lease_duration, renewable).
std::unique_ptr<VaultAuthenticator> MakeKubernetesAuth(std::string auth_path, std::string role,
                                                       std::string jwt_file, VaultHttp& http);

// The same login for Vault's JWT auth method, with a CI runner's OIDC token
// (MEMSECRET_VAULT_JWT_FILE); described as "JWT auth".
std::unique_ptr<VaultAuthenticator> MakeJwtAuth(std::string auth_path, std::string role,
                                                std::string jwt_file, VaultHttp& http);

// The given token (or the token file's content), checked and measured with
// GET /v1/auth/token/lookup-self (data.ttl, data.renewable).
std::unique_ptr<VaultAuthenticator> MakeTokenAuth(SecretValue token, std::string token_file,
                                                  VaultHttp& http);

// The authenticator `config` selects.
std::unique_ptr<VaultAuthenticator> MakeAuthenticator(const VaultConfig& config, VaultHttp& http);

// Parses a login or renew-self response's `auth` block into `out`.
Status ParseAuthBlock(std::string& body, VaultLogin* out);

}  // namespace memsecret::injector::vault
