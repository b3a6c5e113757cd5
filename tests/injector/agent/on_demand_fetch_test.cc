// OnDemandFetch: the endpoint's reads of the store are bounded whatever the
// request rate — concurrent requests share one fetch, a result (failure
// included) younger than a second is reused, and at most a few fetches of one
// secret start per second; time is a fake clock.
#include "injector/agent/on_demand_fetch.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/injector/agent/fake_secrets_store.h"

namespace memsecret::injector::agent {
namespace {

SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }

class OnDemandFetchTest : public ::testing::Test {
 protected:
  OnDemandFetchTest() : fetch_(&store_, &clock_) {
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

}  // namespace
}  // namespace memsecret::injector::agent
