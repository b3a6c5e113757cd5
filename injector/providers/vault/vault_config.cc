#include "injector/providers/vault/vault_config.h"

#include "memsecret/url.h"

namespace memsecret::injector::vault {

namespace {

std::string TrimSlashes(std::string s) {
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

Result<std::string> ResolveAddr(const VaultSettings& settings, const Environment& env) {
  std::string addr = !settings.addr.empty() ? settings.addr : env.GetOr("VAULT_ADDR");
  const char* from = !settings.addr.empty() ? "vault address" : "VAULT_ADDR";
  if (addr.empty())
    return InvalidArgument("no Vault address: set memsecret.io/vault-addr or VAULT_ADDR");
  while (!addr.empty() && addr.back() == '/') addr.pop_back();
  auto url = ParseOutboundUrl(addr, from);
  if (!url.ok()) return url.status();
  if (url->target.find('?') != std::string::npos)
    return InvalidArgument(std::string(from) + " must not contain a query");
  return addr;
}

Status ResolveTls(const VaultSettings& settings, const Environment& env, TlsOptions* tls) {
  tls->ca_file = env.GetOr("VAULT_CACERT");
  tls->ca_dir = env.GetOr("VAULT_CAPATH");
  std::string skip = env.GetOr("VAULT_SKIP_VERIFY");
  if (skip.empty()) return Status::Ok();
  auto on = ParseVaultBool(skip);
  if (!on.ok()) return on.status().WithContext("VAULT_SKIP_VERIFY");
  if (*on && !settings.allow_skip_verify)
    return FailedPrecondition(
        "VAULT_SKIP_VERIFY is set but the webhook configuration does not allow skipping Vault "
        "TLS verification; use VAULT_CACERT instead");
  tls->insecure_skip_verify = *on;
  return Status::Ok();
}

}  // namespace

Result<bool> ParseVaultBool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (text == t) return true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (text == f) return false;
  return InvalidArgument("must be true or false");
}

Result<VaultConfig> ResolveVaultConfig(const VaultSettings& settings, const Environment& env) {
  VaultConfig c;
  auto addr = ResolveAddr(settings, env);
  if (!addr.ok()) return addr.status();
  c.addr = *addr;
  c.vault_namespace = TrimSlashes(!settings.vault_namespace.empty() ? settings.vault_namespace
                                                                    : env.GetOr("VAULT_NAMESPACE"));
  if (Status st = ResolveTls(settings, env, &c.tls); !st.ok()) return st;

  if (!settings.role.empty()) {
    const std::string ci_jwt = env.GetOr("MEMSECRET_VAULT_JWT_FILE");
    c.auth = ci_jwt.empty() ? AuthMethod::kKubernetes : AuthMethod::kJwt;
    c.role = settings.role;
    const char* default_path = ci_jwt.empty() ? "kubernetes" : "jwt";
    c.auth_path = TrimSlashes(settings.auth_path.empty() ? default_path : settings.auth_path);
    if (c.auth_path.empty()) return InvalidArgument("vault auth path must not be empty");
    if (!ci_jwt.empty())
      c.jwt_file = ci_jwt;
    else
      c.jwt_file = settings.token_file.empty() ? kDefaultServiceAccountToken : settings.token_file;
    return c;
  }
  c.auth = AuthMethod::kToken;
  std::string token = env.GetOr("VAULT_TOKEN");
  if (!token.empty()) {
    c.token = SecretValue(std::move(token));
    return c;
  }
  c.token_file = env.GetOr("VAULT_TOKEN_FILE");
  if (!c.token_file.empty()) return c;
  return InvalidArgument(
      "no Vault credentials: set vault-role (Kubernetes auth, or JWT auth with "
      "MEMSECRET_VAULT_JWT_FILE), VAULT_TOKEN or VAULT_TOKEN_FILE");
}

}  // namespace memsecret::injector::vault
