// AgentSecretCache and AgentCacheFeed: only declared aws: secrets are kept,
// per stage or version; lookups by name or ARN select the version as
// GetSecretValue does; nothing is served older than max(3 × refresh, 5 min);
// a secret the store no longer returns (not found, access denied) is evicted
// and an outage evicts nothing (all on a fake clock); readers and a
// refreshing writer share the cache safely.
#include "injector/agent/secret_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "injector/agent/cache_feed.h"
#include "memsecret/clock.h"
#include "memsecret/plan/backends.h"

namespace memsecret::injector::agent {
namespace {

constexpr const char* kArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
constexpr std::chrono::seconds kRefresh{300};
using std::chrono::minutes;
using std::chrono::seconds;
using Miss = AgentSecretCache::Miss;

SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }

FetchedSecret Fetched(const std::string& value, const std::string& version,
                      std::vector<std::string> stages = {"AWSCURRENT"}) {
  FetchedSecret f;
  f.value = SecretValue(value);
  f.version = version;
  f.created = WallTime(std::chrono::milliseconds(1523477145713));
  f.metadata = SecretMetadata{kArn, "app/db", std::move(stages), false};
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
  FakeClock clock;
  AgentSecretCache cache({Ref("aws:app/db"), Ref("aws:app/later")}, &clock, kRefresh);
  cache.Store(Ref("aws:app/db#user"), {}, Fetched("v1", "ver-1"));
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
      {"app/db", "ver-0", {}, Miss::kNotCached},
      {"app/db", {}, "AWSPREVIOUS", Miss::kNotCached},
      {"app/db", "ver-1", "AWSPENDING", Miss::kNotCached},
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

TEST(AgentSecretCacheTest, EntriesAreKeptPerStageAndVersionForDeclaredSecretsOnly) {
  FakeClock clock;
  AgentSecretCache cache({Ref("aws:app/db")}, &clock, kRefresh);
  cache.Store(Ref("aws:app/oauth"), {}, Fetched("creds", "c"));
  cache.Store(Ref("vault:app/db"), {}, Fetched("vault", "v"));
  EXPECT_EQ(cache.Find("app/db", {}, {}).miss, Miss::kNotCached);
  EXPECT_FALSE(cache.Resolve("app/oauth"));
  // A stage override is kept under that stage, never taken for AWSCURRENT.
  cache.Store(Ref("aws:app/db"), FetchOptions{"AWSPREVIOUS", {}},
              Fetched("old", "ver-0", {"AWSPREVIOUS"}));
  EXPECT_EQ(cache.Find("app/db", {}, {}).miss, Miss::kNotCached);
  cache.Store(Ref("aws:app/db"), {}, Fetched("v1", "ver-1"));
  cache.Store(Ref("aws:app/db"), {}, Fetched("v2", "ver-2"));  // a refresh replaces it
  auto current = cache.Find("app/db", {}, {});
  ASSERT_TRUE(current.secret);
  EXPECT_EQ(current.secret->value.Reveal(), "v2");
  auto previous = cache.Find("app/db", {}, "AWSPREVIOUS");
  ASSERT_TRUE(previous.secret);
  EXPECT_EQ(previous.secret->value.Reveal(), "old");
  // By version id, whichever entry holds it.
  EXPECT_EQ(cache.Find("app/db", "ver-0", {}).secret->value.Reveal(), "old");
  EXPECT_EQ(cache.Find(kArn, "ver-2", "AWSCURRENT").secret->value.Reveal(), "v2");
  EXPECT_EQ(cache.Resolve(kArn)->ToString(), "aws:app/db");
}

TEST(AgentSecretCacheTest, MaxAgeIsThreeRefreshIntervalsAndAtLeastFiveMinutes) {
  EXPECT_EQ(AgentSecretCache::MaxAge(seconds(0)), minutes(5));
  EXPECT_EQ(AgentSecretCache::MaxAge(seconds(30)), minutes(5));
  EXPECT_EQ(AgentSecretCache::MaxAge(seconds(100)), minutes(5));
  EXPECT_EQ(AgentSecretCache::MaxAge(minutes(5)), minutes(15));
  EXPECT_EQ(AgentSecretCache::MaxAge(std::chrono::hours(1)), std::chrono::hours(3));
}

// Refreshes that keep failing for an outage never drop the value by
// themselves, but nothing older than the maximum age is ever served.
TEST(AgentSecretCacheTest, NothingOlderThanTheMaximumAgeIsServed) {
  struct Case {
    seconds refresh;
    seconds max_age;
  } cases[] = {{seconds(0), minutes(5)}, {seconds(30), minutes(5)}, {minutes(5), minutes(15)}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.refresh.count());
    FakeClock clock;
    AgentSecretCache cache({Ref("aws:app/db")}, &clock, c.refresh);
    cache.Store(Ref("aws:app/db"), {}, Fetched("v1", "ver-1"));
    for (Code outage : {Code::kUnavailable, Code::kDeadlineExceeded, Code::kResourceExhausted}) {
      cache.RecordFailure(Ref("aws:app/db"), {}, Status(outage, "outage"));
    }
    clock.Advance(c.max_age - seconds(1));
    auto young = cache.Find("app/db", {}, {});
    EXPECT_EQ(young.miss, Miss::kNone);
    EXPECT_FALSE(young.stale) << "the secret jobs refresh this one";
    clock.Advance(seconds(1));
    auto old = cache.Find("app/db", {}, {});
    EXPECT_EQ(old.miss, Miss::kExpired);
    EXPECT_EQ(old.secret, nullptr);
    // The next successful fetch serves again.
    cache.Store(Ref("aws:app/db"), {}, Fetched("v2", "ver-2"));
    EXPECT_EQ(cache.Find("app/db", {}, {}).secret->value.Reveal(), "v2");
  }
}

// An entry fetched on demand (no secret job refreshes it) is stale after one
// refresh interval: the endpoint fetches it again, serving it only during an
// outage, until the maximum age.
TEST(AgentSecretCacheTest, OnDemandEntriesTurnStaleAfterTheRefreshInterval) {
  FakeClock clock;
  AgentSecretCache cache({Ref("aws:app/db")}, &clock, seconds(60));
  cache.Store(Ref("aws:app/db"), FetchOptions{"AWSPREVIOUS", {}},
              Fetched("old", "ver-0", {"AWSPREVIOUS"}));
  clock.Advance(seconds(59));
  EXPECT_FALSE(cache.Find("app/db", {}, "AWSPREVIOUS").stale);
  clock.Advance(seconds(1));
  auto stale = cache.Find("app/db", {}, "AWSPREVIOUS");
  EXPECT_EQ(stale.miss, Miss::kNone);
  EXPECT_TRUE(stale.stale);
  clock.Advance(minutes(4));
  EXPECT_EQ(cache.Find("app/db", {}, "AWSPREVIOUS").miss, Miss::kExpired);
}

TEST(AgentSecretCacheTest, NotFoundAndAccessDeniedEvictAnOutageDoesNot) {
  struct Case {
    const char* name;
    Code code;
    FetchOptions failed;  // what the failed fetch asked for
    bool current_kept, previous_kept;
  } cases[] = {
      {"deleted", Code::kNotFound, {}, false, false},
      {"access revoked", Code::kPermissionDenied, {}, false, false},
      {"access revoked, previous", Code::kPermissionDenied, {"AWSPREVIOUS", {}}, false, false},
      {"no previous any more", Code::kNotFound, {"AWSPREVIOUS", {}}, true, false},
      {"marked for deletion", Code::kFailedPrecondition, {}, false, false},
      {"unreachable", Code::kUnavailable, {}, true, true},
      {"timeout", Code::kDeadlineExceeded, {}, true, true},
      {"throttled", Code::kResourceExhausted, {}, true, true},
      {"credentials expired", Code::kUnauthenticated, {}, true, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock;
    AgentSecretCache cache({Ref("aws:app/db")}, &clock, kRefresh);
    cache.Store(Ref("aws:app/db"), {}, Fetched("v1", "ver-1"));
    cache.Store(Ref("aws:app/db"), FetchOptions{"AWSPREVIOUS", {}},
                Fetched("old", "ver-0", {"AWSPREVIOUS"}));
    cache.RecordFailure(Ref("aws:app/db#user"), c.failed, Status(c.code, "failed"));
    EXPECT_EQ(cache.Find("app/db", {}, {}).miss == Miss::kNone, c.current_kept);
    EXPECT_EQ(cache.Find("app/db", {}, "AWSPREVIOUS").miss == Miss::kNone, c.previous_kept);
    EXPECT_TRUE(cache.Resolve("app/db")) << "still declared";
  }
}

class CountingProvider final : public SecretProvider {
 public:
  FetchResult Fetch(const SecretRef& ref, const FetchOptions&) override {
    ++calls;
    if (ref.path == "broken") return FetchResult::Failure(Status(Code::kUnavailable, "down"));
    if (gone) return FetchResult::Failure(NotFound("deleted"));
    return FetchResult::Success(Fetched("value-" + std::to_string(calls), "v"));
  }
  int calls = 0;
  bool gone = false;
};

TEST(AgentCacheFeedTest, PassesThroughStoresSuccessesAndEvictsWhatIsGone) {
  CountingProvider inner;
  FakeClock clock;
  AgentSecretCache cache({Ref("aws:app/db"), Ref("aws:broken")}, &clock, kRefresh);
  AgentCacheFeed feed(&inner, &cache);
  auto r = feed.Fetch(Ref("aws:app/db#user"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.secret->value.Reveal(), "value-1");
  EXPECT_FALSE(feed.Fetch(Ref("aws:broken")).ok());
  EXPECT_EQ(inner.calls, 2);
  EXPECT_EQ(cache.Find("app/db", {}, {}).secret->value.Reveal(), "value-1");
  EXPECT_EQ(cache.Find("broken", {}, {}).miss, Miss::kNotCached);
  // Lookups never call the backend.
  for (int i = 0; i < 10; ++i) cache.Find("app/db", {}, {});
  EXPECT_EQ(inner.calls, 2);
  // The secret is deleted: the next refresh through the feed evicts it.
  inner.gone = true;
  EXPECT_FALSE(feed.Fetch(Ref("aws:app/db#user")).ok());
  EXPECT_EQ(cache.Find("app/db", {}, {}).miss, Miss::kNotCached);
}

// Readers always see a whole entry (value and version from one fetch) while
// a writer keeps replacing it. Meant to run under TSan as well.
TEST(AgentSecretCacheTest, ConcurrentReadersSeeConsistentEntries) {
  FakeClock clock;
  AgentSecretCache cache({Ref("aws:app/db")}, &clock, kRefresh);
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
