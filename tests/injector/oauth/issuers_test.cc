// Genesys Cloud, NICE CXone and generic client-credentials issuers: the exact
// request each sends (URL, headers, body) and the host allowlists.
#include <gtest/gtest.h>

#include "injector/oauth/client_credentials.h"
#include "injector/oauth/form_encoding.h"
#include "injector/oauth/genesys_cloud.h"
#include "injector/oauth/issuer_factory.h"
#include "injector/oauth/nice_cxone.h"
#include "memsecret/base64.h"
#include "testing/oauth_fakes.h"

namespace memsecret::injector::oauth {
namespace {

using testing::FakeHttpClient;
using testing::TokenJson;
const WallTime kT0{std::chrono::seconds(1'700'000'000)};

ClientCredentials Creds(const std::string& json) {
  auto c = ParseClientCredentials(SecretValue(json));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : ClientCredentials{};
}

TEST(GenesysCloudIssuer, EveryRegionByIdAndHostFromTheCredentials) {
  const std::pair<const char*, const char*> regions[] = {
      {"us_east_1", "mypurecloud.com"},         {"eu_west_1", "mypurecloud.ie"},
      {"ap_southeast_2", "mypurecloud.com.au"}, {"ap_northeast_1", "mypurecloud.jp"},
      {"eu_central_1", "mypurecloud.de"},       {"us_west_2", "usw2.pure.cloud"},
      {"ca_central_1", "cac1.pure.cloud"},      {"ap_northeast_2", "apne2.pure.cloud"},
      {"eu_west_2", "euw2.pure.cloud"},         {"ap_south_1", "aps1.pure.cloud"},
      {"us_east_2", "use2.us-gov-pure.cloud"},  {"sa_east_1", "sae1.pure.cloud"},
      {"me_central_1", "mec1.pure.cloud"},      {"ap_northeast_3", "apne3.pure.cloud"},
      {"eu_central_2", "euc2.pure.cloud"},
  };
  FakeHttpClient http;
  http.PushJson(200, TokenJson("T", 300));
  auto issuer = GenesysCloudIssuer::Create("", &http);
  ASSERT_TRUE(issuer.ok());
  for (const auto& [id, host] : regions) {
    const std::string expected = std::string("https://login.") + host + "/oauth/token";
    for (const std::string& field :
         {std::string(R"("region":")") + id, std::string(R"("domain":")") + host}) {
      MintResult r =
          (*issuer)->Mint(Creds(R"({"clientId":"a","clientSecret":"b",)" + field + "\"}"), {}, kT0);
      ASSERT_TRUE(r.ok()) << field << " " << r.status.ToString();
      EXPECT_EQ(http.requests.back().url, expected) << field;
    }
    auto fixed = GenesysCloudIssuer::Create(id, &http);
    ASSERT_TRUE(fixed.ok()) << id;
    EXPECT_EQ((*fixed)->Describe(), std::string("genesys(login.") + host + ")");
  }
}

TEST(GenesysCloudIssuer, PostsClientCredentialsToTheRegionLoginHost) {
  FakeHttpClient http;
  http.PushJson(200, TokenJson("GEN-TOKEN", 86400));
  auto issuer = GenesysCloudIssuer::Create("", &http);
  ASSERT_TRUE(issuer.ok());
  MintResult r = (*issuer)->Mint(
      Creds(R"({"clientId":"cid","clientSecret":"csec","region":"eu_west_1"})"), {}, kT0);
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.token->access_token.Reveal(), "GEN-TOKEN");
  EXPECT_EQ(r.token->expires_at, kT0 + std::chrono::seconds(86400));
  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& req = http.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://login.mypurecloud.ie/oauth/token");
  EXPECT_EQ(req.body, "grant_type=client_credentials");
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Authorization"), "Basic " + Base64Encode("cid:csec"));
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Content-Type"), "application/x-www-form-urlencoded");
}

TEST(GenesysCloudIssuer, PlanHostWinsAndUnknownRegionsAreRefused) {
  FakeHttpClient http;
  http.PushJson(200, TokenJson("T", 300));
  auto fixed = GenesysCloudIssuer::Create("usw2.pure.cloud", &http);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ((*fixed)->Describe(), "genesys(login.usw2.pure.cloud)");
  ASSERT_TRUE(
      (*fixed)
          ->Mint(Creds(R"({"clientId":"a","clientSecret":"b","domain":"mypurecloud.ie"})"), {}, kT0)
          .ok());
  EXPECT_EQ(http.requests.back().url, "https://login.usw2.pure.cloud/oauth/token");

  EXPECT_EQ(GenesysCloudIssuer::Create("evil.example", &http).status().code(),
            Code::kInvalidArgument);
  auto plain = GenesysCloudIssuer::Create("", &http);
  const size_t sent = http.requests.size();
  MintResult no_region = (*plain)->Mint(Creds(R"({"clientId":"a","clientSecret":"b"})"), {}, kT0);
  EXPECT_EQ(no_region.status.code(), Code::kFailedPrecondition);
  MintResult bad = (*plain)->Mint(
      Creds(R"({"clientId":"a","clientSecret":"b","region":"evil.example"})"), {}, kT0);
  EXPECT_EQ(bad.status.code(), Code::kFailedPrecondition);
  MintResult no_secret = (*plain)->Mint(Creds(R"({"clientId":"a","region":"eu_west_1"})"), {}, kT0);
  EXPECT_EQ(no_secret.status.code(), Code::kFailedPrecondition);
  EXPECT_EQ(http.requests.size(), sent) << "nothing may be sent to an unknown host";
}

TEST(NiceCxoneIssuer, AccessKeyExchangeByDefault) {
  FakeHttpClient http;
  http.PushJson(200, TokenJson("CX-TOKEN", 3600));
  auto issuer = NiceCxoneIssuer::Create("", &http);
  ASSERT_TRUE(issuer.ok());
  MintResult r = (*issuer)->Mint(
      Creds(R"({"accessKeyId":"AKID","accessKeySecret":"sec=","region":"EU1"})"), {}, kT0);
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  const HttpRequest& req = http.requests.at(0);
  EXPECT_EQ(req.url, "https://eu1.nice-incontact.com/authentication/v1/token/access-key");
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Content-Type"), "application/json");
  EXPECT_EQ(req.body, R"({"accessKeyId":"AKID","accessKeySecret":"sec="})");
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Authorization"), "");

  ASSERT_TRUE((*issuer)->Mint(Creds(R"({"accessKeyId":"A","accessKeySecret":"S"})"), {}, kT0).ok());
  EXPECT_EQ(http.requests.back().url,
            "https://na1.nice-incontact.com/authentication/v1/token/access-key");
}

TEST(NiceCxoneIssuer, PasswordGrantWhenTheAppCredentialsArePresent) {
  FakeHttpClient http;
  http.PushJson(200, TokenJson("CX-TOKEN", 3600));
  auto issuer = NiceCxoneIssuer::Create("", &http);
  ASSERT_TRUE(issuer.ok());
  const std::string creds =
      R"({"accessKeyId":"AKID","accessKeySecret":"k+y=","clientId":"app","clientSecret":"as"})";
  ASSERT_TRUE((*issuer)->Mint(Creds(creds), {"openid", ""}, kT0).ok());
  const HttpRequest& req = http.requests.at(0);
  EXPECT_EQ(req.url, "https://cxone.niceincontact.com/auth/token");
  EXPECT_EQ(req.body, "grant_type=password&username=AKID&password=k%2By%3D&scope=openid");
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Authorization"), "Basic " + Base64Encode("app:as"));

  // The issuer value "cxone:<area>" forces the access-key exchange.
  auto area = NiceCxoneIssuer::Create("au1", &http);
  ASSERT_TRUE(area.ok());
  ASSERT_TRUE((*area)->Mint(Creds(creds), {}, kT0).ok());
  EXPECT_EQ(http.requests.back().url,
            "https://au1.nice-incontact.com/authentication/v1/token/access-key");
}

TEST(NiceCxoneIssuer, HostAllowlist) {
  FakeHttpClient http;
  auto issuer = NiceCxoneIssuer::Create("", &http);
  for (const char* url :
       {"https://evil.example/auth/token", "http://cxone.niceincontact.com/auth/token",
        "https://niceincontact.com.evil.example/t"}) {
    const std::string creds =
        std::string(
            R"({"accessKeyId":"A","accessKeySecret":"S","clientId":"c","clientSecret":"s","tokenUrl":")") +
        url + "\"}";
    EXPECT_EQ((*issuer)->Mint(Creds(creds), {}, kT0).status.code(), Code::kFailedPrecondition)
        << url;
  }
  EXPECT_TRUE(http.requests.empty());
  EXPECT_TRUE(IsAllowedCxoneTokenUrl("https://cxone-gov.niceincontact.com/auth/token"));
  EXPECT_EQ(NiceCxoneIssuer::Create("eu1.evil", &http).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(
      (*issuer)
          ->Mint(Creds(R"({"accessKeyId":"A","accessKeySecret":"S","region":"x/y"})"), {}, kT0)
          .status.code(),
      Code::kFailedPrecondition);
  EXPECT_EQ((*issuer)->Mint(Creds(R"({"clientId":"c","clientSecret":"s"})"), {}, kT0).status.code(),
            Code::kFailedPrecondition);
}

TEST(ClientCredentialsIssuer, BasicAuthFormEncodedScopeAndAudience) {
  FakeHttpClient http;
  http.PushJson(200, TokenJson("GEN", 300));
  auto issuer = ClientCredentialsIssuer::Create("https://idp.example/oauth2/token", &http);
  ASSERT_TRUE(issuer.ok());
  ASSERT_TRUE(
      (*issuer)
          ->Mint(
              Creds(
                  R"({"clientId":"c:1","clientSecret":"p+%:=","scope":"cred-scope","audience":"aud1"})"),
              {"api:read api:write", ""}, kT0)
          .ok());
  const HttpRequest& req = http.requests.at(0);
  EXPECT_EQ(req.url, "https://idp.example/oauth2/token");
  EXPECT_EQ(req.body, "grant_type=client_credentials&scope=api%3Aread+api%3Awrite&audience=aud1");
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Authorization"),
            "Basic " + Base64Encode("c%3A1:p%2B%25%3A%3D"));
}

TEST(ClientCredentialsIssuer, ClientSecretPostWhenTheCredentialsSaySo) {
  FakeHttpClient http;
  http.PushJson(200, TokenJson("GEN", 300));
  auto issuer = ClientCredentialsIssuer::Create("http://127.0.0.1:8080/token", &http);
  ASSERT_TRUE(issuer.ok());
  ASSERT_TRUE(
      (*issuer)
          ->Mint(
              Creds(
                  R"({"client_id":"c","client_secret":"s&x","auth_method":"client_secret_post"})"),
              {}, kT0)
          .ok());
  const HttpRequest& req = http.requests.at(0);
  EXPECT_EQ(req.body, "grant_type=client_credentials&client_id=c&client_secret=s%26x");
  EXPECT_EQ(FakeHttpClient::HeaderOf(req, "Authorization"), "");
}

TEST(MakeTokenIssuer, Table) {
  FakeHttpClient http;
  struct Case {
    const char* issuer;
    bool ok;
    const char* describe;
  } cases[] = {
      {"genesys", true, "genesys"},
      {"genesys:mypurecloud.ie", true, "genesys(login.mypurecloud.ie)"},
      {"genesys:eu_central_1", true, "genesys(login.mypurecloud.de)"},
      {"genesys:evil.example", false, ""},
      {"cxone", true, "cxone"},
      {"cxone:eu1", true, "cxone(eu1.nice-incontact.com)"},
      {"https://idp.example/token", true, "oauth(https://idp.example/token)"},
      {"http://localhost:9000/token", true, "oauth(http://localhost:9000/token)"},
      {"http://[::1]:9000/token", true, "oauth(http://[::1]:9000/token)"},
      {"http://idp.example/token", false, ""},
      {"http://127.0.0.1.evil.example/token", false, ""},
      {"https://user:pw@idp.example/token", false, ""},
      {"ftp://idp.example/token", false, ""},
      {"okta", false, ""},
  };
  for (const Case& c : cases) {
    // Parsed once (as where a plan is read), then built.
    auto ref = ParseIssuer(c.issuer);
    auto r = ref.ok() ? MakeTokenIssuer(*ref, &http)
                      : Result<std::unique_ptr<TokenIssuer>>(ref.status());
    EXPECT_EQ(r.ok(), c.ok) << c.issuer << " " << r.status().ToString();
    if (r.ok()) {
      EXPECT_EQ((*r)->Describe(), c.describe);
    }
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(Issuers, TransportFailuresKeepTheirCodeAndNameTheIssuer) {
  FakeHttpClient http;
  http.Push(DeadlineExceeded("idp.example: timed out"));
  auto issuer = ClientCredentialsIssuer::Create("https://idp.example/token", &http);
  MintResult r = (*issuer)->Mint(Creds(R"({"clientId":"c","clientSecret":"s"})"), {}, kT0);
  EXPECT_EQ(r.status.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(r.status.message(), "oauth(https://idp.example/token): idp.example: timed out");
}

}  // namespace
}  // namespace memsecret::injector::oauth
