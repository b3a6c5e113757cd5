// WorkloadIdentityCredential over the shared credential cache: concurrent
// callers share one Entra exchange — its token, and its failure — and no
// message carries the assertion or the token.
#include "injector/providers/azure/workload_identity.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "testing/temp_dir.h"

namespace memsecret::injector::azure {
namespace {

constexpr const char* kAssertion = "eyJhbGciOiJSUzI1NiJ9.WI-ASSERTION.sig";
constexpr const char* kToken = "WI-ACCESS-TOKEN-42";

// Answers every token request with `response`; the first waits until
// `callers` threads have announced themselves.
class GatedEntra final : public HttpClient {
 public:
  GatedEntra(int callers, HttpResponse response)
      : callers_(callers), response_(std::move(response)) {}
  Result<HttpResponse> Send(const HttpRequest&) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (calls_++ == 0) cv_.wait(lock, [&] { return arrived_ >= callers_; });
    return response_;
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
  const int callers_;
  const HttpResponse response_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;  // guarded by mu_
  int calls_ = 0;    // guarded by mu_
};

class WorkloadIdentityTest : public ::testing::Test {
 protected:
  AzureConfig Config() {
    const std::string file = dir_.path() + "/token";
    std::ofstream(file) << kAssertion;
    return {"11111111-2222-3333-4444-555555555555",
            "contoso.onmicrosoft.com",
            file,
            "https://login.microsoftonline.com/",
            "https://{vault}.vault.azure.net",
            "https://vault.azure.net/.default"};
  }
  // kCallers threads call Token() at once; their answers.
  std::vector<Result<SecretValue>> TokensFromThreads(WorkloadIdentityCredential& credential,
                                                     GatedEntra& entra) {
    std::vector<std::thread> threads;
    std::mutex mu;
    std::vector<Result<SecretValue>> out;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&] {
        entra.Arrive();
        auto got = credential.Token();
        std::lock_guard<std::mutex> lock(mu);
        out.push_back(std::move(got));
      });
    }
    for (auto& t : threads) t.join();
    return out;
  }

  static constexpr int kCallers = 8;
  memsecret::testing::TempDir dir_;
  FakeClock clock_;
};

TEST_F(WorkloadIdentityTest, ConcurrentCallersShareOneExchange) {
  GatedEntra entra(kCallers, {200,
                              {},
                              std::string(R"({"access_token":")") + kToken +
                                  R"(","expires_in":3599,"token_type":"Bearer"})"});
  WorkloadIdentityCredential credential(Config(), entra, clock_);
  for (const auto& got : TokensFromThreads(credential, entra)) {
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->Reveal(), kToken);
  }
  EXPECT_EQ(entra.calls(), 1);
  EXPECT_EQ(credential.expires_at(), clock_.Now() + std::chrono::seconds(3599));
}

// Callers that waited while Entra throttled share the refusal (before: each
// waiting caller asked Entra again in turn).
TEST_F(WorkloadIdentityTest, CallersWaitingOnAThrottledExchangeShareItsFailure) {
  GatedEntra entra(kCallers, {429,
                              {{"Retry-After", "7"}},
                              std::string(R"({"error":"temporarily_unavailable",)") +
                                  R"("error_description":"throttled )" + kAssertion + R"("})"});
  WorkloadIdentityCredential credential(Config(), entra, clock_);
  for (const auto& got : TokensFromThreads(credential, entra)) {
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), Code::kResourceExhausted);
    EXPECT_EQ(got.status().message().rfind("entra token for client 11111111-", 0), 0u)
        << got.status().message();
    EXPECT_EQ(got.status().message().find(kAssertion), std::string::npos);
  }
  EXPECT_LT(entra.calls(), kCallers);
  EXPECT_EQ(credential.last_retry_after(), std::chrono::seconds(7));
  EXPECT_FALSE(credential.expires_at().has_value());
}

}  // namespace
}  // namespace memsecret::injector::azure
