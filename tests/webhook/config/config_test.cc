#include "webhook/config/config.h"

#include <gtest/gtest.h>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/vault/vault_spec.h"

namespace memsecret::webhook {
namespace {

const AwsSection& AwsOf(const Config& c) {
  return std::any_cast<const AwsSection&>(c.backends.at(kAwsBackend));
}
const VaultSection& VaultOf(const Config& c) {
  return std::any_cast<const VaultSection&>(c.backends.at(kVaultBackend));
}

// A backend's section reads booleans as the rest of the config does (yaml-cpp's
// spellings: true/false, yes/no, on/off), and refuses anything else.
TEST(ConfigTest, BackendSectionsReadBooleansAsTheRestOfTheConfig) {
  for (const auto& [text, want] : {std::pair{"true", true},
                                   {"yes", true},
                                   {"On", true},
                                   {"false", false},
                                   {"no", false},
                                   {"OFF", false}}) {
    auto c = ParseConfig(std::string("vault: {allowSkipVerify: ") + text + "}");
    ASSERT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    EXPECT_EQ(VaultOf(*c).allow_skip_verify, want) << text;
  }
  auto bad = ParseConfig("vault: {allowSkipVerify: maybe}");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("vault.allowSkipVerify: must be true or false"),
            std::string::npos)
      << bad.status().message();
}

TEST(ConfigTest, EmptyYieldsDefaults) {
  auto c = ParseConfig("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->injector.resources.requests_cpu, "5m");
  EXPECT_EQ(c->injector.resources.requests_memory, "8Mi");
  EXPECT_EQ(c->injector.resources.limits_memory, "16Mi");
  EXPECT_TRUE(c->injector.native_sidecar);
  EXPECT_EQ(c->volume_size_limit, "1Mi");
  EXPECT_EQ(c->mount_path, "/var/run/secrets/memsecret");
  EXPECT_EQ(AwsOf(*c).token_audience, "sts.amazonaws.com");
  EXPECT_TRUE(c->policy.empty());
}

TEST(ConfigTest, ParsesTheDocumentedShape) {
  auto c = ParseConfig(R"(
injector:
  image: registry.example/memsecret-injector:1.2.3
  resources: {requests: {cpu: 10m, memory: 12Mi}, limits: {memory: 32Mi}}
  nativeSidecar: false
  env: [{name: HTTPS_PROXY, value: "http://proxy:3128"}]
volume: {sizeLimit: 2Mi}
mountPath: /run/secrets/app
aws:   {region: eu-west-1, tokenAudience: sts.amazonaws.com}
vault: {addr: "https://vault.vault.svc:8200", authPath: kubernetes, role: "{serviceAccount}",
        tokenAudience: vault, allowedAddrs: ["https://vault.vault.svc:8200", "https://vault.example.com"]}
oauth: {allowedTokenUrls: ["https://idp.example.com/oauth2/token"]}
policy:
  - namespaces: ["crm-sync", "crm-sync-*"]
    allow: ["aws:/genesys/production/crm-sync-service/*"]
  - namespaces: ["*"]
    allow: ["aws:/genesys/{namespace}/{serviceAccount}/*", "vault:secret/genesys/{namespace}/*"]
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->injector.image, "registry.example/memsecret-injector:1.2.3");
  EXPECT_EQ(c->injector.resources.requests_cpu, "10m");
  EXPECT_FALSE(c->injector.native_sidecar);
  ASSERT_EQ(c->injector.env.size(), 1u);
  EXPECT_EQ(c->injector.env[0].name, "HTTPS_PROXY");
  EXPECT_EQ(c->volume_size_limit, "2Mi");
  EXPECT_EQ(c->mount_path, "/run/secrets/app");
  EXPECT_EQ(AwsOf(*c).region, "eu-west-1");
  EXPECT_EQ(VaultOf(*c).allowed_addrs.size(), 2u);
  ASSERT_EQ(c->policy.size(), 2u);
  EXPECT_EQ(c->policy[0].namespaces[1], "crm-sync-*");
  EXPECT_EQ(c->oauth.allowed_token_urls[0], "https://idp.example.com/oauth2/token");
}

TEST(ConfigTest, RejectsTyposAndBadValuesNamingEachKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"injectr: {}", "injectr: unknown key"},
      {"injector: {nativeSidecars: true}", "injector.nativeSidecars: unknown key"},
      {"injector: {nativeSidecar: maybe}", "must be true or false"},
      {"volume: {sizeLimit: lots}", "not a resource quantity"},
      {"injector: {resources: {limits: {memory: 16MB}}}", "not a resource quantity"},
      {"mountPath: relative/path", "mountPath: must be an absolute path"},
      {"refreshInterval: 5 minutes", "refreshInterval"},
      {"vault: {allowedAddrs: [\"http://vault.example.com\"]}", "must be https://"},
      {"oauth: {allowedTokenUrls: [\"http://idp.example.com/token\"]}", "must be https://"},
      {"oauth: {refreshFraction: 1.5}", "between 0 and 1"},
      {"policy: {namespaces: [a]}", "policy: must be a list"},
      {"policy: [{namespaces: [], allow: []}]", "policy[0].namespaces: must not be empty"},
      {"policy: [{namespace: [a]}]", "policy[0].namespace: unknown key"},
      {"injector: {env: [{name: MEMSECRET_PLAN, value: x}]}", "reserved"},
      {"injector: {defaultRunAsUser: 0}", "non-root"},
      {"aws: {failoverRegions: [Oregon]}", "aws.failoverRegions: \"Oregon\" is not an AWS region"},
      {"aws: {failoverRegions: [us-west-2, us-west-2]}", "appears twice"},
      {"aws: {failoverRegions: [a-b-1, a-b-2, a-b-3, a-b-4, a-b-5, a-b-6]}", "at most 5"},
      {"aws: {failoverRegions: us-west-2}", "aws.failoverRegions: must be a list"},
      {"aws: {region: Virginia}", "aws.region: \"Virginia\" is not an AWS region"},
      {"aws: {endpoints: {us-west-2: {secretsmanager: \"http://sm.example.com\"}}}",
       "aws.endpoints.us-west-2.secretsmanager"},
      {"aws: {endpoints: {us-west-2: {sts: \"https://sts.example.com/x\"}}}", "without a path"},
      {"aws: {endpoints: {us-west-2: {kms: \"https://kms.example.com\"}}}",
       "aws.endpoints.us-west-2.kms: unknown key"},
      {"aws: {endpoints: [us-west-2]}", "aws.endpoints: must be a mapping"},
      {"aws: {endpoints: {west: {sts: \"https://sts.example.com\"}}}",
       "\"west\" is not an AWS region"},
      {"a: [unclosed", "YAML syntax error"},
      {"- just\n- a list", "top level must be a mapping"},
      // JSON (the patch, MEMSECRET_PLAN) cannot carry invalid UTF-8.
      {"injector: {image: \"img\xff\"}", "injector.image: must be valid UTF-8"},
      {"injector: {env: [{name: X, value: \"\xc3\"}]}",
       "injector.env[0].value: must be valid UTF-8"},
      {"vault: {allowedAddrs: [\"https://v\xed\xa0\x80\"]}", "must be a UTF-8 string"},
      {"rotation: {match: \"*\", maxAge: 90d}", "rotation: must be a list of {match, maxAge}"},
      {"rotation: [\"aws:*=90d\"]", "rotation[0]: must be a mapping {match, maxAge}"},
      {"rotation: [{match: \"*\", maxAge: 90d}, {match: \"aws:*\"}]",
       "rotation[1].maxAge: must be set"},
      {"rotation: [{maxAge: 90d}]", "rotation[0].match: must be a glob"},
      {"rotation: [{match: \"*\", maxAge: 90 days}]", "rotation[0].maxAge: invalid duration"},
      {"rotation: [{match: \"*\", maxAge: 0}]", "rotation[0].maxAge: must be longer than 0"},
      {"rotation: [{match: \"*\", maxAge: 11000d}]", "max 3650d"},
      {"rotation: [{match: \"*\", max_age: 90d}]", "rotation[0].max_age: unknown key"},
      {"injector: {metricsPort: 80}", "injector.metricsPort: must be 0 (off) or between 1024"},
      {"injector: {metricsPort: 70000}", "injector.metricsPort"},
      {"injector: {metricsPort: http}", "injector.metricsPort: must be a number"},
  };
  for (const auto& [yaml, want] : cases) {
    SCOPED_TRACE(yaml);
    auto c = ParseConfig(yaml);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status().message();
  }
}

TEST(ConfigTest, ReportsAllProblemsAtOnce) {
  auto c = ParseConfig("injectr: {}\nvolume: {sizeLimit: lots}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("injectr"), std::string::npos);
  EXPECT_NE(c.status().message().find("sizeLimit"), std::string::npos);
}

TEST(ConfigTest, AwsFailoverRegionsAndEndpoints) {
  auto c = ParseConfig(R"(
aws:
  region: us-east-1
  failoverRegions: [us-west-2, eu-west-1]
  endpoints:
    us-west-2: {secretsmanager: "https://vpce-1.secretsmanager.us-west-2.vpce.amazonaws.com", sts: "https://sts-fips.us-west-2.amazonaws.com"}
    eu-west-1: {secretsmanager: "http://127.0.0.1:4566"}
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(AwsOf(*c).failover_regions, (std::vector<std::string>{"us-west-2", "eu-west-1"}));
  ASSERT_EQ(AwsOf(*c).endpoints.size(), 2u);
  EXPECT_EQ(AwsOf(*c).endpoints.at("us-west-2").sts, "https://sts-fips.us-west-2.amazonaws.com");
  EXPECT_EQ(AwsOf(*c).endpoints.at("eu-west-1").secretsmanager, "http://127.0.0.1:4566");
  EXPECT_EQ(AwsOf(*c).endpoints.at("eu-west-1").sts, "");
}

TEST(ConfigTest, RotationRulesInOrderAndMetricsPort) {
  auto c = ParseConfig(R"(
injector: {metricsPort: 9464}
rotation:
  - {match: "aws:*/genesys/*/admin-client", maxAge: 90d}
  - {match: "aws:*/genesys/*", maxAge: 180d}
  - {match: "*", maxAge: 2160h}
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->injector.metrics_port, 9464);
  ASSERT_EQ(c->rotation.size(), 3u);
  EXPECT_EQ(c->rotation[0].match, "aws:*/genesys/*/admin-client");
  EXPECT_EQ(c->rotation[0].max_age, std::chrono::hours(24 * 90));
  EXPECT_EQ(c->rotation[1].max_age, std::chrono::hours(24 * 180));
  EXPECT_EQ(c->rotation[2].max_age, std::chrono::hours(2160));
  auto defaults = ParseConfig("");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->rotation.empty());
  EXPECT_EQ(defaults->injector.metrics_port, 0);
}

TEST(ConfigTest, LoopbackHttpIsAllowed) {
  auto c = ParseConfig(
      "vault: {addr: \"http://127.0.0.1:8200\", allowedAddrs: [\"http://127.0.0.1:8200\"]}\n");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
}

TEST(ConfigTest, MissingFileIsAClearError) {
  auto c = LoadConfigFile("/nonexistent/memsecret.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/memsecret.yaml"), std::string::npos);
}

}  // namespace
}  // namespace memsecret::webhook
