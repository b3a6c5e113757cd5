#include "memsecret/plan/injection_plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/backends.h"

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
  secret.rotation_max_age_seconds = 90 * 86400;
  PlannedFile token;
  token.name = "genesys-token";
  token.kind = FileKind::kToken;
  token.ref = ParseSecretRef("aws:/genesys/production/crm-sync-service/oauth").value();
  token.token = TokenSpec{ParseIssuer("genesys:mypurecloud.ie").value(), "analytics", ""};
  token.format = OutputFormat::kEnv;
  token.env_var = "GENESYS_CLOUD_ACCESS_TOKEN";
  p.files = {secret, token};
  p.backends.Set(kAwsBackend,
                 AwsSettings{.region = "eu-west-1",
                             .role_arn = "arn:aws:iam::123456789012:role/crm",
                             .web_identity_token_file = "/var/run/secrets/memsecret.io/aws-token",
                             .failover_regions = {},
                             .endpoints = {}});
  p.backends.Set(kVaultBackend, VaultSettings{"https://vault.vault.svc:8200", "kubernetes",
                                              "crm-sync-service", "team-a/", "/t", false});
  p.backends.Set(kAzureBackend, AzureSettings{"/var/run/secrets/memsecret.io/azure-token"});
  p.metrics_port = 9464;
  p.agent_port = 2773;
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
  EXPECT_NE(json.find("\"rotationMaxAgeSeconds\":7776000"), std::string::npos);
  EXPECT_NE(json.find("\"metricsPort\":9464"), std::string::npos);
  EXPECT_NE(json.find("\"agentPort\":2773"), std::string::npos);
  // Files without a rule and plans without metrics say nothing about them.
  InjectionPlan plain = SamplePlan();
  plain.metrics_port = 0;
  plain.agent_port = 0;
  for (auto& f : plain.files) f.rotation_max_age_seconds = 0;
  const std::string plain_json = EncodePlan(plain);
  EXPECT_EQ(plain_json.find("rotationMaxAgeSeconds"), std::string::npos);
  EXPECT_EQ(plain_json.find("metricsPort"), std::string::npos);
  EXPECT_EQ(plain_json.find("agentPort"), std::string::npos);
}

TEST(InjectionPlanTest, InjectorPortsMustDiffer) {
  struct Case {
    std::vector<InjectorPort> ports;
    std::string want;  // empty: valid
  };
  const std::vector<Case> cases = {
      {{}, ""},
      {{{"agent-port", 2773}}, ""},
      {{{"metrics-port", 9464}, {"agent-port", 2773}}, ""},
      {{{"metrics-port", 2773}, {"agent-port", 2773}}, "metrics-port and agent-port are both 2773"},
      {{{"a", 1}, {"b", 2}, {"c", 2}}, "a 1 must be between 1024 and 65535"},
      {{{"a", 2000}, {"b", 3000}, {"c", 2000}}, "a and c are both 2000"},
      {{{"agent-port", 65536}}, "agent-port 65536 must be between 1024 and 65535"},
  };
  for (const Case& c : cases) {
    Status st = CheckInjectorPorts(c.ports);
    if (c.want.empty()) {
      EXPECT_TRUE(st.ok()) << st.message();
    } else {
      ASSERT_FALSE(st.ok()) << c.want;
      EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
    }
  }
  InjectionPlan p;
  EXPECT_TRUE(InjectorPorts(p).empty());
  p.agent_port = 2773;
  p.metrics_port = 9464;
  ASSERT_EQ(InjectorPorts(p).size(), 2u);
  EXPECT_EQ(InjectorPorts(p)[1].key, "agent-port");
}

TEST(InjectionPlanTest, AwsFailoverRegionsAndEndpointsRoundTrip) {
  InjectionPlan p = SamplePlan();
  AwsSettings aws = *p.backends.Get<AwsSettings>(kAwsBackend);
  aws.failover_regions = {"eu-central-1", "us-west-2"};
  aws.endpoints = {
      {"us-west-2", {"https://vpce-1.secretsmanager.us-west-2.vpce.amazonaws.com", ""}},
      {"eu-west-1", {"http://127.0.0.1:4566", "https://sts-fips.eu-west-1.amazonaws.com"}}};
  p.backends.Set(kAwsBackend, aws);
  std::string json = EncodePlan(p);
  auto decoded = DecodePlan(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, p);
  EXPECT_EQ(EncodePlan(*decoded), json);
  EXPECT_EQ(nlohmann::json::parse(json).dump(), json);  // canonical: sorted keys, no blanks
  EXPECT_NE(json.find(R"("failoverRegions":["eu-central-1","us-west-2"])"), std::string::npos)
      << json;
  // Without failover the aws object is what it always was.
  EXPECT_EQ(EncodePlan(SamplePlan()).find("failoverRegions"), std::string::npos);
  EXPECT_EQ(EncodePlan(SamplePlan()).find("endpoints"), std::string::npos);
}

TEST(InjectionPlanTest, RejectsBadAwsFailoverSettings) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"version":1,"files":[],"aws":{"region":"us-east-1","failoverRegions":"us-west-2"}})",
       "wrong type"},
      {R"({"version":1,"files":[],"aws":{"region":"us-east-1","failoverRegions":["Oregon"]}})",
       "not an AWS region"},
      {R"({"version":1,"files":[],"aws":{"region":"us-east-1","failoverRegions":["us-east-1"]}})",
       "is the primary"},
      {R"({"version":1,"files":[],"aws":{"region":"us-east-1","failoverRegions":["us-west-2","us-west-2"]}})",
       "appears twice"},
      {R"({"version":1,"files":[],"aws":{"region":"us-east-1","failoverRegions":["us-west-1","us-west-2","eu-west-1","eu-west-2","eu-west-3","eu-north-1"]}})",
       "at most 5"},
      {R"({"version":1,"files":[],"aws":{"endpoints":{"us-west-2":{"secretsmanager":"http://sm.example.com"}}}})",
       "must be https://"},
      {R"({"version":1,"files":[],"aws":{"endpoints":{"us-west-2":{"sts":"https://sts.example.com/path"}}}})",
       "without a path"},
      {R"({"version":1,"files":[],"aws":{"endpoints":{"us-west-2":{"kms":"https://kms.example.com"}}}})",
       "not a known endpoint"},
      {R"({"version":1,"files":[],"aws":{"endpoints":{"west":{"sts":"https://sts.example.com"}}}})",
       "not an AWS region"},
      {R"({"version":1,"files":[],"aws":{"endpoints":{"us-west-2":{}}}})",
       "set secretsmanager, sts or both"},
      {R"({"version":1,"files":[],"aws":{"endpoints":["us-west-2"]}})", "must be an object"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    auto p = DecodePlan(text);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find(want), std::string::npos) << p.status().message();
  }
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
      // The issuer is parsed where the plan is read, once: a plan cannot carry one the
      // injector would fail on later.
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","kind":"token","token":{"issuer":"okta"}}]})",
       "plan.files[0].token.issuer: issuer \"okta\""},
      {R"({"version":1,"files":[{"name":7,"ref":"aws:x"}]})", "wrong type"},
      {R"({"version":1,"outputDir":"rel","files":[]})", "absolute"},
      {R"({"version":1,"tokenRefreshFraction":1.5,"files":[]})", "between 0 and 1"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","envVar":"A-B"}]})",
       "not a shell variable name"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","rotationMaxAgeSeconds":-1}]})",
       "rotationMaxAgeSeconds must be >= 0"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","rotationMaxAgeSeconds":"90d"}]})",
       "wrong type"},
      {R"({"version":1,"metricsPort":80,"files":[]})", "metricsPort must be between 1024"},
      {R"({"version":1,"metricsPort":70000,"files":[]})", "metricsPort must be between 1024"},
      {R"({"version":1,"agentPort":1023,"files":[]})", "agentPort must be between 1024"},
      {R"({"version":1,"agentPort":"2773","files":[]})", "wrong type"},
      {R"({"version":1,"agentPort":9464,"metricsPort":9464,"files":[]})",
       "metrics-port and agent-port are both 9464"},
      // Numbers that are not integers of the field's range (the fuzzer's 1e75
      // once reached a float-to-int cast).
      {R"({"version":1e75,"files":[]})", "version is not an integer in range"},
      {R"({"version":1,"metricsPort":9464.5,"files":[]})",
       "metricsPort is not an integer in range"},
      {R"({"version":1,"agentPort":4294967296,"files":[]})",
       "agentPort is not an integer in range"},
      {R"({"version":1,"refreshIntervalSeconds":99999999999999999999999,"files":[]})",
       "refreshIntervalSeconds is not an integer in range"},
      {R"({"version":1,"files":[{"name":"a","ref":"aws:x","rotationMaxAgeSeconds":-1e300}]})",
       "rotationMaxAgeSeconds is not an integer in range"},
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
