// MEMSECRET_GENESYS_LOGIN_URL / MEMSECRET_CXONE_AUTH_URL: validated with the
// one outbound-URL rule and used as the base of the built-in issuers' requests.
#include "injector/oauth/issuer_endpoints.h"

#include <gtest/gtest.h>

#include "injector/oauth/issuer_factory.h"
#include "testing/oauth_fakes.h"

namespace memsecret::injector::oauth {
namespace {

using testing::FakeHttpClient;
using testing::TokenJson;
const WallTime kT0{std::chrono::seconds(1'700'000'000)};

TEST(ReadIssuerEndpoints, Table) {
  struct Case {
    const char* value;
    bool ok;
    const char* stored;
  };
  const Case cases[] = {
      {"", true, ""},
      {"http://127.0.0.1:8080", true, "http://127.0.0.1:8080"},
      {"http://127.0.0.1:8080/", true, "http://127.0.0.1:8080"},
      {"https://egress.corp.example/genesys/", true, "https://egress.corp.example/genesys"},
      {"http://login.mypurecloud.com", false, ""},  // plain http off loopback
      {"https://x.example/?a=b", false, ""},
      {"https://x.example/#f", false, ""},
      {"https://x .example", false, ""},
      {"ftp://x.example", false, ""},
  };
  for (const char* var : {"MEMSECRET_GENESYS_LOGIN_URL", "MEMSECRET_CXONE_AUTH_URL"}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(var) + "=" + c.value);
      MapEnvironment env;
      env.Set(var, c.value);
      auto r = ReadIssuerEndpoints(env);
      ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? "" : r.status().ToString());
      if (!c.ok) {
        EXPECT_NE(r.status().message().find(var), std::string::npos) << r.status().ToString();
        continue;
      }
      const std::string& got = std::string(var).find("GENESYS") != std::string::npos
                                   ? r->genesys_login_url
                                   : r->cxone_auth_url;
      EXPECT_EQ(got, c.stored);
    }
  }
}

ClientCredentials Creds(const std::string& json) {
  auto c = ParseClientCredentials(SecretValue(json));
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : ClientCredentials{};
}

TEST(IssuerEndpoints, RouteTheBuiltInIssuers) {
  const IssuerEndpoints endpoints{"http://127.0.0.1:9001", "http://127.0.0.1:9002", ""};
  struct Case {
    const char* issuer;
    const char* creds;
    const char* url;
  };
  const Case cases[] = {
      {"genesys", R"({"client_id":"a","client_secret":"b","domain":"mypurecloud.com"})",
       "http://127.0.0.1:9001/oauth/token"},
      {"genesys:mypurecloud.ie", R"({"client_id":"a","client_secret":"b"})",
       "http://127.0.0.1:9001/oauth/token"},
      {"cxone", R"({"api_key":"k","api_secret":"s","base_url":"https://api.example"})",
       "http://127.0.0.1:9002/authentication/v1/token/access-key"},
      {"cxone:eu1", R"({"apiKey":"k","apiSecret":"s"})",
       "http://127.0.0.1:9002/authentication/v1/token/access-key"},
      {"cxone", R"({"accessKeyId":"k","accessKeySecret":"s","clientId":"c","clientSecret":"d"})",
       "http://127.0.0.1:9002/auth/token"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.issuer);
    FakeHttpClient http;
    http.PushJson(200, TokenJson("T", 300));
    auto issuer = MakeTokenIssuer(ParseIssuer(c.issuer).value(), &http, endpoints);
    ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
    MintResult r = (*issuer)->Mint(Creds(c.creds), {}, kT0);
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    EXPECT_EQ(http.requests.at(0).url, c.url);
  }
}

TEST(IssuerEndpoints, GenesysStillNeedsAKnownRegion) {
  FakeHttpClient http;
  auto issuer =
      MakeTokenIssuer(ParseIssuer("genesys").value(), &http, {"http://127.0.0.1:9001", "", ""});
  ASSERT_TRUE(issuer.ok());
  MintResult r = (*issuer)->Mint(Creds(R"({"client_id":"a","client_secret":"b"})"), {}, kT0);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(http.requests.empty());
}

}  // namespace
}  // namespace memsecret::injector::oauth
