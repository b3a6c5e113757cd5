// The HTTP/1.1 behaviour of the event-driven server over real TLS: slow
// clients cut at the request deadline while others are served, many idle
// keep-alive connections not holding up a new client, pipelining, Expect:
// 100-continue, refused framings (chunked, oversized heads, HTTP/2), HEAD,
// HTTP/1.0 and the connection limit.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "testing/eventually.h"
#include "testing/metric_value.h"
#include "testing/server_harness.h"

namespace memsecret::webhook {
namespace {

using memsecret::testing::Eventually;
using memsecret::testing::HarnessOptions;
using memsecret::testing::HttpReply;
using memsecret::testing::HttpRequest;
using memsecret::testing::MetricValue;
using memsecret::testing::ServerHarness;
using memsecret::testing::TlsTestClient;
using Clock = std::chrono::steady_clock;

// Answers with the request body, so tests can tell answers apart.
AdmitAnswer Echo(std::string_view body) {
  AdmitAnswer a;
  a.body = std::string(body);
  return a;
}

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::string Scrape(ServerHarness& h) {
  auto reply = h.Request("GET", "/metrics");
  return reply ? reply->body : "";
}

TEST(ServerHttpTest, SlowDripRequestIsCutAtTheRequestDeadlineWhileOthersAreServed) {
  HarnessOptions options;
  options.server.request_timeout = std::chrono::milliseconds(1000);
  ServerHarness h(Echo, options);
  auto slow = h.Connect();
  ASSERT_NE(slow, nullptr);

  // One header byte every 100 ms: each read is prompt, the request never ends.
  const auto start = Clock::now();
  std::atomic<bool> stop_dripping{false};
  std::thread dripper([&] {
    const std::string head = "POST /mutate HTTP/1.1\r\nHost: x\r\nX-Drip: ";
    std::string error;
    if (!slow->Send(head, &error)) return;
    while (!stop_dripping && slow->Send("a", &error)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // Meanwhile other clients are answered promptly (one loop or two).
  for (int i = 0; i < 5; ++i) {
    const auto t = Clock::now();
    auto reply = h.Request("POST", "/mutate", "{}");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_LT(Since(t).count(), 500) << "request " << i << " waited behind the slow client";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::string error;
  auto reply = slow->ReadReply(&error);
  const auto cut_after = Since(start);
  stop_dripping = true;
  dripper.join();
  ASSERT_TRUE(reply.has_value()) << error;
  EXPECT_EQ(reply->status, 408);
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_GE(cut_after.count(), 900);
  EXPECT_LT(cut_after.count(), 3000);
  EXPECT_TRUE(slow->AwaitClosed(5000, &error)) << error;
  const std::string metrics = Scrape(h);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_connection_timeouts_total{phase=\"request\"}"),
            1.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_http_rejections_total{code=\"408\"}"), 1.0);
}

TEST(ServerHttpTest, ManyIdleKeepAliveConnectionsDoNotHoldUpANewClient) {
  // More idle keep-alive connections than event loops by far (the old
  // thread-per-connection server queued the next client behind them).
  ServerHarness h(Echo);
  std::vector<std::unique_ptr<TlsTestClient>> idle;
  std::string error;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(h.Connect());
    ASSERT_NE(idle.back(), nullptr) << "connection " << i;
    ASSERT_TRUE(idle.back()->Exchange(HttpRequest("GET", "/healthz"), &error).has_value())
        << "connection " << i << ": " << error;
  }
  const auto start = Clock::now();
  auto reply = h.Request("POST", "/mutate", "{\"new\":1}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "{\"new\":1}");
  EXPECT_LT(Since(start).count(), 1000);
  EXPECT_GE(MetricValue(Scrape(h), "memsecret_webhook_connections_open").value_or(0), 200.0);
  // And the idle ones are all still usable.
  for (size_t i = 0; i < idle.size(); i += 40) {
    auto again = idle[i]->Exchange(HttpRequest("GET", "/readyz"), &error);
    ASSERT_TRUE(again.has_value()) << error;
    EXPECT_EQ(again->status, 200);
  }
}

TEST(ServerHttpTest, PipelinedRequestsAreAnsweredInOrder) {
  ServerHarness h(Echo);
  auto c = h.Connect();
  ASSERT_NE(c, nullptr);
  std::string error;
  // All in one write: the server finds several requests in one read.
  ASSERT_TRUE(c->Send(HttpRequest("POST", "/mutate", "first") + HttpRequest("GET", "/nope") +
                          HttpRequest("POST", "/mutate", "second") +
                          HttpRequest("GET", "/healthz") + HttpRequest("POST", "/mutate", "third"),
                      &error));
  const std::pair<int, std::string> want[] = {
      {200, "first"}, {404, "not found\n"}, {200, "second"}, {200, "ok\n"}, {200, "third"}};
  for (const auto& [status, body] : want) {
    auto reply = c->ReadReply(&error);
    ASSERT_TRUE(reply.has_value()) << error;
    EXPECT_EQ(reply->status, status);
    EXPECT_EQ(reply->body, body);
  }
}

TEST(ServerHttpTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  ServerHarness h(Echo);
  auto c = h.Connect();
  ASSERT_NE(c, nullptr);
  std::string error;
  ASSERT_TRUE(
      c->Send("POST /mutate HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              "Content-Length: 7\r\n\r\n",
              &error));
  auto interim = c->ReadReply(&error);
  ASSERT_TRUE(interim.has_value()) << error;
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c->Send("{\"a\":1}", &error));
  auto reply = c->ReadReply(&error);
  ASSERT_TRUE(reply.has_value()) << error;
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "{\"a\":1}");
}

TEST(ServerHttpTest, ExpectContinueWithABodyOverTheLimitIsRefusedUnread) {
  HarnessOptions options;
  options.server.max_body_bytes = 1024;
  ServerHarness h(Echo, options);
  auto c = h.Connect();
  ASSERT_NE(c, nullptr);
  std::string error;
  ASSERT_TRUE(
      c->Send("POST /mutate HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              "Content-Length: 1025\r\n\r\n",
              &error));
  auto reply = c->ReadReply(&error);
  ASSERT_TRUE(reply.has_value()) << error;
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_TRUE(c->AwaitClosed(5000, &error)) << error;
}

TEST(ServerHttpTest, RefusedFramingsGetTheirStatusAndCloseTheConnection) {
  struct Case {
    const char* name;
    std::string raw;
    int status;
  };
  const Case cases[] = {
      {"chunked body",
       "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "2\r\n{}\r\n0\r\n\r\n",
       411},
      {"headers over 16 KiB",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'b') + "\r\n\r\n",
       431},
      {"target over 8 KiB", "GET /" + std::string(9 * 1024, 't') + " HTTP/1.1\r\n\r\n", 414},
      {"HTTP/2 request line", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"malformed header", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400},
  };
  ServerHarness h(Echo);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto conn = h.Connect();
    ASSERT_NE(conn, nullptr);
    std::string error;
    auto reply = conn->Exchange(c.raw, &error);
    ASSERT_TRUE(reply.has_value()) << error;
    EXPECT_EQ(reply->status, c.status);
    EXPECT_EQ(reply->headers["connection"], "close");
    EXPECT_EQ(reply->headers["content-type"].rfind("text/plain", 0), 0u);
    EXPECT_TRUE(conn->AwaitClosed(5000, &error)) << error;
  }
  const std::string metrics = Scrape(h);
  for (const char* code : {"411", "431", "414", "505", "400"}) {
    EXPECT_EQ(MetricValue(metrics, std::string("memsecret_webhook_http_rejections_total{code=\"") +
                                       code + "\"}"),
              1.0)
        << code;
  }
}

TEST(ServerHttpTest, HeadAnswersLikeGetWithoutABody) {
  ServerHarness h(Echo);
  auto c = h.Connect();
  ASSERT_NE(c, nullptr);
  std::string error;
  ASSERT_TRUE(c->Send(HttpRequest("HEAD", "/healthz"), &error));
  auto head = c->ReadReply(&error, /*head_only=*/true);
  ASSERT_TRUE(head.has_value()) << error;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], "3");
  // Had a body been sent, it would be read here as a bad status line.
  auto next = c->Exchange(HttpRequest("GET", "/healthz"), &error);
  ASSERT_TRUE(next.has_value()) << error;
  EXPECT_EQ(next->body, "ok\n");
}

TEST(ServerHttpTest, Http10ClosesUnlessAskedToKeepAlive) {
  ServerHarness h(Echo);
  std::string error;
  auto once = h.Connect();
  ASSERT_NE(once, nullptr);
  auto reply = once->Exchange("GET /healthz HTTP/1.0\r\n\r\n", &error);
  ASSERT_TRUE(reply.has_value()) << error;
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_TRUE(once->AwaitClosed(5000, &error)) << error;

  auto kept = h.Connect();
  ASSERT_NE(kept, nullptr);
  for (int i = 0; i < 2; ++i) {
    auto r = kept->Exchange("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &error);
    ASSERT_TRUE(r.has_value()) << "request " << i << ": " << error;
    EXPECT_EQ(r->headers["connection"], "keep-alive");
  }
}

TEST(ServerHttpTest, ConnectionsOverTheLimitAreClosedAtOnceAndCounted) {
  HarnessOptions options;
  options.server.max_connections = 3;
  ServerHarness h(Echo, options);
  std::vector<std::unique_ptr<TlsTestClient>> open;
  std::string error;
  for (int i = 0; i < 3; ++i) {
    open.push_back(h.Connect());
    ASSERT_NE(open.back(), nullptr);
    ASSERT_TRUE(open.back()->Exchange(HttpRequest("GET", "/healthz"), &error).has_value()) << error;
  }
  const auto start = Clock::now();
  EXPECT_EQ(TlsTestClient::Connect(h.port(), h.ClientOptions(), &error), nullptr);
  EXPECT_LT(Since(start).count(), 2000) << "refused connection was not closed at once";

  open.pop_back();  // one slot frees up once the server sees the close
  std::unique_ptr<TlsTestClient> scraper;
  ASSERT_TRUE(Eventually([&] {
    scraper = TlsTestClient::Connect(h.port(), h.ClientOptions(), &error);
    return scraper != nullptr;
  }));
  auto metrics = scraper->Exchange(HttpRequest("GET", "/metrics"), &error);
  ASSERT_TRUE(metrics.has_value()) << error;
  EXPECT_GE(MetricValue(metrics->body, "memsecret_webhook_connections_refused_total").value_or(0),
            1.0);
}

TEST(ServerHttpTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  HarnessOptions options;
  options.server.keep_alive_timeout = std::chrono::milliseconds(300);
  ServerHarness h(Echo, options);
  auto c = h.Connect();
  ASSERT_NE(c, nullptr);
  std::string error;
  ASSERT_TRUE(c->Exchange(HttpRequest("GET", "/healthz"), &error).has_value()) << error;
  const auto start = Clock::now();
  EXPECT_TRUE(c->AwaitClosed(5000, &error)) << error;
  EXPECT_GE(Since(start).count(), 250);
  EXPECT_LT(Since(start).count(), 2000);
}

TEST(ServerHttpTest, StalledHandshakeIsCutAtTheHandshakeDeadline) {
  HarnessOptions options;
  options.server.handshake_timeout = std::chrono::milliseconds(300);
  ServerHarness h(Echo, options);
  // A TCP connection that never sends its ClientHello.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(h.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto start = Clock::now();
  char byte;
  EXPECT_LE(::recv(fd, &byte, 1, 0), 0);  // EOF (or reset), not a timeout
  EXPECT_LT(Since(start).count(), 2000);
  ::close(fd);
  EXPECT_TRUE(Eventually([&] {
    return MetricValue(Scrape(h),
                       "memsecret_webhook_connection_timeouts_total{phase=\"handshake\"}") == 1.0;
  }));
}

}  // namespace
}  // namespace memsecret::webhook
