// GenesysCloudIssuer: Genesys Cloud client credentials (PROTOCOLS §5).
// POST https://login.<host>/oauth/token, Authorization: Basic
// base64(client_id:client_secret), body grant_type=client_credentials.
// The region host is a built-in allowlist (the SDK's PureCloudRegionHosts);
// a client secret is never sent to any other host.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "injector/oauth/token_issuer.h"
#include "memsecret/http_client.h"

namespace memsecret::injector::oauth {

// Resolves a region given as a host ("mypurecloud.ie"), a region id
// ("eu_west_1", also "eu-west-1"), or a URL/host with a "login."/"api."
// prefix ("https://api.mypurecloud.ie/") to the region's base host.
// Case-insensitive. nullopt when it names no known region.
std::optional<std::string> ResolveGenesysHost(std::string_view region_or_host);

class GenesysCloudIssuer final : public TokenIssuer {
 public:
  // `fixed_region` is the text after "genesys:" in the issuer value (empty for
  // plain "genesys": then the credentials' region/domain field decides).
  // kInvalidArgument when `fixed_region` names no known region.
  static Result<std::unique_ptr<GenesysCloudIssuer>> Create(std::string_view fixed_region,
                                                            HttpClient* http);

  std::string Describe() const override;
  // Needs clientId and clientSecret, and a region (plan or credentials; the
  // plan's wins). Scope is sent when set (Genesys ignores unknown scopes).
  MintResult Mint(const ClientCredentials& credentials, const TokenOptions& options,
                  WallTime now) override;

 private:
  GenesysCloudIssuer(std::string host, HttpClient* http)
      : fixed_host_(std::move(host)), http_(http) {}

  std::string fixed_host_;  // empty: from the credentials
  HttpClient* http_;
};

}  // namespace memsecret::injector::oauth
