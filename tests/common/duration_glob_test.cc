#include <gtest/gtest.h>

#include "memsecret/duration.h"
#include "memsecret/glob.h"

namespace memsecret {
namespace {

TEST(DurationTest, ParsesAndFormats) {
  const std::pair<const char*, int64_t> cases[] = {{"0", 0},     {"30s", 30},     {"5m", 300},
                                                   {"1h", 3600}, {"1h30m", 5400}, {"2d", 172800},
                                                   {"90s", 90}};
  for (auto [text, secs] : cases) {
    SCOPED_TRACE(text);
    auto d = ParseDuration(text);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->count(), secs);
  }
  EXPECT_EQ(FormatDuration(std::chrono::seconds(5400)), "1h30m");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(300)), "5m");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(0)), "0");
}

TEST(DurationTest, RejectsBadInput) {
  for (const char* text : {"", "5", "m", "-5m", "5x", "1.5h", "31d", "99999999999999s", "5m "}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseDuration(text).ok());
  }
}

TEST(DurationTest, LongerMaximumForRotationAges) {
  auto d = ParseDuration("180d", kMaxRotationAge);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->count(), 180 * 86400);
  EXPECT_EQ(FormatDuration(*d), "180d");
  auto too_long = ParseDuration("3651d", kMaxRotationAge);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("max 3650d"), std::string::npos)
      << too_long.status().message();
  auto default_max = ParseDuration("31d");
  ASSERT_FALSE(default_max.ok());
  EXPECT_NE(default_max.status().message().find("max 30d"), std::string::npos);
}

TEST(GlobTest, StarMatchesAnyRunIncludingSlash) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  } cases[] = {
      {"*", "", true},
      {"*", "a/b/c", true},
      {"crm-sync-*", "crm-sync-eu", true},
      {"crm-sync-*", "crm-sync", false},
      {"aws:/genesys/production/crm-sync-service/*",
       "aws:/genesys/production/crm-sync-service/oauth", true},
      {"aws:/genesys/production/crm-sync-service/*", "aws:/genesys/production/crm-sync-service",
       false},
      {"aws:/genesys/*/x", "aws:/genesys/a/b/x", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"exact", "exact", true},
      {"exact", "exactly", false},
      {"**a", "bbbba", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " ~ " + c.text);
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match);
  }
}

TEST(GlobTest, PathologicalPatternIsFast) {
  std::string text(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(GlobMatch(pattern, text));
}

}  // namespace
}  // namespace memsecret
