// AWS wire helpers and STS/credential plumbing that need no network:
// error-code sanitising, timestamps, Retry-After, XML text, STS error mapping,
// and RefreshingCredentials' renew-before-expiry policy under a fake clock.
#include "injector/providers/aws/aws_response.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "injector/providers/aws/credentials.h"
#include "injector/providers/aws/web_identity.h"
#include "memsecret/rfc3339.h"
#include "testing/injector_fakes.h"

namespace memsecret::injector::aws {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(AwsWireTest, SanitizeErrorCode) {
  EXPECT_EQ(SanitizeErrorCode("ResourceNotFoundException"), "ResourceNotFoundException");
  EXPECT_EQ(SanitizeErrorCode("com.amazonaws.secretsmanager#ThrottlingException"),
            "ThrottlingException");
  EXPECT_EQ(SanitizeErrorCode("AccessDeniedException:http://internal.amazon.com/"),
            "AccessDeniedException");
  EXPECT_EQ(SanitizeErrorCode("aws.protocoltests#FooError:http://x"), "FooError");
}

TEST(AwsWireTest, ParseRfc3339) {
  const WallTime want = WallTime(seconds(1573306481));  // 2019-11-09T13:34:41Z
  for (const char* text :
       {"2019-11-09T13:34:41Z", "2019-11-09T13:34:41.123Z", "2019-11-09T13:34:41+00:00"}) {
    auto t = ParseRfc3339(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_EQ(*t, want) << text;
  }
  EXPECT_FALSE(ParseRfc3339("2019-11-09 13:34").ok());
  EXPECT_FALSE(ParseRfc3339("2019-11-09T13:34:41+02:00").ok());
  // Found by fuzz_sts_xml / fuzz_secrets_manager: a year WallTime cannot hold
  // overflowed (undefined behaviour) instead of being rejected.
  for (const char* text : {"9999-12-31T23:59:59Z", "4060-01-01T00:00:00Z", "1025-10-21T07:28:00Z",
                           "0000-01-01T00:00:00Z"}) {
    auto t = ParseRfc3339(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.status().message().find("out of range"), std::string::npos) << text;
  }
}

TEST(AwsWireTest, RetryAfter) {
  const WallTime now = WallTime(seconds(1'700'000'000));  // Tue, 14 Nov 2023 22:13:20 GMT
  HttpResponse r;
  EXPECT_EQ(ParseRetryAfter(r, now), std::nullopt);
  r.headers = {{"retry-after", "17"}};
  EXPECT_EQ(ParseRetryAfter(r, now), seconds(17));
  r.headers = {{"Retry-After", "Tue, 14 Nov 2023 22:14:00 GMT"}};
  EXPECT_EQ(ParseRetryAfter(r, now), seconds(40));
  r.headers = {{"Retry-After", "soon"}};
  EXPECT_EQ(ParseRetryAfter(r, now), std::nullopt);
  // Found by fuzz_azure: dates WallTime cannot hold overflowed; they are ignored.
  for (const char* date : {"Wed, 21 Oct 1025 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"}) {
    r.headers = {{"Retry-After", date}};
    EXPECT_EQ(ParseRetryAfter(r, now), std::nullopt) << date;
  }
}

TEST(AwsWireTest, XmlText) {
  const char* xml =
      "<R><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>a&amp;b&lt;c</"
      "SecretAccessKey>"
      "</Credentials></R>";
  EXPECT_EQ(XmlElementText(xml, "AccessKeyId"), "ASIA1");
  EXPECT_EQ(XmlElementText(xml, "SecretAccessKey"), "a&b<c");
  EXPECT_EQ(XmlElementText(xml, "SessionToken"), std::nullopt);
}

TEST(AwsWireTest, StsErrorMapping) {
  struct Case {
    int status;
    const char* code;
    Code want;
  } cases[] = {{400, "InvalidIdentityToken", Code::kUnauthenticated},
               {400, "ExpiredTokenException", Code::kUnauthenticated},
               {403, "IDPRejectedClaim", Code::kPermissionDenied},
               {400, "IDPCommunicationError", Code::kUnavailable},
               {403, "RegionDisabledException", Code::kPermissionDenied},
               {500, "InternalFailure", Code::kUnavailable},
               {400, "MalformedPolicyDocument", Code::kInvalidArgument},
               // Throttling is the quota's answer, as a store's: the pod waits as a whole.
               {400, "Throttling", Code::kResourceExhausted},
               {429, "", Code::kResourceExhausted}};
  for (const auto& c : cases)
    EXPECT_EQ(MapStsError(c.status, c.code, "m").code(), c.want) << c.code;
}

// Hands out credentials expiring `lifetime` after the fake clock's now.
class CountingSource final : public CredentialSource {
 public:
  CountingSource(const FakeClock* clock, std::chrono::seconds lifetime)
      : clock_(clock), lifetime_(lifetime) {}
  Result<AwsCredentials> Fetch() override {
    ++*calls;
    if (*fail) return Unavailable("sts down");
    return AwsCredentials{"ASIA" + std::to_string(*calls), SecretValue(std::string("k")),
                          SecretValue(std::string("t")), clock_->Now() + lifetime_};
  }
  std::string Describe() const override { return "counting"; }
  std::shared_ptr<int> calls = std::make_shared<int>(0);
  std::shared_ptr<bool> fail = std::make_shared<bool>(false);

 private:
  const FakeClock* clock_;
  std::chrono::seconds lifetime_;
};

TEST(RefreshingCredentialsTest, RenewsBeforeExpirationAndRidesOutShortOutages) {
  FakeClock clock;
  auto source = std::make_unique<CountingSource>(&clock, seconds(3600));
  auto calls = source->calls;
  auto fail = source->fail;
  RefreshingCredentials creds(std::move(source), clock, minutes(10), seconds(60));
  ASSERT_TRUE(creds.Get().ok());
  clock.Advance(minutes(49));  // 11 min left: cached
  EXPECT_EQ(creds.Get()->access_key_id, "ASIA1");
  EXPECT_EQ(*calls, 1);
  clock.Advance(minutes(2));  // 9 min left: renewed early
  EXPECT_EQ(creds.Get()->access_key_id, "ASIA2");
  EXPECT_EQ(*calls, 2);

  clock.Advance(minutes(52));  // 8 min left, but STS is down: keep the valid ones
  *fail = true;
  auto during = creds.Get();
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->access_key_id, "ASIA2");
  clock.Advance(minutes(7) + seconds(30));  // 30 s left: no longer usable
  auto expired = creds.Get();
  ASSERT_FALSE(expired.ok());
  EXPECT_TRUE(expired.status().retryable());
  *fail = false;
  EXPECT_EQ(creds.Get()->access_key_id, "ASIA5");  // recovers by itself
}

TEST(RefreshingCredentialsTest, InvalidateForcesAFetch) {
  FakeClock clock;
  auto source = std::make_unique<CountingSource>(&clock, seconds(3600));
  auto calls = source->calls;
  RefreshingCredentials creds(std::move(source), clock);
  ASSERT_TRUE(creds.Get().ok());
  creds.Invalidate();
  ASSERT_TRUE(creds.Get().ok());
  EXPECT_EQ(*calls, 2);
}

// Refuses every exchange (throttled); the first one waits until `callers`
// threads have announced that they are about to call Get.
class GatedThrottledSource final : public CredentialSource {
 public:
  explicit GatedThrottledSource(int callers) : callers_(callers) {}
  Result<AwsCredentials> Fetch() override {
    std::unique_lock<std::mutex> lock(mu_);
    if (calls_++ == 0) cv_.wait(lock, [&] { return arrived_ >= callers_; });
    return ResourceExhausted("sts AssumeRoleWithWebIdentity: Throttling: Rate exceeded");
  }
  std::string Describe() const override { return "gated"; }
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
  const int callers_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;  // guarded by mu_
  int calls_ = 0;    // guarded by mu_
};

// Callers that waited while an exchange was refused share the refusal: a
// throttled STS answer costs one call, not one per file read at once (before:
// each of the 8 callers asked STS in turn).
TEST(RefreshingCredentialsTest, CallersWaitingOnARefusedExchangeShareItsAnswer) {
  FakeClock clock;
  constexpr int kCallers = 8;
  auto owned = std::make_unique<GatedThrottledSource>(kCallers);
  GatedThrottledSource* source = owned.get();
  RefreshingCredentials creds(std::move(owned), clock);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Code> codes;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      source->Arrive();
      auto got = creds.Get();
      std::lock_guard<std::mutex> lock(mu);
      codes.push_back(got.status().code());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(codes, std::vector<Code>(kCallers, Code::kResourceExhausted));
  EXPECT_LT(source->calls(), kCallers);
  // A caller that comes after the refusal asks again.
  const int before = source->calls();
  EXPECT_FALSE(creds.Get().ok());
  EXPECT_EQ(source->calls(), before + 1);
}

}  // namespace
}  // namespace memsecret::injector::aws
