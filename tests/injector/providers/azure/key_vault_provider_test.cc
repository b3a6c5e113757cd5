// KeyVaultProvider against the loopback Entra ID + Key Vault fake: the
// federated exchange (every form field checked by the fake), token caching
// and refresh on a fake clock with the token file re-read, versions, disabled
// and expired secrets, error mapping and Retry-After — and no value, access
// token or assertion in any error or log line.
#include "injector/providers/azure/key_vault_provider.h"

#include <gtest/gtest.h>

#include <fstream>

#include "injector/providers/azure/azure_spec.h"
#include "memsecret/plan/backends.h"
#include "testing/injector_fakes.h"
#include "testing/python_fake_process.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector::azure {
namespace {

using nlohmann::json;

constexpr const char* kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
constexpr const char* kClient = "11111111-2222-3333-4444-555555555555";
constexpr const char* kAssertion = "eyJhbGciOiJSUzI1NiJ9.AZURE-SA-JWT-ONE.sig";
constexpr const char* kAssertion2 = "eyJhbGciOiJSUzI1NiJ9.AZURE-SA-JWT-TWO.sig";
constexpr const char* kValue = "AZURE-TOP-SECRET-client-secret";

class KeyVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Client(kAssertion, 3599);
    version_ = Put("crm-kv", "genesys-client", kValue);
    env_.Set("AZURE_CLIENT_ID", kClient);
    env_.Set("AZURE_TENANT_ID", kTenant);
    env_.Set("AZURE_FEDERATED_TOKEN_FILE", WriteToken(kAssertion));
    env_.Set("AZURE_AUTHORITY_HOST", fake_.url() + "/");
    env_.Set(kKeyVaultEndpointVar, fake_.url() + "/{vault}");
  }

  void Client(const char* assertion, int expires_in) {
    fake_.Control({{"op", "client"},
                   {"tenant", kTenant},
                   {"client_id", kClient},
                   {"assertion", assertion},
                   {"expires_in", expires_in}});
  }
  std::string Put(const std::string& vault, const std::string& name, const std::string& value,
                  json extra = json::object()) {
    json cmd = {{"op", "put"}, {"vault", vault}, {"name", name}, {"value", value}};
    cmd.update(extra);
    return fake_.Control(cmd)["version"];
  }
  std::string WriteToken(const std::string& content) {
    std::string path = dir_.path() + "/azure-identity-token";
    std::ofstream(path) << content;
    return path;
  }
  std::unique_ptr<SecretProvider> Provider(AzureSettings settings = {}) {
    auto p = MakeAzureProvider(settings, env_, *http_, clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }
  void Advance(int seconds) {
    clock_.Advance(std::chrono::seconds(seconds));
    fake_.Control({{"op", "advance"}, {"seconds", seconds}});
  }
  static SecretRef Ref(const std::string& text) {
    auto r = ParseSecretRef(text);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : SecretRef{};
  }
  static void ExpectClean(const std::string& text) {
    for (const char* s : {kAssertion, kAssertion2, kValue, "AZURE-ACCESS-", "AZURE-TOP-SECRET"})
      EXPECT_EQ(text.find(s), std::string::npos) << "leaked " << s << " in: " << text;
  }

  memsecret::testing::PythonFakeProcess fake_{"azure_fake.py"};
  std::unique_ptr<HttpClient> http_ = MakeHttpClient();
  FakeClock clock_;
  MapEnvironment env_;
  TempDir dir_;
  LogCapture logs_;
  std::string version_;
};

TEST_F(KeyVaultTest, FetchesLatestWithVersionIdAndCachesTheToken) {
  auto p = Provider();
  for (int i = 0; i < 3; ++i) {
    auto r = p->Fetch(Ref("azure:crm-kv/genesys-client"));
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    EXPECT_EQ(r.secret->value.Reveal(), kValue);
    EXPECT_EQ(r.secret->version, version_);
  }
  json stats = fake_.Stats();
  EXPECT_EQ(stats["exchanges"], 1);
  EXPECT_EQ(stats["secret_gets"], 3);
  EXPECT_EQ(stats["last_api_version"], "7.4");
  EXPECT_EQ(stats["last_form_keys"], json({"client_assertion", "client_assertion_type", "client_id",
                                           "grant_type", "scope"}));
  EXPECT_EQ(stats["double_slash"], 0);
  ExpectClean(logs_.text());
}

// attributes.created is epoch seconds; a missing or malformed one is
// "unknown", never a failed read.
TEST_F(KeyVaultTest, VersionCreationTimeFromAttributes) {
  auto p = Provider();
  struct Case {
    const char* name;
    json created;
    std::optional<int64_t> seconds;
  } cases[] = {
      {"created-whole", 1493938410, 1493938410},
      {"created-text", "2017-05-04T22:53:30Z", std::nullopt},
      {"created-negative", -1, std::nullopt},
      {"created-null", nullptr, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Put("crm-kv", c.name, kValue, {{"created", c.created}});
    auto r = p->Fetch(Ref(std::string("azure:crm-kv/") + c.name));
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    if (!c.seconds) {
      EXPECT_FALSE(r.secret->created.has_value());
      continue;
    }
    ASSERT_TRUE(r.secret->created.has_value());
    EXPECT_EQ(r.secret->created->time_since_epoch(), std::chrono::seconds(*c.seconds));
  }
  ExpectClean(logs_.text());
}

TEST_F(KeyVaultTest, ExplicitVersionsFromQueryAndOptions) {
  std::string v2 = Put("crm-kv", "genesys-client", "second");
  auto p = Provider();
  auto latest = p->Fetch(Ref("azure:crm-kv/genesys-client"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest.secret->version, v2);
  auto first = p->Fetch(Ref("azure:crm-kv/genesys-client?version=" + version_));
  ASSERT_TRUE(first.ok()) << first.status.ToString();
  EXPECT_EQ(first.secret->value.Reveal(), kValue);
  auto by_option = p->Fetch(Ref("azure:crm-kv/genesys-client"), FetchOptions{std::nullopt, v2});
  ASSERT_TRUE(by_option.ok());
  EXPECT_EQ(by_option.secret->value.Reveal(), "second");
  auto stage = p->Fetch(Ref("azure:crm-kv/genesys-client"), FetchOptions{"AWSPENDING", {}});
  EXPECT_EQ(stage.status.code(), Code::kInvalidArgument);
  auto missing =
      p->Fetch(Ref("azure:crm-kv/genesys-client?version=0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(missing.status.code(), Code::kNotFound);
  EXPECT_NE(missing.status.message().find("SecretNotFound"), std::string::npos);
}

TEST_F(KeyVaultTest, TokenIsRefreshedBeforeExpiryAndTheTokenFileReRead) {
  auto p = Provider();
  ASSERT_TRUE(p->Fetch(Ref("azure:crm-kv/genesys-client")).ok());
  Advance(3000);  // before 3599 - 300
  ASSERT_TRUE(p->Fetch(Ref("azure:crm-kv/genesys-client")).ok());
  EXPECT_EQ(fake_.Stats()["exchanges"], 1);
  Client(kAssertion2, 3599);  // the kubelet rotated the projected token
  WriteToken(kAssertion2);
  Advance(400);  // past the refresh point, before expiry
  auto r = p->Fetch(Ref("azure:crm-kv/genesys-client"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  json stats = fake_.Stats();
  EXPECT_EQ(stats["exchanges"], 2);
  EXPECT_EQ(stats["assertion_mismatch"], 0);
  EXPECT_EQ(stats["unauthorized"], 0);  // never sent an expired token
}

TEST_F(KeyVaultTest, RejectedTokenIsReplacedOnce) {
  Client(kAssertion, 60);  // the fake's tokens die after 60 s
  auto p = Provider();
  ASSERT_TRUE(p->Fetch(Ref("azure:crm-kv/genesys-client")).ok());
  // Our cache would keep it for 30 s; move only the fake's clock so it
  // rejects the token early (e.g. revoked): the provider re-exchanges once.
  fake_.Control({{"op", "advance"}, {"seconds", 61}});
  auto r = p->Fetch(Ref("azure:crm-kv/genesys-client"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  json stats = fake_.Stats();
  EXPECT_EQ(stats["unauthorized"], 1);
  EXPECT_EQ(stats["exchanges"], 2);
}

TEST_F(KeyVaultTest, FederatedExchangeRejections) {
  WriteToken(kAssertion2);  // not the federated credential Entra trusts
  auto r = Provider()->Fetch(Ref("azure:crm-kv/genesys-client"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kUnauthenticated);
  EXPECT_NE(r.status.message().find("invalid_client: AADSTS70021"), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("entra token for client " + std::string(kClient)),
            std::string::npos);
  EXPECT_EQ(r.status.message().find("Trace ID"), std::string::npos);  // kept short
  EXPECT_EQ(fake_.Stats()["assertion_mismatch"], 1);
  ExpectClean(r.status.message());

  env_.Set("AZURE_CLIENT_ID", "99999999-2222-3333-4444-555555555555");
  auto unknown = Provider()->Fetch(Ref("azure:crm-kv/genesys-client"));
  EXPECT_EQ(unknown.status.code(), Code::kUnauthenticated);
  EXPECT_NE(unknown.status.message().find("AADSTS700016"), std::string::npos);

  env_.Set("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000000");
  auto tenant = Provider()->Fetch(Ref("azure:crm-kv/genesys-client"));
  EXPECT_EQ(tenant.status.code(), Code::kInvalidArgument);
  EXPECT_NE(tenant.status.message().find("AADSTS90002"), std::string::npos);
  ExpectClean(logs_.text());
}

TEST_F(KeyVaultTest, PlanTokenFileOverridesTheEnvironment) {
  env_.Set("AZURE_FEDERATED_TOKEN_FILE", dir_.path() + "/does-not-exist");
  auto r =
      Provider(AzureSettings{WriteToken(kAssertion)})->Fetch(Ref("azure:crm-kv/genesys-client"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
}

TEST_F(KeyVaultTest, DisabledExpiredAndNotYetValidSecrets) {
  Put("crm-kv", "disabled", "AZURE-TOP-SECRET-2");
  fake_.Control({{"op", "disable"}, {"vault", "crm-kv"}, {"name", "disabled"}});
  Put("crm-kv", "expired", "AZURE-TOP-SECRET-3", {{"exp", 1'699'999'000}});
  Put("crm-kv", "future", "AZURE-TOP-SECRET-4", {{"nbf", 1'700'009'000}});
  Put("crm-kv", "valid", "fine", {{"exp", 1'700'009'000}, {"nbf", 1'699'999'000}});
  auto p = Provider();
  struct Case {
    const char* ref;
    const char* want;
  } cases[] = {
      {"azure:crm-kv/disabled", "Forbidden (SecretDisabled)"},
      {"azure:crm-kv/expired", "expired at 2023-11-14T21:56:40Z"},
      {"azure:crm-kv/future", "not valid before 2023-11-15"},
  };
  for (const auto& c : cases) {
    auto r = p->Fetch(Ref(c.ref));
    ASSERT_FALSE(r.ok()) << c.ref;
    EXPECT_EQ(r.status.code(), Code::kFailedPrecondition) << r.status.ToString();
    EXPECT_FALSE(r.status.retryable());
    EXPECT_NE(r.status.message().find(c.want), std::string::npos) << r.status.message();
    ExpectClean(r.status.message());
  }
  EXPECT_TRUE(p->Fetch(Ref("azure:crm-kv/valid")).ok());
}

TEST_F(KeyVaultTest, ErrorsAndRetryAfter) {
  fake_.Control({{"op", "deny"}, {"vault", "locked-kv"}});
  auto p = Provider();
  auto denied = p->Fetch(Ref("azure:locked-kv/genesys-client"));
  EXPECT_EQ(denied.status.code(), Code::kPermissionDenied);
  EXPECT_NE(denied.status.message().find("ForbiddenByRbac"), std::string::npos);
  EXPECT_NE(denied.status.message().find("azure locked-kv/genesys-client"), std::string::npos);

  fake_.Control({{"op", "fail"}, {"target", "secret"}, {"status", 429}, {"retry_after", 11}});
  auto throttled = p->Fetch(Ref("azure:crm-kv/genesys-client"));
  EXPECT_EQ(throttled.status.code(), Code::kResourceExhausted);
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(11));

  fake_.Control(
      {{"op", "fail"}, {"target", "secret"}, {"status", 503}, {"code", "ServiceUnavailable"}});
  EXPECT_EQ(p->Fetch(Ref("azure:crm-kv/genesys-client")).status.code(), Code::kUnavailable);

  Advance(3400);  // token refresh due; Entra throttles but the cached token still works
  fake_.Control({{"op", "fail"}, {"target", "token"}, {"status", 429}, {"retry_after", 7}});
  EXPECT_TRUE(p->Fetch(Ref("azure:crm-kv/genesys-client")).ok());

  Advance(300);  // now expired: the outage is an error with Entra's Retry-After
  fake_.Control({{"op", "fail"}, {"target", "token"}, {"status", 503}, {"retry_after", 9}});
  auto outage = p->Fetch(Ref("azure:crm-kv/genesys-client"));
  EXPECT_EQ(outage.status.code(), Code::kUnavailable) << outage.status.ToString();
  EXPECT_EQ(outage.retry_after, std::chrono::seconds(9));
  EXPECT_TRUE(p->Fetch(Ref("azure:crm-kv/genesys-client")).ok());  // recovers
  ExpectClean(logs_.text());
}

}  // namespace
}  // namespace memsecret::injector::azure
