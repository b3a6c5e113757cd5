// OnDemandFetch: the endpoint's reads of the store are bounded whatever the
// request rate — concurrent requests share one fetch, a result (failure
// included) younger than a second is reused, at most a few fetches of one
// secret start per second and a few run at once, and a hanging store holds a
// request only as long as the wait bound; result ages are on a fake clock.
#include "injector/agent/on_demand_fetch.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "memsecret/plan/backends.h"
#include "testing/eventually.h"
#include "tests/injector/agent/fake_secrets_store.h"

namespace memsecret::injector::agent {
namespace {

SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }

class OnDemandFetchTest : public ::testing::Test {
 protected:
  // The wait bound is a hang guard here; its own test uses a short one.
  OnDemandFetchTest() : fetch_(&store_, &clock_, std::chrono::seconds(60)) {
    store_.Put("app/db", {{"ver-2", "new", {"AWSCURRENT"}}, {"ver-1", "old", {"AWSPREVIOUS"}}});
    store_.Put("app/other", {{"o-1", "other", {"AWSCURRENT"}}});
  }
  FakeSecretsStore store_;
  FakeClock clock_;
  OnDemandFetch fetch_;
};

TEST_F(OnDemandFetchTest, AResultYoungerThanASecondIsReusedFailuresToo) {
  // A loop of refreshNow: one store call per second, not one per request.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(fetch_.Fetch(Ref("aws:app/db"), {}).ok());
  EXPECT_EQ(store_.calls(), 1);
  clock_.Advance(std::chrono::milliseconds(999));
  fetch_.Fetch(Ref("aws:app/db#user"), {});  // the field does not matter
  EXPECT_EQ(store_.calls(), 1);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(fetch_.Fetch(Ref("aws:app/db"), {}).secret->value.Reveal(), "new");
  EXPECT_EQ(store_.calls(), 2);

  // Another stage is another fetch; a failure is shared the same way.
  store_.Fail(Status(Code::kUnavailable, "down"));
  clock_.Advance(std::chrono::seconds(1));
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(fetch_.Fetch(Ref("aws:app/db"), {"AWSPREVIOUS", {}}).status.code(),
              Code::kUnavailable);
  EXPECT_EQ(store_.calls(), 3);
}

TEST_F(OnDemandFetchTest, AtMostFourFetchesOfOneSecretStartPerSecond) {
  // Distinct version ids are distinct fetches; the per-secret budget bounds them.
  int throttled = 0;
  for (int i = 0; i < 20; ++i) {
    FetchResult r = fetch_.Fetch(Ref("aws:app/db"), {{}, "v-" + std::to_string(i)});
    if (r.status.code() == Code::kResourceExhausted) ++throttled;
  }
  EXPECT_EQ(store_.calls(), OnDemandFetch::kMaxStartsPerSecond);
  EXPECT_EQ(throttled, 20 - OnDemandFetch::kMaxStartsPerSecond);
  // Another secret has its own budget; the next second a new one.
  EXPECT_TRUE(fetch_.Fetch(Ref("aws:app/other"), {}).ok());
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(fetch_.Fetch(Ref("aws:app/db"), {}).ok());
  EXPECT_EQ(store_.calls(), OnDemandFetch::kMaxStartsPerSecond + 2);
}

TEST_F(OnDemandFetchTest, ConcurrentRequestsShareOneFetch) {
  store_.Hold(true);
  std::vector<std::thread> callers;
  std::vector<std::string> got(8);
  for (size_t i = 0; i < got.size(); ++i)
    callers.emplace_back([&, i] {
      FetchResult r = fetch_.Fetch(Ref("aws:app/db"), {});
      got[i] = r.ok() ? r.secret->value.Reveal() : r.status.message();
    });
  store_.AwaitCalls(1);
  store_.Hold(false);
  for (auto& t : callers) t.join();
  EXPECT_EQ(store_.calls(), 1);
  for (const std::string& v : got) EXPECT_EQ(v, "new");
}

TEST(OnDemandFetchWaitTest, AHangingStoreHoldsARequestOnlyAsLongAsTheWaitBound) {
  FakeSecretsStore store;
  store.Put("app/db", {{"ver-1", "value", {"AWSCURRENT"}}});
  FakeClock clock;
  OnDemandFetch fetch(&store, &clock, std::chrono::milliseconds(50));
  store.Hold(true);
  // Before, the request waited as long as the store: here, for ever.
  EXPECT_EQ(fetch.Fetch(Ref("aws:app/db"), {}).status.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(fetch.Fetch(Ref("aws:app/db"), {}).status.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(store.calls(), 1) << "the second request waited for the same fetch";
  store.Hold(false);
  // The fetch went on; its result answers the next request without a new call.
  EXPECT_TRUE(
      memsecret::testing::Eventually([&] { return fetch.Fetch(Ref("aws:app/db"), {}).ok(); }));
  EXPECT_EQ(store.calls(), 1);
}

TEST(OnDemandFetchWaitTest, AtMostFourFetchesRunAtOnce) {
  FakeSecretsStore store;
  FakeClock clock;
  OnDemandFetch fetch(&store, &clock, std::chrono::milliseconds(20));
  store.Hold(true);
  for (int i = 0; i < OnDemandFetch::kMaxInFlight; ++i)
    EXPECT_EQ(fetch.Fetch(Ref("aws:s" + std::to_string(i)), {}).status.code(),
              Code::kDeadlineExceeded);
  store.AwaitCalls(OnDemandFetch::kMaxInFlight);
  const FetchResult over = fetch.Fetch(Ref("aws:one-more"), {});
  EXPECT_EQ(over.status.code(), Code::kResourceExhausted);
  EXPECT_EQ(store.calls(), OnDemandFetch::kMaxInFlight);
  store.Hold(false);  // the destructor waits for the four
}

}  // namespace
}  // namespace memsecret::injector::agent
