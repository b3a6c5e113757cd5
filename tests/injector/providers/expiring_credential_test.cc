// ExpiringCredential, the one cache of AWS, Azure and Vault credentials:
// refresh ahead of expiry on a fake clock, one fetch for concurrent callers,
// what a failed refresh keeps, and that no value reaches a message.
#include "injector/providers/expiring_credential.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <string>
#include <thread>
#include <vector>

namespace memsecret::injector {
namespace {

using std::chrono::seconds;

// A fetch that counts its calls and answers what the test says.
struct ScriptedFetch {
  explicit ScriptedFetch(const FakeClock* c) : clock(c) {}
  const FakeClock* clock;
  std::mutex mu;
  int calls = 0;                      // guarded by mu
  Status failure;                     // ok: succeed
  bool refuse_current = false;        // report the cached value refused
  std::vector<std::string> currents;  // the value each call was given ("" for none)

  Result<Expiring<std::string>> operator()(const Expiring<std::string>* current, bool* refused) {
    std::lock_guard<std::mutex> lock(mu);
    ++calls;
    currents.push_back(current ? current->value : "");
    if (!failure.ok()) {
      *refused = refuse_current;
      return failure;
    }
    // Valid for 100 s, refreshed after 60 s.
    return Expiring<std::string>{"secret-" + std::to_string(calls), clock->Now() + seconds(60),
                                 clock->Now() + seconds(100)};
  }
};

ExpiringCredential<std::string> Cache(ScriptedFetch* fetch, const FakeClock& clock,
                                      KeepOnFailure keep = KeepOnFailure::kRetryable,
                                      std::vector<std::string>* kept = nullptr) {
  return ExpiringCredential<std::string>(
      [fetch](const Expiring<std::string>* c, bool* r) { return (*fetch)(c, r); }, clock,
      {seconds(10), keep, [kept](const Status& s) {
         if (kept) kept->push_back(s.message());
       }});
}

TEST(ExpiringCredentialTest, RefreshesAheadOfExpiryAndPassesTheCurrentValue) {
  FakeClock clock;
  ScriptedFetch fetch{&clock};
  auto cache = Cache(&fetch, clock);
  EXPECT_EQ(*cache.Get(), "secret-1");
  clock.Advance(seconds(59));
  EXPECT_EQ(*cache.Get(), "secret-1");  // before refresh_at: cached
  EXPECT_EQ(fetch.calls, 1);
  clock.Advance(seconds(1));  // at refresh_at, 40 s before expiry: fetched anew
  EXPECT_EQ(*cache.Get(), "secret-2");
  EXPECT_EQ(fetch.currents, (std::vector<std::string>{"", "secret-1"}));  // e.g. to renew it
  ASSERT_TRUE(cache.Peek().has_value());
  EXPECT_EQ(cache.Peek()->expires_at, clock.Now() + seconds(100));
  cache.Invalidate();
  EXPECT_FALSE(cache.Peek().has_value());
  EXPECT_EQ(*cache.Get(), "secret-3");
  EXPECT_EQ(fetch.currents.back(), "");
}

TEST(ExpiringCredentialTest, WhatAFailedRefreshKeeps) {
  struct Case {
    const char* name;
    KeepOnFailure keep;
    Status failure;
    seconds elapsed;  // since the value was fetched (refresh at 60 s, expiry at 100 s)
    bool refused;
    bool kept;
  };
  const Case cases[] = {
      {"retryable, usable", KeepOnFailure::kRetryable, Unavailable("down"), seconds(70), false,
       true},
      {"retryable, within min_usable", KeepOnFailure::kRetryable, Unavailable("down"), seconds(90),
       false, false},
      {"not retryable", KeepOnFailure::kRetryable, PermissionDenied("no"), seconds(70), false,
       false},
      {"not retryable, keep any", KeepOnFailure::kAny, PermissionDenied("no"), seconds(70), false,
       true},
      {"current refused", KeepOnFailure::kAny, Unavailable("down"), seconds(70), true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock;
    ScriptedFetch fetch{&clock};
    std::vector<std::string> kept;
    auto cache = Cache(&fetch, clock, c.keep, &kept);
    ASSERT_TRUE(cache.Get().ok());
    clock.Advance(c.elapsed);
    fetch.failure = c.failure;
    fetch.refuse_current = c.refused;
    auto got = cache.Get();
    EXPECT_EQ(got.ok(), c.kept);
    EXPECT_EQ(cache.Peek().has_value(), c.kept);
    if (c.kept) {
      EXPECT_EQ(*got, "secret-1");
      EXPECT_EQ(kept, std::vector<std::string>{c.failure.message()});
    } else {
      EXPECT_EQ(got.status().code(), c.failure.code());
      EXPECT_EQ(got.status().message(), c.failure.message());  // the fetch's words, nothing added
      EXPECT_TRUE(kept.empty());
    }
    // A failure is not cached: the next caller asks again, and recovers.
    fetch.failure = Status::Ok();
    EXPECT_EQ(*cache.Get(), "secret-3");
    EXPECT_EQ(fetch.calls, 3);
  }
}

TEST(ExpiringCredentialTest, NoValueInAnyMessage) {
  FakeClock clock;
  ScriptedFetch fetch{&clock};
  std::vector<std::string> kept;
  auto cache = Cache(&fetch, clock, KeepOnFailure::kRetryable, &kept);
  ASSERT_TRUE(cache.Get().ok());
  clock.Advance(seconds(70));
  fetch.failure = Unavailable("token endpoint: 503");
  ASSERT_TRUE(cache.Get().ok());  // kept
  clock.Advance(seconds(25));     // 5 s left: no longer kept
  auto failed = cache.Get();
  ASSERT_FALSE(failed.ok());
  for (const std::string& text : {failed.status().ToString(), kept.at(0)})
    EXPECT_EQ(text.find("secret-"), std::string::npos) << text;
}

// Lets its first call finish only when `callers` threads have arrived.
class GatedFetch {
 public:
  GatedFetch(const FakeClock* clock, int callers, Status failure)
      : clock_(clock), callers_(callers), failure_(std::move(failure)) {}
  Result<Expiring<std::string>> operator()(const Expiring<std::string>*, bool*) {
    std::unique_lock<std::mutex> lock(mu_);
    if (calls_++ == 0) cv_.wait(lock, [&] { return arrived_ >= callers_; });
    if (!failure_.ok()) return failure_;
    return Expiring<std::string>{"shared", clock_->Now() + seconds(60),
                                 clock_->Now() + seconds(100)};
  }
  void Arrive() {
    std::lock_guard<std::mutex> lock(mu_);
    ++arrived_;
    cv_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  const FakeClock* clock_;
  const int callers_;
  const Status failure_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;  // guarded by mu_
  int calls_ = 0;    // guarded by mu_
};

// Runs `callers` threads that each announce themselves, then Get().
std::vector<Result<std::string>> GetFromThreads(ExpiringCredential<std::string>& cache,
                                                GatedFetch& fetch, int callers) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Result<std::string>> results;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&] {
      fetch.Arrive();
      auto got = cache.Get();
      std::lock_guard<std::mutex> lock(mu);
      results.push_back(std::move(got));
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

TEST(ExpiringCredentialTest, ConcurrentCallersOfAColdCacheShareOneFetch) {
  FakeClock clock;
  constexpr int kCallers = 8;
  GatedFetch fetch(&clock, kCallers, Status::Ok());
  ExpiringCredential<std::string> cache(
      [&fetch](const Expiring<std::string>* c, bool* r) { return fetch(c, r); }, clock, {});
  for (const auto& got : GetFromThreads(cache, fetch, kCallers)) {
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, "shared");
  }
  EXPECT_EQ(fetch.calls(), 1);
}

TEST(ExpiringCredentialTest, CallersWaitingOnAFailedFetchShareItsFailure) {
  FakeClock clock;
  constexpr int kCallers = 8;
  GatedFetch fetch(&clock, kCallers, ResourceExhausted("throttled"));
  ExpiringCredential<std::string> cache(
      [&fetch](const Expiring<std::string>* c, bool* r) { return fetch(c, r); }, clock, {});
  for (const auto& got : GetFromThreads(cache, fetch, kCallers))
    EXPECT_EQ(got.status().code(), Code::kResourceExhausted);
  // Every caller that was waiting got the one answer; only a thread that
  // reached Get() after it asked again (before: one fetch per caller).
  EXPECT_LT(fetch.calls(), kCallers);
  const int before = fetch.calls();
  EXPECT_FALSE(cache.Get().ok());
  EXPECT_EQ(fetch.calls(), before + 1);  // the failure itself is not cached
}

}  // namespace
}  // namespace memsecret::injector
