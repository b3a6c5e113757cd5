// PlanBackends: the one resolver of per-backend settings that the webhook's
// planner and the pipeline commands' planner share. Pods resolve against
// defaults, the app's env and projected tokens; pipelines against the keys
// alone. SubstitutePodVars: the two pod variables, anywhere and repeated.
#include "memsecret/backend_settings.h"

#include <gtest/gtest.h>

namespace memsecret {
namespace {

InjectionSpec SpecFor(const std::vector<std::string>& refs) {
  InjectionSpec spec;
  for (size_t i = 0; i < refs.size(); ++i) {
    PlannedFile f;
    f.name = "f" + std::to_string(i);
    f.ref = ParseSecretRef(refs[i]).value();
    spec.files.push_back(f);
  }
  return spec;
}

InjectionPlan PlanOf(const InjectionSpec& spec) {
  InjectionPlan plan;
  plan.files = spec.files;
  return plan;
}

PlanContext PodContext(const BackendDefaults* defaults,
                       std::map<std::string, std::string> app_env = {}) {
  PlanContext ctx;
  ctx.defaults = defaults;
  ctx.app_env = [app_env](std::string_view name) {
    auto it = app_env.find(std::string(name));
    return it == app_env.end() ? std::string() : it->second;
  };
  ctx.token_dir = "/tokens";
  ctx.namespace_name = "crm";
  ctx.service_account = "sync";
  ctx.key_prefix = "memsecret.io/";
  return ctx;
}

TEST(PlanBackends, OnlyTheBackendsAFileUsesAreResolved) {
  const BackendDefaults defaults;
  InjectionSpec spec = SpecFor({"vault:secret/app"});
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec, PodContext(&defaults), &plan, &notes);
  EXPECT_FALSE(plan.aws);
  EXPECT_FALSE(plan.azure);
  ASSERT_TRUE(plan.vault);
  EXPECT_EQ(plan.vault->addr, defaults.vault.addr);
  EXPECT_EQ(plan.vault->role, "sync");  // "{serviceAccount}" substituted
  EXPECT_EQ(plan.vault->token_file, "/tokens/vault-token");
  ASSERT_EQ(notes.sa_tokens.size(), 1u);
  EXPECT_EQ(notes.sa_tokens[0].audience, "vault");
  EXPECT_TRUE(notes.problems.empty());
}

TEST(PlanBackends, PodKeysWinOverDefaultsAndTheAppEnvFillsTheRest) {
  BackendDefaults defaults;
  defaults.aws.region.clear();
  defaults.aws.failover_regions = {"eu-west-1", "eu-central-1"};
  defaults.aws.endpoints["eu-central-1"].secretsmanager = "https://sm.example";
  defaults.aws.endpoints["ap-south-1"].secretsmanager = "https://other.example";
  InjectionSpec spec = SpecFor({"aws:/a", "azure:kv-one/b"});
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec,
               PodContext(&defaults, {{"AWS_REGION", "eu-west-1"},
                                      {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/app"}}),
               &plan, &notes);
  ASSERT_TRUE(plan.aws);
  EXPECT_EQ(plan.aws->region, "eu-west-1");
  EXPECT_EQ(plan.aws->role_arn, "arn:aws:iam::123456789012:role/app");
  EXPECT_EQ(plan.aws->web_identity_token_file, "/tokens/aws-token");
  // The config's list without the pod's own region; only usable endpoints.
  EXPECT_EQ(plan.aws->failover_regions, std::vector<std::string>{"eu-central-1"});
  EXPECT_EQ(plan.aws->endpoints.size(), 1u);
  ASSERT_TRUE(plan.azure);
  EXPECT_EQ(plan.azure->federated_token_file, "/tokens/azure-token");
  EXPECT_EQ(notes.sa_tokens.size(), 2u);
  EXPECT_TRUE(notes.problems.empty()) << notes.problems[0];
}

TEST(PlanBackends, PodProblemsNameTheKeyToSet) {
  BackendDefaults defaults;
  defaults.aws.region.clear();
  defaults.vault.addr.clear();
  InjectionSpec spec = SpecFor({"aws:/a", "vault:secret/app"});
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec, PodContext(&defaults), &plan, &notes);
  ASSERT_EQ(notes.problems.size(), 2u);
  EXPECT_NE(notes.problems[0].find("memsecret.io/aws-region"), std::string::npos);
  EXPECT_NE(notes.problems[1].find("memsecret.io/vault-addr"), std::string::npos);
  ASSERT_EQ(notes.warnings.size(), 1u);  // no role: no web-identity token

  // A region from the app's env becomes a host name: it is checked, naming its source.
  notes = {};
  PlanBackends(spec, PodContext(&defaults, {{"AWS_DEFAULT_REGION", "evil.example/"}}), &plan,
               &notes);
  ASSERT_FALSE(notes.problems.empty());
  EXPECT_NE(notes.problems[0].find("AWS_DEFAULT_REGION"), std::string::npos);
}

TEST(PlanBackends, PipelinesTakeTheKeysAloneAndLeaveTheRestToTheRunner) {
  InjectionSpec spec = SpecFor({"aws:/a", "vault:secret/app", "azure:kv-one/b"});
  spec.vault_role = "ci";
  spec.aws_failover_regions = std::vector<std::string>{"eu-west-1"};
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec, PlanContext{}, &plan, &notes);
  EXPECT_TRUE(notes.problems.empty());
  EXPECT_TRUE(notes.warnings.empty());
  EXPECT_TRUE(notes.sa_tokens.empty());
  ASSERT_TRUE(plan.aws && plan.vault && plan.azure);
  EXPECT_EQ(plan.aws->region, "");  // AWS_REGION of the runner, read by the injector
  EXPECT_EQ(plan.aws->web_identity_token_file, "");
  EXPECT_EQ(plan.aws->failover_regions, std::vector<std::string>{"eu-west-1"});
  EXPECT_EQ(plan.vault->addr, "");  // VAULT_ADDR of the runner
  EXPECT_EQ(plan.vault->auth_path, "");
  EXPECT_EQ(plan.vault->role, "ci");
  EXPECT_EQ(plan.vault->token_file, "");
  EXPECT_EQ(plan.azure->federated_token_file, "");
}

TEST(SubstitutePodVars, Table) {
  struct Case {
    const char* pattern;
    const char* want;
  } cases[] = {
      {"", ""},
      {"aws:/genesys/{namespace}/*", "aws:/genesys/crm/*"},
      {"{serviceAccount}", "sync-sa"},
      {"{namespace}-{serviceAccount}-{namespace}", "crm-sync-sa-crm"},
      {"{Namespace}{namespace", "{Namespace}{namespace"},
      {"{pod}/{}", "{pod}/{}"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(SubstitutePodVars(c.pattern, "crm", "sync-sa"), c.want) << c.pattern;
}

}  // namespace
}  // namespace memsecret
