// AgentEndpoint over a real loopback socket: the token file is written
// (0444) before it serves, a client with the token gets the cached secret,
// the listener is bound to 127.0.0.1 only, oversized requests are refused by
// the HTTP layer, and nothing logged carries the value or the token.
#include "injector/agent/agent_endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "injector/agent/agent_request.h"
#include "injector/agent/agent_token.h"
#include "testing/temp_dir.h"

namespace memsecret::injector::agent {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AgentEndpointTest, ServesTheCacheOnLoopbackWithTheTokenFromTheFile) {
  memsecret::testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  AgentSecretCache cache({ParseSecretRef("aws:app/db").value()});
  FetchedSecret f;
  f.value = SecretValue("TOP-SECRET-VALUE");
  f.version = "ver-1";
  f.aws = AwsSecretMetadata{
      "arn:aws:secretsmanager:us-east-1:1:secret:app/db-x", "app/db", {"AWSCURRENT"}, false};
  cache.Store(ParseSecretRef("aws:app/db").value(), {}, f);

  auto endpoint = AgentEndpoint::Start(0, writer, cache);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  const std::string token_path = dir.path() + "/.agent-token";
  struct stat st {};
  ASSERT_EQ(::stat(token_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
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

TEST(AgentEndpointTest, ATakenPortIsAnErrorNamingTheAddress) {
  memsecret::testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  AgentSecretCache cache({});
  auto first = AgentEndpoint::Start(0, writer, cache);
  ASSERT_TRUE(first.ok());
  auto second = AgentEndpoint::Start((*first)->port(), writer, cache);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("127.0.0.1"), std::string::npos)
      << second.status().message();
}

TEST(AgentEndpointTest, AMissingMountIsAnErrorNamingTheTokenFile) {
  AtomicFileWriter writer("/nonexistent/memsecret");
  AgentSecretCache cache({});
  auto e = AgentEndpoint::Start(0, writer, cache);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(".agent-token"), std::string::npos) << e.status().message();
}

}  // namespace
}  // namespace memsecret::injector::agent
