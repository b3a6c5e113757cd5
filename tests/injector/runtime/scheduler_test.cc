// Scheduler and backoff: jobs run at their own due times under a fake clock;
// backoff grows exponentially, stays under the cap and honours Retry-After.
// The shared throttle's delay and window: throttle_test.cc.
#include "injector/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <thread>

#include "injector/runtime/backoff.h"
#include "testing/injector_fakes.h"

namespace memsecret::injector {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Runs every `period` (nullopt: once), recording when it ran.
class RecordingJob final : public Job {
 public:
  RecordingJob(std::string name, std::optional<seconds> period, std::vector<std::string>* log)
      : name_(std::move(name)), period_(period), log_(log) {}
  const std::string& name() const override { return name_; }
  std::optional<WallTime> Run(WallTime now) override {
    log_->push_back(
        name_ + "@" +
        std::to_string(std::chrono::duration_cast<seconds>(now.time_since_epoch()).count()));
    ran_ = true;
    if (!period_) return std::nullopt;
    return now + *period_;
  }
  bool Ready() const override { return ran_; }

 private:
  std::string name_;
  std::optional<seconds> period_;
  std::vector<std::string>* log_;
  bool ran_ = false;
};

WallTime At(int64_t s) { return WallTime(seconds(s)); }

TEST(SchedulerTest, RunsJobsAtTheirOwnDueTimesInOrder) {
  std::vector<std::string> log;
  Scheduler s;
  s.Add(std::make_unique<RecordingJob>("secret", seconds(300), &log), At(0));
  s.Add(std::make_unique<RecordingJob>("token", seconds(45), &log), At(0));
  EXPECT_FALSE(s.AllReady());
  EXPECT_EQ(s.RunDue(At(0)), At(45));
  EXPECT_TRUE(s.AllReady());
  EXPECT_EQ(s.RunDue(At(44)), At(45));  // nothing due yet
  EXPECT_EQ(s.RunDue(At(45)), At(90));
  EXPECT_EQ(s.RunDue(At(301)), At(346));  // both overdue: run in due order
  EXPECT_EQ(log, (std::vector<std::string>{"secret@0", "token@0", "token@45", "token@301",
                                           "secret@301"}));
}

TEST(SchedulerTest, FinishedJobsLeaveNothingScheduled) {
  std::vector<std::string> log;
  Scheduler s;
  s.Add(std::make_unique<RecordingJob>("once", std::nullopt, &log), At(10));
  EXPECT_EQ(s.RunDue(At(9)), At(10));
  EXPECT_EQ(s.RunDue(At(10)), std::nullopt);
  EXPECT_EQ(s.DueOf("once"), std::nullopt);
  EXPECT_EQ(log.size(), 1u);
}

TEST(SchedulerTest, RunLoopWaitsExactlyUntilTheNextDueTime) {
  std::vector<std::string> log;
  FakeClock clock(At(1000));
  Scheduler s;
  s.Add(std::make_unique<RecordingJob>("a", seconds(60), &log), At(1000));
  FakeWaiter waiter(&clock, 3);
  int passes = 0;
  s.Run(clock, waiter, [&] { ++passes; });
  EXPECT_EQ(passes, 4);
  EXPECT_EQ(waiter.deadlines,
            (std::vector<std::optional<WallTime>>{At(1060), At(1120), At(1180), At(1240)}));
}

TEST(SchedulerTest, IdleSchedulerWaitsWithoutDeadline) {
  std::vector<std::string> log;
  FakeClock clock(At(0));
  Scheduler s;
  s.Add(std::make_unique<RecordingJob>("a", std::nullopt, &log), At(0));
  FakeWaiter waiter(&clock, 10);
  s.Run(clock, waiter);
  ASSERT_EQ(waiter.deadlines.size(), 1u);
  EXPECT_EQ(waiter.deadlines[0], std::nullopt);  // no periodic wake-up
}

// Answers each Run with the next scripted status (then OK), retrying
// `retry` later after a failure; records when it ran.
class ScriptedJob final : public Job {
 public:
  ScriptedJob(std::string name, std::vector<Status> script, seconds retry,
              std::vector<std::string>* log)
      : name_(std::move(name)), script_(std::move(script)), retry_(retry), log_(log) {}
  const std::string& name() const override { return name_; }
  std::optional<WallTime> Run(WallTime now) override {
    log_->push_back(
        name_ + "@" +
        std::to_string(std::chrono::duration_cast<seconds>(now.time_since_epoch()).count()));
    last_ = runs_ < script_.size() ? script_[runs_] : Status::Ok();
    ++runs_;
    if (!last_.ok()) return now + retry_;
    done_ = true;
    return std::nullopt;
  }
  bool Ready() const override { return done_; }
  Status LastStatus() const override { return last_; }

 private:
  std::string name_;
  std::vector<Status> script_;
  seconds retry_;
  std::vector<std::string>* log_;
  size_t runs_ = 0;
  Status last_;
  bool done_ = false;
};

// A throttle that lasts exactly 4 s with jitter 1 (the end of the window),
// no growth, no priority: the scheduler's delay, not the job's own retry time
// (9 s here).
ThrottlePolicy FourSeconds() {
  ThrottlePolicy p;
  p.first_window = milliseconds(4000);
  p.growth = 1.0;
  p.cap = milliseconds(4000);
  p.priority = 0.0;
  return p;
}

// Runs passes at `now` until nothing more is due then (the window starts the
// rest of the due jobs in the next pass, right after).
std::optional<WallTime> Drain(Scheduler& s, WallTime now) {
  std::optional<WallTime> next = s.RunDue(now);
  while (next && *next <= now) next = s.RunDue(now);
  return next;
}

// One throttled answer (kResourceExhausted) stops the pass: jobs not started
// yet wait for the shared throttle; other failures do not.
TEST(SchedulerTest, AThrottledAnswerDefersEveryJobNotYetStarted) {
  struct Case {
    const char* name;
    Status b_first;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"throttled", ResourceExhausted("429"), {"a@1000", "b@1000", "b@1004", "c@1004", "d@1004"}},
      {"unavailable", Unavailable("503"), {"a@1000", "b@1000", "c@1000", "d@1000", "b@1009"}},
      {"not found", NotFound("gone"), {"a@1000", "b@1000", "c@1000", "d@1000", "b@1009"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> log;
    Scheduler s(1);
    s.set_throttle_policy(FourSeconds());
    s.set_jitter([] { return 1.0; });
    const WallTime t0 = WallTime(seconds(1000));
    s.Add(std::make_unique<ScriptedJob>("a", std::vector<Status>{}, seconds(9), &log), t0);
    s.Add(std::make_unique<ScriptedJob>("b", std::vector<Status>{c.b_first}, seconds(9), &log), t0);
    s.Add(std::make_unique<ScriptedJob>("c", std::vector<Status>{}, seconds(9), &log), t0);
    s.Add(std::make_unique<ScriptedJob>("d", std::vector<Status>{}, seconds(9), &log), t0);
    std::optional<WallTime> next = Drain(s, t0);
    ASSERT_TRUE(next);
    const bool throttled = c.b_first.code() == Code::kResourceExhausted;
    EXPECT_EQ(*next, t0 + seconds(throttled ? 4 : 9));
    // Nothing starts while the throttle lasts, even a job due meanwhile.
    EXPECT_EQ(s.RunDue(t0 + seconds(2)), next);
    EXPECT_EQ(Drain(s, *next), std::nullopt);
    EXPECT_EQ(log, c.want);
    EXPECT_TRUE(s.AllReady());
  }
}

TEST(SchedulerTest, AThrottleHoldsJobsThatBecomeDueDuringIt) {
  std::vector<std::string> log;
  Scheduler s(1);
  s.set_throttle_policy(FourSeconds());
  s.set_jitter([] { return 1.0; });
  const WallTime t0 = WallTime(seconds(1000));
  s.Add(std::make_unique<ScriptedJob>(
            "t", std::vector<Status>{ResourceExhausted("429"), ResourceExhausted("429")},
            seconds(10), &log),
        t0);
  s.Add(std::make_unique<RecordingJob>("late", std::nullopt, &log), t0 + seconds(3));
  // `late` is held until the throttle ends: no wake-up at 1003 just to defer it.
  EXPECT_EQ(s.RunDue(t0), t0 + seconds(4));
  EXPECT_EQ(s.DueOf("late"), t0 + seconds(4));
  EXPECT_EQ(s.RunDue(t0 + seconds(3)), t0 + seconds(4));
  // Throttled again at 1004 (t runs first: due order, then insertion order):
  // the throttle is extended and `late` waits again.
  EXPECT_EQ(Drain(s, t0 + seconds(4)), t0 + seconds(8));
  EXPECT_EQ(s.throttled_until(), t0 + seconds(8));
  EXPECT_EQ(Drain(s, t0 + seconds(8)), std::nullopt);
  EXPECT_EQ(log, (std::vector<std::string>{"t@1000", "t@1004", "t@1008", "late@1008"}));
}

TEST(CondVarWaiterTest, StopFromAnotherThreadWakesAnIndefiniteWait) {
  CondVarWaiter waiter;
  std::thread stopper([&] { waiter.Stop(); });
  EXPECT_FALSE(waiter.WaitUntil(std::nullopt));  // returns only because of Stop
  stopper.join();
  EXPECT_TRUE(waiter.stopped());
  EXPECT_FALSE(waiter.WaitUntil(std::chrono::system_clock::now() + std::chrono::hours(1)));
}

TEST(CondVarWaiterTest, PastDeadlineReturnsAtOnce) {
  CondVarWaiter waiter;
  EXPECT_TRUE(waiter.WaitUntil(std::chrono::system_clock::now() - seconds(1)));
}

TEST(BackoffTest, GrowsExponentiallyUpToTheCap) {
  BackoffPolicy p{milliseconds(1000), 2.0, milliseconds(30'000), 0.0};
  struct Case {
    int attempt;
    int64_t want_ms;
  } cases[] = {{1, 1000}, {2, 2000}, {3, 4000}, {5, 16000}, {6, 30000}, {60, 30000}, {5000, 30000}};
  for (const auto& c : cases)
    EXPECT_EQ(BackoffDelay(p, c.attempt, 0.5).count(), c.want_ms) << c.attempt;
}

TEST(BackoffTest, JitterSpreadsAroundTheBaseAndNeverPassesTheCap) {
  BackoffPolicy p{milliseconds(1000), 2.0, milliseconds(30'000), 0.2};
  EXPECT_EQ(BackoffDelay(p, 1, 0.0).count(), 800);
  EXPECT_EQ(BackoffDelay(p, 1, 0.5).count(), 1000);
  EXPECT_EQ(BackoffDelay(p, 1, 0.999999).count(), 1199);
  EXPECT_EQ(BackoffDelay(p, 10, 0.999999).count(), 30000);
  EXPECT_EQ(BackoffDelay(p, 10, 0.0).count(), 24000);
}

TEST(BackoffTest, RetryAfterIsHonouredAndClamped) {
  BackoffPolicy p{milliseconds(1000), 2.0, milliseconds(30'000), 0.0, seconds(600)};
  EXPECT_EQ(BackoffDelay(p, 1, 0.5, seconds(7)).count(), 7000);
  EXPECT_EQ(BackoffDelay(p, 5, 0.5, seconds(7)).count(), 16000);  // backoff already longer
  EXPECT_EQ(BackoffDelay(p, 1, 0.5, seconds(120)).count(),
            120000);  // above the cap: still honoured
  EXPECT_EQ(BackoffDelay(p, 1, 0.5, seconds(86400)).count(), 600000);  // absurd hint clamped
}

TEST(BackoffTest, RandomJitterStaysInRange) {
  auto j = MakeRandomJitter();
  for (int i = 0; i < 1000; ++i) {
    double v = j();
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
  }
}

}  // namespace
}  // namespace memsecret::injector
