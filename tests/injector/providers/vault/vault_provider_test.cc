// VaultProvider against the loopback Vault fake: KV v2/v1 reads, versions,
// multi-segment mounts, soft delete and destroy, namespaces, Kubernetes and
// token auth, the 403 re-login rule, error bodies and retryability — and no
// JWT, token or value in any error or log line.
#include <gtest/gtest.h>

#include "testing/vault_fixture.h"

namespace memsecret::injector::vault {
namespace {

using nlohmann::json;

class VaultProviderTest : public VaultFixture {};

TEST_F(VaultProviderTest, ReadsKvV2LatestAsJsonWithVersion) {
  auto p = Provider();
  auto r = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  auto value = json::parse(r.secret->value.Reveal());
  EXPECT_EQ(value["clientId"], "cx");
  EXPECT_EQ(value["clientSecret"], std::string(kSecretWord) + "-1");
  EXPECT_EQ(r.secret->version, "1");
  json stats = fake_.Stats();
  EXPECT_EQ(stats["last_read"], "secret/data/genesys/production/cx-pipeline");
  EXPECT_EQ(stats["login_ok"], 1);
  EXPECT_EQ(stats["missing_request_header"], 0);
  ExpectLogsClean();
}

TEST_F(VaultProviderTest, VersionsFromQueryAndOptions) {
  Put("secret", "genesys/production/cx-pipeline", {{"clientSecret", "second"}});
  auto p = Provider();
  auto latest = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest.secret->version, "2");
  auto v1 = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline?version=1"));
  ASSERT_TRUE(v1.ok()) << v1.status.ToString();
  EXPECT_EQ(v1.secret->version, "1");
  EXPECT_EQ(fake_.Stats()["last_read"], "secret/data/genesys/production/cx-pipeline?version=1");
  auto by_option = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline?version=1"),
                            FetchOptions{std::nullopt, "2"});
  ASSERT_TRUE(by_option.ok());
  EXPECT_EQ(json::parse(by_option.secret->value.Reveal())["clientSecret"], "second");
  auto stage = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"),
                        FetchOptions{"AWSPENDING", std::nullopt});
  EXPECT_EQ(stage.status.code(), Code::kInvalidArgument);
  auto missing = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline?version=9"));
  EXPECT_EQ(missing.status.code(), Code::kNotFound) << missing.status.ToString();
}

TEST_F(VaultProviderTest, KvV1AndMultiSegmentMount) {
  Put("kv", "app/db", {{"password", std::string(kSecretWord) + "-v1"}});
  Put("team-a/kv", "app/db", {{"password", std::string(kSecretWord) + "-team"}});
  auto p = Provider();
  auto v1 = p->Fetch(Ref("vault:kv/app/db?kv=1"));
  ASSERT_TRUE(v1.ok()) << v1.status.ToString();
  EXPECT_EQ(json::parse(v1.secret->value.Reveal())["password"], std::string(kSecretWord) + "-v1");
  EXPECT_EQ(v1.secret->version, "");
  EXPECT_EQ(fake_.Stats()["last_read"], "kv/app/db");

  auto team = p->Fetch(Ref("vault:team-a/kv/app/db?mount=team-a/kv"));
  ASSERT_TRUE(team.ok()) << team.status.ToString();
  EXPECT_EQ(json::parse(team.secret->value.Reveal())["password"],
            std::string(kSecretWord) + "-team");
  EXPECT_EQ(fake_.Stats()["last_read"], "team-a/kv/data/app/db");

  // Without mount=, the first segment is the mount: team-a/data/kv/app/db.
  auto wrong = p->Fetch(Ref("vault:team-a/kv/app/db"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status.message().find("team-a/kv/app/db (kv v2)"), std::string::npos);
}

// KV v2 metadata.created_time is RFC 3339 with nanoseconds; KV v1 has no
// metadata; a malformed time is "unknown", never a failed read.
TEST_F(VaultProviderTest, VersionCreationTimeFromMetadata) {
  auto p = Provider();
  auto fresh = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_TRUE(fresh.ok()) << fresh.status.ToString();
  ASSERT_TRUE(fresh.secret->created.has_value());
  EXPECT_EQ(fresh.secret->created->time_since_epoch(), std::chrono::seconds(1'700'000'000));

  Put("secret", "app/nanos", {{"k", "v"}});
  fake_.Control({{"op", "kv_put"},
                 {"mount", "secret"},
                 {"path", "app/nanos"},
                 {"data", {{"k", "v2"}}},
                 {"created", "2018-03-22T02:24:06.945319214Z"}});
  auto nanos = p->Fetch(Ref("vault:secret/app/nanos"));
  ASSERT_TRUE(nanos.ok()) << nanos.status.ToString();
  ASSERT_TRUE(nanos.secret->created.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(
                nanos.secret->created->time_since_epoch())
                .count(),
            1521685446945);

  for (json bad : {json("last tuesday"), json(""), json(12345), json(nullptr),
                   json("2018-03-22T02:24:06+02:00")}) {
    SCOPED_TRACE(bad.dump());
    fake_.Control({{"op", "kv_put"},
                   {"mount", "secret"},
                   {"path", "app/bad"},
                   {"data", {{"k", "v"}}},
                   {"created", bad}});
    auto r = p->Fetch(Ref("vault:secret/app/bad"));
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    EXPECT_FALSE(r.secret->created.has_value());
  }

  Put("kv", "app/v1", {{"k", "v"}});
  auto v1 = p->Fetch(Ref("vault:kv/app/v1?kv=1"));
  ASSERT_TRUE(v1.ok()) << v1.status.ToString();
  EXPECT_FALSE(v1.secret->created.has_value());
  ExpectLogsClean();
}

TEST_F(VaultProviderTest, KvV2MountReadAsV1SurfacesVaultsWarning) {
  auto r = Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline?kv=1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kNotFound);
  EXPECT_NE(r.status.message().find("Invalid path for a versioned K/V"), std::string::npos)
      << r.status.message();
}

TEST_F(VaultProviderTest, SoftDeletedAndDestroyedVersionsAreClearErrors) {
  Put("secret", "genesys/production/cx-pipeline", {{"clientSecret", "v2"}});
  Put("secret", "genesys/production/cx-pipeline", {{"clientSecret", "v3"}});
  fake_.Control({{"op", "kv_delete"},
                 {"mount", "secret"},
                 {"path", "genesys/production/cx-pipeline"},
                 {"versions", {3}}});
  fake_.Control({{"op", "kv_destroy"},
                 {"mount", "secret"},
                 {"path", "genesys/production/cx-pipeline"},
                 {"versions", {1}}});
  auto p = Provider();
  auto latest = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status.code(), Code::kFailedPrecondition);
  EXPECT_FALSE(latest.status.retryable());
  EXPECT_NE(latest.status.message().find("version 3 is deleted (at 2023-"), std::string::npos)
      << latest.status.message();
  auto destroyed = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline?version=1"));
  ASSERT_FALSE(destroyed.ok());
  EXPECT_EQ(destroyed.status.code(), Code::kFailedPrecondition);
  EXPECT_NE(destroyed.status.message().find("version 1 is destroyed"), std::string::npos);
  auto two = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline?version=2"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(fake_.Stats()["login"], 1);  // 404s never trigger a re-login
}

TEST_F(VaultProviderTest, NeverWrittenPathIsNotFound) {
  auto r = Provider()->Fetch(Ref("vault:secret/genesys/production/nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kNotFound);
  EXPECT_NE(r.status.message().find("vault read secret/genesys/production/nope (kv v2): HTTP 404"),
            std::string::npos)
      << r.status.message();
}

TEST_F(VaultProviderTest, NamespaceHeaderOnLoginAndReads) {
  fake_.Control({{"op", "namespace"}, {"name", "genesys/cx"}});
  fake_.Control({{"op", "mount"}, {"namespace", "genesys/cx"}, {"path", "secret"}});
  Put("secret", "app", {{"k", std::string(kSecretWord) + "-ns"}}, "genesys/cx");
  Role({}, "genesys/cx");
  // Without the namespace the root's secret/app does not exist.
  auto root = Provider()->Fetch(Ref("vault:secret/app"));
  EXPECT_EQ(root.status.code(), Code::kNotFound);

  settings_.vault_namespace = "/genesys/cx/";
  auto r = Provider()->Fetch(Ref("vault:secret/app"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(json::parse(r.secret->value.Reveal())["k"], std::string(kSecretWord) + "-ns");
  EXPECT_EQ(fake_.Stats()["namespace_headers"].back(), "genesys/cx/");

  settings_.vault_namespace.clear();
  env_.Set("VAULT_NAMESPACE", "genesys/cx");  // used when the plan leaves it empty
  EXPECT_TRUE(Provider()->Fetch(Ref("vault:secret/app")).ok());
}

TEST_F(VaultProviderTest, ForbiddenReadLogsInAgainOnceThenIsFinal) {
  auto p = Provider();
  ASSERT_TRUE(p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline")).ok());
  fake_.Control({{"op", "revoke_all"}});  // e.g. the token was revoked
  auto again = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_TRUE(again.ok()) << again.status.ToString();
  EXPECT_EQ(fake_.Stats()["login_ok"], 2);

  Role({{"paths", {"secret/data/genesys/production/other"}}});  // policy no longer allows it
  fake_.Control({{"op", "revoke_all"}});
  auto denied = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status.code(), Code::kPermissionDenied);
  EXPECT_FALSE(denied.status.retryable());
  EXPECT_NE(denied.status.message().find("permission denied"), std::string::npos);
  EXPECT_EQ(fake_.Stats()["login_ok"], 3);  // one re-login per 403, never more
  ExpectClean(denied.status.message());
  ExpectLogsClean();
}

TEST_F(VaultProviderTest, TokenFileIsReReadAtEachLogin) {
  auto p = Provider();
  ASSERT_TRUE(p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline")).ok());
  Role({{"jwt", kJwt2}});  // the kubelet rotated the projected token
  WriteFile("jwt", kJwt2);
  fake_.Control({{"op", "revoke_all"}});
  auto r = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(fake_.Stats()["login_jwt_mismatch"], 0);
}

TEST_F(VaultProviderTest, LoginRejections) {
  WriteFile("jwt", kJwt2);  // not the JWT Vault expects
  auto r = Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kPermissionDenied);
  EXPECT_NE(r.status.message().find("vault login with kubernetes auth (role cx-pipeline"),
            std::string::npos)
      << r.status.message();
  EXPECT_EQ(fake_.Stats()["login_jwt_mismatch"], 1);
  ExpectClean(r.status.message());

  settings_.role = "no-such-role";
  auto bad_role = Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  EXPECT_EQ(bad_role.status.code(), Code::kInvalidArgument);
  EXPECT_NE(bad_role.status.message().find("invalid role name \"no-such-role\""), std::string::npos)
      << bad_role.status.message();

  settings_.role = "cx-pipeline";
  settings_.token_file = dir_.path() + "/missing";
  auto no_file = Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  EXPECT_EQ(no_file.status.code(), Code::kNotFound);
  EXPECT_NE(no_file.status.message().find("service account token"), std::string::npos);
  ExpectLogsClean();
}

TEST_F(VaultProviderTest, StaticTokenFromEnvOrFile) {
  fake_.Control({{"op", "token"}, {"token", kStaticToken}, {"ttl", 0}});
  settings_.role.clear();
  env_.Set("VAULT_TOKEN", kStaticToken);
  auto r = Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(fake_.Stats()["lookup"], 1);
  EXPECT_EQ(fake_.Stats()["login"], 0);

  MapEnvironment file_env;
  file_env.Set("VAULT_TOKEN_FILE", WriteFile("vault-token", kStaticToken));
  env_ = file_env;
  EXPECT_TRUE(Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline")).ok());

  WriteFile("vault-token", "hvs.not-a-known-token");
  auto bad = Provider()->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status.code(), Code::kUnauthenticated);
  EXPECT_NE(bad.status.message().find("lookup-self"), std::string::npos) << bad.status.message();
  EXPECT_EQ(bad.status.message().find("not-a-known-token"), std::string::npos);
  ExpectLogsClean();
}

TEST_F(VaultProviderTest, RetryableFailuresCarryVaultsErrors) {
  struct Case {
    int status;
    const char* error;
    Code code;
  } cases[] = {
      {503, "Vault is sealed", Code::kUnavailable},
      {429, "rate limit quota exceeded", Code::kResourceExhausted},
      {500, "internal error", Code::kUnavailable},
      {412, "required index state not present", Code::kUnavailable},
      {400, "invalid request", Code::kInvalidArgument},
  };
  auto p = Provider();
  for (const auto& c : cases) {
    fake_.Control({{"op", "fail"},
                   {"target", "read"},
                   {"status", c.status},
                   {"errors", {c.error}},
                   {"retry_after", 4}});
    auto r = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
    ASSERT_FALSE(r.ok()) << c.status;
    EXPECT_EQ(r.status.code(), c.code) << r.status.ToString();
    EXPECT_NE(r.status.message().find(c.error), std::string::npos) << r.status.message();
    EXPECT_EQ(r.retry_after, std::chrono::seconds(4));
  }
  EXPECT_TRUE(p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline")).ok());
  EXPECT_EQ(fake_.Stats()["login"], 1);
}

TEST_F(VaultProviderTest, SealedVaultIsRetryableAndRecovers) {
  auto p = Provider();
  fake_.Control({{"op", "seal"}});
  auto sealed = p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline"));
  ASSERT_FALSE(sealed.ok());
  EXPECT_TRUE(sealed.status.retryable());
  EXPECT_NE(sealed.status.message().find("Vault is sealed"), std::string::npos);
  fake_.Control({{"op", "unseal"}});
  EXPECT_TRUE(p->Fetch(Ref("vault:secret/genesys/production/cx-pipeline")).ok());
}

}  // namespace
}  // namespace memsecret::injector::vault
