// Integration against a real OAuth 2.0 server (npm oidc-provider, 10 s token
// TTL, introspection on) through the real HttpClient, AtomicFileWriter and
// Scheduler on the system clock: the token file changes before each expiry
// over several cycles, never holds an expired token, every minted token is
// accepted by the server's introspection endpoint, rotation through
// AWSPENDING works against the real server, and nothing secret is logged.
// (The memsecret-injector binary has no `run` yet; this drives the library.)
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "injector/oauth/client_credentials.h"
#include "injector/oauth/form_encoding.h"
#include "injector/oauth/token_job.h"
#include "injector/oauth/token_minter.h"
#include "injector/runtime/scheduler.h"
#include "memsecret/plan/backends.h"
#include "oauth/oidc_server.h"
#include "testing/oauth_fakes.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector::oauth {
namespace {

using namespace std::chrono_literals;
using oauth_it::OidcServer;
using testing::FakeSecretStore;
using testing::LogCapture;

constexpr const char* kClientId = "memsecret-it";
// Contains + % : = so client_secret_basic only works with RFC 6749 §2.3.1
// form-urlencoding (oidc-provider decodes it; unencoded it answers 400).
constexpr const char* kClientSecret = "it+secret%with:odd=chars";
constexpr const char* kPath = "/ci/oauth-client";

std::string CredJson(const std::string& secret, const std::string& extra = "") {
  nlohmann::json j = {{"client_id", kClientId}, {"client_secret", secret}};
  if (!extra.empty()) j["auth_method"] = extra;
  return j.dump();
}

// Server-side view of a token via RFC 7662 introspection.
nlohmann::json Introspect(HttpClient& http, const OidcServer& server, const std::string& token) {
  HttpRequest req;
  req.method = "POST";
  req.url = server.introspection_endpoint();
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Authorization",
                  std::string(BasicAuthorization(kClientId, SecretValue(kClientSecret)).Reveal())}};
  req.body = "token=" + FormUrlEncode(token);
  Result<HttpResponse> resp = http.Send(req);
  if (!resp.ok() || resp->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(resp->body, nullptr, false);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

WallTime ParseRfc3339(const std::string& s) {
  std::tm tm{};
  strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct Observed {
  std::string token;
  WallTime first_seen, last_seen, server_exp;
  bool active_when_seen = false;
};

TEST(OidcProviderIntegration, TokenFileStaysFreshOverSeveralCyclesAndIsAccepted) {
  OidcServer server(std::map<std::string, std::string>{{"OAUTH_TTL_SECONDS", "10"}});
  std::unique_ptr<HttpClient> http = MakeHttpClient();
  FakeSecretStore store;
  store.Put(kPath, CredJson(kClientSecret), "v1");
  TempDir dir;
  AtomicFileWriter writer(dir.path());

  // 10 s tokens; refresh at min(75% = 7.5 s, expiry - 5 s) = 5 s, minus up to
  // 10% jitter. oidc-provider computes exp from whole seconds (exp may be up
  // to 1 s before send + expires_in), so the file changes about 4 s before
  // the server's expiry: room for a slow mint on a loaded machine, while a
  // refresh at or after expiry still fails the checks below.
  InjectionPlan plan;
  plan.token_min_remaining_seconds = 5;
  PlannedFile file;
  file.name = "access-token.json";
  file.kind = FileKind::kToken;
  file.ref = *ParseSecretRef(std::string("aws:") + kPath);
  file.format = OutputFormat::kJson;
  file.token = TokenSpec{ParseIssuer(server.token_endpoint()).value(), "api:read", ""};
  plan.files = {file};

  LogCapture logs;
  JobEnvironment env;
  env.provider = &store;
  env.http = http.get();
  env.writer = &writer;
  env.jitter = MakeRandomJitter();
  auto jobs = MakeTokenJobs(plan, env);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  Scheduler scheduler;
  SystemClock clock;
  for (auto& job : *jobs) scheduler.Add(std::move(job), clock.Now());
  CondVarWaiter waiter;
  std::thread runner([&] { scheduler.Run(clock, waiter); });

  // Watch the file until five tokens have been seen (about 20 s: four
  // 5-second refresh cycles); the deadline is only a hang guard.
  constexpr size_t kTokens = 5;
  std::vector<Observed> seen;
  int polls = 0;
  const WallTime give_up = clock.Now() + 120s;
  while (seen.size() < kTokens && clock.Now() < give_up) {
    std::this_thread::sleep_for(20ms);
    // Each read is bracketed by clock reads: what it returns was in the file
    // at some instant in [before, after]. A token read is never older than
    // the one in the file at `before`, so "not expired at `before`" holds
    // however long the read was descheduled, and a token left in the file
    // past its expiry is still caught by the next poll; a new token appeared
    // no later than `after`.
    const WallTime before = clock.Now();
    const std::string text = ReadFile(dir.path() + "/" + file.name);
    const WallTime after = clock.Now();
    if (text.empty()) continue;  // before the first write only
    auto doc = nlohmann::json::parse(text, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << "the file is never partial";
    ++polls;
    EXPECT_LT(before, ParseRfc3339(doc["expires_at"])) << "the file holds an expired token";
    const std::string token = doc["access_token"];
    if (seen.empty() || seen.back().token != token) {
      nlohmann::json info = Introspect(*http, server, token);
      Observed o{token, after, after, WallTime{}, info.value("active", false)};
      if (info.contains("exp"))
        o.server_exp = WallTime(std::chrono::seconds(info["exp"].get<int64_t>()));
      EXPECT_EQ(info.value("client_id", ""), kClientId);
      EXPECT_EQ(info.value("scope", ""), "api:read");
      seen.push_back(o);
    }
    seen.back().last_seen = before;
    EXPECT_LT(before, seen.back().server_exp) << "server says the token in the file has expired";
  }
  waiter.Stop();
  runner.join();

  ASSERT_GE(seen.size(), kTokens) << "no " << kTokens << " refresh cycles in 120 s (10 s TTL)";
  double min_lead = 1e9;  // how long before the server's expiry the file changed
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_TRUE(seen[i].active_when_seen) << "token " << i << " rejected by introspection";
    if (i + 1 < seen.size()) {
      EXPECT_LT(seen[i + 1].first_seen, seen[i].server_exp)
          << "file changed only after token " << i << " expired";
      min_lead = std::min(
          min_lead,
          std::chrono::duration<double>(seen[i].server_exp - seen[i + 1].first_seen).count());
    }
  }
  const std::string log = logs.text();
  EXPECT_NE(log.find("minted by oauth(" + server.token_endpoint() + ")"), std::string::npos);
  EXPECT_EQ(log.find(kClientSecret), std::string::npos);
  for (const Observed& o : seen)
    EXPECT_EQ(log.find(o.token), std::string::npos) << "a token reached the log";
  std::cout << "[ measured ] tokens=" << seen.size() << " polls=" << polls
            << " min_seconds_before_server_expiry=" << min_lead << "\n";
}

TEST(OidcProviderIntegration, RotationGraceWindowUsesAwsPendingAgainstTheRealServer) {
  OidcServer server(std::map<std::string, std::string>{{"OAUTH_TTL_SECONDS", "60"}});
  std::unique_ptr<HttpClient> http = MakeHttpClient();
  FakeSecretStore store;
  store.Put(kPath, CredJson("revoked-old-secret"), "v1");         // AWSCURRENT: already rejected
  store.Put(kPath, CredJson(kClientSecret), "v2", "AWSPENDING");  // the live one
  auto issuer = ClientCredentialsIssuer::Create(server.token_endpoint(), http.get());
  ASSERT_TRUE(issuer.ok());
  TokenMinter minter({*ParseSecretRef(std::string("aws:") + kPath), {}, 300s}, issuer->get(),
                     &store);
  MintReport r = minter.Mint(std::chrono::system_clock::now());
  ASSERT_TRUE(r.result.ok()) << r.result.status.ToString();
  EXPECT_TRUE(r.used_pending);
  EXPECT_EQ(r.credential_version, "v2");
  EXPECT_TRUE(Introspect(*http, server, std::string(r.result.token->access_token.Reveal()))
                  .value("active", false));
}

TEST(OidcProviderIntegration, ClientSecretPostAndInvalidClient) {
  OidcServer server(std::map<std::string, std::string>{{"OAUTH_AUTH_METHOD", "client_secret_post"},
                                                       {"OAUTH_TTL_SECONDS", "60"}});
  std::unique_ptr<HttpClient> http = MakeHttpClient();
  auto issuer = ClientCredentialsIssuer::Create(server.token_endpoint(), http.get());
  ASSERT_TRUE(issuer.ok());
  auto good = ParseClientCredentials(SecretValue(CredJson(kClientSecret, "client_secret_post")));
  MintResult ok = (*issuer)->Mint(*good, {}, std::chrono::system_clock::now());
  ASSERT_TRUE(ok.ok()) << ok.status.ToString();
  EXPECT_EQ(ok.token->expires_at.has_value(), true);

  auto bad = ParseClientCredentials(SecretValue(CredJson("wrong-secret-zz", "client_secret_post")));
  MintResult rejected = (*issuer)->Mint(*bad, {}, std::chrono::system_clock::now());
  EXPECT_EQ(rejected.status.code(), Code::kUnauthenticated) << rejected.status.ToString();
  EXPECT_NE(rejected.status.message().find("invalid_client"), std::string::npos);
  EXPECT_EQ(rejected.status.message().find("wrong-secret-zz"), std::string::npos);
}

}  // namespace
}  // namespace memsecret::injector::oauth
