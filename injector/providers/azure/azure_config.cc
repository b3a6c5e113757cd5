#include "injector/providers/azure/azure_config.h"

#include <algorithm>
#include <cctype>

#include "memsecret/url.h"

namespace memsecret::injector::azure {

namespace {

constexpr std::string_view kPlaceholder = "{vault}";

Status CheckBaseUrl(const std::string& url, const char* what) {
  std::string probe = url;
  if (auto at = probe.find(kPlaceholder); at != std::string::npos)
    probe.replace(at, kPlaceholder.size(), "probe-vault");
  auto parsed = ParseOutboundUrl(probe, what);
  if (!parsed.ok()) return parsed.status();
  if (parsed->target.find('?') != std::string::npos)
    return InvalidArgument(std::string(what) + " must not contain a query");
  return Status::Ok();
}

std::string ScopeFor(const std::string& endpoint) {
  const std::string prefix = "https://" + std::string(kPlaceholder) + ".";
  if (endpoint.starts_with(prefix)) {
    std::string suffix = endpoint.substr(prefix.size());
    suffix = suffix.substr(0, suffix.find_first_of(":/"));
    if (!suffix.empty()) return "https://" + suffix + "/.default";
  }
  return "https://vault.azure.net/.default";
}

}  // namespace

std::string AzureConfig::TokenUrl() const {
  return authority_host + tenant_id + "/oauth2/v2.0/token";
}

std::string AzureConfig::VaultUrl(std::string_view vault) const {
  std::string url = keyvault_endpoint;
  if (auto at = url.find(kPlaceholder); at != std::string::npos)
    url.replace(at, kPlaceholder.size(), vault);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<AzureConfig> ResolveAzureConfig(const AzureSettings& settings, const Environment& env) {
  AzureConfig c;
  c.client_id = env.GetOr("AZURE_CLIENT_ID");
  c.tenant_id = env.GetOr("AZURE_TENANT_ID");
  c.token_file = !settings.federated_token_file.empty() ? settings.federated_token_file
                                                        : env.GetOr("AZURE_FEDERATED_TOKEN_FILE");
  if (c.client_id.empty())
    return InvalidArgument(
        "AZURE_CLIENT_ID is not set (is the pod's service account annotated "
        "for Azure Workload Identity?)");
  if (c.tenant_id.empty()) return InvalidArgument("AZURE_TENANT_ID is not set");
  if (c.token_file.empty()) return InvalidArgument("AZURE_FEDERATED_TOKEN_FILE is not set");
  if (c.tenant_id.size() > 128 ||
      !std::all_of(c.tenant_id.begin(), c.tenant_id.end(),
                   [](unsigned char ch) { return std::isalnum(ch) || ch == '-' || ch == '.'; }))
    return InvalidArgument("AZURE_TENANT_ID must be a tenant GUID or domain name");

  c.authority_host = env.GetOr("AZURE_AUTHORITY_HOST");
  if (c.authority_host.empty()) c.authority_host = kDefaultAuthorityHost;
  while (!c.authority_host.empty() && c.authority_host.back() == '/') c.authority_host.pop_back();
  c.authority_host += '/';
  if (Status st = CheckBaseUrl(c.authority_host, "AZURE_AUTHORITY_HOST"); !st.ok()) return st;

  c.keyvault_endpoint = env.GetOr(kKeyVaultEndpointVar);
  if (c.keyvault_endpoint.empty()) c.keyvault_endpoint = kDefaultKeyVaultEndpoint;
  while (!c.keyvault_endpoint.empty() && c.keyvault_endpoint.back() == '/')
    c.keyvault_endpoint.pop_back();
  if (Status st = CheckBaseUrl(c.keyvault_endpoint, kKeyVaultEndpointVar); !st.ok()) return st;
  c.scope = ScopeFor(c.keyvault_endpoint);
  return c;
}

}  // namespace memsecret::injector::azure
