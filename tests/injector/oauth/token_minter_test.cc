// Rotation: on rejection the credentials are re-read at once, and for AWS refs
// the AWSPENDING stage is tried, so a rotation's grace window is no outage.
#include "injector/oauth/token_minter.h"

#include <gtest/gtest.h>

#include "injector/oauth/client_credentials.h"
#include "injector/oauth/form_encoding.h"
#include "memsecret/base64.h"
#include "memsecret/plan/backends.h"
#include "testing/oauth_fakes.h"

namespace memsecret::injector::oauth {
namespace {

using std::chrono::seconds;
using testing::FakeHttpClient;
using testing::FakeSecretStore;
using testing::TokenJson;
const WallTime kT0{seconds(1'700'000'000)};

constexpr const char* kPath = "/genesys/prod/app/oauth";
std::string CredJson(const std::string& secret) {
  return R"({"clientId":"cid","clientSecret":")" + secret + R"("})";
}
std::string BasicFor(const std::string& secret) { return "Basic " + Base64Encode("cid:" + secret); }

struct MinterFixture : ::testing::Test {
  MinterFixture() {
    issuer = std::move(ClientCredentialsIssuer::Create("https://idp.example/token", &http)).value();
  }
  TokenMinter Make(const std::string& ref_text, seconds max_age = seconds(300)) {
    return TokenMinter({*ParseSecretRef(ref_text), {}, max_age}, issuer.get(), &store);
  }
  const std::string& LastAuth() const { return http.requests.back().headers.back().second; }
  FakeHttpClient http;
  FakeSecretStore store;
  std::unique_ptr<ClientCredentialsIssuer> issuer;
};

const char* kInvalidClient =
    R"({"error":"invalid_client","error_description":"client secret rejected"})";

TEST_F(MinterFixture, CachesCredentialsUntilMaxAge) {
  store.Put(kPath, CredJson("old"), "v1");
  http.PushJson(200, TokenJson("T", 300));
  TokenMinter m = Make(std::string("aws:") + kPath);
  EXPECT_TRUE(m.Mint(kT0).result.ok());
  EXPECT_TRUE(m.Mint(kT0 + seconds(100)).result.ok());
  EXPECT_EQ(store.fetches.size(), 1u);
  store.Put(kPath, CredJson("new"), "v2");
  MintReport r = m.Mint(kT0 + seconds(300));
  EXPECT_EQ(store.fetches.size(), 2u);
  EXPECT_EQ(r.credential_version, "v2");
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests.back(), "Authorization"), BasicFor("new"));
}

TEST_F(MinterFixture, RejectionRereadsAtOnceAndUsesTheRotatedSecret) {
  store.Put(kPath, CredJson("old"), "v1");
  http.PushJson(200, TokenJson("T1", 300));
  TokenMinter m = Make(std::string("aws:") + kPath);
  ASSERT_TRUE(m.Mint(kT0).result.ok());
  // The secret rotates and the old one is revoked before our cache expires.
  store.Put(kPath, CredJson("new"), "v2");
  http = FakeHttpClient();
  http.PushJson(401, kInvalidClient);
  http.PushJson(200, TokenJson("T2", 300));
  MintReport r = m.Mint(kT0 + seconds(10));
  ASSERT_TRUE(r.result.ok()) << r.result.status.ToString();
  EXPECT_TRUE(r.credentials_reread);
  EXPECT_FALSE(r.used_pending);
  EXPECT_EQ(r.credential_version, "v2");
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests[0], "Authorization"), BasicFor("old"));
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests[1], "Authorization"), BasicFor("new"));
}

TEST_F(MinterFixture, GraceWindowFallsBackToAwsPending) {
  // The issuer already accepts only the new secret; AWSCURRENT still holds
  // the old one, AWSPENDING the new one (rotation between setSecret and
  // finishSecret).
  store.Put(kPath, CredJson("old"), "v1");
  store.Put(kPath, CredJson("new"), "v2", "AWSPENDING");
  http.PushJson(401, kInvalidClient);
  http.PushJson(200, TokenJson("T2", 300));
  TokenMinter m = Make(std::string("aws:") + kPath);
  MintReport r = m.Mint(kT0);
  ASSERT_TRUE(r.result.ok()) << r.result.status.ToString();
  EXPECT_TRUE(r.used_pending);
  EXPECT_EQ(r.credential_version, "v2");
  EXPECT_EQ(store.fetches, (std::vector<std::string>{"", "", "AWSPENDING"}));
  ASSERT_EQ(http.requests.size(),
            2u);  // old (rejected), then pending; the same old secret is not re-sent
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests[1], "Authorization"), BasicFor("new"));
}

TEST_F(MinterFixture, RejectionWithoutAnyNewerSecretReportsTheIssuerError) {
  store.Put(kPath, CredJson("old"), "v1");
  http.PushJson(401, kInvalidClient);
  TokenMinter m = Make(std::string("aws:") + kPath);
  MintReport r = m.Mint(kT0);
  EXPECT_EQ(r.result.status.code(), Code::kUnauthenticated);
  EXPECT_EQ(r.result.status.message(),
            "oauth(https://idp.example/token): HTTP 401 invalid_client: client secret rejected");
  EXPECT_TRUE(r.used_pending);  // asked, but there is no AWSPENDING version
  EXPECT_EQ(http.requests.size(), 1u);
}

TEST_F(MinterFixture, VaultRefsRereadTheLatestVersionButHaveNoPendingStage) {
  store.Put("secret/app/oauth", CredJson("old"), "3");
  http.PushJson(401, kInvalidClient);
  TokenMinter m = Make("vault:secret/app/oauth");
  MintReport r = m.Mint(kT0);
  EXPECT_EQ(r.result.status.code(), Code::kUnauthenticated);
  EXPECT_FALSE(r.used_pending);
  EXPECT_EQ(store.fetches, (std::vector<std::string>{"", ""}));
}

TEST_F(MinterFixture, PinnedAwsVersionIsNeverSwapped) {
  store.Put(kPath, CredJson("old"), "v1");
  http.PushJson(401, kInvalidClient);
  auto ref =
      ParseSecretRef(std::string("aws:") + kPath + "?version=EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  TokenMinter m = Make(ref->ToString());
  MintReport r = m.Mint(kT0);
  EXPECT_EQ(r.result.status.code(), Code::kUnauthenticated);
  EXPECT_FALSE(r.used_pending);
}

TEST_F(MinterFixture, StoreOutageKeepsUsingCachedCredentials) {
  store.Put(kPath, CredJson("old"), "v1");
  http.PushJson(200, TokenJson("T", 300));
  TokenMinter m = Make(std::string("aws:") + kPath, seconds(60));
  ASSERT_TRUE(m.Mint(kT0).result.ok());
  store.FailNext(Unavailable("secretsmanager: HTTP 503"));
  EXPECT_TRUE(m.Mint(kT0 + seconds(120)).result.ok());

  TokenMinter fresh = Make(std::string("aws:") + kPath);
  store.FailNext(Unavailable("secretsmanager: HTTP 503"));
  EXPECT_EQ(fresh.Mint(kT0).result.status.code(), Code::kUnavailable);
}

TEST_F(MinterFixture, MalformedCredentialsNameTheRef) {
  store.Put(kPath, "not json SECRETX", "v1");
  TokenMinter m = Make(std::string("aws:") + kPath + "#clientSecret");
  MintReport r = m.Mint(kT0);
  EXPECT_EQ(r.result.status.code(), Code::kInvalidArgument);
  EXPECT_EQ(r.result.status.message(),
            std::string("credentials at aws:") + kPath + ": credentials are not a JSON object");
  EXPECT_TRUE(http.requests.empty());
}

}  // namespace
}  // namespace memsecret::injector::oauth
