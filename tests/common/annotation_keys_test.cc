// The shared key table: the same keys parse without a prefix (pipelines),
// env-var-<name> names env-format variables, and two env files never define
// one variable.
#include "memsecret/plan/annotation_keys.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace memsecret {
namespace {

using Keys = std::map<std::string, std::string>;

bool Mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST(ParseInjectionKeys, PipelineKeysWithoutPrefix) {
  std::vector<std::string> problems;
  InjectionSpec spec =
      ParseInjectionKeys({{"token-genesys", "vault:secret/genesys/cx-pipeline"},
                          {"issuer-genesys", "genesys"},
                          {"format-genesys", "env"},
                          {"env-var-genesys", "GENESYS_CLOUD_ACCESS_TOKEN"},
                          {"secret-cxone-key", "vault:secret/nice/cxone-pipeline#api_key"},
                          {"format-cxone-key", "env"},
                          {"env-var-cxone-key", "CXONE_API_KEY"},
                          {"secret-cxone-secret", "vault:secret/nice/cxone-pipeline#api_secret"},
                          {"format-cxone-secret", "env"},
                          {"env-var-cxone-secret", "CXONE_API_SECRET"},
                          {"refresh-interval", "30s"},
                          {"vault-role", "cx-pipeline"}},
                         "", &problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_EQ(spec.files.size(), 3u);
  EXPECT_EQ(spec.files[0].name, "cxone-key");
  EXPECT_EQ(spec.files[0].env_var, "CXONE_API_KEY");
  EXPECT_EQ(spec.files[2].env_var, "GENESYS_CLOUD_ACCESS_TOKEN");
  EXPECT_EQ(spec.refresh_interval, std::chrono::seconds(30));
  EXPECT_EQ(KeyValue(spec.backend_keys, "vault-role"), "cx-pipeline");
}

TEST(ParseInjectionKeys, EveryProblemNamedWithTheCallersPrefix) {
  struct Case {
    const char* name;
    Keys keys;
    std::string prefix;
    const char* want;
  } cases[] = {
      {"unknown key, pipeline", {{"secrets-db", "aws:x"}}, "", "secrets-db: unknown key"},
      {"unknown key, pod",
       {{"secrets-db", "aws:x"}},
       "memsecret.io/",
       "memsecret.io/secrets-db: unknown annotation"},
      {"env-var not a name",
       {{"secret-db", "aws:x"}, {"format-db", "env"}, {"env-var-db", "1X"}},
       "",
       "env-var-db=\"1X\": must be a shell variable name"},
      {"env-var needs env format",
       {{"secret-db", "aws:x"}, {"env-var-db", "DB"}},
       "",
       "env-var-db=\"DB\": only applies with format-db=env"},
      {"two tokens, same default names",
       {{"token-a-b", "aws:x"},
        {"issuer-a-b", "cxone"},
        {"format-a-b", "env"},
        {"token-a.b", "aws:y"},
        {"issuer-a.b", "cxone"},
        {"format-a.b", "env"}},
       "",
       "both define the variable A_B_ACCESS_TOKEN"},
      {"env-var equal to a field name",
       {{"secret-k", "aws:x#API_KEY"},
        {"format-k", "env"},
        {"secret-j", "aws:y"},
        {"format-j", "env"},
        {"env-var-j", "API_KEY"}},
       "",
       "both define the variable API_KEY"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> problems;
    ParseInjectionKeys(c.keys, c.prefix, &problems);
    EXPECT_TRUE(Mentions(problems, c.want)) << (problems.empty() ? "no problem" : problems.front());
  }
}

// Two token env files of one pod, without env-var: distinct variables.
TEST(ParseInjectionKeys, TwoTokenEnvFilesDoNotCollideByDefault) {
  std::vector<std::string> problems;
  InjectionSpec spec = ParseInjectionKeys({{"token-genesys", "aws:a"},
                                           {"issuer-genesys", "genesys"},
                                           {"format-genesys", "env"},
                                           {"token-cxone", "aws:b"},
                                           {"issuer-cxone", "cxone"},
                                           {"format-cxone", "env"}},
                                          "", &problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_EQ(spec.files.size(), 2u);
  EXPECT_EQ(TokenEnvVar(spec.files[0]), "CXONE_ACCESS_TOKEN");
  EXPECT_EQ(TokenEnvVar(spec.files[1]), "GENESYS_ACCESS_TOKEN");
}

TEST(ParseInjectionKeys, KnownKeysIncludeEnvVar) {
  auto keys = KnownInjectionKeys();
  EXPECT_NE(std::find(keys.begin(), keys.end(), "env-var-<name>"), keys.end());
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "status"), keys.end());
}

}  // namespace
}  // namespace memsecret
