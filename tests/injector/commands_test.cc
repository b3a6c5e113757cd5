// Plan loading for the run/probe commands and the start-up check that refuses
// providers this build does not have.
#include "injector/commands.h"

#include <gtest/gtest.h>

#include <fstream>

#include "injector/secret_provider.h"
#include "temp_dir.h"

namespace memsecret::injector {
namespace {

const char* kPlan =
    R"({"version":1,"pod":{"namespace":"crm","serviceAccount":"crm-sync","name":""},"outputDir":"/x",)"
    R"("files":[{"name":"a","kind":"secret","ref":"aws:/crm/a","format":"raw","mode":"0400"}]})";

TEST(LoadPlanTest, FromEnvironmentWithPodName) {
  MapEnvironment env;
  env.Set("MEMSECRET_PLAN", kPlan);
  env.Set("MEMSECRET_POD_NAME", "crm-sync-7d9f-x");
  auto plan = LoadPlan(std::nullopt, env);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->pod.name, "crm-sync-7d9f-x");
  EXPECT_EQ(plan->pod.namespace_name, "crm");
  EXPECT_EQ(plan->files.size(), 1u);
}

TEST(LoadPlanTest, FromFileOverridesEnvironment) {
  TempDir dir;
  std::string path = dir.path() + "/plan.json";
  std::ofstream(path) << kPlan;
  MapEnvironment env;
  env.Set("MEMSECRET_PLAN", "not json");
  auto plan = LoadPlan(path, env);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->output_dir, "/x");
  EXPECT_EQ(plan->pod.name, "");
}

TEST(LoadPlanTest, MissingOrBrokenPlanIsExplained) {
  MapEnvironment empty;
  auto none = LoadPlan(std::nullopt, empty);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("MEMSECRET_PLAN"), std::string::npos);
  EXPECT_FALSE(LoadPlan("/nonexistent/plan.json", empty).ok());
  MapEnvironment broken;
  broken.Set("MEMSECRET_PLAN", R"({"version":1,"files":[{"name":".x"}]})");
  EXPECT_FALSE(LoadPlan(std::nullopt, broken).ok());
}

TEST(CheckProvidersTest, ProvidersNotInThisBuildAreStartupErrors) {
  InjectionPlan plan;
  PlannedFile a;
  a.name = "a";
  a.ref = ParseSecretRef("aws:/crm/a").value();
  plan.files.push_back(a);
  EXPECT_TRUE(CheckProvidersSupported(plan).ok());
  PlannedFile v = a;
  v.name = "v";
  v.ref = ParseSecretRef("vault:secret/crm/app").value();
  PlannedFile z = a;
  z.name = "z";
  z.ref = ParseSecretRef("azure:crm-vault/db-password").value();
  plan.files.push_back(v);
  plan.files.push_back(z);
  Status st = CheckProvidersSupported(plan);
  const bool vault = ProviderCompiledIn(Provider::kVault),
             azure = ProviderCompiledIn(Provider::kAzure);
  ASSERT_EQ(st.ok(), vault && azure);
  if (st.ok()) return;
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  // Each missing provider is named with the file and ref; linked ones are not.
  EXPECT_EQ(st.message().find(
                "v: vault:secret/crm/app: provider vault is not supported by this build yet") !=
                std::string::npos,
            !vault);
  EXPECT_EQ(
      st.message().find(
          "z: azure:crm-vault/db-password: provider azure is not supported by this build yet") !=
          std::string::npos,
      !azure);
}

TEST(ProviderRegistryTest, UnregisteredProviderFailsClearly) {
  ProviderRegistry registry;
  auto r = registry.Fetch(ParseSecretRef("vault:secret/crm/app").value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kFailedPrecondition);
  EXPECT_FALSE(r.status.retryable());
  EXPECT_EQ(r.status.message(), "provider vault is not supported by this build yet");
}

}  // namespace
}  // namespace memsecret::injector
