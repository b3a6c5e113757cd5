// Pure parts of the Vault provider, table-driven: KV locations and mounts,
// configuration from plan and environment, the token lifecycle rules and
// the error mapping.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "injector/base/http_client.h"
#include "injector/providers/vault/kv_location.h"
#include "injector/providers/vault/token_lifecycle.h"
#include "injector/providers/vault/token_manager.h"
#include "injector/providers/vault/vault_auth.h"
#include "injector/providers/vault/vault_config.h"
#include "injector/providers/vault/vault_errors.h"
#include "injector/providers/vault/vault_http.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/clock.h"
#include "memsecret/plan/backends.h"

namespace memsecret::injector::vault {
namespace {

using std::chrono::seconds;

SecretRef Ref(const std::string& text) {
  auto r = ParseSecretRef(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : SecretRef{};
}

TEST(KvLocationTest, TargetsFromRefs) {
  struct Case {
    const char* ref;
    const char* target;
    const char* describe;
  } cases[] = {
      {"vault:secret/genesys/production/cx-pipeline",
       "/v1/secret/data/genesys/production/cx-pipeline",
       "secret/genesys/production/cx-pipeline (kv v2)"},
      {"vault:secret/app?version=3", "/v1/secret/data/app?version=3",
       "secret/app (kv v2, version 3)"},
      {"vault:kv/app/db?kv=1#password", "/v1/kv/app/db", "kv/app/db (kv v1)"},
      {"vault:team-a/kv/app/db?mount=team-a/kv", "/v1/team-a/kv/data/app/db",
       "team-a/kv/app/db (kv v2)"},
      {"vault:a/b/c/d?mount=a/b/c&kv=1", "/v1/a/b/c/d", "a/b/c/d (kv v1)"},
      {"vault:secret/x@y+z=1", "/v1/secret/data/x@y+z=1", "secret/x@y+z=1 (kv v2)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ref);
    auto loc = ResolveKvLocation(Ref(c.ref));
    ASSERT_TRUE(loc.ok()) << loc.status().ToString();
    EXPECT_EQ(loc->RequestTarget(), c.target);
    EXPECT_EQ(loc->Describe(), c.describe);
  }
}

TEST(KvLocationTest, MountSplitAndOptions) {
  auto loc = ResolveKvLocation(Ref("vault:team-a/kv/app/db?mount=team-a/kv"));
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->mount, "team-a/kv");
  EXPECT_EQ(loc->path, "app/db");
  auto v = ResolveKvLocation(Ref("vault:secret/app?version=3"), FetchOptions{std::nullopt, "7"});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, 7);
}

TEST(KvLocationTest, Rejections) {
  struct Case {
    const char* ref;
    FetchOptions options;
    const char* want;
  } cases[] = {
      {"vault:secret/app", {"AWSCURRENT", std::nullopt}, "no stages"},
      {"vault:secret/app", {std::nullopt, "x1"}, "positive integer"},
      {"vault:secret/app", {std::nullopt, "0"}, "positive integer"},
      {"vault:kv/app?kv=1", {std::nullopt, "2"}, "only supported by KV v2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ref);
    auto loc = ResolveKvLocation(Ref(c.ref), c.options);
    ASSERT_FALSE(loc.ok());
    EXPECT_EQ(loc.status().code(), Code::kInvalidArgument);
    EXPECT_NE(loc.status().message().find(c.want), std::string::npos) << loc.status().message();
  }
}

TEST(VaultConfigTest, PlanWinsOverEnvironment) {
  MapEnvironment env({{"VAULT_ADDR", "https://env-vault:8200/"},
                      {"VAULT_NAMESPACE", "env-ns"},
                      {"VAULT_CACERT", "/etc/vault/ca.pem"},
                      {"VAULT_CAPATH", "/etc/vault/certs"}});
  VaultSettings plan;
  plan.role = "cx";
  auto from_env = ResolveVaultConfig(plan, env);
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_EQ(from_env->addr, "https://env-vault:8200");
  EXPECT_EQ(from_env->vault_namespace, "env-ns");
  EXPECT_EQ(from_env->tls.ca_file, "/etc/vault/ca.pem");
  EXPECT_EQ(from_env->tls.ca_dir, "/etc/vault/certs");
  EXPECT_FALSE(from_env->tls.insecure_skip_verify);
  EXPECT_EQ(from_env->auth, AuthMethod::kKubernetes);
  EXPECT_EQ(from_env->auth_path, "kubernetes");
  EXPECT_EQ(from_env->jwt_file, kDefaultServiceAccountToken);

  plan.addr = "https://plan-vault.example";
  plan.vault_namespace = "/genesys/cx/";
  plan.auth_path = "/k8s-prod/";
  plan.token_file = "/var/run/secrets/vault/token";
  auto from_plan = ResolveVaultConfig(plan, env);
  ASSERT_TRUE(from_plan.ok());
  EXPECT_EQ(from_plan->addr, "https://plan-vault.example");
  EXPECT_EQ(from_plan->vault_namespace, "genesys/cx");
  EXPECT_EQ(from_plan->auth_path, "k8s-prod");
  EXPECT_EQ(from_plan->jwt_file, "/var/run/secrets/vault/token");
}

// A CI runner's OIDC token: JWT login, named as such, at auth/jwt unless the
// plan names another mount.
TEST(VaultConfigTest, JwtLoginFromMemsecretVaultJwtFile) {
  MapEnvironment env({{"VAULT_ADDR", "http://127.0.0.1:8200"},
                      {"MEMSECRET_VAULT_JWT_FILE", "/tmp/ci/oidc.jwt"},
                      {"VAULT_TOKEN", "hvs.unused"}});
  VaultSettings plan;
  plan.role = "cx-pipeline";
  plan.auth_path = "";  // a pipeline without vault-auth-path
  auto c = ResolveVaultConfig(plan, env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->auth, AuthMethod::kJwt);
  EXPECT_EQ(c->auth_path, "jwt");
  EXPECT_EQ(c->jwt_file, "/tmp/ci/oidc.jwt");
  plan.auth_path = "github-actions";
  c = ResolveVaultConfig(plan, env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->auth_path, "github-actions");
  auto http_client = MakeHttpClient();
  FakeClock clock;
  VaultHttp http(c->addr, c->vault_namespace, *http_client, clock);
  EXPECT_EQ(MakeAuthenticator(*c, http)->Describe(),
            "JWT auth (role cx-pipeline at auth/github-actions, JWT from /tmp/ci/oidc.jwt)");
}

TEST(VaultConfigTest, TokenAuthOutsideKubernetes) {
  MapEnvironment env({{"VAULT_ADDR", "http://127.0.0.1:8200"}, {"VAULT_TOKEN_FILE", "/tmp/t"}});
  auto file = ResolveVaultConfig({}, env);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->auth, AuthMethod::kToken);
  EXPECT_EQ(file->token_file, "/tmp/t");
  env.Set("VAULT_TOKEN", "hvs.x");
  auto token = ResolveVaultConfig({}, env);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->token.Reveal(), "hvs.x");
  EXPECT_TRUE(token->token_file.empty());
}

TEST(VaultConfigTest, SkipVerifyOnlyWhenAllowed) {
  MapEnvironment env({{"VAULT_ADDR", "https://vault:8200"}, {"VAULT_TOKEN", "t"}});
  VaultSettings plan;
  for (const char* off : {"false", "0", "F"}) {
    env.Set("VAULT_SKIP_VERIFY", off);
    auto c = ResolveVaultConfig(plan, env);
    ASSERT_TRUE(c.ok()) << off;
    EXPECT_FALSE(c->tls.insecure_skip_verify);
  }
  env.Set("VAULT_SKIP_VERIFY", "true");
  auto refused = ResolveVaultConfig(plan, env);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("does not allow"), std::string::npos);
  plan.allow_skip_verify = true;
  auto allowed = ResolveVaultConfig(plan, env);
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->tls.insecure_skip_verify);
  env.Set("VAULT_SKIP_VERIFY", "yes");
  EXPECT_EQ(ResolveVaultConfig(plan, env).status().code(), Code::kInvalidArgument);
}

TEST(VaultConfigTest, StartupErrorsNameTheSetting) {
  struct Case {
    std::map<std::string, std::string, std::less<>> env;
    const char* want;
  } cases[] = {
      {{{"VAULT_TOKEN", "t"}}, "VAULT_ADDR"},
      {{{"VAULT_ADDR", "vault:8200"}, {"VAULT_TOKEN", "t"}}, "absolute"},
      {{{"VAULT_ADDR", "http://vault.example:8200"}, {"VAULT_TOKEN", "t"}}, "must be https"},
      {{{"VAULT_ADDR", "https://v?x=1"}, {"VAULT_TOKEN", "t"}}, "query"},
      {{{"VAULT_ADDR", "https://vault:8200"}}, "VAULT_TOKEN"},
  };
  for (const auto& c : cases) {
    auto r = ResolveVaultConfig({}, MapEnvironment(c.env));
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(TokenLifecycleTest, NextAction) {
  const WallTime t0(seconds(1'700'000'000));
  struct Case {
    VaultLease lease;
    int at;  // seconds after t0
    TokenAction want;
  } cases[] = {
      {{t0, seconds(600), true, false}, 0, TokenAction::kUse},
      {{t0, seconds(600), true, false}, 399, TokenAction::kUse},
      {{t0, seconds(600), true, false}, 400, TokenAction::kRenew},
      {{t0, seconds(600), false, false}, 400, TokenAction::kLogin},
      {{t0, seconds(600), true, true}, 400, TokenAction::kLogin},
      {{t0, seconds(600), true, false}, 595, TokenAction::kLogin},  // inside the expiry margin
      {{t0, seconds(600), true, false}, 9000, TokenAction::kLogin},
      {{t0, seconds(0), false, false}, 1'000'000, TokenAction::kUse},  // never expires
  };
  for (const auto& c : cases) {
    EXPECT_EQ(NextTokenAction(c.lease, t0 + seconds(c.at)), c.want)
        << "duration " << c.lease.duration.count() << " at " << c.at;
  }
}

TEST(TokenLifecycleTest, RenewalThatStopsGrowingIsCapped) {
  const WallTime t0(seconds(1'700'000'000));
  VaultLease first{t0, seconds(600), true, false};
  auto grown = AfterRenewal(first, t0 + seconds(400), seconds(600), true);
  EXPECT_FALSE(grown.capped);
  EXPECT_EQ(grown.Expiry(), t0 + seconds(1000));
  EXPECT_EQ(grown.RefreshAt(), t0 + seconds(800));
  auto shorter = AfterRenewal(grown, t0 + seconds(800), seconds(300), true);  // max TTL at 1100
  EXPECT_TRUE(shorter.capped);
  auto same_end = AfterRenewal(first, t0 + seconds(400), seconds(200), true);
  EXPECT_TRUE(same_end.capped);
  EXPECT_EQ(NextTokenAction(shorter, shorter.RefreshAt()), TokenAction::kLogin);
  auto forever = AfterRenewal(first, t0 + seconds(400), seconds(0), true);
  EXPECT_FALSE(forever.capped);
}

// A lease_duration or ttl no Vault sends (1e300) must not overflow the cast
// to seconds or the lease arithmetic: clamped to ten years.
TEST(VaultAuthTest, HugeLeaseDurationIsClamped) {
  std::string body =
      R"({"auth":{"client_token":"hvs.test","lease_duration":1e300,"renewable":true}})";
  VaultLogin login;
  ASSERT_TRUE(ParseAuthBlock(body, &login).ok());
  EXPECT_EQ(login.lease_duration, std::chrono::hours(24 * 365 * 10));
  body = R"({"auth":{"client_token":"hvs.test","lease_duration":-7,"renewable":true}})";
  ASSERT_TRUE(ParseAuthBlock(body, &login).ok());
  EXPECT_EQ(login.lease_duration, std::chrono::seconds(0));
}

TEST(VaultErrorsTest, StatusMapping) {
  struct Case {
    int status;
    const char* body;
    Code code;
    const char* message;
  } cases[] = {
      {400, R"({"errors":["missing role"]})", Code::kInvalidArgument, "HTTP 400: missing role"},
      {401, R"({"errors":[]})", Code::kUnauthenticated, "HTTP 401"},
      {403, R"({"errors":["permission denied"]})", Code::kPermissionDenied,
       "HTTP 403: permission denied"},
      {404, R"({"errors":[]})", Code::kNotFound, "HTTP 404"},
      {404, R"({"warnings":["Invalid path"]})", Code::kNotFound, "HTTP 404: Invalid path"},
      {405, "", Code::kInvalidArgument, "HTTP 405"},
      {412, "{}", Code::kUnavailable, "HTTP 412 (not yet replicated; retrying)"},
      {429, "not json", Code::kResourceExhausted, "HTTP 429"},
      {500, R"({"errors":["a","b\nc"]})", Code::kUnavailable, "HTTP 500: a; b c"},
      {502, R"({"errors":["upstream"]})", Code::kUnavailable, "HTTP 502: upstream"},
      {503, R"({"errors":["Vault is sealed"]})", Code::kUnavailable,
       "HTTP 503: Vault is sealed (Vault is sealed or in maintenance)"},
      {418, "", Code::kInvalidArgument, "HTTP 418"},
  };
  for (const auto& c : cases) {
    Status st = MapVaultError(c.status, ParseVaultErrorBody(c.body));
    EXPECT_EQ(st.code(), c.code) << c.status;
    EXPECT_EQ(st.message(), c.message);
  }
  auto many = ParseVaultErrorBody(R"({"errors":["1","2","3","4","5"]})");
  EXPECT_EQ(many.errors.size(), 4u);
  EXPECT_EQ(many.errors.back(), "...");
}

TEST(VaultErrorsTest, RedactRemovesEveryOccurrence) {
  EXPECT_EQ(Redact("bad jwt abc.def and abc.def", "abc.def"), "bad jwt [redacted] and [redacted]");
  EXPECT_EQ(Redact("nothing", ""), "nothing");
}

// Refuses every login (429); the first waits until `callers` threads have
// announced that they are about to ask for a token.
class GatedThrottledAuth final : public VaultAuthenticator {
 public:
  explicit GatedThrottledAuth(int callers) : callers_(callers) {}
  Result<VaultLogin> Login() override {
    std::unique_lock<std::mutex> lock(mu_);
    if (calls_++ == 0) cv_.wait(lock, [&] { return arrived_ >= callers_; });
    return ResourceExhausted("vault login: HTTP 429: rate limit quota exceeded");
  }
  std::string Describe() const override { return "gated"; }
  void Arrive() {
    std::lock_guard<std::mutex> lock(mu_);
    ++arrived_;
    cv_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  const int callers_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;  // guarded by mu_
  int calls_ = 0;    // guarded by mu_
};

// Readers that waited while a login was refused share the refusal: one
// throttled login costs one request, not one per file (before: each of the 8
// readers logged in in turn).
TEST(VaultTokenManagerTest, ReadersWaitingOnARefusedLoginShareItsAnswer) {
  FakeClock clock;
  auto http_client = MakeHttpClient();
  VaultHttp http("http://127.0.0.1:1", "", *http_client, clock);
  constexpr int kCallers = 8;
  auto owned = std::make_unique<GatedThrottledAuth>(kCallers);
  GatedThrottledAuth* auth = owned.get();
  VaultTokenManager tokens(std::move(owned), http, clock);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Code> codes;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      auth->Arrive();
      auto got = tokens.Token();
      std::lock_guard<std::mutex> lock(mu);
      codes.push_back(got.status().code());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(codes, std::vector<Code>(kCallers, Code::kResourceExhausted));
  EXPECT_LT(auth->calls(), kCallers);
  const int before = auth->calls();
  EXPECT_FALSE(tokens.Token().ok());  // a later reader logs in again
  EXPECT_EQ(auth->calls(), before + 1);
}

}  // namespace
}  // namespace memsecret::injector::vault
