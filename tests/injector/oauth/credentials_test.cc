// Credential parsing: both spellings, types, and errors that never echo values.
#include "injector/oauth/credentials.h"

#include <gtest/gtest.h>

namespace memsecret::injector::oauth {
namespace {

TEST(ParseClientCredentials, CamelCase) {
  auto c = ParseClientCredentials(SecretValue(
      R"({"clientId":"id1","clientSecret":"sec1","region":"eu_west_1","accessKeyId":"AK","accessKeySecret":"AS=",)"
      R"("tokenUrl":"https://idp/t","scope":"a b","audience":"api","authMethod":"client_secret_post","other":1})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->client_id, "id1");
  EXPECT_EQ(c->client_secret.Reveal(), "sec1");
  EXPECT_EQ(c->region, "eu_west_1");
  EXPECT_EQ(c->access_key_id, "AK");
  EXPECT_EQ(c->access_key_secret.Reveal(), "AS=");
  EXPECT_EQ(c->token_url, "https://idp/t");
  EXPECT_EQ(c->scope, "a b");
  EXPECT_EQ(c->audience, "api");
  EXPECT_EQ(c->auth_method, ClientAuthMethod::kSecretPost);
  EXPECT_TRUE(c->has_client_secret());
  EXPECT_TRUE(c->has_access_key());
}

// CXone access keys as pipeline Vault secrets spell them; extra fields such as
// base_url are ignored.
TEST(ParseClientCredentials, CxoneApiKeySpellings) {
  struct Case {
    const char* json;
  };
  for (const char* json : {R"({"api_key":"AK1","api_secret":"AS1=","base_url":"https://x"})",
                           R"({"apiKey":"AK1","apiSecret":"AS1=","baseUrl":7})"}) {
    auto c = ParseClientCredentials(SecretValue(json));
    ASSERT_TRUE(c.ok()) << json << ": " << c.status().ToString();
    EXPECT_EQ(c->access_key_id, "AK1") << json;
    EXPECT_EQ(c->access_key_secret.Reveal(), "AS1=") << json;
    EXPECT_TRUE(c->has_access_key()) << json;
  }
}

TEST(ParseClientCredentials, SnakeCaseAndDomain) {
  auto c = ParseClientCredentials(SecretValue(
      R"({"client_id":"id2","client_secret":"sec2","domain":"mypurecloud.ie","access_key_id":"k",)"
      R"("access_key_secret":"s","token_url":"https://x/t","token_endpoint_auth_method":"client_secret_basic"})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->client_id, "id2");
  EXPECT_EQ(c->client_secret.Reveal(), "sec2");
  EXPECT_EQ(c->region, "mypurecloud.ie");
  EXPECT_EQ(c->access_key_id, "k");
  EXPECT_EQ(c->access_key_secret.Reveal(), "s");
  EXPECT_EQ(c->token_url, "https://x/t");
  EXPECT_EQ(c->auth_method, ClientAuthMethod::kSecretBasic);
}

TEST(ParseClientCredentials, MissingFieldsAreEmptyNotErrors) {
  auto c = ParseClientCredentials(SecretValue(R"({"clientId":"only-id"})"));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_client_secret());
  EXPECT_FALSE(c->auth_method.has_value());
}

TEST(ParseClientCredentials, ErrorsNameTheFieldNeverTheValue) {
  struct Case {
    const char* json;
    const char* expect_in_message;
  } cases[] = {
      {"not json TOPSECRET", "not a JSON object"},
      {R"(["TOPSECRET"])", "not a JSON object"},
      {R"({"clientId":"x","clientSecret":12345})", "\"clientSecret\" must be a string"},
      {R"({"client_secret":{"v":"TOPSECRET"}})", "\"client_secret\" must be a string"},
      {R"({"clientSecret":"TOPSECRET","authMethod":"TOPSECRET"})",
       "client_secret_basic or client_secret_post"},
  };
  for (const Case& c : cases) {
    auto r = ParseClientCredentials(SecretValue(c.json));
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect_in_message), std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find("TOPSECRET"), std::string::npos) << r.status().message();
  }
}

TEST(SameCredentials, ComparesAuthenticatingFieldsOnly) {
  auto a =
      ParseClientCredentials(SecretValue(R"({"clientId":"i","clientSecret":"s","scope":"x"})"));
  auto b =
      ParseClientCredentials(SecretValue(R"({"client_id":"i","client_secret":"s","scope":"y"})"));
  auto c = ParseClientCredentials(SecretValue(R"({"clientId":"i","clientSecret":"s2"})"));
  EXPECT_TRUE(SameCredentials(*a, *b));
  EXPECT_FALSE(SameCredentials(*a, *c));
}

}  // namespace
}  // namespace memsecret::injector::oauth
