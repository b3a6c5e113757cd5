// AgentSecretCache and AgentCacheFeed: only declared aws: secrets are kept,
// from successful fetches without overrides; lookups by name or ARN select
// the version as GetSecretValue does; readers and a refreshing writer share
// the cache safely.
#include "injector/agent/secret_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "injector/agent/cache_feed.h"

namespace memsecret::injector::agent {
namespace {

constexpr const char* kArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";

SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }

FetchedSecret Fetched(const std::string& value, const std::string& version,
                      std::vector<std::string> stages = {"AWSCURRENT"}) {
  FetchedSecret f;
  f.value = SecretValue(value);
  f.version = version;
  f.created = WallTime(std::chrono::milliseconds(1523477145713));
  f.aws = AwsSecretMetadata{kArn, "app/db", std::move(stages), false};
  return f;
}

InjectionPlan PlanWith(std::vector<std::pair<std::string, FileKind>> files) {
  InjectionPlan plan;
  for (auto& [ref, kind] : files) {
    PlannedFile f;
    f.name = "f" + std::to_string(plan.files.size());
    f.kind = kind;
    f.ref = Ref(ref);
    plan.files.push_back(f);
  }
  return plan;
}

TEST(AgentSecretCacheTest, DeclaredSecretsAreTheAwsSecretFilesWithoutFields) {
  auto declared = AgentSecretCache::DeclaredSecrets(
      PlanWith({{"aws:app/db#user", FileKind::kSecret},
                {"aws:app/db#password", FileKind::kSecret},
                {"aws:app/oauth", FileKind::kToken},
                {"vault:secret/app", FileKind::kSecret},
                {"aws:app/db?stage=AWSPREVIOUS", FileKind::kSecret}}));
  ASSERT_EQ(declared.size(), 2u);
  EXPECT_EQ(declared[0].ToString(), "aws:app/db");
  EXPECT_EQ(declared[1].ToString(), "aws:app/db?stage=AWSPREVIOUS");
}

TEST(AgentSecretCacheTest, LookupTable) {
  AgentSecretCache cache({Ref("aws:app/db"), Ref("aws:app/later")});
  cache.Store(Ref("aws:app/db#user"), {}, Fetched("v1", "ver-1"));
  using Miss = AgentSecretCache::Miss;
  struct Case {
    std::string id;
    std::optional<std::string> version_id, stage;
    Miss want;
  } cases[] = {
      {"app/db", {}, {}, Miss::kNone},
      {kArn, {}, {}, Miss::kNone},
      {"app/db", "ver-1", {}, Miss::kNone},
      {"app/db", {}, "AWSCURRENT", Miss::kNone},
      {"app/db", "ver-1", "AWSCURRENT", Miss::kNone},
      {"app/db", "ver-0", {}, Miss::kNoSuchVersion},
      {"app/db", {}, "AWSPREVIOUS", Miss::kNoSuchVersion},
      {"app/db", "ver-1", "AWSPENDING", Miss::kNoSuchVersion},
      {"app/later", {}, {}, Miss::kNotCached},
      {"app/other", {}, {}, Miss::kUndeclared},
      {"", {}, {}, Miss::kUndeclared},
      {"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db", {}, {}, Miss::kUndeclared},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id + " " + c.version_id.value_or("-") + " " + c.stage.value_or("-"));
    auto found = cache.Find(c.id, c.version_id, c.stage);
    EXPECT_EQ(found.miss, c.want);
    EXPECT_EQ(found.secret != nullptr, c.want == Miss::kNone);
    if (found.secret) {
      EXPECT_EQ(found.secret->value.Reveal(), "v1");
      EXPECT_EQ(found.secret->arn, kArn);
      EXPECT_EQ(found.secret->name, "app/db");
    }
  }
}

TEST(AgentSecretCacheTest, OnlyDeclaredRefsWithoutOverridesAreStored) {
  AgentSecretCache cache({Ref("aws:app/db")});
  cache.Store(Ref("aws:app/db"), FetchOptions{"AWSPENDING", {}}, Fetched("pending", "p"));
  cache.Store(Ref("aws:app/oauth"), {}, Fetched("creds", "c"));
  cache.Store(Ref("vault:app/db"), {}, Fetched("vault", "v"));
  EXPECT_EQ(cache.Find("app/db", {}, {}).miss, AgentSecretCache::Miss::kNotCached);
  cache.Store(Ref("aws:app/db"), {}, Fetched("v1", "ver-1"));
  cache.Store(Ref("aws:app/db"), {}, Fetched("v2", "ver-2"));  // a refresh replaces it
  auto found = cache.Find("app/db", {}, {});
  ASSERT_TRUE(found.secret);
  EXPECT_EQ(found.secret->value.Reveal(), "v2");
  EXPECT_EQ(found.secret->version_id, "ver-2");
}

class CountingProvider final : public SecretProvider {
 public:
  FetchResult Fetch(const SecretRef& ref, const FetchOptions&) override {
    ++calls;
    if (ref.path == "broken") return FetchResult::Failure(Status(Code::kUnavailable, "down"));
    return FetchResult::Success(Fetched("value-" + std::to_string(calls), "v"));
  }
  int calls = 0;
};

TEST(AgentCacheFeedTest, PassesThroughAndStoresSuccessesOnly) {
  CountingProvider inner;
  AgentSecretCache cache({Ref("aws:app/db"), Ref("aws:broken")});
  AgentCacheFeed feed(&inner, &cache);
  auto r = feed.Fetch(Ref("aws:app/db#user"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.secret->value.Reveal(), "value-1");
  EXPECT_FALSE(feed.Fetch(Ref("aws:broken")).ok());
  EXPECT_EQ(inner.calls, 2);
  EXPECT_EQ(cache.Find("app/db", {}, {}).secret->value.Reveal(), "value-1");
  EXPECT_EQ(cache.Find("broken", {}, {}).miss, AgentSecretCache::Miss::kNotCached);
  // Lookups never call the backend.
  for (int i = 0; i < 10; ++i) cache.Find("app/db", {}, {});
  EXPECT_EQ(inner.calls, 2);
}

// Readers always see a whole entry (value and version from one fetch) while
// a writer keeps replacing it. Meant to run under TSan as well.
TEST(AgentSecretCacheTest, ConcurrentReadersSeeConsistentEntries) {
  AgentSecretCache cache({Ref("aws:app/db")});
  cache.Store(Ref("aws:app/db"), {}, Fetched("value-0", "0"));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        auto found = cache.Find("app/db", {}, {});
        if (!found.secret || found.secret->value.Reveal() != "value-" + found.secret->version_id)
          ++torn;
      }
    });
  for (int i = 1; i <= 2000; ++i)
    cache.Store(Ref("aws:app/db"), {}, Fetched("value-" + std::to_string(i), std::to_string(i)));
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(cache.Find("app/db", {}, {}).secret->version_id, "2000");
}

}  // namespace
}  // namespace memsecret::injector::agent
