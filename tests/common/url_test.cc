// The one loopback rule (memsecret/url.h): every spelling of a loopback
// address is loopback, nothing that merely looks like one is, and every
// caller that decides "https, or plain http to loopback" gets the same answer.
#include "memsecret/url.h"

#include <gtest/gtest.h>

#include "memsecret/issuer.h"

namespace memsecret {
namespace {

struct HostCase {
  const char* host;
  bool loopback;
};

TEST(LoopbackRule, EveryFormOfLoopbackAndNearMisses) {
  const HostCase cases[] = {
      {"localhost", true},
      {"127.0.0.1", true},
      {"127.0.0.53", true},
      {"127.255.255.254", true},
      {"::1", true},
      {"0:0:0:0:0:0:0:1", true},
      {"0000:0000:0000:0000:0000:0000:0000:0001", true},
      {"0::1", true},
      {"::0:1", true},
      {"::ffff:127.0.0.1", true},
      {"::ffff:7f00:1", true},
      {"127.1", false},  // short form: not accepted as an address
      {"127.0.0.1.example.com", false},
      {"127.0.0.256", false},
      {"128.0.0.1", false},
      {"0.0.0.0", false},
      {"::", false},
      {"::2", false},
      {"::ffff:10.0.0.1", false},
      {"localhost.example.com", false},
      {"example.com", false},
      {"", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.host);
    EXPECT_EQ(IsLoopbackHost(c.host), c.loopback);
  }
}

TEST(LoopbackRule, OutboundUrlsAgreeWithTheHostRule) {
  const std::pair<const char*, bool> cases[] = {
      {"https://vault.example.com:8200", true},
      {"http://127.0.0.1:8200", true},
      {"http://[::1]:8200", true},
      {"http://[0:0:0:0:0:0:0:1]:8200/v1", true},
      {"http://LOCALHOST:8080/token", true},
      {"http://127.1:8080", false},
      {"http://vault.example.com", false},
      {"http://127.0.0.1@evil.example.com/", false},  // userinfo is refused outright
      {"ftp://127.0.0.1/", false},
  };
  for (const auto& [url, ok] : cases) {
    SCOPED_TRACE(url);
    EXPECT_EQ(ParseOutboundUrl(url, "test URL").ok(), ok);
    // Generic issuer URLs follow the same rule (the webhook's annotation check).
    EXPECT_EQ(ParseIssuer(url).ok(), ok);
  }
}

TEST(LoopbackRule, ErrorNamesTheSettingAndTheRule) {
  auto r = ParseOutboundUrl("http://vault.example.com", "vault.addr");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("vault.addr"), std::string::npos);
  EXPECT_NE(r.status().message().find("must be https://"), std::string::npos);
}

}  // namespace
}  // namespace memsecret
