// GenesysCloudIssuer: Genesys Cloud client credentials (docs/backends.md §5).
// POST https://login.<host>/oauth/token, Authorization: Basic
// base64(client_id:client_secret), body grant_type=client_credentials.
// The region host is a built-in allowlist (memsecret::GenesysHost: the SDK's
// PureCloudRegionHosts, by host or region id); a client secret is never sent
// to any other host.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/oauth/token_issuer.h"

namespace memsecret::injector::oauth {

class GenesysCloudIssuer final : public TokenIssuer {
 public:
  // `fixed_region` is the text after "genesys:" in the issuer value (empty for
  // plain "genesys": then the credentials' region/domain field decides).
  // kInvalidArgument when `fixed_region` names no known region.
  // `login_url` (IssuerEndpoints::genesys_login_url) replaces
  // https://login.<host> when not empty; the region is still required.
  static Result<std::unique_ptr<GenesysCloudIssuer>> Create(std::string_view fixed_region,
                                                            HttpClient* http,
                                                            std::string login_url = "");

  std::string Describe() const override;
  // Needs clientId and clientSecret, and a region (plan or credentials; the
  // plan's wins). Scope is sent when set (Genesys ignores unknown scopes).
  MintResult Mint(const ClientCredentials& credentials, const TokenOptions& options,
                  WallTime now) override;

 private:
  GenesysCloudIssuer(std::string host, HttpClient* http, std::string login_url)
      : fixed_host_(std::move(host)), http_(http), login_url_(std::move(login_url)) {}

  std::string fixed_host_;  // empty: from the credentials
  HttpClient* http_;
  std::string login_url_;  // empty: https://login.<host>
};

}  // namespace memsecret::injector::oauth
