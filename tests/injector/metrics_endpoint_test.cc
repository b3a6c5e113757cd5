// The injector's metrics endpoint over real loopback HTTP: it answers while
// the backend is down and reports the failures by reason, renders what the
// jobs record at scrape time (concurrently with them), refuses other paths and
// methods, bounds its connections, and never carries a value.
#include "injector/metrics_endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "injector/runtime/secret_file_job.h"
#include "memsecret/plan/backends.h"
#include "testing/eventually.h"
#include "testing/injector_fakes.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector {
namespace {

using std::chrono::seconds;

constexpr const char* kValue = "METRICS-SECRET-VALUE";
constexpr const char* kRef = "aws:/genesys/prod/crm";

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_.name = "crm";
    file_.ref = ParseSecretRef(kRef).value();
    file_.rotation_max_age_seconds = 90 * 86400;
    health_.Declare(file_);
    env_.pod = {"crm", "crm-sync", "crm-sync-7d9f"};
    env_.provider = &provider_;
    env_.writer = &writer_;
    env_.health = &health_;
    env_.jitter = [] { return 0.5; };
  }
  std::unique_ptr<MetricsEndpoint> Start() {
    auto endpoint = MetricsEndpoint::Start(0, health_, clock_);
    EXPECT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    return endpoint.ok() ? std::move(endpoint).value() : nullptr;
  }

  FakeClock clock_;
  ScriptedProvider provider_;
  TempDir dir_;
  AtomicFileWriter writer_{dir_.path()};
  HealthRegistry health_;
  PlannedFile file_;
  JobEnvironment env_;
  LogCapture logs_;
};

TEST_F(MetricsEndpointTest, AnswersWhileTheBackendIsDownAndCountsTheFailures) {
  provider_.SetValue(kValue, "v1", clock_.Now() - seconds(100 * 86400));
  SecretFileJob job(file_, seconds(60), env_);
  job.Run(clock_.Now());
  provider_.SetFailure(Unavailable("connection refused"));
  for (int i = 1; i <= 3; ++i) job.Run(clock_.Now() + seconds(60 * i));

  auto endpoint = Start();
  ASSERT_NE(endpoint, nullptr);
  httplib::Client client("127.0.0.1", endpoint->port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string labels = std::string("{file=\"crm\",ref=\"") + kRef + "\"";
  EXPECT_NE(res->body.find("memsecret_injector_fetch_failures_total" + labels +
                           ",reason=\"unavailable\"} 3\n"),
            std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("memsecret_injector_rotation_overdue" + labels + "} 1\n"),
            std::string::npos);
  EXPECT_NE(res->body.find("memsecret_injector_last_success_timestamp_seconds" + labels +
                           "} 1700000000\n"),
            std::string::npos);
  EXPECT_EQ(res->body.find(kValue), std::string::npos);

  auto head = client.Head("/metrics");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto other = client.Get("/");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  auto post = client.Post("/metrics", "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto with_body = client.Post("/metrics", "x", "text/plain");  // no body is ever read
  ASSERT_TRUE(with_body);
  EXPECT_EQ(with_body->status, 413);
  EXPECT_EQ(logs_.text().find(kValue), std::string::npos);
}

// Jobs record while scrapes read (the registry is shared across threads).
TEST_F(MetricsEndpointTest, ScrapesWhileJobsRecord) {
  auto endpoint = Start();
  ASSERT_NE(endpoint, nullptr);
  provider_.SetFailure(Unavailable("connection refused"));
  std::atomic<bool> done{false};
  std::thread recorder([&] {
    for (int i = 0; i < 500; ++i) health_.RecordFailure("crm", Code::kUnavailable);
    done = true;
  });
  httplib::Client client("127.0.0.1", endpoint->port());
  int scrapes = 0;
  while (!done || scrapes < 3) {
    auto res = client.Get("/metrics");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200);
    ++scrapes;
  }
  recorder.join();
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("reason=\"unavailable\"} 500\n"), std::string::npos) << res->body;
}

TEST_F(MetricsEndpointTest, ConnectionsAreBounded) {
  auto endpoint = Start();
  ASSERT_NE(endpoint, nullptr);
  std::vector<int> held;
  for (size_t i = 0; i < kMetricsMaxConnections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(endpoint->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    held.push_back(fd);
  }
  ASSERT_TRUE(memsecret::testing::Eventually([&] {
    return endpoint->open_connections() == static_cast<int64_t>(kMetricsMaxConnections);
  }));
  httplib::Client client("127.0.0.1", endpoint->port());
  client.set_read_timeout(2, 0);
  auto refused = client.Get("/metrics");
  EXPECT_FALSE(refused && refused->status == 200) << "a connection over the bound was served";
  for (int fd : held) ::close(fd);
  ASSERT_TRUE(memsecret::testing::Eventually([&] { return endpoint->open_connections() == 0; }));
  httplib::Client again("127.0.0.1", endpoint->port());
  auto res = again.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST_F(MetricsEndpointTest, BusyPortIsAClearError) {
  auto first = Start();
  ASSERT_NE(first, nullptr);
  auto second = MetricsEndpoint::Start(first->port(), health_, clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("metrics endpoint"), std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace memsecret::injector
