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
  EXPECT_EQ(MaskCommands(" \t\n"), "") << "the runner refuses to mask white space";
}

// The runner ends a line at a bare "\r" too: a value must not be able to end
// its mask early and start a command (here: stop command processing, so a
// later value's mask would be ignored and printed in clear).
TEST(MaskCommands, BareCarriageReturnEndsALine) {
  EXPECT_EQ(MaskCommands("anything\r::stop-commands::pwn"),
            "::add-mask::anything\n::add-mask::::stop-commands::pwn\n");
  for (const std::string& mask : {MaskCommands("a\rb\r\rc\r")}) {
    EXPECT_EQ(mask, "::add-mask::a\n::add-mask::b\n::add-mask::c\n");
    EXPECT_EQ(mask.find('\r'), std::string::npos);
  }
}

// The runner unescapes %25, %0D, %0A in command data: "%" must be sent as
// "%25" or "p@ss%25w0rd!" registers the mask "p@ss%w0rd!".
TEST(MaskCommands, DataIsEscapedAsTheToolkitDoes) {
  EXPECT_EQ(EscapeCommandData("p@ss%25w0rd!"), "p@ss%2525w0rd!");
  EXPECT_EQ(EscapeCommandData("a\rb\nc%"), "a%0Db%0Ac%25");
  EXPECT_EQ(MaskCommands("p@ss%25w0rd!"), "::add-mask::p@ss%2525w0rd!\n");
  EXPECT_EQ(MaskCommands("%0A%0D"), "::add-mask::%250A%250D\n");
}

TEST(GithubEnvPrefix, NewlineOnlyAfterAnUnterminatedLine) {
  EXPECT_EQ(GithubEnvPrefix(std::nullopt), "");
  EXPECT_EQ(GithubEnvPrefix('\n'), "");
  EXPECT_EQ(GithubEnvPrefix('r'), "\n");
  EXPECT_EQ(GithubEnvPrefix('\r'), "\n");
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
