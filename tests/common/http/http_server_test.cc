// The HTTP server in plain text on loopback: routing data reaches the
// handler (query, headers), the HTTP layer's own refusals, the connection
// bound (refusing, or evicting the oldest idle connection), the slow- and
// silent-client deadlines, and Stop().
#include "memsecret/http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "memsecret/http/http_request_parser.h"
#include "memsecret/http/http_response.h"
#include "testing/eventually.h"

namespace memsecret::http {
namespace {

// A blocking loopback client socket; reads until the peer closes or a
// complete response (by Content-Length) has arrived.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{30, 0};  // a hang guard: every read in these tests expects an answer or EOF
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // One response: head, then Content-Length bytes of body. "" on EOF/timeout.
  std::string ReadResponse() {
    for (;;) {
      const size_t head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t cl = buffer_.find("Content-Length: ");
        const size_t length = cl < head_end ? std::stoul(buffer_.substr(cl + 16)) : 0;
        if (buffer_.size() >= head_end + 4 + length) {
          std::string out = buffer_.substr(0, head_end + 4 + length);
          buffer_.erase(0, out.size());
          return out;
        }
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  // True once the server has closed the connection (EOF within 30 s).
  bool ReadsEof() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

class PlainServer {
 public:
  explicit PlainServer(ServerOptions options, HttpHandler handler) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.event_loops == 0) options.event_loops = 1;
    server_ = std::make_unique<HttpServer>("test", options, nullptr, std::move(handler),
                                           [this](int status) { refused_.push_back(status); });
    EXPECT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~PlainServer() {
    server_->Stop();
    thread_.join();
  }
  int port() const { return server_->port(); }
  HttpServer& server() { return *server_; }
  const std::vector<int>& refused() const { return refused_; }  // loop thread writes

 private:
  std::unique_ptr<HttpServer> server_;
  std::vector<int> refused_;
  std::thread thread_;
};

HttpResponse Echo(const HttpRequestView& request) {
  std::string body = std::string(request.method) + " " + std::string(request.path) +
                     " q=" + std::string(request.query);
  for (std::string_view v : HeaderValues(request.headers, "x-token")) {
    body += " token=" + std::string(v);
  }
  return TextResponse(200, body);
}

TEST(HttpServerTest, HandlerSeesPathQueryAndHeadersOverPlainText) {
  PlainServer server({}, Echo);
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  client.Send(
      "GET /secretsmanager/get?secretId=a%2Fb&versionStage=AWSCURRENT HTTP/1.1\r\n"
      "Host: localhost\r\nX-Token:  one \r\nx-token: two\r\n\r\n");
  const std::string response = client.ReadResponse();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 ", 0), 0u) << response;
  EXPECT_NE(response.find("GET /secretsmanager/get q=secretId=a%2Fb&versionStage=AWSCURRENT "
                          "token=one token=two"),
            std::string::npos)
      << response;
  // Keep-alive: a second request on the same connection, without a query.
  client.Send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(client.ReadResponse().find("GET /metrics q="), std::string::npos);
}

TEST(HttpServerTest, MalformedRequestsAreRefusedByTheHttpLayer) {
  PlainServer server({}, Echo);
  RawClient client(server.port());
  client.Send("GET nothing HTTP/1.1\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_TRUE(client.ReadsEof());
  EXPECT_EQ(server.refused(), std::vector<int>{400});
}

TEST(HttpServerTest, SlowClientIsCutAtTheRequestDeadline) {
  ServerOptions options;
  options.request_timeout = std::chrono::milliseconds(300);
  PlainServer server(options, Echo);
  RawClient client(server.port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes its head
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.ReadResponse().rfind("HTTP/1.1 408 ", 0), 0u);
  // Cut by the 300 ms deadline, not the default 10 s one (which would not be
  // under this bound); the slack is for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - start, ServerOptions{}.request_timeout);
  EXPECT_EQ(server.server().counters().request_timeouts.load(), 1u);
}

TEST(HttpServerTest, ConnectionsBeyondTheBoundAreClosedAtOnce) {
  ServerOptions options;
  options.max_connections = 1;
  PlainServer server(options, Echo);
  RawClient first(server.port());
  first.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(first.ReadResponse().empty());  // the first is open and served
  RawClient second(server.port());
  EXPECT_TRUE(second.ReadsEof());
  EXPECT_EQ(server.server().counters().refused.load(), 1u);
  first.Send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(first.ReadResponse().find("GET /b"), std::string::npos);
}

TEST(HttpServerTest, SilentClientIsCutAtTheFirstByteDeadline) {
  ServerOptions options;
  options.first_byte_timeout = std::chrono::milliseconds(250);
  options.keep_alive_timeout = std::chrono::seconds(30);
  PlainServer server(options, Echo);
  RawClient silent(server.port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.ReadsEof());
  // Cut by the first-byte deadline, not the 30 s idle one.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));

  // A client that sends at once is served, and keeps its connection for the
  // (longer) keep-alive time between requests.
  RawClient prompt(server.port());
  prompt.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(prompt.ReadResponse().find("GET /a"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // twice the first-byte deadline
  prompt.Send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(prompt.ReadResponse().find("GET /b"), std::string::npos);
}

TEST(HttpServerTest, SixtyFourSilentClientsDoNotLockOutARealRequest) {
  ServerOptions options;
  options.max_connections = 64;
  options.evict_idle_at_limit = true;
  // Deadlines far away: only eviction can make room for the real request.
  options.first_byte_timeout = std::chrono::seconds(60);
  options.keep_alive_timeout = std::chrono::seconds(60);
  PlainServer server(options, Echo);
  std::vector<std::unique_ptr<RawClient>> silent;
  for (int i = 0; i < 64; ++i) {
    silent.push_back(std::make_unique<RawClient>(server.port()));
    ASSERT_TRUE(silent.back()->connected());
  }
  ASSERT_TRUE(testing::Eventually([&] { return server.server().counters().open.load() == 64; }));
  RawClient real(server.port());
  real.Send("GET /real HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(real.ReadResponse().find("GET /real"), std::string::npos);
  EXPECT_EQ(server.server().counters().refused.load(), 0u);
  EXPECT_EQ(server.server().counters().evicted.load(), 1u);
  EXPECT_TRUE(silent.front()->ReadsEof()) << "the oldest silent connection made room";
}

TEST(HttpServerTest, AtTheLimitTheOldestIdleConnectionIsEvicted) {
  ServerOptions options;
  options.max_connections = 3;
  options.evict_idle_at_limit = true;
  options.first_byte_timeout = std::chrono::seconds(60);
  options.keep_alive_timeout = std::chrono::seconds(60);
  PlainServer server(options, Echo);
  const auto open_is = [&](int64_t n) {
    return testing::Eventually([&] { return server.server().counters().open.load() == n; });
  };
  RawClient a(server.port());
  ASSERT_TRUE(open_is(1));
  RawClient b(server.port());
  ASSERT_TRUE(open_is(2));
  RawClient c(server.port());
  ASSERT_TRUE(open_is(3));
  // c, then a, are answered: idle again, since later than b (whose adoption
  // was handed to the loop before c was even accepted).
  c.Send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_NE(c.ReadResponse().find("GET /c"), std::string::npos);
  a.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_NE(a.ReadResponse().find("GET /a"), std::string::npos);

  RawClient d(server.port());  // evicts b, idle longest
  EXPECT_TRUE(b.ReadsEof());
  RawClient e(server.port());  // then c (idle since its answer)
  EXPECT_TRUE(c.ReadsEof());
  RawClient f(server.port());  // then a, before d and e
  EXPECT_TRUE(a.ReadsEof());
  for (RawClient* client : {&d, &e, &f}) {
    client->Send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(client->ReadResponse().find("GET /later"), std::string::npos);
  }
  EXPECT_EQ(server.server().counters().evicted.load(), 3u);
  EXPECT_EQ(server.server().counters().refused.load(), 0u);
}

TEST(HttpServerTest, AtTheLimitWithNoIdleConnectionTheNewOneIsRefused) {
  std::mutex mu;  // guards open_gate
  std::condition_variable cv;
  bool open_gate = false;
  std::atomic<int> entered{0};
  ServerOptions options;
  options.max_connections = 1;
  options.evict_idle_at_limit = true;
  options.event_loops = 2;
  PlainServer server(options, [&](const HttpRequestView& request) {
    ++entered;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open_gate; });
    return TextResponse(200, std::string(request.path));
  });
  RawClient busy(server.port());
  busy.Send("GET /busy HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(testing::Eventually([&] { return entered.load() == 1; }));
  RawClient refused(server.port());  // the only connection is busy: nothing to evict
  EXPECT_TRUE(refused.ReadsEof());
  {
    std::lock_guard<std::mutex> lock(mu);
    open_gate = true;
    cv.notify_all();
  }
  EXPECT_NE(busy.ReadResponse().find("/busy"), std::string::npos);
  EXPECT_EQ(server.server().counters().refused.load(), 1u);
  EXPECT_EQ(server.server().counters().evicted.load(), 0u);
}

TEST(HttpServerTest, NewConnectionsAvoidTheLoopInsideABlockedHandler) {
  // Two loops, one held inside the handler: every new connection goes to the
  // other loop and is answered at once. Placed on the held loop, it would wait
  // (handshake included, over TLS) until the handler returns.
  std::mutex mu;  // guards entered, open
  std::condition_variable cv;
  bool entered = false;
  bool open = false;
  ServerOptions options;
  options.event_loops = 2;
  PlainServer server(options, [&](const HttpRequestView& request) {
    if (request.path == "/hold") {
      std::unique_lock<std::mutex> lock(mu);
      entered = true;
      cv.notify_all();
      cv.wait(lock, [&] { return open; });
    }
    return TextResponse(200, std::string(request.path));
  });
  RawClient held(server.port());
  held.Send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return entered; }));
  }
  struct OpenAtExit {  // the server's Stop() waits for the held request
    std::mutex& mu;
    std::condition_variable& cv;
    bool& open;
    ~OpenAtExit() {
      std::lock_guard<std::mutex> lock(mu);
      open = true;
      cv.notify_all();
    }
  } open_at_exit{mu, cv, open};

  for (int i = 0; i < 8; ++i) {
    RawClient client(server.port());
    client.Send("GET /now HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(client.ReadResponse().find("/now"), std::string::npos)
        << "connection " << i << " waited behind the held handler";
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  EXPECT_NE(held.ReadResponse().find("/hold"), std::string::npos);
}

TEST(HttpServerTest, HandlerExceptionBecomes500) {
  PlainServer server(
      {}, [](const HttpRequestView&) -> HttpResponse { throw std::runtime_error("boom"); });
  RawClient client(server.port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().rfind("HTTP/1.1 500 ", 0), 0u);
}

TEST(HttpServerTest, StopBeforeRunReturnsAtOnceAndBindErrorsNameTheAddress) {
  HttpServer server("agent endpoint", {}, nullptr, Echo);
  ServerOptions taken;
  taken.host = "127.0.0.1";
  taken.port = 0;
  HttpServer first("first", taken, nullptr, Echo);
  ASSERT_TRUE(first.Bind().ok());
  ServerOptions same = taken;
  same.port = first.port();
  HttpServer second("agent endpoint", same, nullptr, Echo);
  const Status s = second.Bind();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("agent endpoint"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos);
  first.Stop();
  first.Run();  // returns at once: stopped before it started
}

}  // namespace
}  // namespace memsecret::http
