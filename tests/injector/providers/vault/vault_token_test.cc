// Token lifecycle against the Vault fake with a fake clock (the fake's
// virtual clock moves with it, and it enforces expiry and max TTL): renewal
// before expiry, re-login when renewal stops extending the lease or the token
// is not renewable, and recovery after a sealed period. No sleeps.
#include <gtest/gtest.h>

#include "testing/vault_fixture.h"

namespace memsecret::injector::vault {
namespace {

using nlohmann::json;

class VaultTokenTest : public VaultFixture {
 protected:
  FetchResult Read(SecretProvider& p) {
    return p.Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  }
};

TEST_F(VaultTokenTest, RenewsBeforeExpiryAndNeverLogsInAgain) {
  Role({{"ttl", 600}, {"max_ttl", 0}, {"renewable", true}});
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  Advance(300);  // before the refresh point (2/3 of 600 s)
  ASSERT_TRUE(Read(*p).ok());
  EXPECT_EQ(fake_.Stats()["renew"], 0);
  for (int i = 1; i <= 10; ++i) {
    Advance(i == 1 ? 150 : 450);  // 450 s into each lease: past 2/3, before its end
    auto r = Read(*p);
    ASSERT_TRUE(r.ok()) << i << ": " << r.status.ToString();
    EXPECT_EQ(fake_.Stats()["renew"], i);
    const auto& lease = Tokens(*p).lease();
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->Expiry(), clock_.Now() + std::chrono::seconds(600));
    EXPECT_FALSE(lease->capped);
  }
  json stats = fake_.Stats();
  EXPECT_EQ(stats["login"], 1);
  EXPECT_EQ(stats["denied"], 0);  // never used an expired token
  ExpectLogsClean();
}

TEST_F(VaultTokenTest, LogsInAgainWhenRenewalStopsExtendingTheLease) {
  Role({{"ttl", 600}, {"max_ttl", 1000}});
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  Advance(450);
  ASSERT_TRUE(Read(*p).ok());  // renewed, but max TTL caps it at t=1000 (550 s)
  EXPECT_EQ(fake_.Stats()["renew"], 1);
  ASSERT_TRUE(Tokens(*p).lease()->capped);
  EXPECT_NE(logs_.text().find("no longer extends"), std::string::npos);
  Advance(300);  // t=750: before 450 + 2/3*550
  ASSERT_TRUE(Read(*p).ok());
  EXPECT_EQ(fake_.Stats()["login"], 1);
  Advance(100);  // t=850: refresh point of the capped lease -> login, not renew
  ASSERT_TRUE(Read(*p).ok());
  json stats = fake_.Stats();
  EXPECT_EQ(stats["renew"], 1);
  EXPECT_EQ(stats["login"], 2);
  EXPECT_FALSE(Tokens(*p).lease()->capped);
  EXPECT_EQ(stats["denied"], 0);
}

TEST_F(VaultTokenTest, NonRenewableTokenLogsInAgainAtTheRefreshPoint) {
  Role({{"ttl", 600}, {"renewable", false}});
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  Advance(410);
  ASSERT_TRUE(Read(*p).ok());
  json stats = fake_.Stats();
  EXPECT_EQ(stats["renew"], 0);
  EXPECT_EQ(stats["login"], 2);
}

TEST_F(VaultTokenTest, RevokedTokenAtRenewalLogsInAgain) {
  Role({{"ttl", 600}});
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  fake_.Control({{"op", "revoke_all"}});
  Advance(450);
  auto r = Read(*p);
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  json stats = fake_.Stats();
  EXPECT_EQ(stats["denied"], 1);  // renew-self refused with 403
  EXPECT_EQ(stats["login"], 2);
  EXPECT_EQ(stats["read"], 2);  // no read with the revoked token
}

TEST_F(VaultTokenTest, RecoversAfterASealedPeriod) {
  Role({{"ttl", 600}});
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  fake_.Control({{"op", "seal"}});
  Advance(450);  // renewal due while sealed
  auto during = Read(*p);
  ASSERT_FALSE(during.ok());
  EXPECT_TRUE(during.status.retryable()) << during.status.ToString();
  EXPECT_TRUE(Tokens(*p).lease().has_value());  // still valid: kept
  Advance(200);                                 // the token has now expired
  auto expired = Read(*p);
  ASSERT_FALSE(expired.ok());
  EXPECT_TRUE(expired.status.retryable());
  EXPECT_NE(expired.status.message().find("Vault is sealed"), std::string::npos)
      << expired.status.message();
  EXPECT_FALSE(Tokens(*p).lease().has_value());
  fake_.Control({{"op", "unseal"}});
  auto after = Read(*p);
  ASSERT_TRUE(after.ok()) << after.status.ToString();
  EXPECT_EQ(fake_.Stats()["login_ok"], 2);
  ExpectLogsClean();
}

TEST_F(VaultTokenTest, SealedOnlyDuringRenewalKeepsTheCurrentTokenForReads) {
  Role({{"ttl", 600}});
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  fake_.Control(
      {{"op", "fail"}, {"target", "renew"}, {"status", 503}, {"errors", {"Vault is sealed"}}});
  fake_.Control(
      {{"op", "fail"}, {"target", "login"}, {"status", 503}, {"errors", {"Vault is sealed"}}});
  Advance(450);
  auto r = Read(*p);  // renewal and login fail; the still-valid token reads
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(fake_.Stats()["login_ok"], 1);
  Advance(10);
  ASSERT_TRUE(Read(*p).ok());  // next call renews successfully
  EXPECT_EQ(fake_.Stats()["renew"], 2);
  EXPECT_FALSE(Tokens(*p).lease()->capped);
}

TEST_F(VaultTokenTest, RenewableStaticTokenIsRenewedAfterLookupSelf) {
  fake_.Control({{"op", "token"}, {"token", kStaticToken}, {"ttl", 900}, {"renewable", true}});
  settings_.role.clear();
  env_.Set("VAULT_TOKEN", kStaticToken);
  auto p = Provider();
  ASSERT_TRUE(Read(*p).ok());
  EXPECT_EQ(Tokens(*p).lease()->duration, std::chrono::seconds(900));
  Advance(700);
  ASSERT_TRUE(Read(*p).ok());
  json stats = fake_.Stats();
  EXPECT_EQ(stats["lookup"], 1);
  EXPECT_EQ(stats["renew"], 1);
  ExpectLogsClean();
}

}  // namespace
}  // namespace memsecret::injector::vault
