// Plan loading for the run/probe commands.
#include "injector/commands.h"

#include <gtest/gtest.h>

#include <fstream>

#include "injector/providers/secret_provider.h"
#include "memsecret/plan/backends.h"
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

TEST(LoadPlanTest, ErrorsNameThePlanOnce) {
  // The callers print these as they are: each names the plan exactly once.
  for (const char* text : {"not json", R"({"version":1})", R"({"version":9,"files":[]})",
                           R"({"version":1,"outputDir":"x","files":[]})"}) {
    SCOPED_TRACE(text);
    MapEnvironment env;
    env.Set("MEMSECRET_PLAN", text);
    auto plan = LoadPlan(std::nullopt, env);
    ASSERT_FALSE(plan.ok());
    const std::string& m = plan.status().message();
    EXPECT_EQ(m.rfind("plan", 0), 0u) << m;
    EXPECT_EQ(m.find("plan: plan"), std::string::npos) << m;
  }
}

TEST(ParseRunProbeArgsTest, FlagsOfEachCommand) {
  auto run = ParseRunProbeArgs("run", {"--plan", "/p.json", "--once"});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->plan_file, "/p.json");
  EXPECT_TRUE(run->once);
  EXPECT_FALSE(run->wait);
  auto probe = ParseRunProbeArgs("probe", {"--plan=/q.json", "--wait", "300s"});
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->plan_file, "/q.json");
  EXPECT_EQ(probe->wait, std::chrono::seconds(300));
  auto waits = ParseRunProbeArgs("probe", {"--wait=5m"});
  ASSERT_TRUE(waits.ok());
  EXPECT_EQ(waits->wait, std::chrono::seconds(300));
  auto bare = ParseRunProbeArgs("run", {});
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->plan_file);
  EXPECT_FALSE(bare->once);
}

TEST(ParseRunProbeArgsTest, EveryMistakeIsNamed) {
  struct Case {
    std::string command;
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {"run", {"--bogus"}, "run: unknown flag --bogus"},
      {"probe", {"-x"}, "probe: unknown flag -x"},
      // The text after "=" is not echoed: it may be a secret typed into the wrong flag.
      {"run", {"--once", "--bogus=1"}, "run: unknown flag --bogus"},
      {"run", {"--plan"}, "run: --plan needs a value (FILE)"},
      {"run", {"--plan="}, "run: --plan needs a value (FILE)"},
      {"run", {"--plan", "a", "--plan", "b"}, "run: --plan given twice"},
      {"run", {"--once=yes"}, "run: --once takes no value"},
      {"probe", {"--wait"}, "probe: --wait needs a value (DUR)"},
      {"probe", {"--wait", "soon"}, "probe: --wait: "},
      {"run", {"--wait", "5s"}, "run: --wait is a flag of probe, not of run"},
      {"probe", {"--once"}, "probe: --once is a flag of run, not of probe"},
      {"run", {"plan.json"}, "run: unexpected argument \"plan.json\" (run takes only flags)"},
      {"run", {"--", "--once"}, "run: unexpected argument \"--once\" (run takes only flags)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.command + " " + (c.args.empty() ? "" : c.args[0]));
    auto r = ParseRunProbeArgs(c.command, c.args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind(c.message, 0), 0u) << r.status().message();
  }
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
