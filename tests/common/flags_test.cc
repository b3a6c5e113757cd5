// FlagTable, the one flag parser of both binaries: both spellings, "--",
// switches, repeatable flags, and every error naming the flag, as tables.
#include "memsecret/flags.h"

#include <gtest/gtest.h>

namespace memsecret {
namespace {

// A command with one flag of each kind, recording what the setters saw.
struct Seen {
  std::vector<std::string> calls;  // "name=value" in order
};

FlagTable Table(Seen* seen) {
  const auto record = [seen](const char* name) {
    return [seen, name](const std::string& v) {
      if (v == "refuse") return InvalidArgument(std::string(name) + ": refused");
      seen->calls.push_back(std::string(name) + "=" + v);
      return Status::Ok();
    };
  };
  FlagTable t("run", {{"--plan", "-p", FlagKind::kValue, "FILE", "the plan", record("plan")},
                      {"--set", "", FlagKind::kRepeated, "KEY=VALUE", "a key", record("set")},
                      {"--once", "", FlagKind::kSwitch, "", "stop after one pass", record("once")},
                      {"--mode", "", FlagKind::kValue, "M", "required", record("mode"),
                       /*required=*/true}});
  t.AddForeignFlag("--wait", "probe");
  return t;
}

TEST(FlagTableTest, BothSpellingsAliasesAndOrder) {
  Seen seen;
  std::vector<std::string> problems;
  FlagOperands words = Table(&seen).Parse(
      {"--plan", "/p", "--set=a=b", "op1", "--set", "c=d", "--once", "--mode=x", "-", "op2"},
      &problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(seen.calls,
            (std::vector<std::string>{"plan=/p", "set=a=b", "set=c=d", "once=", "mode=x"}));
  EXPECT_EQ(words.before_end, (std::vector<std::string>{"op1", "-", "op2"}));
  EXPECT_FALSE(words.end_seen);

  Seen alias;
  ASSERT_TRUE(Table(&alias).Parse({"-p", "/q", "--mode", "y"}).ok());
  EXPECT_EQ(alias.calls, (std::vector<std::string>{"plan=/q", "mode=y"}));
}

TEST(FlagTableTest, DoubleDashEndsTheFlags) {
  Seen seen;
  auto words = Table(&seen).Parse({"--mode", "m", "a", "--", "cmd", "--once", "--", "-x"});
  ASSERT_TRUE(words.ok()) << words.status().ToString();
  EXPECT_EQ(words->before_end, (std::vector<std::string>{"a"}));
  EXPECT_EQ(words->after_end, (std::vector<std::string>{"cmd", "--once", "--", "-x"}));
  EXPECT_TRUE(words->end_seen);
  EXPECT_EQ(seen.calls, (std::vector<std::string>{"mode=m"}));  // --once after "--" is a word
}

TEST(FlagTableTest, EveryMistakeIsNamed) {
  struct Case {
    std::vector<std::string> args;
    std::string problem;
  };
  const Case cases[] = {
      {{"--bogus"}, "unknown flag --bogus"},
      {{"-x"}, "unknown flag -x"},
      {{"--bogus=s3cr3t"}, "unknown flag --bogus"},
      {{"-p=x"}, "unknown flag -p=x"},  // only long names take "="
      {{"--wait", "5s"}, "--wait is a flag of probe, not of run"},
      {{"--plan"}, "--plan needs a value (FILE)"},
      {{"-p"}, "-p needs a value (FILE)"},
      {{"--plan="}, "--plan needs a value (FILE)"},
      {{"--plan", ""}, "--plan needs a value (FILE)"},
      {{"--plan", "a", "-p", "b"}, "-p given twice"},
      {{"--once", "--once"}, "--once given twice"},
      {{"--once=true"}, "--once takes no value"},
      {{"--plan", "refuse"}, "plan: refused"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.front());
    Seen seen;
    std::vector<std::string> args = {"--mode", "m"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = Table(&seen).Parse(args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.problem);
    EXPECT_EQ(r.status().message().find("s3cr3t"), std::string::npos);
  }
}

TEST(FlagTableTest, RequiredFlagsAndCollectingEveryProblem) {
  Seen seen;
  std::vector<std::string> problems;
  Table(&seen).Parse({"--bogus", "--once=1", "--set", "refuse", "--set", "k=v"}, &problems);
  EXPECT_EQ(problems, (std::vector<std::string>{"unknown flag --bogus", "--once takes no value",
                                                "set: refused", "--mode M is required"}));
  EXPECT_EQ(seen.calls, (std::vector<std::string>{"set=k=v"}));  // parsing went on

  FlagTable repeated("export", {{"--env", "", FlagKind::kRepeated, "VAR=NAME", "", nullptr, true},
                                {"--github-env", "", FlagKind::kSwitch, "", "", nullptr, true}});
  problems.clear();
  repeated.Parse({}, &problems);
  EXPECT_EQ(problems, (std::vector<std::string>{"at least one --env VAR=NAME is required",
                                                "--github-env is required"}));
}

TEST(FlagTableTest, UsageIsGeneratedFromTheTable) {
  Seen seen;
  FlagTable t = Table(&seen);
  EXPECT_EQ(t.Synopsis(), (std::vector<std::string>{"[-p FILE]", "[--set KEY=VALUE]...", "[--once]",
                                                    "--mode M"}));
  EXPECT_EQ(t.Help(),
            "  -p, --plan FILE  the plan\n"
            "  --set KEY=VALUE  a key (repeatable)\n"
            "  --once           stop after one pass\n"
            "  --mode M         required\n");
  EXPECT_EQ(FormatUsageLine("usage: x run", t.Synopsis()),
            "usage: x run [-p FILE] [--set KEY=VALUE]... [--once] --mode M\n");
  EXPECT_EQ(FormatUsageLine("usage: x run", t.Synopsis(), 43),
            "usage: x run [-p FILE] [--set KEY=VALUE]...\n"
            "             [--once] --mode M\n");
}

}  // namespace
}  // namespace memsecret
