// CoalescingProvider: files of one secret share a fetch within the window;
// failures, other refs, other stages and expired entries go to the store.
#include "injector/runtime/coalescing_provider.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace memsecret::injector
