// The real HttpClient against loopback httplib servers: status/headers/body
// (plain and chunked) pass through, redirects are not followed, plain http
// only to loopback, header injection is refused, oversized bodies and dead
// ports are clean errors, TLS trust is enforced, TLS contexts are built on
// first use and shared.
#include "injector/base/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "memsecret/url.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret {
namespace {

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.url = std::move(url);
  return r;
}

class LoopbackServer {
 public:
  explicit LoopbackServer(
      std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : server_(std::move(server)) {}
  httplib::Server& server() { return *server_; }
  int Start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return port_;
  }
  ~LoopbackServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST(UrlTest, ParsesAndRejects) {
  auto u = ParseUrl("HTTPS://Secretsmanager.EU-west-1.amazonaws.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "secretsmanager.eu-west-1.amazonaws.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->HostHeader(), "secretsmanager.eu-west-1.amazonaws.com");
  auto v = ParseUrl("http://[::1]:8080/v1/credentials?x=1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->HostHeader(), "[::1]:8080");
  EXPECT_EQ(v->target, "/v1/credentials?x=1");
  for (const char* bad : {"ftp://x", "x.example.com", "https://user:pw@x", "https://x:0",
                          "https://x:99999", "https://x#frag", "https://", "https://x y"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("127.example.com"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST(HttpClientTest, SendsMethodHeadersBodyAndReturnsResponse) {
  LoopbackServer srv;
  srv.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 418;
    res.set_header("X-Seen-Target", req.get_header_value("X-Amz-Target"));
    res.set_header("X-Seen-Host", req.get_header_value("Host"));
    res.set_content("got:" + req.body, "text/plain");
  });
  int port = srv.Start();
  auto client = MakeHttpClient();
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/echo";
  req.headers = {{"X-Amz-Target", "secretsmanager.GetSecretValue"},
                 {"Content-Type", "application/json"}};
  req.body = "{\"a\":1}";
  auto r = client->Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->body, "got:{\"a\":1}");
  EXPECT_EQ(r->Header("x-seen-target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(r->Header("X-SEEN-HOST"), "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(r->Header("absent"), std::nullopt);
}

TEST(HttpClientTest, DoesNotFollowRedirects) {
  LoopbackServer srv;
  bool followed = false;
  srv.server().Get(
      "/a", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/b", 302); });
  srv.server().Get("/b", [&](const httplib::Request&, httplib::Response& res) { followed = true; });
  int port = srv.Start();
  auto r = MakeHttpClient()->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/a"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
  EXPECT_FALSE(followed);
}

TEST(HttpClientTest, RefusesPlainHttpToRemoteHosts) {
  auto r = MakeHttpClient()->Send(Get("http://secretsmanager.us-east-1.amazonaws.com/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(HttpClientTest, OversizedBodyIsAnError) {
  LoopbackServer srv;
  srv.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(5 * 1024 * 1024, 'x'), "text/plain");
  });
  int port = srv.Start();
  auto r = MakeHttpClient()->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/big"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().retryable());
}

TEST(HttpClientTest, ClosedPortIsUnavailableNamingTheHost) {
  // Bind an ephemeral port, then close it: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  auto r = MakeHttpClient()->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().retryable());
  EXPECT_NE(r.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST(HttpClientTest, ReadsChunkedBodies) {
  LoopbackServer srv;
  srv.server().Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset < 3 * 5000) {
        std::string part(5000, static_cast<char>('a' + offset / 5000));
        sink.write(part.data(), part.size());
      } else {
        sink.done();
      }
      return true;
    });
  });
  int port = srv.Start();
  auto r = MakeHttpClient()->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/chunked"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, std::string(5000, 'a') + std::string(5000, 'b') + std::string(5000, 'c'));
}

TEST(HttpClientTest, RefusesHeaderValuesWithLineBreaks) {
  HttpRequest req = Get("http://127.0.0.1:1/");
  req.headers = {{"X-Injected", "a\r\nX-Other: b"}};
  auto r = MakeHttpClient()->Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(HttpClientTest, PlainHttpBuildsNoTlsContext) {
  LoopbackServer srv;
  srv.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  int port = srv.Start();
  const size_t before = TlsContextCount();
  auto r = MakeHttpClient()->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(TlsContextCount(), before);
}

TEST(HttpClientTest, SlowServerTimesOut) {
  LoopbackServer srv;
  srv.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  });
  int port = srv.Start();
  HttpRequest req = Get("http://127.0.0.1:" + std::to_string(port) + "/slow");
  req.timeout = std::chrono::milliseconds(100);
  auto r = MakeHttpClient()->Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().retryable());
}

// HTTPS with a throwaway self-signed certificate for 127.0.0.1.
class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path() + "/cert.pem";
    key_ = dir_.path() + "/key.pem";
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    srv_ = std::make_unique<LoopbackServer>(
        std::make_unique<httplib::SSLServer>(cert_.c_str(), key_.c_str()));
    srv_->server().Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    port_ = srv_->Start();
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  TempDir dir_;
  std::string cert_, key_;
  std::unique_ptr<LoopbackServer> srv_;
  int port_ = 0;
};

TEST_F(HttpsTest, UntrustedCertificateIsRejected) {
  auto r = MakeHttpClient()->Send(Get(Url()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status().message();
}

TEST_F(HttpsTest, ExplicitCaFileIsTrusted) {
  auto r = MakeHttpClient(TlsOptions{cert_, "", false})->Send(Get(Url()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "ok");
}

TEST_F(HttpsTest, HashedCaDirectoryIsTrustedAlongsideAnUnrelatedCaFile) {
  std::string ca_dir = dir_.path() + "/ca";
  std::string other = dir_.path() + "/other.pem";
  std::string cmd =
      "mkdir " + ca_dir + " && cp " + cert_ + " " + ca_dir + "/server.pem && openssl rehash " +
      ca_dir + " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other -keyout " +
      dir_.path() + "/other.key -out " + other + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto dir_only = MakeHttpClient(TlsOptions{"", ca_dir, false})->Send(Get(Url()));
  ASSERT_TRUE(dir_only.ok()) << dir_only.status().ToString();
  auto file_only = MakeHttpClient(TlsOptions{other, "", false})->Send(Get(Url()));
  EXPECT_FALSE(file_only.ok());  // the unrelated CA alone does not vouch for the server
  auto both = MakeHttpClient(TlsOptions{other, ca_dir, false})->Send(Get(Url()));
  ASSERT_TRUE(both.ok()) << both.status().ToString();
}

TEST_F(HttpsTest, OneTlsContextPerTrustIsBuiltOnFirstUseAndShared) {
  const TlsOptions trust{cert_, "", false};
  auto first = MakeHttpClient(trust);
  auto second = MakeHttpClient(trust);
  const size_t before = TlsContextCount();  // creating clients builds nothing
  for (int i = 0; i < 3; ++i) {
    auto a = first->Send(Get(Url()));
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    auto b = second->Send(Get(Url()));
    ASSERT_TRUE(b.ok()) << b.status().ToString();
  }
  EXPECT_EQ(TlsContextCount(), before + 1);
}

TEST_F(HttpsTest, SslCertFileEnvironmentIsHonoured) {
  ::setenv("SSL_CERT_FILE", cert_.c_str(), 1);
  auto r = MakeHttpClient()->Send(Get(Url()));
  ::unsetenv("SSL_CERT_FILE");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

}  // namespace
}  // namespace memsecret
