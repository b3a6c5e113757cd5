// PlanBackends: the one loop over the backends' resolvers that the webhook's
// planner and the pipeline commands' planner share. Pods resolve against
// the config's sections, the app's env and projected tokens; pipelines
// against the keys alone. CheckBackendPolicy: the backends' allowlists.
// SubstitutePodVars: the two pod variables, anywhere and repeated.
#include "memsecret/plan/backend_settings.h"

#include <gtest/gtest.h>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/backends.h"

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

const AwsSettings* Aws(const InjectionPlan& p) { return p.backends.Get<AwsSettings>(kAwsBackend); }
const VaultSettings* Vault(const InjectionPlan& p) {
  return p.backends.Get<VaultSettings>(kVaultBackend);
}
const AzureSettings* Azure(const InjectionPlan& p) {
  return p.backends.Get<AzureSettings>(kAzureBackend);
}
template <class Section>
Section& SectionOf(BackendConfigs& configs, const char* backend) {
  return std::any_cast<Section&>(configs.at(backend));
}

InjectionPlan PlanOf(const InjectionSpec& spec) {
  InjectionPlan plan;
  plan.files = spec.files;
  return plan;
}

PlanContext PodContext(std::map<std::string, std::string> app_env = {}) {
  PlanContext ctx;
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
  const BackendConfigs configs = DefaultBackendConfigs();
  InjectionSpec spec = SpecFor({"vault:secret/app"});
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec, PodContext(), &configs, &plan, &notes);
  EXPECT_FALSE(Aws(plan));
  EXPECT_FALSE(Azure(plan));
  ASSERT_TRUE(Vault(plan));
  EXPECT_EQ(Vault(plan)->addr, VaultSection{}.addr);
  EXPECT_EQ(Vault(plan)->role, "sync");  // "{serviceAccount}" substituted
  EXPECT_EQ(Vault(plan)->token_file, "/tokens/vault-token");
  ASSERT_EQ(notes.sa_tokens.size(), 1u);
  EXPECT_EQ(notes.sa_tokens[0].audience, "vault");
  EXPECT_TRUE(notes.problems.empty());
}

TEST(PlanBackends, PodKeysWinOverDefaultsAndTheAppEnvFillsTheRest) {
  BackendConfigs configs = DefaultBackendConfigs();
  AwsSection& aws = SectionOf<AwsSection>(configs, kAwsBackend);
  aws.region.clear();
  aws.failover_regions = {"eu-west-1", "eu-central-1"};
  aws.endpoints["eu-central-1"].secretsmanager = "https://sm.example";
  aws.endpoints["ap-south-1"].secretsmanager = "https://other.example";
  InjectionSpec spec = SpecFor({"aws:/a", "azure:kv-one/b"});
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec,
               PodContext({{"AWS_REGION", "eu-west-1"},
                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/app"}}),
               &configs, &plan, &notes);
  ASSERT_TRUE(Aws(plan));
  EXPECT_EQ(Aws(plan)->region, "eu-west-1");
  EXPECT_EQ(Aws(plan)->role_arn, "arn:aws:iam::123456789012:role/app");
  EXPECT_EQ(Aws(plan)->web_identity_token_file, "/tokens/aws-token");
  // The config's list without the pod's own region; only usable endpoints.
  EXPECT_EQ(Aws(plan)->failover_regions, std::vector<std::string>{"eu-central-1"});
  EXPECT_EQ(Aws(plan)->endpoints.size(), 1u);
  ASSERT_TRUE(Azure(plan));
  EXPECT_EQ(Azure(plan)->federated_token_file, "/tokens/azure-token");
  EXPECT_EQ(notes.sa_tokens.size(), 2u);
  EXPECT_TRUE(notes.problems.empty()) << notes.problems[0];
}

TEST(PlanBackends, PodProblemsNameTheKeyToSet) {
  BackendConfigs configs = DefaultBackendConfigs();
  SectionOf<AwsSection>(configs, kAwsBackend).region.clear();
  SectionOf<VaultSection>(configs, kVaultBackend).addr.clear();
  InjectionSpec spec = SpecFor({"aws:/a", "vault:secret/app"});
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec, PodContext(), &configs, &plan, &notes);
  ASSERT_EQ(notes.problems.size(), 2u);
  EXPECT_NE(notes.problems[0].find("memsecret.io/aws-region"), std::string::npos);
  EXPECT_NE(notes.problems[1].find("memsecret.io/vault-addr"), std::string::npos);
  ASSERT_EQ(notes.warnings.size(), 1u);  // no role: no web-identity token

  // A region from the app's env becomes a host name: it is checked, naming its source.
  notes = {};
  PlanBackends(spec, PodContext({{"AWS_DEFAULT_REGION", "evil.example/"}}), &configs, &plan,
               &notes);
  ASSERT_FALSE(notes.problems.empty());
  EXPECT_NE(notes.problems[0].find("AWS_DEFAULT_REGION"), std::string::npos);
}

TEST(PlanBackends, PipelinesTakeTheKeysAloneAndLeaveTheRestToTheRunner) {
  InjectionSpec spec = SpecFor({"aws:/a", "vault:secret/app", "azure:kv-one/b"});
  spec.backend_keys["vault-role"] = "ci";
  spec.backend_keys["aws-failover-regions"] = "eu-west-1";
  InjectionPlan plan = PlanOf(spec);
  PlanNotes notes;
  PlanBackends(spec, PlanContext{}, /*configs=*/nullptr, &plan, &notes);
  EXPECT_TRUE(notes.problems.empty());
  EXPECT_TRUE(notes.warnings.empty());
  EXPECT_TRUE(notes.sa_tokens.empty());
  ASSERT_TRUE(Aws(plan) && Vault(plan) && Azure(plan));
  EXPECT_EQ(Aws(plan)->region, "");  // AWS_REGION of the runner, read by the injector
  EXPECT_EQ(Aws(plan)->web_identity_token_file, "");
  EXPECT_EQ(Aws(plan)->failover_regions, std::vector<std::string>{"eu-west-1"});
  EXPECT_EQ(Vault(plan)->addr, "");  // VAULT_ADDR of the runner
  EXPECT_EQ(Vault(plan)->auth_path, "");
  EXPECT_EQ(Vault(plan)->role, "ci");
  EXPECT_EQ(Vault(plan)->token_file, "");
  EXPECT_EQ(Azure(plan)->federated_token_file, "");
}

TEST(CheckBackendPolicy, AVaultAddressOutsideTheAllowlistIsDenied) {
  BackendConfigs configs = DefaultBackendConfigs();
  SectionOf<VaultSection>(configs, kVaultBackend).allowed_addrs = {"https://vault.corp:8200"};
  InjectionSpec spec = SpecFor({"vault:secret/app"});
  PlanNotes notes;
  CheckBackendPolicy(spec, configs, &notes);
  EXPECT_TRUE(notes.policy.empty());  // no address key: the config's own address
  spec.backend_keys["vault-addr"] = "https://vault.corp:8200";
  CheckBackendPolicy(spec, configs, &notes);
  EXPECT_TRUE(notes.policy.empty());
  spec.backend_keys["vault-addr"] = "https://evil.example:8200";
  CheckBackendPolicy(spec, configs, &notes);
  ASSERT_EQ(notes.policy.size(), 1u);
  EXPECT_EQ(notes.policy[0], "vault-addr https://evil.example:8200 is not in vault.allowedAddrs");
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
