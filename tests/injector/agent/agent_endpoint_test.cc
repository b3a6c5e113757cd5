// AgentEndpoint over a real loopback socket: the token file is written
// (with the most restrictive mode of the pod's files) before it serves, a
// client with the token gets the cached secret, the listener is bound to
// 127.0.0.1 only, oversized requests are refused by the HTTP layer, and 64
// silent clients cannot lock a real one out.
#include "injector/agent/agent_endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "injector/agent/agent_request.h"
#include "injector/agent/agent_token.h"
#include "memsecret/plan/backends.h"
#include "testing/temp_dir.h"
#include "tests/injector/agent/fake_secrets_store.h"

namespace memsecret::injector::agent {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A cache over a fake store, as the session wires it.
struct Backing {
  FakeClock clock;
  FakeSecretsStore store;
  AgentSecretCache cache{{ParseSecretRef("aws:app/db").value()}, &clock, std::chrono::seconds(300)};
  OnDemandFetch fetch{&store, &clock};
};

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

InjectionPlan PlanWithModes(std::vector<uint32_t> modes) {
  InjectionPlan plan;
  for (uint32_t mode : modes) {
    PlannedFile f;
    f.name = "f" + std::to_string(plan.files.size());
    f.mode = mode;
    plan.files.push_back(f);
  }
  return plan;
}

TEST(AgentTokenModeTest, TheReadBitsEveryDeclaredFileGrants) {
  struct Case {
    std::vector<uint32_t> modes;
    uint32_t want;
  } cases[] = {
      {{}, 0400},           {{0400}, 0400},       {{0400, 0444}, 0400},
      {{0440, 0440}, 0440}, {{0444}, 0444},       {{0640, 0444}, 0440},  // write bits never
      {{0440, 0404}, 0400}, {{0040, 0004}, 0000},
  };
  for (const Case& c : cases) EXPECT_EQ(AgentTokenMode(PlanWithModes(c.modes)), c.want);
}

TEST(AgentEndpointTest, ServesTheCacheOnLoopbackWithTheTokenFromTheFile) {
  memsecret::testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  Backing b;
  AgentSecretCache& cache = b.cache;
  FetchedSecret f;
  f.value = SecretValue("TOP-SECRET-VALUE");
  f.version = "ver-1";
  f.metadata = SecretMetadata{
      "arn:aws:secretsmanager:us-east-1:1:secret:app/db-x", "app/db", {"AWSCURRENT"}, false};
  cache.Store(ParseSecretRef("aws:app/db").value(), {}, f);

  // A secret file beside it, as the secret jobs write them.
  ASSERT_TRUE(writer.Write("db", SecretValue("x"), 0400).ok());
  auto endpoint = AgentEndpoint::Start(0, writer, 0400, cache, b.fetch);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  const std::string token_path = dir.path() + "/.agent-token";
  struct stat st {
  }, secret_st{};
  ASSERT_EQ(::stat(token_path.c_str(), &st), 0);
  ASSERT_EQ(::stat((dir.path() + "/db").c_str(), &secret_st), 0);
  // Not world-readable: the owner and mode of the secret files.
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  EXPECT_EQ(st.st_uid, secret_st.st_uid);
  EXPECT_EQ(st.st_gid, secret_st.st_gid);
  const std::string token = ReadFile(token_path);
  ASSERT_EQ(token.size(), kAgentTokenHexChars);

  httplib::Client client("127.0.0.1", (*endpoint)->port());
  auto ok = client.Get("/secretsmanager/get?secretId=app/db", {{kAgentTokenHeader, token}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("\"SecretString\":\"TOP-SECRET-VALUE\""), std::string::npos);
  auto wrong = client.Get("/secretsmanager/get?secretId=app/db",
                          {{kAgentTokenHeader, std::string(kAgentTokenHexChars, '0')}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  // Headers beyond the listener's small limit never reach the handler.
  auto big = client.Get("/secretsmanager/get?secretId=app/db",
                        {{kAgentTokenHeader, token}, {"X-Pad", std::string(8000, 'a')}});
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);

  // Bound to 127.0.0.1 only: the same port on another loopback address
  // (127.0.0.2 reaches this host too) finds no listener.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>((*endpoint)->port()));
  addr.sin_addr.s_addr = htonl(0x7f000002);
  EXPECT_NE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);

  (*endpoint)->Stop();
  endpoint->reset();  // joins the server thread
}

// 64 clients that connect and send nothing (the connection limit), opened
// again after every request: a real request is still answered at once (the
// old listener kept silent connections 5 s and refused everyone else
// meanwhile), and a silent connection is cut at the first-byte deadline,
// before the keep-alive one.
TEST(AgentEndpointTest, SilentClientsDoNotBlockARealRequest) {
  memsecret::testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  Backing b;
  b.store.Put("app/db", {{"ver-1", "VALUE", {"AWSCURRENT"}}});
  auto endpoint = AgentEndpoint::Start(0, writer, 0400, b.cache, b.fetch);
  ASSERT_TRUE(endpoint.ok());
  const int port = (*endpoint)->port();
  const std::string token = ReadFile(dir.path() + "/.agent-token");
  std::vector<int> silent;
  for (int i = 0; i < 64; ++i) silent.push_back(ConnectLoopback(port));
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(std::chrono::seconds(30));
    auto r = client.Get("/secretsmanager/get?secretId=app/db", {{kAgentTokenHeader, token}});
    ASSERT_TRUE(r) << "round " << round;
    EXPECT_EQ(r->status, 200);
    // Bound against the old behaviour (silent connections held 5 s), not a quiet machine.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
        << "round " << round;
    // The attacker reopens: replace the silent connections.
    for (int& fd : silent) {
      ::close(fd);
      fd = ConnectLoopback(port);
    }
  }
  for (int fd : silent) ::close(fd);
  // Silent connections are also cut after the first-byte deadline.
  const int fd = ConnectLoopback(port);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);
  const auto silent_for = std::chrono::steady_clock::now() - start;
  EXPECT_GE(silent_for, kAgentFirstByteTimeout - std::chrono::milliseconds(50))
      << "cut by its own deadline, not refused";
  EXPECT_LT(silent_for, AgentServerOptions(0).keep_alive_timeout);
  ::close(fd);
}

TEST(AgentEndpointTest, ATakenPortIsAnErrorNamingTheAddress) {
  memsecret::testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  Backing b;
  auto first = AgentEndpoint::Start(0, writer, 0400, b.cache, b.fetch);
  ASSERT_TRUE(first.ok());
  auto second = AgentEndpoint::Start((*first)->port(), writer, 0400, b.cache, b.fetch);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("127.0.0.1"), std::string::npos)
      << second.status().message();
}

TEST(AgentEndpointTest, AMissingMountIsAnErrorNamingTheTokenFile) {
  AtomicFileWriter writer("/nonexistent/memsecret");
  Backing b;
  auto e = AgentEndpoint::Start(0, writer, 0400, b.cache, b.fetch);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(".agent-token"), std::string::npos) << e.status().message();
}

}  // namespace
}  // namespace memsecret::injector::agent
