#include "injector/oauth/genesys_cloud.h"

#include "injector/oauth/form_encoding.h"
#include "injector/oauth/token_endpoint.h"
#include "memsecret/issuer.h"

namespace memsecret::injector::oauth {
Result<std::unique_ptr<GenesysCloudIssuer>> GenesysCloudIssuer::Create(
    std::string_view fixed_region, HttpClient* http, std::string login_url) {
  std::string host;
  if (!fixed_region.empty()) {
    std::optional<std::string> h = GenesysHost(fixed_region);
    if (!h)
      return InvalidArgument("genesys: unknown region or host \"" + std::string(fixed_region) +
                             "\"");
    host = *h;
  }
  return std::unique_ptr<GenesysCloudIssuer>(
      new GenesysCloudIssuer(std::move(host), http, std::move(login_url)));
}

std::string GenesysCloudIssuer::Describe() const {
  return fixed_host_.empty() ? "genesys" : "genesys(login." + fixed_host_ + ")";
}

MintResult GenesysCloudIssuer::Mint(const ClientCredentials& credentials,
                                    const TokenOptions& options, WallTime now) {
  if (!credentials.has_client_secret()) {
    return MintResult::Failure(
        FailedPrecondition("genesys: credentials need clientId and clientSecret"));
  }
  std::string host = fixed_host_;
  if (host.empty()) {
    if (credentials.region.empty()) {
      return MintResult::Failure(
          FailedPrecondition("genesys: no region: set the credentials' region/domain field or use "
                             "issuer genesys:<host>"));
    }
    std::optional<std::string> h = GenesysHost(credentials.region);
    if (!h) {
      return MintResult::Failure(FailedPrecondition(
          "genesys: credentials' region \"" + credentials.region + "\" is not a known region"));
    }
    host = *h;
  }
  const std::string issuer = "genesys(login." + host + ")";
  FormBody form;
  form.Add("grant_type", "client_credentials");
  const std::string& scope = options.scope.empty() ? credentials.scope : options.scope;
  if (!scope.empty()) form.Add("scope", scope);
  TokenPost post;
  post.url = (login_url_.empty() ? "https://login." + host : login_url_) + "/oauth/token";
  post.body = form.Build();
  // Exactly what Genesys' SDKs send: id:secret unencoded (both are URL-safe).
  post.authorization =
      BasicAuthorization(credentials.client_id, credentials.client_secret, /*form_encode=*/false);
  return PostForToken(*http_, post, issuer, now);
}

}  // namespace memsecret::injector::oauth
