// Token file formats: raw, json, env.
#include "injector/oauth/token_renderer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace memsecret::injector::oauth {
namespace {

using std::chrono::seconds;
const WallTime kT0{seconds(1'700'000'000)};  // 2023-11-14T22:13:20Z

AccessToken Token(std::string value, std::optional<WallTime> expires_at) {
  AccessToken t;
  t.access_token = SecretValue(std::move(value));
  t.token_type = "Bearer";
  t.issued_at = kT0;
  t.expires_at = expires_at;
  return t;
}

TEST(RenderToken, RawIsTheBareToken) {
  EXPECT_EQ(RenderToken(Token("abc.def-ghi", kT0 + seconds(300)), OutputFormat::kRaw, "T").Reveal(),
            "abc.def-ghi");
}

TEST(RenderToken, Json) {
  auto text =
      RenderToken(Token("abc", kT0 + std::chrono::milliseconds(300'900)), OutputFormat::kJson, "T");
  EXPECT_EQ(text.Reveal(),
            R"({"access_token":"abc","token_type":"Bearer","expires_at":"2023-11-14T22:18:20Z"})"
            "\n");
  auto doc = nlohmann::json::parse(text.Reveal());
  EXPECT_EQ(doc["access_token"], "abc");
}

TEST(RenderToken, JsonWithUnknownLifetimeUsesTheAssumedExpiry) {
  auto text = RenderToken(Token("abc", std::nullopt), OutputFormat::kJson, "T");
  EXPECT_NE(text.Reveal().find(R"("expires_at":"2023-11-14T22:18:20Z")"),
            std::string::npos);  // +300 s
}

TEST(RenderToken, Env) {
  EXPECT_EQ(RenderToken(Token("eyJ.a-b_c=", kT0 + seconds(3600)), OutputFormat::kEnv,
                        "GENESYS_CLOUD_ACCESS_TOKEN")
                .Reveal(),
            "GENESYS_CLOUD_ACCESS_TOKEN='eyJ.a-b_c='\nGENESYS_CLOUD_ACCESS_TOKEN_TYPE='Bearer'\n"
            "GENESYS_CLOUD_ACCESS_TOKEN_EXPIRES_AT=2023-11-14T23:13:20Z\n");
  EXPECT_EQ(RenderToken(Token("it's $x", kT0), OutputFormat::kEnv, "CX_ACCESS_TOKEN")
                .Reveal()
                .substr(0, 29),
            "CX_ACCESS_TOKEN='it'\\''s $x'\n");
}

// Two token files of one pod never define the same variable by default.
TEST(TokenEnvVar, DefaultsToTheFileNameAndHonoursEnvVar) {
  PlannedFile f;
  f.kind = FileKind::kToken;
  f.format = OutputFormat::kEnv;
  f.name = "genesys-token";
  EXPECT_EQ(TokenEnvVar(f), "GENESYS_TOKEN_ACCESS_TOKEN");
  EXPECT_EQ(KnownEnvVars(f), (std::vector<std::string>{"GENESYS_TOKEN_ACCESS_TOKEN",
                                                       "GENESYS_TOKEN_ACCESS_TOKEN_TYPE",
                                                       "GENESYS_TOKEN_ACCESS_TOKEN_EXPIRES_AT"}));
  f.env_var = "GENESYS_CLOUD_ACCESS_TOKEN";
  EXPECT_EQ(TokenEnvVar(f), "GENESYS_CLOUD_ACCESS_TOKEN");
  f.format = OutputFormat::kRaw;
  EXPECT_TRUE(KnownEnvVars(f).empty());
}

TEST(FormatRfc3339, RoundsDown) {
  EXPECT_EQ(FormatRfc3339(kT0 + std::chrono::milliseconds(999)), "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace memsecret::injector::oauth
