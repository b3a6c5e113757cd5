#include "memsecret/injection_plan.h"

#include <gtest/gtest.h>

namespace memsecret {
namespace {

InjectionPlan SamplePlan() {
  InjectionPlan p;
  p.pod = {"crm-sync", "crm-sync-service", ""};
  p.lifecycle = Lifecycle::kSidecar;
  p.output_dir = "/var/run/secrets/memsecret";
  p.refresh_interval_seconds = 300;
  PlannedFile secret;
  secret.name = "db.json";
  secret.ref =
      ParseSecretRef("aws:/genesys/production/crm-sync-service/db?stage=AWSCURRENT").value();
  secret.format = OutputFormat::kJson;
  secret.mode = 0440;
  PlannedFile token;
  token.name = "genesys-token";
  token.kind = FileKind::kToken;
  token.ref = ParseSecretRef("aws:/genesys/production/crm-sync-service/oauth").value();
  token.token = TokenSpec{"genesys:mypurecloud.ie", "analytics", ""};
  token.format = OutputFormat::kEnv;
  token.env_var = "GENESYS_CLOUD_ACCESS_TOKEN";
  p.files = {secret, token};
  p.aws = AwsSettings{"eu-west-1", "arn:aws:iam::123456789012:role/crm",
                      "/var/run/secrets/memsecret.io/aws-token"};
  p.vault = VaultSettings{
      "https://vault.vault.svc:8200", "kubernetes", "crm-sync-service", "team-a/", "/t", false};
  p.azure = AzureSettings{"/var/run/secrets/memsecret.io/azure-token"};
  return p;
}

TEST(InjectionPlanTest, RoundTrips) {
  InjectionPlan p = SamplePlan();
  std::string json = EncodePlan(p);
  auto decoded = DecodePlan(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, p);
  EXPECT_EQ(EncodePlan(*decoded), json);  // deterministic
  EXPECT_NE(json.find("\"mode\":\"0440\""), std::string::npos);
  EXPECT_NE(json.find("\"envVar\":\"GENESYS_CLOUD_ACCESS_TOKEN\""), std::string::npos);
}

TEST(InjectionPlanTest, RejectsBadPlans) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not a JSON object"},
      {"[]", "not a JSON object"},
      {R"({"version":2,"files":[]})", "unsupported version 2"},
      {R"({"version":1})", "files must be an array"},
      {R"({"version":1,"files":[{"name":"../x","ref":"aws:x"}]})", "not a valid file name"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x"},{"name":"a","ref":"aws:y"}]})",
       "appears twice"},
      {R"({"version":1,"files":[{"name":"a","ref":"nope"}]})", "missing provider"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","mode":"0999"}]})", "octal"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","kind":"token"}]})",
       "exactly for kind token"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","format":"xml"}]})", "format must be"},
      {R"({"version":1,"files":[{"name":7,"ref":"aws:x"}]})", "wrong type"},
      {R"({"version":1,"outputDir":"rel","files":[]})", "absolute"},
      {R"({"version":1,"tokenRefreshFraction":1.5,"files":[]})", "between 0 and 1"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","envVar":"A-B"}]})",
       "not a shell variable name"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    auto p = DecodePlan(text);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find(want), std::string::npos) << p.status().message();
  }
}

TEST(InjectionPlanTest, FileNames) {
  const std::vector<std::string> good = {"a", "token", "db.json", "A-b_c.9", std::string(63, 'x')};
  const std::vector<std::string> bad = {"",  ".hidden",           "a/b", "..", "a b",
                                        "é", std::string(64, 'x')};
  for (const auto& name : good) EXPECT_TRUE(IsValidFileName(name)) << name;
  for (const auto& name : bad) EXPECT_FALSE(IsValidFileName(name)) << name;
  EXPECT_FALSE(IsValidFileName(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace memsecret
