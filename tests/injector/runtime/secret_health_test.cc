// Secret health under a fake clock: the "rotation overdue" line (once at the
// first read, then at most once per 24 h per file, cleared by a fresh
// version), the health registry (shared by concurrent jobs and the metrics
// server) and its Prometheus series, checked with an independent parser
// (python3-prometheus-client) — and never a value in a label or a line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "injector/runtime/health_metrics.h"
#include "injector/runtime/health_registry.h"
#include "injector/runtime/rotation_watch.h"
#include "injector/runtime/secret_file_job.h"
#include "memsecret/log.h"
#include "memsecret/plan/backends.h"
#include "testing/injector_fakes.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;

constexpr const char* kValue = R"({"clientSecret":"R0TATE-ME-VALUE"})";
constexpr const char* kRef = "aws:/genesys/prod/admin-client";
constexpr hours kDay{24};

std::vector<json> LinesWithMsg(const std::string& captured, const std::string& msg) {
  std::vector<json> out;
  size_t start = 0;
  while (start < captured.size()) {
    size_t end = captured.find('\n', start);
    if (end == std::string::npos) end = captured.size();
    json line = json::parse(captured.substr(start, end - start), nullptr, false);
    if (line.is_object() && line.value("msg", "") == msg) out.push_back(line);
    start = end + 1;
  }
  return out;
}

// The value of one sample line `name{labels} value` in Prometheus text, or
// nullopt when the series is absent.
std::optional<std::string> Sample(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  at += series.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

class SecretHealthTest : public ::testing::Test {
 protected:
  void SetUp() override { InitJsonLogging("injector", "info"); }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  PlannedFile File(int64_t max_age_days) {
    PlannedFile f;
    f.name = "admin-client";
    f.ref = ParseSecretRef(kRef).value();
    f.rotation_max_age_seconds = max_age_days * 86400;
    return f;
  }
  JobEnvironment Env() {
    JobEnvironment env;
    env.pod = {"crm", "crm-sync", "crm-sync-7d9f"};
    env.provider = &provider_;
    env.writer = &writer_;
    env.audit = &audit_;
    env.health = &health_;
    env.jitter = [] { return 0.5; };
    return env;
  }
  std::string Metrics() { return RenderHealthMetrics(health_.Snapshot(), clock_.Now()); }
  std::string Series(const std::string& name) {
    return name + "{file=\"admin-client\",ref=\"" + kRef + "\"}";
  }

  std::shared_ptr<spdlog::logger> previous_ = spdlog::default_logger();
  FakeClock clock_;
  ScriptedProvider provider_;
  TempDir dir_;
  AtomicFileWriter writer_{dir_.path()};
  RecordingAudit audit_;
  HealthRegistry health_;
};

// The issue's "done when": a 120-day-old version under a 90-day rule gives
// exactly one line per 24 h of fake clock and rotation_overdue 1; a new
// version clears it; a later overdue version is reported at once again.
TEST_F(SecretHealthTest, OverdueLineOncePerDayUntilANewVersion) {
  const PlannedFile file = File(90);
  health_.Declare(file);
  const WallTime created = clock_.Now() - 120 * kDay;
  provider_.SetValue(kValue, "v1", created);
  SecretFileJob job(file, seconds(3600), Env());

  ::testing::internal::CaptureStderr();
  for (int hour = 0; hour < 72; ++hour) {  // hourly refreshes for three days
    ASSERT_EQ(job.Run(clock_.Now()), clock_.Now() + hours(1));
    clock_.Advance(hours(1));
  }
  FlushLogs();
  const std::string three_days = ::testing::internal::GetCapturedStderr();
  std::vector<json> lines = LinesWithMsg(three_days, "rotation overdue");
  ASSERT_EQ(lines.size(), 3u) << three_days;
  EXPECT_EQ(lines[0]["level"], "warning");
  EXPECT_EQ(lines[0]["file"], "admin-client");
  EXPECT_EQ(lines[0]["ref"], kRef);
  EXPECT_EQ(lines[0]["version_created"], "2023-07-17T22:13:20Z");
  EXPECT_EQ(lines[0]["age"], "120d");
  EXPECT_EQ(lines[1]["age"], "121d");
  EXPECT_EQ(lines[2]["ageSeconds"], 122 * 86400);
  EXPECT_EQ(lines[0]["maxAge"], "90d");
  EXPECT_EQ(three_days.find("R0TATE-ME-VALUE"), std::string::npos);

  std::string text = Metrics();
  EXPECT_EQ(Sample(text, Series("memsecret_injector_rotation_overdue")), "1") << text;
  EXPECT_EQ(Sample(text, Series("memsecret_injector_rotation_max_age_seconds")), "7776000");
  EXPECT_EQ(Sample(text, Series("memsecret_injector_version_age_seconds")),
            std::to_string(123 * 86400));

  // Rotation: a version created yesterday. No line, overdue 0.
  provider_.SetValue(R"({"clientSecret":"R0TATE-ME-VALUE-2"})", "v2", clock_.Now() - kDay);
  ::testing::internal::CaptureStderr();
  for (int hour = 0; hour < 48; ++hour) {
    job.Run(clock_.Now());
    clock_.Advance(hours(1));
  }
  FlushLogs();
  const std::string after = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(LinesWithMsg(after, "rotation overdue").empty()) << after;
  text = Metrics();
  EXPECT_EQ(Sample(text, Series("memsecret_injector_rotation_overdue")), "0") << text;
  EXPECT_EQ(Sample(text, Series("memsecret_injector_version_age_seconds")),
            std::to_string(3 * 86400));

  // A version that is overdue again is reported at its first read.
  provider_.SetValue(kValue, "v3", clock_.Now() - 91 * kDay);
  ::testing::internal::CaptureStderr();
  job.Run(clock_.Now());
  FlushLogs();
  EXPECT_EQ(LinesWithMsg(::testing::internal::GetCapturedStderr(), "rotation overdue").size(), 1u);

  // Audit lines carry the version's creation time.
  ASSERT_FALSE(audit_.lines.empty());
  EXPECT_EQ(json::parse(audit_.lines.front())["version_created"], "2023-07-17T22:13:20Z");
  for (const std::string& l : audit_.lines) EXPECT_EQ(l.find("R0TATE-ME"), std::string::npos);
}

TEST_F(SecretHealthTest, UnknownCreationTimeOrNoRuleIsNeverOverdue) {
  PlannedFile no_rule = File(0);
  no_rule.name = "no-rule";
  PlannedFile unknown = File(90);
  unknown.name = "unknown";
  health_.Declare(no_rule);
  health_.Declare(unknown);
  ::testing::internal::CaptureStderr();
  provider_.SetValue(kValue, "v1", clock_.Now() - 400 * kDay);
  SecretFileJob(no_rule, seconds(0), Env()).Run(clock_.Now());
  provider_.SetValue(kValue, "", std::nullopt);  // Vault KV v1: no creation time
  SecretFileJob(unknown, seconds(0), Env()).Run(clock_.Now());
  FlushLogs();
  EXPECT_TRUE(LinesWithMsg(::testing::internal::GetCapturedStderr(), "rotation overdue").empty());
  const std::string text = Metrics();
  EXPECT_EQ(text.find("memsecret_injector_rotation_overdue{"), std::string::npos) << text;
  EXPECT_NE(text.find("memsecret_injector_version_age_seconds{file=\"no-rule\""),
            std::string::npos);
  EXPECT_EQ(text.find("memsecret_injector_version_age_seconds{file=\"unknown\""),
            std::string::npos);
  EXPECT_EQ(json::parse(audit_.lines.back())["version_created"], "unknown");

  EXPECT_FALSE(IsRotationOverdue(std::nullopt, seconds(60), clock_.Now()));
  EXPECT_FALSE(IsRotationOverdue(clock_.Now() - hours(2), seconds(0), clock_.Now()));
  EXPECT_FALSE(IsRotationOverdue(clock_.Now() - seconds(60), seconds(60), clock_.Now()));
  EXPECT_TRUE(IsRotationOverdue(clock_.Now() - seconds(61), seconds(60), clock_.Now()));
}

// The backend goes down after a first read: failures are counted by reason,
// the last success stays, the file's facts remain.
TEST_F(SecretHealthTest, FailuresByReasonWhileTheBackendIsDown) {
  const PlannedFile file = File(90);
  health_.Declare(file);
  provider_.SetValue(kValue, "v1", clock_.Now() - kDay);
  SecretFileJob job(file, seconds(60), Env());
  const WallTime first = clock_.Now();
  job.Run(first);
  provider_.SetFailure(Unavailable("connection refused"));
  for (int i = 0; i < 3; ++i) job.Run(clock_.Now() + seconds(60 * (i + 1)));
  provider_.SetFailure(PermissionDenied("AccessDeniedException"));
  job.Run(clock_.Now() + seconds(300));
  const std::string text = Metrics();
  EXPECT_EQ(Sample(text, "memsecret_injector_fetch_failures_total{file=\"admin-client\",ref=\"" +
                             std::string(kRef) + "\",reason=\"unavailable\"}"),
            "3")
      << text;
  EXPECT_EQ(Sample(text, "memsecret_injector_fetch_failures_total{file=\"admin-client\",ref=\"" +
                             std::string(kRef) + "\",reason=\"permission_denied\"}"),
            "1");
  EXPECT_EQ(Sample(text, Series("memsecret_injector_last_success_timestamp_seconds")),
            "1700000000");
}

TEST(HealthRegistryTest, ConcurrentRecordersAndReaders) {
  HealthRegistry health;
  std::vector<PlannedFile> files(4);
  for (size_t i = 0; i < files.size(); ++i) {
    files[i].name = "f" + std::to_string(i);
    files[i].ref = ParseSecretRef("vault:secret/app" + std::to_string(i)).value();
    health.Declare(files[i]);
  }
  std::vector<std::thread> threads;
  for (size_t t = 0; t < files.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        health.RecordFailure(files[t].name, Code::kUnavailable);
        health.RecordSuccess(files[t].name, std::to_string(i), std::nullopt,
                             WallTime(seconds(1'700'000'000 + i)));
      }
    });
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) (void)RenderHealthMetrics(health.Snapshot(), WallTime());
  });
  for (auto& t : threads) t.join();
  for (const FileHealth& f : health.Snapshot()) {
    EXPECT_EQ(f.failures.at("unavailable"), 1000u);
    EXPECT_EQ(f.version, "999");
    EXPECT_EQ(f.last_success, WallTime(seconds(1'700'000'999)));
  }
  health.RecordFailure("undeclared", Code::kInternal);  // ignored
  EXPECT_EQ(health.Snapshot().size(), 4u);
}

// An independent reader of the exposition format: python3-prometheus-client's
// parser (scripts/setup.sh installs it) must accept the text and read back
// every family, label and value.
TEST(HealthMetricsTest, IndependentParserReadsEverySeries) {
  HealthRegistry health;
  PlannedFile secret;
  secret.name = "db.json";
  secret.ref = ParseSecretRef("aws:/prod/db?stage=AWSCURRENT#password").value();
  secret.rotation_max_age_seconds = 90 * 86400;
  PlannedFile token;
  token.name = "genesys-token";
  token.kind = FileKind::kToken;
  token.token = TokenSpec{ParseIssuer("genesys").value(), "", ""};
  token.ref = ParseSecretRef("vault:secret/genesys/cx").value();
  health.Declare(secret);
  health.Declare(token);
  const WallTime now(seconds(1'700'000'000));
  health.RecordSuccess("db.json", "v7", now - 100 * kDay, now - seconds(30));
  health.RecordSuccess("genesys-token", "3", now - kDay, now - seconds(10), now + seconds(3590));
  health.RecordFailure("genesys-token", Code::kUnauthenticated);
  health.RecordClientId("genesys-token", "7f2c\"client");  // the census reads it
  health.RecordClientId("db.json", "not-a-token");         // secrets have no client
  const std::string text = RenderHealthMetrics(health.Snapshot(), now);

  TempDir dir;
  const std::string path = dir.path() + "/metrics.txt";
  std::ofstream(path) << text;
  const std::string script =
      "import json,sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "out=[]\n"
      "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "  for s in fam.samples:\n"
      "    out.append([fam.name, fam.type, s.name, s.labels, s.value])\n"
      "print(json.dumps(out))\n";
  const std::string script_path = dir.path() + "/parse.py";
  std::ofstream(script_path) << script;
  // The Debian interpreter python3-prometheus-client is installed for, when present.
  const char* python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  FILE* p = popen((std::string(python) + " " + script_path + " " + path + " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
  ASSERT_EQ(pclose(p), 0) << output << "\n" << text;
  json samples = json::parse(output, nullptr, false);
  ASSERT_TRUE(samples.is_array()) << output;

  const json db = {{"file", "db.json"}, {"ref", "aws:/prod/db?stage=AWSCURRENT#password"}};
  const json tok = {{"file", "genesys-token"}, {"ref", "vault:secret/genesys/cx"}};
  const json want = json::array({
      {"memsecret_injector_version_age_seconds", "gauge", "memsecret_injector_version_age_seconds",
       db, 100.0 * 86400},
      {"memsecret_injector_version_age_seconds", "gauge", "memsecret_injector_version_age_seconds",
       tok, 86400.0},
      {"memsecret_injector_rotation_max_age_seconds", "gauge",
       "memsecret_injector_rotation_max_age_seconds", db, 90.0 * 86400},
      {"memsecret_injector_rotation_overdue", "gauge", "memsecret_injector_rotation_overdue", db,
       1.0},
      {"memsecret_injector_token_expiry_timestamp_seconds", "gauge",
       "memsecret_injector_token_expiry_timestamp_seconds", tok, 1700003590.0},
      {"memsecret_injector_last_success_timestamp_seconds", "gauge",
       "memsecret_injector_last_success_timestamp_seconds", db, 1699999970.0},
      {"memsecret_injector_last_success_timestamp_seconds", "gauge",
       "memsecret_injector_last_success_timestamp_seconds", tok, 1699999990.0},
      {"memsecret_injector_fetch_failures",
       "counter",
       "memsecret_injector_fetch_failures_total",
       {{"file", "genesys-token"},
        {"ref", "vault:secret/genesys/cx"},
        {"reason", "unauthenticated"}},
       1.0},
      {"memsecret_injector_credential_info",
       "gauge",
       "memsecret_injector_credential_info",
       {{"file", "genesys-token"},
        {"ref", "vault:secret/genesys/cx"},
        {"client_id", "7f2c\"client"}},
       1.0},
  });
  EXPECT_EQ(samples, want) << samples.dump(1) << "\n" << text;
}

}  // namespace
}  // namespace memsecret::injector
