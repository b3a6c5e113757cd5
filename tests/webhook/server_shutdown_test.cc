// Shutdown of the server: Drain() turns /readyz to 503 while requests are
// still served; Stop() closes the listener at once, lets in-flight requests
// finish, and closes idle keep-alive connections at once instead of waiting
// out their keep-alive timeout; Stop() before Run() is safe.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "testing/eventually.h"
#include "testing/server_harness.h"

namespace memsecret::webhook {
namespace {

using memsecret::testing::Eventually;
using memsecret::testing::HarnessOptions;
using memsecret::testing::HttpRequest;
using memsecret::testing::ServerHarness;
using memsecret::testing::TlsTestClient;

AdmitAnswer Ok(std::string_view) {
  AdmitAnswer a;
  a.body = "{}";
  return a;
}

// A certificate store for tests that build a WebhookServer by hand.
struct StandaloneCertificate {
  StandaloneCertificate() {
    auto ca = memsecret::testing::TestCa::CreateRoot("root");
    auto cert = ca.IssueServer("webhook", 1);
    memsecret::testing::WriteFileAtomically(dir.File("c"), cert.cert_pem);
    memsecret::testing::WriteFileAtomically(dir.File("k"), cert.key_pem);
    auto bundle = http::LoadCertificateBundle(dir.File("c"), dir.File("k"));
    EXPECT_TRUE(bundle.ok());
    store = std::make_unique<http::CertificateStore>(*bundle);
  }
  memsecret::testing::TempDir dir;
  std::unique_ptr<http::CertificateStore> store;
};

bool CanConnect(ServerHarness& h) {
  std::string error;
  return TlsTestClient::Connect(h.port(), h.ClientOptions(), &error) != nullptr;
}

TEST(ShutdownTest, DrainTurnsReadyzTo503AndKeepsServing) {
  ServerHarness h(Ok);
  EXPECT_EQ(h.Request("GET", "/readyz")->status, 200);
  h.server().Drain();
  EXPECT_EQ(h.Request("GET", "/readyz")->status, 503);
  EXPECT_EQ(h.Request("GET", "/healthz")->status, 200);
  EXPECT_EQ(h.Request("POST", "/mutate", "{}")->status, 200);
}

TEST(ShutdownTest, InFlightRequestCompletesAfterStop) {
  std::mutex mu;  // guards entered, released
  std::condition_variable cv;
  bool entered = false;
  bool released = false;
  ServerHarness h([&](std::string_view body) {
    std::unique_lock<std::mutex> lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return released; });
    return Ok(body);
  });
  auto conn = h.Connect();
  ASSERT_NE(conn, nullptr);
  auto reply = std::async(std::launch::async, [&] {
    std::string error;
    return conn->Exchange(HttpRequest("POST", "/mutate?timeout=10s", "{}"), &error);
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return entered; }));
  }

  h.server().Drain();
  h.server().Stop();
  EXPECT_TRUE(Eventually([&] { return !CanConnect(h); })) << "listener still accepting";
  EXPECT_FALSE(h.finished()) << "Run() returned with a request in flight";

  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
  }
  cv.notify_all();
  auto got = reply.get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, 200);
  EXPECT_TRUE(Eventually([&] { return h.finished(); }));
}

TEST(ShutdownTest, IdleKeepAliveConnectionsAreClosedAtStopAndDoNotDelayRun) {
  // A keep-alive timeout far above the bound below: a server that waited for
  // idle connections to time out (instead of closing them at Stop) would
  // take 30 s and fail; a prompt one passes however loaded the machine is.
  constexpr auto kKeepAlive = std::chrono::seconds(30);
  constexpr auto kBound = std::chrono::seconds(10);
  static_assert(kBound < kKeepAlive);
  HarnessOptions options;
  options.server.keep_alive_timeout = kKeepAlive;
  ServerHarness h(Ok, options);
  std::vector<std::unique_ptr<TlsTestClient>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(h.Connect());
    ASSERT_NE(idle.back(), nullptr);
    std::string error;
    ASSERT_TRUE(idle.back()->Exchange(HttpRequest("GET", "/healthz"), &error).has_value()) << error;
  }
  const auto start = std::chrono::steady_clock::now();
  h.server().Stop();
  ASSERT_TRUE(Eventually([&] { return h.finished(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, kBound) << "Run() waited for idle clients";
  for (size_t i = 0; i < idle.size(); ++i) {
    std::string error;
    EXPECT_TRUE(idle[i]->AwaitClosed(10000, &error)) << "idle connection " << i << ": " << error;
  }
}

TEST(ShutdownTest, StopBeforeRunMakesRunReturnAtOnce) {
  // Bound but not yet running: the race main has when SIGTERM arrives early.
  StandaloneCertificate tls;
  http::CertificateStore& store = *tls.store;
  Metrics metrics;
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  WebhookServer server(options, store, metrics, Ok);
  ASSERT_TRUE(server.Bind().ok());
  EXPECT_GT(server.port(), 0);
  server.Stop();
  auto run = std::async(std::launch::async, [&] { server.Run(); });
  EXPECT_EQ(run.wait_for(std::chrono::seconds(30)), std::future_status::ready);
}

TEST(ShutdownTest, StopRacingRunStartAlwaysStopsIt) {
  StandaloneCertificate tls;
  http::CertificateStore& store = *tls.store;
  Metrics metrics;
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.event_loops = 2;
  for (int i = 0; i < 20; ++i) {
    WebhookServer server(options, store, metrics, Ok);
    ASSERT_TRUE(server.Bind().ok());
    auto run = std::async(std::launch::async, [&] { server.Run(); });
    server.Stop();
    ASSERT_EQ(run.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "round " << i;
  }
}

TEST(ShutdownTest, BindFailureNamesTheAddress) {
  StandaloneCertificate tls;
  http::CertificateStore& store = *tls.store;
  Metrics metrics;
  ServerOptions options;
  options.host = "256.1.1.1";  // not an address
  options.port = 8443;
  WebhookServer server(options, store, metrics, Ok);
  Status s = server.Bind();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("256.1.1.1:8443"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace memsecret::webhook
