// Certificate rotation while serving: cert-manager replaces tls.crt/tls.key;
// new handshakes get the new certificate, established keep-alive connections
// and in-flight requests carry on, and a broken replacement keeps the old
// certificate serving (and is counted).
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
using memsecret::testing::KeyType;
using memsecret::testing::ServerHarness;
using R = Metrics::ReloadResult;

// A handler that holds each request until the test opens the gate.
class Gate {
 public:
  AdmitAnswer Handle(std::string_view) {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    AdmitAnswer a;
    a.body = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})";
    return a;
  }
  void AwaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(60), [&] { return entered_ >= n; }));
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;  // guards entered_, open_
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

// Serial seen by a brand-new handshake.
std::string FreshSerial(ServerHarness& h) {
  auto c = h.Connect();
  return c ? c->PeerSerialHex() : "";
}

struct RotationCase {
  const char* name;
  KeyType key_type;
  bool with_intermediate;
};

class RotationTest : public ::testing::TestWithParam<RotationCase> {};

TEST_P(RotationTest, NewHandshakesSeeNewCertWhileOpenConnectionAndInFlightRequestSurvive) {
  HarnessOptions options;
  options.key_type = GetParam().key_type;
  options.with_intermediate = GetParam().with_intermediate;
  // The kept connection sits idle through the rotation, fresh handshakes and
  // the in-flight reply: a keep-alive far longer than that (on a loaded
  // machine too), so an idle timeout cannot pass for "dropped by rotation".
  options.server.keep_alive_timeout = std::chrono::seconds(60);
  Gate gate;
  ServerHarness h([&gate](std::string_view body) { return gate.Handle(body); }, options);
  // Issued (an RSA key generation for "rsa") before any connection is open.
  const auto next = h.issuer().IssueServer("webhook-2", 2, GetParam().key_type);

  auto kept = h.Connect();  // the apiserver's keep-alive connection
  ASSERT_NE(kept, nullptr);
  ASSERT_EQ(kept->PeerSerialHex(), "01");
  std::string error;
  auto first = kept->Exchange(HttpRequest("GET", "/healthz"), &error);
  ASSERT_TRUE(first.has_value()) << error;

  // A request in flight on a second connection while the files rotate.
  auto in_flight_conn = h.Connect();
  ASSERT_NE(in_flight_conn, nullptr);
  auto in_flight = std::async(std::launch::async, [&] {
    std::string e;
    return in_flight_conn->Exchange(HttpRequest("POST", "/mutate?timeout=10s", "{}"), &e);
  });
  // However the checks below end, the gate opens before the future and the
  // server are destroyed: both wait for the held request.
  struct OpenAtExit {
    Gate& gate;
    ~OpenAtExit() { gate.Open(); }
  } open_at_exit{gate};
  gate.AwaitEntered(1);

  h.WriteCertificate(next);
  ASSERT_TRUE(Eventually([&] { return FreshSerial(h) == "02"; })) << "rotation not picked up";
  EXPECT_GE(h.metrics().certificate_reloads(R::kSuccess), 1u);
  auto fresh = h.Connect();
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->PeerCommonName(), "webhook-2");

  gate.Open();
  auto in_flight_reply = in_flight.get();
  ASSERT_TRUE(in_flight_reply.has_value());
  EXPECT_EQ(in_flight_reply->status, 200);
  EXPECT_EQ(in_flight_conn->PeerSerialHex(), "01");

  auto second = kept->Exchange(HttpRequest("GET", "/healthz"), &error);
  ASSERT_TRUE(second.has_value()) << "keep-alive connection dropped by rotation: " << error;
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(kept->PeerSerialHex(), "01");  // same connection, same session
}

INSTANTIATE_TEST_SUITE_P(KeysAndChains, RotationTest,
                         ::testing::Values(RotationCase{"ec", KeyType::kEcP256, false},
                                           RotationCase{"rsa", KeyType::kRsa2048, false},
                                           RotationCase{"ec_chain", KeyType::kEcP256, true}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RotationTest, BrokenReplacementKeepsTheOldCertificateServing) {
  ServerHarness h([](std::string_view) { return AdmitAnswer{}; });
  ASSERT_EQ(FreshSerial(h), "01");
  auto other = h.issuer().IssueServer("webhook-x", 3);
  auto next = h.issuer().IssueServer("webhook-4", 4);

  struct Step {
    const char* name;
    std::string cert;
    std::string key;
  };
  const Step broken[] = {
      {"garbage PEM", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n",
       other.key_pem},
      {"key not matching", next.cert_pem, other.key_pem},
      {"empty files", "", ""},
  };
  uint64_t failures = 0;
  for (const Step& s : broken) {
    SCOPED_TRACE(s.name);
    h.WriteRawFiles(s.cert, s.key);
    ASSERT_TRUE(
        Eventually([&] { return h.metrics().certificate_reloads(R::kFailure) > failures; }));
    failures = h.metrics().certificate_reloads(R::kFailure);
    EXPECT_EQ(FreshSerial(h), "01");
    auto reply = h.Request("GET", "/healthz");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
  }
  EXPECT_EQ(h.metrics().certificate_reloads(R::kSuccess), 0u);

  h.WriteCertificate(next);  // a good pair afterwards is picked up
  ASSERT_TRUE(Eventually([&] { return FreshSerial(h) == "04"; }));
  EXPECT_EQ(h.metrics().certificate_reloads(R::kSuccess), 1u);
}

}  // namespace
}  // namespace memsecret::webhook
