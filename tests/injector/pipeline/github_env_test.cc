// export --github-env: masks for every line, the multi-line GITHUB_ENV form
// with a delimiter that is not in the value.
#include "injector/pipeline/github_env.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>

namespace memsecret::injector::pipeline {
namespace {

DelimiterSource Scripted(std::deque<std::string> values) {
  auto q = std::make_shared<std::deque<std::string>>(std::move(values));
  return [q] {
    std::string v = q->empty() ? "" : q->front();
    if (!q->empty()) q->pop_front();
    return v;
  };
}

TEST(MaskCommands, EveryNonEmptyLine) {
  EXPECT_EQ(MaskCommands("tok"), "::add-mask::tok\n");
  EXPECT_EQ(MaskCommands("-----BEGIN KEY-----\r\nabc\n\nxyz\n"),
            "::add-mask::-----BEGIN KEY-----\n::add-mask::abc\n::add-mask::xyz\n");
  EXPECT_EQ(MaskCommands(""), "");
}

TEST(GithubEnvEntry, MultiLineFormWithAnAbsentDelimiter) {
  auto e = GithubEnvEntry("CXONE_API_SECRET", "line1\nline2", Scripted({"line", "D1"}));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(*e, "CXONE_API_SECRET<<D1\nline1\nline2\nD1\n");
  EXPECT_FALSE(GithubEnvEntry("1X", "v", Scripted({"D"})).ok());
  auto never = GithubEnvEntry("X", "v", Scripted({}));
  EXPECT_FALSE(never.ok());
  EXPECT_EQ(never.status().message().find("v\""), std::string::npos);
}

TEST(GithubEnvEntry, RandomDelimitersDiffer) {
  DelimiterSource d = RandomDelimiters();
  std::string a = d(), b = d();
  EXPECT_EQ(a.rfind("ghadelimiter_", 0), 0u);
  EXPECT_EQ(a.size(), 13u + 32u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace memsecret::injector::pipeline
