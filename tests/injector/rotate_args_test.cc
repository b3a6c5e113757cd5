// `memsecret rotate`'s command line (injector/rotate_args.h): values, the
// REF operand and every problem named at once.
#include "injector/rotate_args.h"

#include <gtest/gtest.h>

namespace memsecret::injector {
namespace {

TEST(RotateArgsTest, FlagsAndRef) {
  RotateArgs a;
  std::vector<std::string> problems;
  ASSERT_TRUE(ParseRotateArgs({"--issuer=genesys", "aws:crm/oauth", "--admin", "vault:kv/admin",
                               "--census-timeout", "2h", "--if-older-than=30d", "--dry-run",
                               "--new-from-file", "-", "--prometheus", "http://127.0.0.1:9090"},
                              &a, &problems))
      << problems.front();
  EXPECT_EQ(a.ref, "aws:crm/oauth");
  EXPECT_EQ(a.issuer, "genesys");
  EXPECT_EQ(a.admin, "vault:kv/admin");
  EXPECT_EQ(a.census_timeout, std::chrono::hours(2));
  EXPECT_EQ(a.if_older_than, std::chrono::hours(24 * 30));
  EXPECT_TRUE(a.dry_run);
  EXPECT_EQ(a.new_from_file, "-");
  EXPECT_EQ(a.prometheus, "http://127.0.0.1:9090");
}

TEST(RotateArgsTest, EveryProblemAtOnce) {
  RotateArgs a;
  std::vector<std::string> problems;
  EXPECT_FALSE(ParseRotateArgs({"--bogus=x", "--issuer", "a", "--issuer", "b", "--dry-run=yes",
                                "--census-timeout", "soon", "--if-older-than", "9999d", "--admin"},
                               &a, &problems));
  ASSERT_EQ(problems.size(), 7u);
  EXPECT_EQ(problems[0], "unknown flag --bogus");
  EXPECT_EQ(problems[1], "--issuer given twice");
  EXPECT_EQ(problems[2], "--dry-run takes no value");
  EXPECT_EQ(problems[3].rfind("--census-timeout: ", 0), 0u) << problems[3];
  EXPECT_EQ(problems[4].rfind("--if-older-than: ", 0), 0u) << problems[4];
  EXPECT_EQ(problems[5], "--admin needs a value (ADMIN_REF)");
  EXPECT_EQ(problems[6], "REF is required");
  EXPECT_FALSE(a.dry_run);

  problems.clear();
  EXPECT_FALSE(ParseRotateArgs({"aws:a", "aws:b"}, &a, &problems));
  EXPECT_EQ(problems, (std::vector<std::string>{"unexpected argument \"aws:b\""}));
}

}  // namespace
}  // namespace memsecret::injector
