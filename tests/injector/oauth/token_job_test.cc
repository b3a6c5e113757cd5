// TokenJob over a fake clock, a scripted issuer and a real temp directory:
// the file always holds a valid token while the issuer is reachable, outages
// keep the old file and back off (honouring Retry-After), and nothing secret
// reaches the log.
#include "injector/oauth/token_job.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "injector/oauth/token_renderer.h"
#include "memsecret/plan/backends.h"
#include "testing/oauth_fakes.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector::oauth {
namespace {

using std::chrono::seconds;
using testing::FakeSecretStore;
using testing::LogCapture;

constexpr const char* kClientSecret = "CLIENT-SECRET-7f3a";
constexpr const char* kPath = "/genesys/prod/app/oauth";

// An issuer whose answers are computed per request (token n, lifetime, up/down).
class FnHttpClient final : public HttpClient {
 public:
  std::function<Result<HttpResponse>(const HttpRequest&)> fn;
  int calls = 0;
  Result<HttpResponse> Send(const HttpRequest& r) override {
    ++calls;
    return fn(r);
  }
};

HttpResponse Json(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct JobFixture : ::testing::Test {
  JobFixture() : writer(dir.path()) {
    store.Put(kPath, std::string(R"({"clientId":"cid","clientSecret":")") + kClientSecret + "\"}",
              "v1");
    http.fn = [this](const HttpRequest&) -> Result<HttpResponse> {
      if (down) return Json(503, R"({"error":"temporarily_unavailable"})", {{"Retry-After", "5"}});
      ++minted;
      return Json(200, R"({"access_token":"TOKEN-)" + std::to_string(minted) +
                           R"(-SECRET","token_type":"Bearer","expires_in":)" +
                           std::to_string(lifetime) + "}");
    };
  }
  // The run's shared environment as the injector builds it (Session).
  JobEnvironment Env() {
    JobEnvironment env;
    env.provider = &store;
    env.http = &http;
    env.writer = &writer;
    env.jitter = [] { return 0.5; };
    return env;
  }
  std::unique_ptr<TokenJob> Make(OutputFormat format = OutputFormat::kJson) {
    InjectionPlan plan;
    PlannedFile f;
    f.name = "token";
    f.kind = FileKind::kToken;
    f.ref = *ParseSecretRef(std::string("aws:") + kPath);
    f.format = format;
    f.token = TokenSpec{ParseIssuer("https://idp.example/token").value(), "", ""};
    plan.files.push_back(f);
    auto job = TokenJob::Create(f, plan, Env());
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return std::move(job).value();
  }
  // Expiry written in the json token file.
  WallTime FileExpiry() {
    auto doc = nlohmann::json::parse(ReadFile(dir.path() + "/token"));
    std::tm tm{};
    strptime(doc["expires_at"].get<std::string>().c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
  }

  TempDir dir;
  AtomicFileWriter writer;
  FakeSecretStore store;
  FnHttpClient http;
  FakeClock clock;
  bool down = false;
  int minted = 0;
  int lifetime = 300;
};

TEST_F(JobFixture, FirstRunWritesTheFileAndSchedulesTheRefresh) {
  auto job = Make(OutputFormat::kRaw);
  EXPECT_FALSE(job->Ready());
  const WallTime t0 = clock.Now();
  std::optional<WallTime> next = job->Run(t0);
  EXPECT_TRUE(job->Ready());
  EXPECT_EQ(ReadFile(dir.path() + "/token"), "TOKEN-1-SECRET");
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, RefreshAt(t0, t0 + seconds(300), {}, 0.5));
  EXPECT_EQ(job->valid_until(), t0 + seconds(300));
}

TEST_F(JobFixture, FileAlwaysHoldsAValidTokenOverManyCyclesAndRidesOutAnOutage) {
  LogCapture logs;
  auto job = Make();
  WallTime now = clock.Now();
  int cycles = 0;
  for (int step = 0; step < 400 && cycles < 40; ++step) {
    // An outage from 1000 s to 1100 s: shorter than the 60+ s margin plus the
    // 25% of lifetime left at refresh time, so the file must stay valid.
    const double t = std::chrono::duration<double>(now - WallTime(seconds(1'700'000'000))).count();
    down = t >= 1000 && t < 1100;
    const int before = minted;
    std::optional<WallTime> next = job->Run(now);
    ASSERT_TRUE(next);
    ASSERT_GT(*next, now);
    if (minted > before) ++cycles;
    // Until the next run the file does not change: it must stay valid past it.
    EXPECT_GT(FileExpiry(), *next) << "at t=" << t;
    if (down) {
      EXPECT_GE(*next - now, seconds(5)) << "Retry-After honoured";
    }
    clock.Set(*next);
    now = *next;
  }
  EXPECT_GE(cycles, 40);
  EXPECT_EQ(job->consecutive_failures(), 0);
  const std::string log = logs.text();
  EXPECT_NE(log.find("temporarily_unavailable"), std::string::npos);
  EXPECT_NE(log.find("keeping the current token"), std::string::npos);
  EXPECT_EQ(log.find("SECRET\""), std::string::npos);
  EXPECT_EQ(log.find("TOKEN-"), std::string::npos);
  EXPECT_EQ(log.find(kClientSecret), std::string::npos);
}

TEST_F(JobFixture, LongOutageKeepsTheExpiredFileAndRecoversByItself) {
  lifetime = 120;
  auto job = Make(OutputFormat::kRaw);
  WallTime now = clock.Now();
  ASSERT_TRUE(job->Run(now));
  down = true;
  int failures = 0;
  WallTime last = now;
  for (now = now + seconds(60); now < last + seconds(1200); ++failures) {
    std::optional<WallTime> next = job->Run(now);
    ASSERT_TRUE(next);
    EXPECT_EQ(ReadFile(dir.path() + "/token"), "TOKEN-1-SECRET")
        << "a failure never touches the file";
    now = *next;
  }
  EXPECT_GT(failures, 5);
  EXPECT_LT(failures, 40) << "backoff must grow";
  EXPECT_EQ(job->LastStatus().code(), Code::kUnavailable);
  down = false;
  ASSERT_TRUE(job->Run(now));
  EXPECT_EQ(ReadFile(dir.path() + "/token"), "TOKEN-2-SECRET");
  EXPECT_TRUE(job->LastStatus().ok());
}

TEST_F(JobFixture, FirstMintFailureLeavesNoFileAndExplains) {
  LogCapture logs;
  http.fn = [](const HttpRequest&) -> Result<HttpResponse> {
    return Json(401,
                std::string(R"({"error":"invalid_client","error_description":"bad","echo":")") +
                    kClientSecret + "\"}");
  };
  auto job = Make();
  ASSERT_TRUE(job->Run(clock.Now()));
  EXPECT_FALSE(job->Ready());
  EXPECT_EQ(job->LastStatus().code(), Code::kUnauthenticated);
  EXPECT_EQ(job->LastStatus().message(),
            "token token: oauth(https://idp.example/token): HTTP 401 invalid_client: bad");
  EXPECT_FALSE(std::ifstream(dir.path() + "/token").good());
  EXPECT_NE(logs.text().find("invalid_client: bad"), std::string::npos);
  EXPECT_EQ(logs.text().find(kClientSecret), std::string::npos);
}

class VectorAudit final : public AuditSink {
 public:
  void Emit(const AuditRecord& r) override { records.push_back(r); }
  std::vector<AuditRecord> records;
};

TEST_F(JobFixture, AuditsEveryMintWithReferencesOnly) {
  VectorAudit audit;
  InjectionPlan plan;
  plan.pod = PodIdentity{"crm", "crm-sync", "pod-1"};
  PlannedFile f;
  f.name = "token";
  f.kind = FileKind::kToken;
  f.ref = *ParseSecretRef(std::string("aws:") + kPath);
  f.token = TokenSpec{ParseIssuer("https://idp.example/token").value(), "", ""};
  plan.files = {f};
  JobEnvironment env = Env();
  env.audit = &audit;
  env.pod = plan.pod;
  auto jobs = MakeTokenJobs(plan, env);
  ASSERT_TRUE(jobs.ok());
  auto& job = (*jobs)[0];
  ASSERT_TRUE(job->Run(clock.Now()));
  down = true;
  ASSERT_TRUE(job->Run(clock.Now() + seconds(200)));
  ASSERT_EQ(audit.records.size(), 2u);
  EXPECT_EQ(audit.records[0].kind, FileKind::kToken);
  EXPECT_EQ(audit.records[0].provider, "aws");
  EXPECT_EQ(audit.records[0].ref, std::string("aws:") + kPath);
  EXPECT_EQ(audit.records[0].file, "token");
  EXPECT_EQ(audit.records[0].version, "v1");
  EXPECT_EQ(audit.records[0].outcome, AuditOutcome::kWritten);
  EXPECT_EQ(audit.records[0].pod.service_account, "crm-sync");
  EXPECT_EQ(audit.records[1].outcome, AuditOutcome::kError);
  EXPECT_NE(audit.records[1].error.find("temporarily_unavailable"), std::string::npos);
  for (const AuditRecord& r : audit.records) {
    const std::string line = FormatAuditLine(r);
    EXPECT_EQ(line.find("TOKEN-"), std::string::npos);
    EXPECT_EQ(line.find(kClientSecret), std::string::npos);
  }
}

// Token lines carry the credentials' creation time and the token's expiry; an
// overdue credential is reported like a secret (rotation_watch.h), and the
// health registry sees mints, expiries and failures.
TEST_F(JobFixture, CredentialAgeTokenExpiryAndHealth) {
  const WallTime created = clock.Now() - std::chrono::hours(24 * 120);
  store.Put(kPath, std::string(R"({"clientId":"cid","clientSecret":")") + kClientSecret + "\"}",
            "v9", "", created);
  VectorAudit audit;
  HealthRegistry health;
  InjectionPlan plan;
  PlannedFile f;
  f.name = "token";
  f.kind = FileKind::kToken;
  f.ref = *ParseSecretRef(std::string("aws:") + kPath);
  f.token = TokenSpec{ParseIssuer("https://idp.example/token").value(), "", ""};
  f.rotation_max_age_seconds = 90 * 86400;
  plan.files = {f};
  health.Declare(f);
  JobEnvironment env = Env();
  env.audit = &audit;
  env.health = &health;
  auto jobs = MakeTokenJobs(plan, env);
  ASSERT_TRUE(jobs.ok());
  LogCapture logs;
  ASSERT_TRUE((*jobs)[0]->Run(clock.Now()));
  ASSERT_EQ(audit.records.size(), 1u);
  const nlohmann::json line = nlohmann::json::parse(FormatAuditLine(audit.records[0]));
  EXPECT_EQ(line["version_created"], "2023-07-17T22:13:20Z");
  EXPECT_EQ(line["expires_at"], "2023-11-14T22:18:20Z");  // 300 s after the fake clock's start
  EXPECT_NE(logs.text().find("rotation overdue"), std::string::npos) << logs.text();
  down = true;
  ASSERT_TRUE((*jobs)[0]->Run(clock.Now() + seconds(200)));
  EXPECT_FALSE(nlohmann::json::parse(FormatAuditLine(audit.records[1])).contains("expires_at"));
  const FileHealth h = health.Snapshot().at(0);
  EXPECT_EQ(h.version, "v9");
  EXPECT_EQ(h.version_created, created);
  EXPECT_EQ(h.token_expiry, clock.Now() + seconds(300));
  EXPECT_EQ(h.last_success, clock.Now());
  EXPECT_EQ(h.failures.at("unavailable"), 1u);
  EXPECT_EQ(logs.text().find(kClientSecret), std::string::npos);
  EXPECT_EQ(logs.text().find("TOKEN-"), std::string::npos);
}

// A rotation reaches the file one refresh-interval after the store changed:
// between refreshes the job re-reads the credentials every refresh-interval
// (300 s here) and mints with a new version at once, not at the old token's
// refresh time (2700 s into a 3600 s token).
TEST_F(JobFixture, NewCredentialVersionIsMintedWithAtOnce) {
  lifetime = 3600;
  HealthRegistry health;
  InjectionPlan plan;
  PlannedFile f;
  f.name = "token";
  f.kind = FileKind::kToken;
  f.ref = *ParseSecretRef(std::string("aws:") + kPath);
  f.token = TokenSpec{ParseIssuer("https://idp.example/token").value(), "", ""};
  plan.files = {f};
  health.Declare(f);
  JobEnvironment env = Env();
  env.health = &health;
  std::vector<std::string> basic;
  http.fn = [this, &basic](const HttpRequest& r) -> Result<HttpResponse> {
    for (const auto& [k, v] : r.headers)
      if (k == "Authorization") basic.push_back(v);
    ++minted;
    return Json(200, R"({"access_token":"TOKEN-)" + std::to_string(minted) +
                         R"(-SECRET","token_type":"Bearer","expires_in":3600})");
  };
  auto jobs = MakeTokenJobs(plan, env);
  ASSERT_TRUE(jobs.ok());
  TokenJob& job = *(*jobs)[0];
  const WallTime t0 = clock.Now();
  std::optional<WallTime> next = job.Run(t0);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, t0 + seconds(300)) << "the credential check comes before the refresh";
  EXPECT_EQ(health.Snapshot().at(0).client_id, "cid");

  // Same version: a read, no mint.
  const size_t reads = store.fetches.size();
  next = job.Run(*next);
  EXPECT_EQ(minted, 1);
  EXPECT_EQ(store.fetches.size(), reads + 1);
  EXPECT_EQ(*next, t0 + seconds(600));

  // The store moves to a new client: the next check mints with it.
  store.Put(kPath, std::string(R"({"clientId":"cid-2","clientSecret":")") + kClientSecret + R"("})",
            "v2");
  next = job.Run(*next);
  EXPECT_EQ(minted, 2);
  EXPECT_EQ(ReadFile(dir.path() + "/token").find("TOKEN-2-SECRET") != std::string::npos, true);
  ASSERT_EQ(basic.size(), 2u);
  EXPECT_NE(basic[0], basic[1]) << "the second mint used the new credentials";
  EXPECT_EQ(health.Snapshot().at(0).client_id, "cid-2");
  EXPECT_EQ(health.Snapshot().at(0).version, "v2");
  EXPECT_EQ(*next, t0 + seconds(900));
}

TEST_F(JobFixture, EnvFormatAndCreateErrors) {
  auto job = Make(OutputFormat::kEnv);
  ASSERT_TRUE(job->Run(clock.Now()));
  EXPECT_EQ(ReadFile(dir.path() + "/token")
                .rfind("TOKEN_ACCESS_TOKEN='TOKEN-1-SECRET'\nTOKEN_ACCESS_TOKEN_TYPE='Bearer'\n"
                       "TOKEN_ACCESS_TOKEN_EXPIRES_AT=",
                       0),
            0u);

  InjectionPlan plan;
  PlannedFile f;
  f.name = "t";
  f.kind = FileKind::kToken;
  f.token = TokenSpec{IssuerRef{IssuerKind::kGeneric, "", "ftp://idp.example/token"}, "", ""};
  EXPECT_EQ(TokenJob::Create(f, plan, Env()).status().code(), Code::kInvalidArgument);
  f.kind = FileKind::kSecret;
  EXPECT_EQ(TokenJob::Create(f, plan, Env()).status().code(), Code::kInvalidArgument);
  plan.files = {f};
  auto jobs = MakeTokenJobs(plan, Env());
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty()) << "secret files are not token jobs";
}

}  // namespace
}  // namespace memsecret::injector::oauth
