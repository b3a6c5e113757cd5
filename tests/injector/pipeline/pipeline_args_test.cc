// The pipeline commands' flag tables (injector/pipeline/pipeline_args.h):
// what the shared grammar of memsecret/flags.h means for exec, get and export.
#include "injector/pipeline/pipeline_args.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace memsecret::injector::pipeline {
namespace {

std::vector<std::string> Problems(PipelineCommand c, const std::vector<std::string>& args) {
  std::vector<std::string> problems;
  ParsePipelineArgs(c, args, &problems);
  return problems;
}

TEST(PipelineArgsTest, DoubleDashForEveryCommand) {
  std::vector<std::string> problems;
  // get's NAME may follow "--"; exec's COMMAND keeps its own flags.
  PipelineArgs get = ParsePipelineArgs(PipelineCommand::kGet, {"--", "db#password"}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(get.get.item, "db");
  PipelineArgs exec =
      ParsePipelineArgs(PipelineCommand::kExec, {"--", "env", "--", "-f", "x"}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"env", "--", "-f", "x"}));
  EXPECT_EQ(exec.key_file, std::nullopt);
}

TEST(PipelineArgsTest, TheSharedErrors) {
  struct Case {
    PipelineCommand command;
    std::vector<std::string> args;
    std::vector<std::string> want;  // exactly these problems, in order
  };
  const Case cases[] = {
      {PipelineCommand::kExec, {"-f", "a", "--file", "b", "--", "true"}, {"--file given twice"}},
      {PipelineCommand::kExec,
       {"--timeout=5s", "--timeout", "6s", "--", "true"},
       {"--timeout given twice"}},
      {PipelineCommand::kExec, {"--allow=", "--", "true"}, {"--allow needs a value (GLOB)"}},
      {PipelineCommand::kExec,
       {"--dir", "rel", "--", "true"},
       {"--dir \"rel\": must be an absolute path"}},
      {PipelineCommand::kGet, {"--env", "x"}, {"unknown flag --env"}},
      {PipelineCommand::kExport,
       {"--github-env=1", "--env", "A=x"},
       {"--github-env takes no value"}},
      {PipelineCommand::kExport,
       {"--env", "A=x", "--github-env", "--", "extra"},
       {"unexpected \"extra\""}},
      {PipelineCommand::kExport,
       {},
       {"--github-env is required", "at least one --env VAR=NAME[#FIELD] is required"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.empty() ? "(none)" : c.args.front());
    EXPECT_EQ(Problems(c.command, c.args), c.want);
  }
}

TEST(PipelineArgsTest, UsageComesFromTheTable) {
  PipelineArgs scratch;
  const auto items = PipelineFlags(PipelineCommand::kExport, &scratch).Synopsis();
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.front(), "--github-env");
  EXPECT_NE(std::find(items.begin(), items.end(), "--env VAR=NAME[#FIELD]..."), items.end());
  const auto get = PipelineFlags(PipelineCommand::kGet, &scratch).Synopsis();
  EXPECT_EQ(std::find(get.begin(), get.end(), "[--timeout DUR]"), get.end());
}

}  // namespace
}  // namespace memsecret::injector::pipeline
