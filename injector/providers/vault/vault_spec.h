// The HashiCorp Vault backend's spec part (memsecret/backend.h), linked into
// both binaries: the `vault:` ref syntax, the vault-* keys, the webhook
// config's `vault:` section (with its address allowlist) and the plan's
// `vault` settings. Pure.
#pragma once

#include <string>
#include <vector>

#include "memsecret/backend.h"

namespace memsecret {

inline constexpr const char* kVaultBackend = "vault";

// The plan's `vault` member.
struct VaultSettings {
  std::string addr;
  std::string auth_path = "kubernetes";
  std::string role;
  std::string vault_namespace;     // X-Vault-Namespace, optional
  std::string token_file;          // projected SA token for Kubernetes auth
  bool allow_skip_verify = false;  // whether VAULT_SKIP_VERIFY may be honoured

  void Encode(JsonWriter& w) const;
  bool operator==(const VaultSettings&) const = default;
};

// The webhook config's `vault:` section (docs/configuration.md).
struct VaultSection {
  std::string addr = "https://vault.vault.svc:8200";
  std::string auth_path = "kubernetes";
  std::string role = "{serviceAccount}";
  std::string vault_namespace;  // Enterprise namespace (X-Vault-Namespace), optional
  std::string token_audience = "vault";
  std::vector<std::string> allowed_addrs = {"https://vault.vault.svc:8200"};
  bool allow_skip_verify = false;
};

const Backend& VaultBackend();

}  // namespace memsecret
