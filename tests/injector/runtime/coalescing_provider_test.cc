// CoalescingProvider: files of one secret share a fetch within the window;
// failures, other refs, other stages and expired entries go to the store.
#include "injector/runtime/coalescing_provider.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "memsecret/plan/backends.h"
#include "testing/eventually.h"
#include "testing/injector_fakes.h"

namespace memsecret::injector {
namespace {

SecretRef Ref(const char* text) { return ParseSecretRef(text).value(); }

TEST(CoalescingProviderTest, SharesOneFetchAcrossFieldsWithinTheWindow) {
  ScriptedProvider store;
  store.SetValue(R"({"clientId":"a","clientSecret":"b"})", "v1");
  FakeClock clock;
  CoalescingProvider p(&store, &clock, std::chrono::seconds(2));
  auto id = p.Fetch(Ref("aws:/crm/oauth#clientId"));
  auto secret = p.Fetch(Ref("aws:/crm/oauth#clientSecret"));
  ASSERT_TRUE(id.ok() && secret.ok());
  EXPECT_EQ(store.calls, 1);
  EXPECT_EQ(secret.secret->version, "v1");
  EXPECT_EQ(secret.secret->value.Reveal(), R"({"clientId":"a","clientSecret":"b"})");

  p.Fetch(Ref("aws:/crm/other"));
  p.Fetch(Ref("aws:/crm/oauth"), FetchOptions{"AWSPENDING", std::nullopt});
  p.Fetch(Ref("aws:/crm/oauth?stage=AWSPREVIOUS"));
  EXPECT_EQ(store.calls, 4);

  clock.Advance(std::chrono::seconds(3));  // next pass: read the store again
  p.Fetch(Ref("aws:/crm/oauth#clientId"));
  EXPECT_EQ(store.calls, 5);
}

TEST(CoalescingProviderTest, FailuresAreNotCached) {
  ScriptedProvider store;
  store.SetFailure(Unavailable("down"));
  FakeClock clock;
  CoalescingProvider p(&store, &clock);
  EXPECT_FALSE(p.Fetch(Ref("aws:/crm/oauth#clientId")).ok());
  store.SetValue("{}", "v1");
  EXPECT_TRUE(p.Fetch(Ref("aws:/crm/oauth#clientSecret")).ok());
  EXPECT_EQ(store.calls, 2);
}

// A store whose reads block until released, counting reads and callers.
class GatedStore final : public SecretProvider {
 public:
  FetchResult Fetch(const SecretRef&, const FetchOptions&) override {
    std::unique_lock<std::mutex> lock(mu);
    ++calls;
    cv.wait(lock, [&] { return open; });
    if (!fail.ok()) return FetchResult::Failure(fail);
    return FetchResult::Success({SecretValue("{\"a\":\"1\"}"), "v1", std::nullopt, {}});
  }
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int calls = 0;
  Status fail;
};

// Concurrent callers for one secret share the read in flight; after a failed
// read each one reads for itself — the calls a sequential pass would make.
TEST(CoalescingProviderTest, ConcurrentCallersShareTheReadInFlight) {
  struct Case {
    Status fail;
    int want_calls;
  };
  for (const Case& c : {Case{Status::Ok(), 1}, Case{Unavailable("down"), 6}}) {
    SCOPED_TRACE(c.fail.ToString());
    GatedStore store;
    store.fail = c.fail;
    FakeClock clock;
    CoalescingProvider p(&store, &clock);
    std::vector<std::thread> callers;
    std::mutex mu;
    int ok = 0;
    for (int i = 0; i < 6; ++i)
      callers.emplace_back([&, i] {
        auto r = p.Fetch(Ref(i % 2 ? "aws:/crm/oauth#a" : "aws:/crm/oauth"));
        std::lock_guard<std::mutex> lock(mu);
        ok += r.ok();
      });
    ASSERT_TRUE(memsecret::testing::Eventually([&] {
      std::lock_guard<std::mutex> lock(store.mu);
      return store.calls >= 1;
    }));
    {
      std::lock_guard<std::mutex> lock(store.mu);
      store.open = true;
    }
    store.cv.notify_all();
    for (auto& t : callers) t.join();
    EXPECT_EQ(store.calls, c.want_calls);
    EXPECT_EQ(ok, c.fail.ok() ? 6 : 0);
  }
}

}  // namespace
}  // namespace memsecret::injector
