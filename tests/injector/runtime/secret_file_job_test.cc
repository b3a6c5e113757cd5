// SecretFileJob under a fake clock: writes, skips unchanged versions, keeps
// the last good file through outages with exponential backoff and
// Retry-After, recovers by itself, audits every fetch — and never lets a
// value reach the logs or the audit stream. Plus RunUntilReady (init mode).
#include "injector/runtime/secret_file_job.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "injector/runtime/job_environment.h"
#include "memsecret/plan/backends.h"
#include "testing/injector_fakes.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kV1 = R"({"user":"app","password":"P4SS-VALUE-ONE"})";
constexpr const char* kV2 = R"({"user":"app","password":"P4SS-VALUE-TWO"})";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SecretFileJobTest : public ::testing::Test {
 protected:
  PlannedFile File(const std::string& ref, OutputFormat format = OutputFormat::kRaw) {
    PlannedFile f;
    f.name = "db";
    f.ref = ParseSecretRef(ref).value();
    f.format = format;
    f.mode = 0440;
    return f;
  }
  JobEnvironment Env() {
    JobEnvironment env;
    env.pod = {"crm", "crm-sync", "crm-sync-7d9f"};
    env.provider = &provider_;
    env.writer = &writer_;
    env.audit = &audit_;
    env.jitter = [] { return 0.5; };  // no jitter: exact delays
    env.backoff = BackoffPolicy{milliseconds(1000), 2.0, milliseconds(60'000), 0.2};
    return env;
  }
  void ExpectNoValuesLeaked() {
    std::string all = logs_.text();
    for (const auto& l : audit_.lines) all += l;
    for (const char* v : {"P4SS-VALUE-ONE", "P4SS-VALUE-TWO"})
      EXPECT_EQ(all.find(v), std::string::npos) << v;
  }

  LogCapture logs_;
  TempDir dir_;
  AtomicFileWriter writer_{dir_.path()};
  ScriptedProvider provider_;
  RecordingAudit audit_;
  FakeClock clock_;
};

TEST_F(SecretFileJobTest, WritesThenSkipsSameVersionThenRewritesNewVersion) {
  provider_.SetValue(kV1, "v1");
  SecretFileJob job(File("aws:/crm/db#password"), seconds(300), Env());
  const WallTime t0 = clock_.Now();
  EXPECT_FALSE(job.Ready());
  EXPECT_EQ(job.Run(t0), t0 + seconds(300));
  EXPECT_TRUE(job.Ready());
  EXPECT_EQ(Slurp(dir_.path() + "/db"), "P4SS-VALUE-ONE");
  struct stat st1;
  ASSERT_EQ(::stat((dir_.path() + "/db").c_str(), &st1), 0);
  EXPECT_EQ(st1.st_mode & 07777, 0440u);

  EXPECT_EQ(job.Run(t0 + seconds(300)), t0 + seconds(600));  // same VersionId: nothing rewritten
  struct stat st2;
  ASSERT_EQ(::stat((dir_.path() + "/db").c_str(), &st2), 0);
  EXPECT_EQ(st2.st_ino, st1.st_ino);

  provider_.SetValue(kV2, "v2");
  job.Run(t0 + seconds(600));
  EXPECT_EQ(Slurp(dir_.path() + "/db"), "P4SS-VALUE-TWO");
  EXPECT_EQ(job.version_on_disk(), "v2");

  ASSERT_EQ(audit_.records.size(), 3u);
  EXPECT_EQ(audit_.records[0].outcome, AuditOutcome::kWritten);
  EXPECT_EQ(audit_.records[1].outcome, AuditOutcome::kUnchanged);
  EXPECT_EQ(audit_.records[2].outcome, AuditOutcome::kWritten);
  EXPECT_EQ(audit_.records[2].version, "v2");
  EXPECT_EQ(audit_.lines[0].find(
                R"("pod":"crm-sync-7d9f","namespace":"crm","serviceAccount":"crm-sync")"),
            audit_.lines[0].find(R"("pod")"));
  EXPECT_NE(audit_.lines[0].find(R"("provider":"aws","ref":"aws:/crm/db#password")"),
            std::string::npos);
  ExpectNoValuesLeaked();
}

TEST_F(SecretFileJobTest, FirstRefreshComesEarlyByThePodsPhaseThenTheIntervalHolds) {
  provider_.SetValue(kV1, "v1");
  JobEnvironment env = Env();
  env.refresh_phase = 0.5;  // half of the 25 % spread: 37.5 s of 300 s
  SecretFileJob job(File("aws:/crm/db#password"), seconds(300), env);
  const WallTime t0 = clock_.Now();
  const WallTime first = *job.Run(t0);
  EXPECT_EQ(first, t0 + milliseconds(262'500));
  EXPECT_EQ(job.Run(first), first + seconds(300));
  env.refresh_phase = 0.999;  // never more than a quarter early
  SecretFileJob other(File("aws:/crm/db#password"), seconds(300), env);
  EXPECT_GT(*other.Run(t0), t0 + seconds(225));
}

TEST_F(SecretFileJobTest, OutageKeepsLastGoodFileBacksOffAndRecovers) {
  provider_.SetValue(kV1, "v1");
  SecretFileJob job(File("aws:/crm/db", OutputFormat::kEnv), seconds(300), Env());
  WallTime t = clock_.Now();
  t = *job.Run(t);
  const std::string good = Slurp(dir_.path() + "/db");
  ASSERT_EQ(good, "password='P4SS-VALUE-ONE'\nuser='app'\n");

  provider_.SetFailure(Unavailable("GetSecretValue /crm/db: ServiceUnavailable"));
  std::vector<int64_t> delays;
  for (int i = 0; i < 8; ++i) {
    WallTime next = *job.Run(t);
    delays.push_back(std::chrono::duration_cast<milliseconds>(next - t).count());
    t = next;
    EXPECT_EQ(Slurp(dir_.path() + "/db"), good);  // never deleted or truncated
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000}));
  EXPECT_FALSE(job.LastStatus().ok());
  EXPECT_NE(job.LastStatus().message().find("aws:/crm/db"), std::string::npos);

  provider_.SetFailure(ResourceExhausted("ThrottlingException"), seconds(90));
  WallTime next = *job.Run(t);
  EXPECT_EQ(next - t, seconds(90));  // Retry-After beats the capped backoff
  t = next;

  provider_.SetValue(kV2, "v2");
  EXPECT_EQ(job.Run(t), t + seconds(300));  // recovered: back on the refresh schedule
  EXPECT_EQ(job.consecutive_failures(), 0);
  EXPECT_TRUE(job.LastStatus().ok());
  EXPECT_EQ(Slurp(dir_.path() + "/db"), "password='P4SS-VALUE-TWO'\nuser='app'\n");
  EXPECT_NE(logs_.text().find("recovered after 9 failed attempts"), std::string::npos);
  int errors = 0;
  for (const auto& r : audit_.records) errors += r.outcome == AuditOutcome::kError;
  EXPECT_EQ(errors, 9);
  ExpectNoValuesLeaked();
}

TEST_F(SecretFileJobTest, JitterSpreadsRetries) {
  provider_.SetFailure(Unavailable("down"));
  JobEnvironment env = Env();
  env.jitter = [] { return 0.0; };
  SecretFileJob low(File("aws:/crm/db"), seconds(300), env);
  env.jitter = [] { return 0.99; };
  SecretFileJob high(File("aws:/crm/db"), seconds(300), env);
  const WallTime t = clock_.Now();
  EXPECT_EQ(*low.Run(t) - t, milliseconds(800));
  EXPECT_EQ(*high.Run(t) - t, milliseconds(1196));
}

TEST_F(SecretFileJobTest, ZeroRefreshMeansFetchOnce) {
  provider_.SetValue(kV1, "v1");
  SecretFileJob job(File("aws:/crm/db"), seconds(0), Env());
  EXPECT_EQ(job.Run(clock_.Now()), std::nullopt);
  EXPECT_TRUE(job.Ready());
}

TEST_F(SecretFileJobTest, MissingFieldIsAnErrorAndNoFileAppears) {
  provider_.SetValue(kV1, "v1");
  SecretFileJob job(File("aws:/crm/db#nope"), seconds(300), Env());
  job.Run(clock_.Now());
  EXPECT_FALSE(job.Ready());
  EXPECT_EQ(job.LastStatus().code(), Code::kNotFound);
  EXPECT_NE(job.LastStatus().message().find("nope"), std::string::npos);
  struct stat st;
  EXPECT_NE(::stat((dir_.path() + "/db").c_str(), &st), 0);
  ExpectNoValuesLeaked();
}

TEST_F(SecretFileJobTest, InitModeRetriesRetryableErrorsUntilReady) {
  provider_.SetFailure(Unavailable("down"));
  Scheduler s;
  s.Add(std::make_unique<SecretFileJob>(File("aws:/crm/db"), seconds(300), Env()), clock_.Now());
  FakeWaiter waiter(&clock_, 10, [&](WallTime) {
    if (provider_.calls == 3) provider_.SetValue(kV1, "v1");  // back after the third try
  });
  EXPECT_TRUE(s.RunUntilReady(clock_, waiter, clock_.Now() + seconds(30)).ok());
  EXPECT_EQ(provider_.calls, 4);
  EXPECT_EQ(Slurp(dir_.path() + "/db"), kV1);
}

TEST_F(SecretFileJobTest, InitModeStopsAtOnceOnFinalErrorNamingRefAndReason) {
  provider_.SetFailure(NotFound("GetSecretValue /crm/db: ResourceNotFoundException"));
  Scheduler s;
  s.Add(std::make_unique<SecretFileJob>(File("aws:/crm/db"), seconds(300), Env()), clock_.Now());
  FakeWaiter waiter(&clock_, 10);
  Status st = s.RunUntilReady(clock_, waiter, clock_.Now() + seconds(30));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_NE(st.message().find("db: aws:/crm/db: GetSecretValue /crm/db: ResourceNotFoundException"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(provider_.calls, 1);
  EXPECT_TRUE(waiter.deadlines.empty());
}

TEST_F(SecretFileJobTest, InitModeGivesUpAtTheDeadline) {
  provider_.SetFailure(Unavailable("down"));
  Scheduler s;
  s.Add(std::make_unique<SecretFileJob>(File("aws:/crm/db"), seconds(300), Env()), clock_.Now());
  FakeWaiter waiter(&clock_, 100);
  Status st = s.RunUntilReady(clock_, waiter, clock_.Now() + seconds(10));
  EXPECT_EQ(st.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(provider_.calls, 4);  // t=0, 1, 3, 7; the next retry (15) is past the deadline
}

// The tail of a failure line says what happens next, and only what will:
// exec gives up at a final failure until every file is written once (then it
// refreshes like a sidecar); init gives up at once; a sidecar tries again.
TEST(NextAttemptText, SaysWhatHappensNext) {
  const Status final_failure = NotFound("secret/x: not found");
  const Status transient = Unavailable("connect: refused");
  const auto delay = std::chrono::milliseconds(1180);
  JobEnvironment sidecar, init, exec;
  init.once = true;
  exec.gives_up_before_first_write = true;
  struct Case {
    const JobEnvironment* env;
    const Status* failure;
    bool written;
    const char* want;
  } cases[] = {
      {&exec, &final_failure, false, "not retryable, giving up"},
      {&exec, &final_failure, true, "not retryable, next attempt in 1180 ms"},
      {&exec, &transient, false, "retryable, next attempt in 1180 ms"},
      {&init, &final_failure, false, "not retryable, giving up"},
      {&sidecar, &final_failure, false, "not retryable, next attempt in 1180 ms"},
      {&sidecar, &transient, true, "retryable, next attempt in 1180 ms"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(NextAttemptText(*c.env, *c.failure, delay, c.written), c.want) << c.want;
}

}  // namespace
}  // namespace memsecret::injector
