// Plan loading for the run/probe commands.
#include "injector/commands.h"

#include <gtest/gtest.h>

#include <fstream>

#include "injector/providers/secret_provider.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

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

TEST(ProviderRegistryTest, UnregisteredProviderFailsClearly) {
  ProviderRegistry registry;
  auto r = registry.Fetch(ParseSecretRef("vault:secret/crm/app").value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kFailedPrecondition);
  EXPECT_FALSE(r.status.retryable());
  EXPECT_EQ(r.status.message(), "provider vault is not configured for this plan");
}

}  // namespace
}  // namespace memsecret::injector
