// Pure parts of the Azure provider, table-driven: configuration from plan
// and environment (authority host slashes, endpoint override, scope), token
// refresh timing, and the Entra and Key Vault error mappings.
#include <gtest/gtest.h>

#include "injector/providers/azure/azure_config.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/azure/key_vault_provider.h"
#include "injector/providers/azure/workload_identity.h"

namespace memsecret::injector::azure {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

MapEnvironment WorkloadIdentityEnv() {
  return MapEnvironment({{"AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555"},
                         {"AZURE_TENANT_ID", "contoso.onmicrosoft.com"},
                         {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/token"}});
}

TEST(AzureConfigTest, DefaultsFromWorkloadIdentityEnv) {
  auto c = ResolveAzureConfig({}, WorkloadIdentityEnv());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->token_file, "/var/run/secrets/azure/tokens/token");
  EXPECT_EQ(c->TokenUrl(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(c->VaultUrl("contoso-kv"), "https://contoso-kv.vault.azure.net");
  EXPECT_EQ(c->scope, "https://vault.azure.net/.default");
  auto planned = ResolveAzureConfig(AzureSettings{"/plan/token"}, WorkloadIdentityEnv());
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(planned->token_file, "/plan/token");  // the plan wins
}

TEST(AzureConfigTest, AuthorityHostWithOrWithoutTrailingSlash) {
  for (const char* host : {"https://login.microsoftonline.us", "https://login.microsoftonline.us/",
                           "https://login.microsoftonline.us//"}) {
    auto env = WorkloadIdentityEnv();
    env.Set("AZURE_AUTHORITY_HOST", host);
    auto c = ResolveAzureConfig({}, env);
    ASSERT_TRUE(c.ok()) << host;
    EXPECT_EQ(c->TokenUrl(),
              "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token");
  }
}

TEST(AzureConfigTest, EndpointOverrideAndScope) {
  struct Case {
    const char* endpoint;
    const char* vault_url;
    const char* scope;
  } cases[] = {
      {"https://{vault}.vault.azure.cn/", "https://kv1.vault.azure.cn",
       "https://vault.azure.cn/.default"},
      {"https://{vault}.vault.usgovcloudapi.net:443", "https://kv1.vault.usgovcloudapi.net:443",
       "https://vault.usgovcloudapi.net/.default"},
      {"http://127.0.0.1:8443/{vault}", "http://127.0.0.1:8443/kv1",
       "https://vault.azure.net/.default"},
      {"https://emulator.local:8443", "https://emulator.local:8443",
       "https://vault.azure.net/.default"},
  };
  for (const auto& c : cases) {
    auto env = WorkloadIdentityEnv();
    env.Set(kKeyVaultEndpointVar, c.endpoint);
    auto config = ResolveAzureConfig({}, env);
    ASSERT_TRUE(config.ok()) << c.endpoint << ": " << config.status().ToString();
    EXPECT_EQ(config->VaultUrl("kv1"), c.vault_url);
    EXPECT_EQ(config->scope, c.scope);
  }
}

TEST(AzureConfigTest, StartupErrorsNameTheVariable) {
  struct Case {
    const char* var;
    const char* value;  // nullptr: remove
    const char* want;
  } cases[] = {
      {"AZURE_CLIENT_ID", "", "AZURE_CLIENT_ID"},
      {"AZURE_TENANT_ID", "", "AZURE_TENANT_ID"},
      {"AZURE_FEDERATED_TOKEN_FILE", "", "AZURE_FEDERATED_TOKEN_FILE"},
      {"AZURE_TENANT_ID", "../evil", "GUID or domain"},
      {"AZURE_AUTHORITY_HOST", "http://login.example/", "must be https"},
      {"AZURE_AUTHORITY_HOST", "login.example", "absolute"},
      {kKeyVaultEndpointVar, "http://{vault}.example", "must be https"},
      {kKeyVaultEndpointVar, "https://{vault}.example?x=1", "query"},
  };
  for (const auto& c : cases) {
    auto env = WorkloadIdentityEnv();
    env.Set(c.var, c.value);
    auto r = ResolveAzureConfig({}, env);
    ASSERT_FALSE(r.ok()) << c.var << "=" << c.value;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(TokenRefreshTest, FiveMinutesBeforeExpiryOrHalfLife) {
  const WallTime t0(seconds(1'700'000'000));
  EXPECT_EQ(TokenRefreshAt(t0, seconds(3599)), t0 + seconds(3599) - minutes(5));
  EXPECT_EQ(TokenRefreshAt(t0, seconds(86399)), t0 + seconds(86399) - minutes(5));
  EXPECT_EQ(TokenRefreshAt(t0, seconds(600)), t0 + minutes(5));
  EXPECT_EQ(TokenRefreshAt(t0, seconds(120)), t0 + minutes(1));
}

TEST(AzureErrorsTest, EntraMapping) {
  struct Case {
    int status;
    const char* error;
    Code code;
  } cases[] = {
      {400, "invalid_client", Code::kUnauthenticated},
      {400, "unauthorized_client", Code::kUnauthenticated},
      {400, "invalid_grant", Code::kUnauthenticated},
      {400, "invalid_request", Code::kInvalidArgument},
      {400, "invalid_scope", Code::kInvalidArgument},
      {400, "unsupported_grant_type", Code::kInvalidArgument},
      {400, "temporarily_unavailable", Code::kUnavailable},
      {429, "", Code::kResourceExhausted},
      {503, "", Code::kUnavailable},
      {401, "", Code::kUnauthenticated},
  };
  for (const auto& c : cases) {
    Status st = MapEntraError(c.status, c.error, "AADSTS70021: No matching record.");
    EXPECT_EQ(st.code(), c.code) << c.status << " " << c.error;
    EXPECT_NE(st.message().find("AADSTS70021"), std::string::npos);
  }
}

TEST(AzureErrorsTest, KeyVaultMapping) {
  struct Case {
    int status;
    const char* code;
    const char* inner;
    Code want;
  } cases[] = {
      {401, "Unauthorized", "", Code::kUnauthenticated},
      {403, "Forbidden", "SecretDisabled", Code::kFailedPrecondition},
      {403, "Forbidden", "SecretExpired", Code::kFailedPrecondition},
      {403, "Forbidden", "ForbiddenByRbac", Code::kPermissionDenied},
      {403, "Forbidden", "ForbiddenByPolicy", Code::kPermissionDenied},
      {404, "SecretNotFound", "", Code::kNotFound},
      {409, "Conflict", "", Code::kFailedPrecondition},
      {429, "Throttled", "", Code::kResourceExhausted},
      {500, "InternalServerError", "", Code::kUnavailable},
      {503, "ServiceUnavailable", "", Code::kUnavailable},
      {400, "BadParameter", "", Code::kInvalidArgument},
  };
  for (const auto& c : cases) {
    Status st = MapKeyVaultError(c.status, c.code, c.inner, "text");
    EXPECT_EQ(st.code(), c.want) << c.status << " " << c.inner;
    EXPECT_NE(st.message().find(c.code), std::string::npos) << st.message();
  }
  EXPECT_EQ(MapKeyVaultError(403, "Forbidden", "SecretDisabled", "Operation get is not allowed.")
                .message(),
            "HTTP 403 Forbidden (SecretDisabled): Operation get is not allowed.");
}

}  // namespace
}  // namespace memsecret::injector::azure
