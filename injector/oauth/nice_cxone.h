// NiceCxoneIssuer: NICE CXone access key -> access token (docs/backends.md §6), two
// documented flows:
//  - access-key exchange (UserHub): POST
//    https://<area>.nice-incontact.com/authentication/v1/token/access-key,
//    JSON {"accessKeyId":...,"accessKeySecret":...}; area such as na1, au1, eu1.
//  - password grant (OpenID): POST https://<host>/auth/token (default host
//    cxone.niceincontact.com), form grant_type=password&username=<accessKeyId>
//    &password=<accessKeySecret>, the registered app's clientId/clientSecret
//    as client_secret_basic (or client_secret_post per `authMethod`).
// Choice (issuer value, then credential fields):
//   "cxone:<area>"  access-key exchange in that area (e.g. cxone:eu1);
//   "cxone"         password grant when the credentials hold the app's
//                   clientId+clientSecret (at their tokenUrl if set, else the
//                   default host); otherwise the access-key exchange in the
//                   credentials' region/domain area (default na1).
// Hosts are a built-in allowlist: https only, <area>.nice-incontact.com or
// *.niceincontact.com; a credential tokenUrl elsewhere is refused.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/oauth/token_issuer.h"

namespace memsecret::injector::oauth {

class NiceCxoneIssuer final : public TokenIssuer {
 public:
  static constexpr const char* kDefaultArea = "na1";
  static constexpr const char* kDefaultPasswordHost = "cxone.niceincontact.com";

  // `area` is the text after "cxone:" (empty for plain "cxone").
  // kInvalidArgument when it is not an area name.
  // `auth_url` (IssuerEndpoints::cxone_auth_url) replaces the base of both
  // flows' built-in URLs when not empty (a credential tokenUrl still wins).
  static Result<std::unique_ptr<NiceCxoneIssuer>> Create(std::string_view area, HttpClient* http,
                                                         std::string auth_url = "");

  std::string Describe() const override;
  // Needs accessKeyId and accessKeySecret (both flows), and for the password
  // grant the app's clientId and clientSecret.
  MintResult Mint(const ClientCredentials& credentials, const TokenOptions& options,
                  WallTime now) override;

 private:
  NiceCxoneIssuer(std::string area, HttpClient* http, std::string auth_url)
      : fixed_area_(std::move(area)), http_(http), auth_url_(std::move(auth_url)) {}

  MintResult MintAccessKey(const std::string& area, const ClientCredentials& c, WallTime now);
  MintResult MintPassword(const std::string& url, const ClientCredentials& c, const TokenOptions& o,
                          WallTime now);

  std::string fixed_area_;  // empty: chosen from the credential fields
  HttpClient* http_;
  std::string auth_url_;  // empty: the built-in hosts
};

// True for an area name of the access-key endpoint: 1-16 of [a-z0-9]
// (na1, au1, eu1, ...); the host stays under nice-incontact.com.
bool IsCxoneArea(std::string_view area);
// True for an https URL whose host is *.niceincontact.com.
bool IsAllowedCxoneTokenUrl(std::string_view url);

}  // namespace memsecret::injector::oauth
