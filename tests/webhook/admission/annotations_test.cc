#include "webhook/admission/annotations.h"

#include <gtest/gtest.h>

namespace memsecret::webhook {
namespace {

using Annotations = std::map<std::string, std::string>;

PodInjectionSpec Parse(const Annotations& a, Problems* problems) {
  return ParseAnnotations(a, problems);
}

TEST(AnnotationsTest, ParsesEveryKey) {
  Problems problems;
  auto spec =
      Parse({{"memsecret.io/secret-db.json", "aws:/genesys/production/crm/db?stage=AWSCURRENT"},
             {"memsecret.io/format-db.json", "json"},
             {"memsecret.io/mode-db.json", "0440"},
             {"memsecret.io/token-genesys", "aws:/genesys/production/crm/oauth"},
             {"memsecret.io/issuer-genesys", "genesys:mypurecloud.ie"},
             {"memsecret.io/scope-genesys", "analytics users:readonly"},
             {"memsecret.io/format-genesys", "env"},
             {"memsecret.io/token-idp", "vault:secret/app/idp"},
             {"memsecret.io/issuer-idp", "https://idp.example.com/oauth2/token"},
             {"memsecret.io/audience-idp", "https://api.example.com"},
             {"memsecret.io/containers", "app, worker"},
             {"memsecret.io/mount-path", "/run/secrets/cc"},
             {"memsecret.io/lifecycle", "init"},
             {"memsecret.io/refresh-interval", "1h30m"},
             {"memsecret.io/aws-region", "eu-west-1"},
             {"memsecret.io/aws-role-arn", "arn:aws:iam::123456789012:role/crm-sync"},
             {"memsecret.io/vault-addr", "https://vault.example.com:8200"},
             {"memsecret.io/vault-role", "crm-sync"},
             {"memsecret.io/vault-auth-path", "kubernetes/eks-prod"},
             {"memsecret.io/vault-namespace", "contact-centre/"},
             {"other.io/ignored", "x"}},
            &problems);
  ASSERT_TRUE(problems.empty()) << problems[0].message;
  ASSERT_EQ(spec.files.size(), 3u);
  EXPECT_EQ(spec.files[0].name, "db.json");  // sorted by name
  EXPECT_EQ(spec.files[0].kind, FileKind::kSecret);
  EXPECT_EQ(spec.files[0].format, OutputFormat::kJson);
  EXPECT_EQ(spec.files[0].mode, 0440u);
  EXPECT_EQ(spec.files[1].name, "genesys");
  EXPECT_EQ(spec.files[1].kind, FileKind::kToken);
  EXPECT_EQ(spec.files[1].token->issuer.ToString(), "genesys:mypurecloud.ie");
  EXPECT_EQ(spec.files[1].token->scope, "analytics users:readonly");
  EXPECT_EQ(spec.files[1].format, OutputFormat::kEnv);
  EXPECT_EQ(spec.files[1].mode, 0400u);  // default
  EXPECT_EQ(spec.files[2].token->audience, "https://api.example.com");
  EXPECT_EQ(*spec.containers, (std::vector<std::string>{"app", "worker"}));
  EXPECT_EQ(spec.mount_path, "/run/secrets/cc");
  EXPECT_EQ(spec.lifecycle, Lifecycle::kInit);
  EXPECT_EQ(spec.refresh_interval->count(), 5400);
  EXPECT_EQ(KeyValue(spec.backend_keys, "aws-region"), "eu-west-1");
  EXPECT_EQ(KeyValue(spec.backend_keys, "vault-auth-path"), "kubernetes/eks-prod");
  EXPECT_TRUE(spec.any);
  EXPECT_FALSE(spec.already_injected);
}

TEST(AnnotationsTest, EveryInvalidInputIsNamed) {
  struct Case {
    const char* name;
    Annotations annotations;
    const char* want;
  } cases[] = {
      {"unknown key",
       {{"memsecret.io/secrets-db", "aws:x"}},
       "memsecret.io/secrets-db: unknown annotation"},
      {"bad name", {{"memsecret.io/secret-.hidden", "aws:x"}}, "not a valid file name"},
      {"agent port too low",
       {{"memsecret.io/agent-port", "80"}},
       "memsecret.io/agent-port=\"80\": must be a port between 1024 and 65535"},
      {"agent port too high", {{"memsecret.io/agent-port", "65536"}}, "between 1024 and 65535"},
      {"agent port not a number", {{"memsecret.io/agent-port", "27x3"}}, "between 1024 and 65535"},
      {"agent port empty", {{"memsecret.io/agent-port", ""}}, "between 1024 and 65535"},
      {"agent port huge", {{"memsecret.io/agent-port", "99999999999"}}, "between 1024 and 65535"},
      // Names that would escape the mount never reach the plan.
      {"dot-dot name", {{"memsecret.io/secret-..", "aws:x"}}, "not a valid file name"},
      {"slash in name",
       {{"memsecret.io/secret-../../etc/passwd", "aws:x"}},
       "not a valid file name"},
      {"NUL in name",
       {{std::string("memsecret.io/secret-a\0b", 23), "aws:x"}},
       "not a valid file name"},
      {"token slash", {{"memsecret.io/token-a/b", "aws:x"}}, "not a valid file name"},
      {"bad name chars", {{"memsecret.io/secret-a b", "aws:x"}}, "not a valid file name"},
      {"bad ref",
       {{"memsecret.io/secret-db", "gcp:x"}},
       "memsecret.io/secret-db: ref \"gcp:x\": unknown provider"},
      {"bad format",
       {{"memsecret.io/secret-db", "aws:x"}, {"memsecret.io/format-db", "xml"}},
       "format must be raw, json or env"},
      {"bad mode",
       {{"memsecret.io/secret-db", "aws:x"}, {"memsecret.io/mode-db", "rw"}},
       "octal mode"},
      {"exec mode",
       {{"memsecret.io/secret-db", "aws:x"}, {"memsecret.io/mode-db", "0755"}},
       "must not be executable"},
      {"token without issuer",
       {{"memsecret.io/token-t", "aws:x"}},
       "a token needs memsecret.io/issuer-t"},
      {"bad issuer",
       {{"memsecret.io/token-t", "aws:x"}, {"memsecret.io/issuer-t", "genesys:evil.example.com"}},
       "unknown Genesys Cloud region"},
      {"http issuer",
       {{"memsecret.io/token-t", "aws:x"}, {"memsecret.io/issuer-t", "http://idp.example.com/t"}},
       "must be https://"},
      {"issuer on secret",
       {{"memsecret.io/secret-s", "aws:x"}, {"memsecret.io/issuer-s", "genesys"}},
       "only applies to token-s"},
      {"orphan setting",
       {{"memsecret.io/format-x", "json"}},
       "settings without memsecret.io/secret-x"},
      {"both kinds",
       {{"memsecret.io/secret-x", "aws:x"}, {"memsecret.io/token-x", "aws:y"}},
       "both"},
      {"bad scope",
       {{"memsecret.io/token-t", "aws:x"},
        {"memsecret.io/issuer-t", "genesys"},
        {"memsecret.io/scope-t", "a\"b"}},
       "RFC 6749 scope"},
      {"bad lifecycle",
       {{"memsecret.io/lifecycle", "daemon"}},
       "lifecycle must be sidecar or init"},
      {"bad duration", {{"memsecret.io/refresh-interval", "5 min"}}, "invalid duration"},
      {"bad mount path", {{"memsecret.io/mount-path", "/var/../etc"}}, "mount-path"},
      {"relative mount path", {{"memsecret.io/mount-path", "secrets"}}, "mount-path"},
      {"bad container", {{"memsecret.io/containers", "App"}}, "not a container name"},
      {"bad region", {{"memsecret.io/aws-region", "Europe"}}, "not an AWS region"},
      {"bad failover region",
       {{"memsecret.io/aws-failover-regions", "us-west-2, Oregon"}},
       "\"Oregon\" is not an AWS region"},
      {"repeated failover region",
       {{"memsecret.io/aws-failover-regions", "us-west-2,us-west-2"}},
       "appears twice"},
      {"too many failover regions",
       {{"memsecret.io/aws-failover-regions", "a-b-1,a-b-2,a-b-3,a-b-4,a-b-5,a-b-6"}},
       "at most 5"},
      {"bad role", {{"memsecret.io/aws-role-arn", "crm-role"}}, "not an IAM role ARN"},
      {"bad vault addr", {{"memsecret.io/vault-addr", "vault:8200"}}, "not a Vault address"},
      {"bad status", {{"memsecret.io/status", "pending"}}, "written by the webhook"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Problems problems;
    Parse(c.annotations, &problems);
    ASSERT_FALSE(problems.empty());
    bool found = false;
    for (const auto& p : problems) {
      EXPECT_EQ(p.kind, ProblemKind::kInvalid);
      if (p.message.find(c.want) != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << "got: " << problems[0].message;
  }
}

TEST(AnnotationsTest, CollectsAllProblems) {
  Problems problems;
  Parse({{"memsecret.io/secrets-a", "x"},
         {"memsecret.io/lifecycle", "x"},
         {"memsecret.io/secret-b", "nope"}},
        &problems);
  EXPECT_EQ(problems.size(), 3u);
}

TEST(AnnotationsTest, StatusInjectedIsRecognised) {
  Problems problems;
  auto spec = Parse({{"memsecret.io/status", "injected"}}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_TRUE(spec.already_injected);
  EXPECT_FALSE(spec.any);
}

TEST(AnnotationsTest, GenesysRegionIdsAndHostsAreAccepted) {
  for (const char* issuer :
       {"genesys", "genesys:eu_west_1", "genesys:mypurecloud.com.au", "genesys:usw2.pure.cloud",
        "genesys:login.mypurecloud.de", "cxone", "cxone:na1", "http://127.0.0.1:9000/token"}) {
    SCOPED_TRACE(issuer);
    Problems problems;
    Parse({{"memsecret.io/token-t", "aws:x"}, {"memsecret.io/issuer-t", issuer}}, &problems);
    EXPECT_TRUE(problems.empty()) << problems[0].message;
  }
}

}  // namespace
}  // namespace memsecret::webhook
