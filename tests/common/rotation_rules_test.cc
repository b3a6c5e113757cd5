#include "memsecret/plan/rotation_rules.h"

#include <gtest/gtest.h>

#include "memsecret/plan/backends.h"

namespace memsecret {
namespace {

constexpr int64_t kDay = 86400;

SecretRef Ref(const char* text) {
  auto r = ParseSecretRef(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SecretRef{};
}

// The taxonomy of docs/monitoring.md: first match wins.
std::vector<RotationRule> Taxonomy() {
  std::vector<RotationRule> rules;
  const std::pair<const char*, const char*> rows[] = {
      {"aws:*/genesys/*/admin-client", "90d"},
      {"aws:*/genesys/*", "180d"},
      {"aws:*/cxone/*", "90d"},
      {"*", "180d"},
  };
  for (size_t i = 0; i < std::size(rows); ++i) {
    auto r = MakeRotationRule(rows[i].first, rows[i].second, "rotation[" + std::to_string(i) + "]");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    rules.push_back(*r);
  }
  return rules;
}

TEST(RotationRulesTest, FirstMatchWinsOnProviderAndPath) {
  const auto rules = Taxonomy();
  struct Case {
    const char* ref;
    int64_t days;
  } cases[] = {
      {"aws:/prod/genesys/crm/admin-client", 90},
      {"aws:/prod/genesys/crm/admin-client#clientSecret", 90},  // the field is not matched
      {"aws:/prod/genesys/crm/admin-client?stage=AWSPENDING", 90},
      {"aws:/prod/genesys/crm/readonly-client", 180},
      {"aws:/prod/cxone/access-key", 90},
      {"vault:secret/saas/api-key", 180},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ref);
    EXPECT_EQ(RotationMaxAgeFor(rules, Ref(c.ref)).count(), c.days * kDay);
  }
  EXPECT_EQ(RotationMaxAgeFor({}, Ref("aws:/x")).count(), 0);
  std::vector<RotationRule> only_vault = {rules[0], {"vault:*", std::chrono::hours(24)}};
  EXPECT_EQ(RotationMaxAgeFor(only_vault, Ref("azure:crm-kv/name")).count(), 0);
}

TEST(RotationRulesTest, ApplySetsEveryFileIncludingTokenCredentials) {
  std::vector<PlannedFile> files(3);
  files[0].name = "admin";
  files[0].ref = Ref("aws:/prod/genesys/crm/admin-client");
  files[1].name = "token";
  files[1].kind = FileKind::kToken;
  files[1].token = TokenSpec{ParseIssuer("genesys").value(), "", ""};
  files[1].ref = Ref("aws:/prod/cxone/access-key");
  files[2].name = "other";
  files[2].ref = Ref("azure:crm-kv/x");
  files[2].rotation_max_age_seconds = 5;  // replaced: no rule matches
  ApplyRotationRules(Taxonomy(), &files);
  EXPECT_EQ(files[0].rotation_max_age_seconds, 90 * kDay);
  EXPECT_EQ(files[1].rotation_max_age_seconds, 90 * kDay);
  EXPECT_EQ(files[2].rotation_max_age_seconds, 180 * kDay);
  ApplyRotationRules({}, &files);
  EXPECT_EQ(files[2].rotation_max_age_seconds, 0);
}

TEST(RotationRulesTest, BadRulesAreClearErrors) {
  struct Case {
    const char* match;
    const char* age;
    const char* want;
  } cases[] = {
      {"", "90d", "rotation[0].match: must be a glob"},
      {"aws:*", "", "rotation[0].maxAge: must be set"},
      {"aws:*", "0", "must be longer than 0"},
      {"aws:*", "90", "missing unit"},
      {"aws:*", "3651d", "max 3650d"},
      {"aws:*", "ninety days", "expected a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    auto r = MakeRotationRule(c.match, c.age, "rotation[0]");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(RotationRulesTest, Flag) {
  auto ok = ParseRotationFlag("aws:*/genesys/*=90d");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->match, "aws:*/genesys/*");
  EXPECT_EQ(ok->max_age.count(), 90 * kDay);
  for (const char* bad : {"aws:*", "=90d", "aws:*=", "aws:*=soon"}) {
    SCOPED_TRACE(bad);
    auto r = ParseRotationFlag(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("rotation"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace memsecret
