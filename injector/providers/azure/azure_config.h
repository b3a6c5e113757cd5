// AzureConfig: how the `azure:` provider reaches Entra ID and Key Vault,
// resolved once at start-up from the plan and the environment injected by
// Azure Workload Identity (docs/backends.md §4). Pure: no file or network I/O.
//
// Endpoint override (tests, emulators, sovereign clouds):
//   MEMSECRET_AZURE_KEYVAULT_ENDPOINT — base URL of the vaults; "{vault}" is
//   replaced by the vault name. Default "https://{vault}.vault.azure.net".
//   E.g. "https://{vault}.vault.azure.cn" or "http://127.0.0.1:8443/{vault}".
// The token scope follows the endpoint: "https://<suffix>/.default" when its
// host is "{vault}.<suffix>", else "https://vault.azure.net/.default".
#pragma once

#include <string>
#include <string_view>

#include "injector/base/environment.h"
#include "injector/providers/azure/azure_spec.h"
#include "memsecret/status.h"

namespace memsecret::injector::azure {

inline constexpr const char* kDefaultAuthorityHost = "https://login.microsoftonline.com/";
inline constexpr const char* kDefaultKeyVaultEndpoint = "https://{vault}.vault.azure.net";
inline constexpr const char* kKeyVaultEndpointVar = "MEMSECRET_AZURE_KEYVAULT_ENDPOINT";

struct AzureConfig {
  std::string client_id;          // AZURE_CLIENT_ID
  std::string tenant_id;          // AZURE_TENANT_ID
  std::string token_file;         // plan federated_token_file, else AZURE_FEDERATED_TOKEN_FILE
  std::string authority_host;     // AZURE_AUTHORITY_HOST, always ending in '/'
  std::string keyvault_endpoint;  // template containing "{vault}" (or one fixed base URL)
  std::string scope;              // "https://vault.azure.net/.default"

  // "<authority_host><tenant_id>/oauth2/v2.0/token" (no "//").
  std::string TokenUrl() const;
  // The endpoint with "{vault}" replaced, without a trailing '/'.
  std::string VaultUrl(std::string_view vault) const;
};

// Errors (kInvalidArgument, naming the variable): AZURE_CLIENT_ID or
// AZURE_TENANT_ID unset, no federated token file, a tenant that is not a
// GUID or domain name, an authority host or endpoint that is not an https URL
// (http only to loopback).
Result<AzureConfig> ResolveAzureConfig(const AzureSettings& settings, const Environment& env);

}  // namespace memsecret::injector::azure
