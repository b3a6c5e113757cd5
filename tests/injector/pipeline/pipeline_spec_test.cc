// Pipeline command lines and keys: every problem named at once, ${VAR},
// --allow before any fetch, --env / get items checked against the keys.
#include "injector/pipeline/pipeline_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/vault/vault_spec.h"

namespace memsecret::injector::pipeline {
namespace {

bool Mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(ParsePipelineArgs, ExecFlags) {
  std::vector<std::string> problems;
  PipelineArgs a = ParsePipelineArgs(
      PipelineCommand::kExec,
      {"-f", "p.yaml", "--set", "secret-a=vault:x/y", "--set=format-a=raw", "--env",
       "GENESYS_CLOUD_ACCESS_TOKEN=genesys", "--env=CXONE_API_KEY=cx#api_key", "--allow",
       "vault:secret/genesys/staging/*", "--timeout", "90s", "--dir", "/dev/shm/x", "--",
       "terraform", "apply", "--auto-approve"},
      &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);
  EXPECT_EQ(a.key_file, "p.yaml");
  ASSERT_EQ(a.sets.size(), 2u);
  EXPECT_EQ(a.sets[1], (std::pair<std::string, std::string>{"format-a", "raw"}));
  ASSERT_EQ(a.env.size(), 2u);
  EXPECT_EQ(a.env[1].var, "CXONE_API_KEY");
  EXPECT_EQ(a.env[1].source.item, "cx");
  EXPECT_EQ(a.env[1].source.field, "api_key");
  EXPECT_EQ(a.timeout, std::chrono::seconds(90));
  EXPECT_EQ(a.dir, "/dev/shm/x");
  EXPECT_EQ(a.argv, (std::vector<std::string>{"terraform", "apply", "--auto-approve"}));
}

TEST(ParsePipelineArgs, EveryProblemAtOnce) {
  struct Case {
    PipelineCommand command;
    std::vector<std::string> args;
    std::vector<std::string> want;
  } cases[] = {
      {PipelineCommand::kExec,
       {"--set", "novalue", "--env", "1BAD=x", "--env", "V=.hidden", "--timeout", "soon", "--dir",
        "rel", "--bogus", "--", "true"},
       {"--set \"novalue\": expected KEY=VALUE", "--env \"1BAD=x\"", "--env \"V=.hidden\"",
        "--timeout", "--dir \"rel\": must be an absolute path", "unknown flag --bogus"}},
      {PipelineCommand::kExec, {"--set", "a=b"}, {"no COMMAND"}},
      {PipelineCommand::kExec, {"--env", "A=x", "--env", "A=y", "--", "true"}, {"A is set twice"}},
      {PipelineCommand::kGet, {}, {"expected exactly one NAME[#FIELD]"}},
      {PipelineCommand::kGet, {"x#"}, {"is not NAME[#FIELD]"}},
      {PipelineCommand::kGet, {"--timeout", "5s", "x"}, {"unknown flag --timeout"}},
      {PipelineCommand::kExport, {"--env", "A=x"}, {"--github-env is required"}},
      {PipelineCommand::kExport, {"--github-env"}, {"at least one --env"}},
      {PipelineCommand::kExec, {"-f"}, {"-f needs a value (FILE)"}},
      {PipelineCommand::kGet,
       {"--rotation", "aws:*", "--rotation", "aws:*=soon", "--rotation=vault:*=0", "x"},
       {"--rotation \"aws:*\": expected GLOB=AGE", "--rotation.maxAge: invalid duration",
        "must be longer than 0"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> problems;
    ParsePipelineArgs(c.command, c.args, &problems);
    for (const std::string& w : c.want)
      EXPECT_TRUE(Mentions(problems, w)) << w << "\n" << Join(problems);
  }
}

TEST(ExpandVariables, FromTheEnvironment) {
  MapEnvironment env({{"ENVIRONMENT", "staging"}, {"EMPTY", ""}});
  std::vector<std::string> problems;
  KeyMap out = ExpandVariables({{"secret-a", "vault:secret/genesys/${ENVIRONMENT}/cx-pipeline"},
                                {"secret-b", "aws:/x/${EMPTY}y$z"},
                                {"secret-c", "aws:/${NOPE}"},
                                {"secret-d", "aws:/${ENVIRONMENT"},
                                {"secret-e", "aws:/${1X}"},
                                {"secret-f", "aws:/${NOPE}/${NOPE}"}},
                               env, &problems);
  EXPECT_EQ(out["secret-a"], "vault:secret/genesys/staging/cx-pipeline");
  EXPECT_EQ(out["secret-b"], "aws:/x/y$z");
  EXPECT_EQ(problems.size(), 3u) << Join(problems);
  // One problem per unset variable, naming every key that uses it once.
  EXPECT_TRUE(Mentions(problems, "${NOPE} is not set (used by secret-c, secret-f)"));
  EXPECT_TRUE(Mentions(problems, "secret-d: \"${\" without a closing \"}\""));
  EXPECT_TRUE(Mentions(problems, "secret-e: \"${1X}\" is not a variable name"));
}

TEST(LoadKeyFile, YamlMapAndItsProblems) {
  const std::string path = ::testing::TempDir() + "/pipeline-keys.yaml";
  {
    std::ofstream f(path);
    f << "# the guide's layout\n"
         "token-genesys: vault:secret/genesys/${ENVIRONMENT}/cx-pipeline\n"
         "issuer-genesys: genesys\n"
         "refresh-interval: 30s\n"
         "mode-genesys: 0400\n";
  }
  std::vector<std::string> problems;
  KeyMap keys = LoadKeyFile(path, &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);
  EXPECT_EQ(keys["token-genesys"], "vault:secret/genesys/${ENVIRONMENT}/cx-pipeline");
  EXPECT_EQ(keys["mode-genesys"], "0400");  // as written, not as a number

  {
    std::ofstream f(path);
    f << "secret-a: [1, 2]\n";
  }
  problems.clear();
  LoadKeyFile(path, &problems);
  EXPECT_TRUE(Mentions(problems, "secret-a: value must be a string")) << Join(problems);
  problems.clear();
  LoadKeyFile(path + ".missing", &problems);
  EXPECT_TRUE(Mentions(problems, "cannot read the file")) << Join(problems);
  std::remove(path.c_str());
}

PipelineArgs Args(PipelineCommand c, std::vector<std::string> args) {
  std::vector<std::string> problems;
  PipelineArgs a = ParsePipelineArgs(c, args, &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);
  return a;
}

TEST(BuildPipelinePlan, TheGuidesLayout) {
  const KeyMap keys = {{"token-genesys", "vault:secret/genesys/cx-pipeline"},
                       {"issuer-genesys", "genesys"},
                       {"token-cxone", "vault:secret/nice/cxone-pipeline"},
                       {"issuer-cxone", "cxone"},
                       {"secret-cxone-creds", "vault:secret/nice/cxone-pipeline"},
                       {"vault-role", "cx-pipeline"},
                       {"vault-auth-path", "github"},
                       {"refresh-interval", "1m"}};
  std::vector<std::string> problems;
  PipelinePlan p = BuildPipelinePlan(
      keys,
      Args(PipelineCommand::kExec,
           {"--env", "GENESYS_CLOUD_ACCESS_TOKEN=genesys", "--env",
            "CXONE_API_KEY=cxone-creds#api_key", "--allow", "vault:secret/genesys/*", "--allow",
            "vault:secret/nice/*", "--", "terraform", "apply"}),
      &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);
  EXPECT_EQ(p.plan.files.size(), 3u);
  EXPECT_EQ(p.plan.lifecycle, Lifecycle::kSidecar);
  EXPECT_EQ(p.plan.refresh_interval_seconds, 60);
  const VaultSettings* vault = p.plan.backends.Get<VaultSettings>(kVaultBackend);
  ASSERT_TRUE(vault);
  EXPECT_EQ(vault->role, "cx-pipeline");
  EXPECT_EQ(vault->auth_path, "github");
  EXPECT_FALSE(p.plan.backends.Has(kAwsBackend));
}

TEST(BuildPipelinePlan, RotationRulesResolvePerItemFirstMatchWins) {
  std::vector<std::string> problems;
  PipelinePlan p =
      BuildPipelinePlan({{"token-genesys", "vault:secret/genesys/cx-pipeline"},
                         {"issuer-genesys", "genesys"},
                         {"secret-cxone", "vault:secret/nice/cxone-pipeline"},
                         {"secret-other", "aws:/saas/key"},
                         {"metrics-port", "9464"}},
                        Args(PipelineCommand::kExec, {"--rotation", "vault:secret/genesys/*=90d",
                                                      "--rotation", "vault:*=180d", "--", "true"}),
                        &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);
  ASSERT_EQ(p.plan.files.size(), 3u);
  for (const PlannedFile& f : p.plan.files) {
    SCOPED_TRACE(f.name);
    const int64_t days = f.name == "genesys" ? 90 : f.name == "cxone" ? 180 : 0;
    EXPECT_EQ(f.rotation_max_age_seconds, days * 86400);
  }
  EXPECT_EQ(p.plan.metrics_port, 0);  // a pod-only key
  EXPECT_TRUE(Mentions(p.warnings, "metrics-port applies to pods only"));
}

TEST(BuildPipelinePlan, AllowRefusesAProductionRefInAStagingRun) {
  std::vector<std::string> problems;
  BuildPipelinePlan(
      {{"secret-db", "vault:secret/genesys/production/cx-pipeline"},
       {"secret-ok", "vault:secret/genesys/staging/cx-pipeline#x"}},
      Args(PipelineCommand::kExec, {"--allow", "vault:secret/genesys/staging/*", "--", "true"}),
      &problems);
  ASSERT_EQ(problems.size(), 1u) << Join(problems);
  EXPECT_EQ(
      problems[0],
      "item \"db\": vault:secret/genesys/production/cx-pipeline is outside every --allow glob");
}

// A key file from an untrusted branch must not send the CI identity (Vault
// token or JWT, the role it assumes) or fetched client credentials elsewhere.
TEST(BuildPipelinePlan, AllowAddrFencesTheAddressesKeysName) {
  const KeyMap keys = {
      {"secret-a", "vault:secret/genesys/staging/x#k"},
      {"vault-addr", "https://vault.attacker.example:8200"},
      {"aws-role-arn", "arn:aws:iam::999999999999:role/attacker"},
      {"token-t", "vault:secret/genesys/staging/creds"},
      {"issuer-t", "https://idp.attacker.example/oauth/token"},
  };
  const std::vector<std::string> fence = {"--allow-addr", "https://vault.example.com:8200",
                                          "--allow-addr", "arn:aws:iam::123456789012:role/*",
                                          "--allow-addr", "https://idp.example.com",
                                          "--",           "true"};
  std::vector<std::string> problems;
  BuildPipelinePlan(keys, Args(PipelineCommand::kExec, fence), &problems);
  ASSERT_EQ(problems.size(), 3u) << Join(problems);
  EXPECT_TRUE(Mentions(problems,
                       "vault-addr: https://vault.attacker.example:8200 is outside "
                       "every --allow-addr glob"))
      << Join(problems);
  EXPECT_TRUE(Mentions(problems, "aws-role-arn: arn:aws:iam::999999999999:role/attacker"));
  EXPECT_TRUE(Mentions(problems, "issuer-t: https://idp.attacker.example is outside"));

  // The same keys pointing where the fence says: no problem. The origin is
  // matched (scheme, host, port unless the default), so userinfo or a path
  // cannot dress another host up as an allowed one.
  KeyMap good = keys;
  good["vault-addr"] = "https://VAULT.example.com:8200/";
  good["aws-role-arn"] = "arn:aws:iam::123456789012:role/cx-pipeline";
  good["issuer-t"] = "https://idp.example.com:443/oauth/token";
  problems.clear();
  BuildPipelinePlan(good, Args(PipelineCommand::kExec, fence), &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);

  KeyMap dressed = keys;
  dressed["vault-addr"] = "https://vault.example.com:8200.attacker.example:8200";
  dressed.erase("aws-role-arn");
  dressed["issuer-t"] = "https://idp.attacker.example/https://idp.example.com";
  problems.clear();
  BuildPipelinePlan(dressed, Args(PipelineCommand::kExec, fence), &problems);
  EXPECT_TRUE(Mentions(problems, "vault-addr:")) << Join(problems);
  EXPECT_TRUE(Mentions(problems, "issuer-t: https://idp.attacker.example is outside"))
      << Join(problems);

  // Without --allow-addr nothing is fenced (the runner's own keys).
  problems.clear();
  BuildPipelinePlan(keys, Args(PipelineCommand::kExec, {"--", "true"}), &problems);
  EXPECT_TRUE(problems.empty()) << Join(problems);
}

TEST(BuildPipelinePlan, EveryKeyProblemAndUnknownItems) {
  std::vector<std::string> problems;
  PipelinePlan p = BuildPipelinePlan(
      {{"secret-a", "vault:x/y"},
       {"format-a", "env"},
       {"token-t", "aws:/c"},
       {"sekret-b", "aws:/b"},
       {"containers", "app"},
       {"agent-port", "2773"}},
      Args(PipelineCommand::kExec, {"--env", "A=a", "--env", "B=nope", "--", "true"}), &problems);
  EXPECT_TRUE(Mentions(problems, "sekret-b: unknown key")) << Join(problems);
  EXPECT_TRUE(Mentions(problems, "token-t: a token needs issuer-t")) << Join(problems);
  EXPECT_TRUE(Mentions(problems, "--env A: item \"a\" has format env")) << Join(problems);
  EXPECT_TRUE(Mentions(problems, "--env B: no item \"nope\"")) << Join(problems);
  ASSERT_EQ(p.warnings.size(), 2u);
  EXPECT_NE(p.warnings[0].find("agent-port applies to pods only"), std::string::npos);
  EXPECT_NE(p.warnings[1].find("containers applies to pods only"), std::string::npos);
  EXPECT_EQ(p.plan.agent_port, 0);

  problems.clear();
  BuildPipelinePlan({}, Args(PipelineCommand::kGet, {"x"}), &problems);
  EXPECT_TRUE(Mentions(problems, "no items")) << Join(problems);
  EXPECT_TRUE(Mentions(problems, "no item \"x\"")) << Join(problems);
}

}  // namespace
}  // namespace memsecret::injector::pipeline
