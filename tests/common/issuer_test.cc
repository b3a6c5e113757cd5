// Genesys Cloud region spellings: every form a credential's domain/region field
// or an issuer value may use names one host; anything else is unknown.
#include "memsecret/issuer.h"

#include <gtest/gtest.h>

namespace memsecret {
namespace {

TEST(GenesysHost, AllFormsOfOneRegion) {
  struct Case {
    const char* input;
    std::optional<std::string> host;
  };
  const Case cases[] = {
      {"mypurecloud.com", "mypurecloud.com"},
      {"login.mypurecloud.com", "mypurecloud.com"},
      {"api.mypurecloud.com", "mypurecloud.com"},
      {"https://login.mypurecloud.com", "mypurecloud.com"},
      {"https://login.mypurecloud.com/", "mypurecloud.com"},
      {"HTTPS://API.MyPureCloud.ie", "mypurecloud.ie"},
      {"us_east_1", "mypurecloud.com"},
      {"eu-west-1", "mypurecloud.ie"},
      {"http://login.mypurecloud.com", std::nullopt},  // never plain http
      {"https://login.mypurecloud.com/oauth", std::nullopt},
      {"https://evil.example.com", std::nullopt},
      {"mypurecloud.com.evil.example", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(GenesysHost(c.input), c.host);
  }
}

TEST(ParseIssuer, GenesysUrlForm) {
  auto r = ParseIssuer("genesys:https://login.mypurecloud.de");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, IssuerKind::kGenesys);
  EXPECT_EQ(r->host, "mypurecloud.de");
}

// The plan carries the parsed issuer and writes its canonical text: parsing
// that text gives the same issuer back, and a region id is written as its host.
TEST(ParseIssuer, CanonicalTextRoundTrips) {
  const std::pair<const char*, const char*> cases[] = {
      {"genesys", "genesys"},
      {"genesys:eu_west_1", "genesys:mypurecloud.ie"},
      {"genesys:https://login.mypurecloud.de", "genesys:mypurecloud.de"},
      {"cxone", "cxone"},
      {"cxone:eu1", "cxone:eu1"},
      {"https://idp.example/oauth2/token", "https://idp.example/oauth2/token"},
  };
  for (const auto& [text, canonical] : cases) {
    SCOPED_TRACE(text);
    auto r = ParseIssuer(text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->ToString(), canonical);
    auto again = ParseIssuer(r->ToString());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *r);
  }
}

}  // namespace
}  // namespace memsecret
