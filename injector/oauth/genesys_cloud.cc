#include "injector/oauth/genesys_cloud.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "injector/oauth/form_encoding.h"
#include "injector/oauth/token_endpoint.h"

namespace memsecret::injector::oauth {
namespace {

struct Region {
  const char* id;
  const char* host;
};

// purecloud-platform-client-v2 PureCloudRegionHosts.js (v223).
constexpr std::array<Region, 15> kRegions = {{
    {"us_east_1", "mypurecloud.com"},
    {"eu_west_1", "mypurecloud.ie"},
    {"ap_southeast_2", "mypurecloud.com.au"},
    {"ap_northeast_1", "mypurecloud.jp"},
    {"eu_central_1", "mypurecloud.de"},
    {"us_west_2", "usw2.pure.cloud"},
    {"ca_central_1", "cac1.pure.cloud"},
    {"ap_northeast_2", "apne2.pure.cloud"},
    {"eu_west_2", "euw2.pure.cloud"},
    {"ap_south_1", "aps1.pure.cloud"},
    {"us_east_2", "use2.us-gov-pure.cloud"},
    {"sa_east_1", "sae1.pure.cloud"},
    {"me_central_1", "mec1.pure.cloud"},
    {"ap_northeast_3", "apne3.pure.cloud"},
    {"eu_central_2", "euc2.pure.cloud"},
}};

std::string Normalize(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (const size_t p = out.find("://"); p != std::string::npos) out.erase(0, p + 3);
  if (const size_t p = out.find_first_of("/:"); p != std::string::npos) out.erase(p);
  for (std::string_view prefix : {"login.", "api."}) {
    if (out.starts_with(prefix)) out.erase(0, prefix.size());
  }
  return out;
}

}  // namespace

std::optional<std::string> ResolveGenesysHost(std::string_view region_or_host) {
  const std::string n = Normalize(region_or_host);
  std::string id = n;
  std::replace(id.begin(), id.end(), '-', '_');
  for (const Region& r : kRegions) {
    if (n == r.host || id == r.id) return std::string(r.host);
  }
  return std::nullopt;
}

Result<std::unique_ptr<GenesysCloudIssuer>> GenesysCloudIssuer::Create(
    std::string_view fixed_region, HttpClient* http) {
  std::string host;
  if (!fixed_region.empty()) {
    std::optional<std::string> h = ResolveGenesysHost(fixed_region);
    if (!h)
      return InvalidArgument("genesys: unknown region or host \"" + std::string(fixed_region) +
                             "\"");
    host = *h;
  }
  return std::unique_ptr<GenesysCloudIssuer>(new GenesysCloudIssuer(std::move(host), http));
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
    std::optional<std::string> h = ResolveGenesysHost(credentials.region);
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
  post.url = "https://login." + host + "/oauth/token";
  post.body = form.Build();
  // Exactly what Genesys' SDKs send: id:secret unencoded (both are URL-safe).
  post.authorization =
      BasicAuthorization(credentials.client_id, credentials.client_secret, /*form_encode=*/false);
  return PostForToken(*http_, post, issuer, now);
}

}  // namespace memsecret::injector::oauth
