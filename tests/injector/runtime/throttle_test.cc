// Mass starts: ThrottleDelay (full jitter over a window that widens with
// throttles in a row, narrows with the share of the first write left, comes
// after Retry-After) and how the scheduler applies it to the whole process:
// one throttled answer holds every job, the window of jobs per pass drops to
// one and grows with each success, and an init run that cannot finish says
// how often it was throttled.
#include <gtest/gtest.h>

#include <mutex>

#include "injector/runtime/backoff.h"
#include "injector/runtime/scheduler.h"
#include "testing/injector_fakes.h"

namespace memsecret::injector {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ThrottlePolicy Policy() {
  ThrottlePolicy p;
  p.first_window = milliseconds(4000);
  p.growth = 1.5;
  p.cap = milliseconds(6000);
  p.steady_cap = milliseconds(60'000);
  p.priority = 2.0;
  p.min_delay = milliseconds(10);
  p.max_retry_after = seconds(600);
  return p;
}

TEST(ThrottleDelayTest, Table) {
  struct Case {
    const char* name;
    int throttles;
    double share;
    bool ready;
    double jitter;
    std::optional<seconds> retry_after;
    int64_t want_ms;
  };
  const Case cases[] = {
      {"first throttle, nothing written: the whole window", 1, 1.0, false, 1.0, {}, 4000},
      {"full jitter: anywhere in the window", 1, 1.0, false, 0.25, {}, 1000},
      {"never a hot loop", 1, 1.0, false, 0.0, {}, 10},
      {"widens with throttles in a row", 2, 1.0, false, 1.0, {}, 6000},
      {"up to the cap while starting", 9, 1.0, false, 1.0, {}, 6000},
      {"absurd counts stay at the cap", 100000, 1.0, false, 1.0, {}, 6000},
      {"after the first write: the steady cap", 9, 1.0, true, 1.0, {}, 60000},
      {"half written: a quarter of the window", 1, 0.5, false, 1.0, {}, 1000},
      {"one file of four left: a sixteenth", 1, 0.25, false, 1.0, {}, 250},
      {"share out of range counts as 1", 1, 0.0, false, 1.0, {}, 4000},
      {"Retry-After comes first, jitter after it", 1, 1.0, false, 0.5, seconds(3), 5000},
      {"Retry-After with no jitter", 1, 0.25, false, 0.0, seconds(1), 1010},
      {"absurd Retry-After clamped", 1, 1.0, false, 0.0, seconds(86400), 600010},
      {"zero throttles counts as one", 0, 1.0, false, 1.0, {}, 4000},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(
        ThrottleDelay(Policy(), c.throttles, c.share, c.ready, c.jitter, c.retry_after).count(),
        c.want_ms)
        << c.name;
  }
}

std::mutex log_mu;  // jobs of one pass run concurrently with max_in_flight > 1

// Answers each Run with the next scripted status (then OK); records runs.
class ScriptedJob final : public Job {
 public:
  ScriptedJob(std::string name, std::vector<Status> script, std::vector<std::string>* log,
              std::optional<seconds> retry_after = {})
      : name_(std::move(name)), script_(std::move(script)), log_(log), retry_after_(retry_after) {}
  const std::string& name() const override { return name_; }
  std::optional<WallTime> Run(WallTime now) override {
    {
      std::lock_guard<std::mutex> lock(log_mu);
      log_->push_back(name_);
    }
    last_ = runs_ < script_.size() ? script_[runs_] : Status::Ok();
    ++runs_;
    if (!last_.ok()) return now + seconds(1);  // its own retry; a throttle overrides it
    done_ = true;
    return std::nullopt;
  }
  bool Ready() const override { return done_; }
  Status LastStatus() const override { return last_; }
  std::optional<seconds> RetryAfter() const override {
    return last_.ok() ? std::nullopt : retry_after_;
  }

 private:
  std::string name_;
  std::vector<Status> script_;
  std::vector<std::string>* log_;
  std::optional<seconds> retry_after_;
  size_t runs_ = 0;
  Status last_;
  bool done_ = false;
};

const WallTime kT0 = WallTime(seconds(1'000'000));

Scheduler MakeScheduler(size_t max_in_flight) {
  Scheduler s(max_in_flight);
  s.set_throttle_policy(Policy());
  s.set_jitter([] { return 1.0; });  // the end of every window
  return s;
}

// The pod is held as a whole, for ThrottleDelay of the share still to do: a
// pod with three of four files written retries within a sixteenth of the
// window a pod that has written nothing uses.
TEST(SchedulerThrottleTest, AThrottleHoldsThePodForTheShareLeft) {
  struct Case {
    const char* name;
    int written_before;  // files that succeed before the throttled one
    int64_t want_ms;
  };
  const Case cases[] = {
      {"nothing written", 0, 4000}, {"two of four", 2, 1000}, {"three of four", 3, 250}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> log;
    Scheduler s = MakeScheduler(1);
    for (int i = 0; i < 4; ++i) {
      std::vector<Status> script;
      if (i == c.written_before) script.push_back(ResourceExhausted("ThrottlingException"));
      s.Add(std::make_unique<ScriptedJob>("f" + std::to_string(i), script, &log), kT0);
    }
    std::optional<WallTime> next = s.RunDue(kT0);
    while (next && *next <= kT0) next = s.RunDue(kT0);
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - kT0, milliseconds(c.want_ms));
    EXPECT_EQ(s.throttled_until(), next);
    EXPECT_EQ(log.size(), static_cast<size_t>(c.written_before + 1));  // nothing after the throttle
    EXPECT_EQ(s.throttles(), 1);
  }
}

// Throttled passes in a row widen the window; a success resets it.
TEST(SchedulerThrottleTest, ThrottlesInARowWidenTheWindowAndProgressResetsIt) {
  std::vector<std::string> log;
  Scheduler s = MakeScheduler(1);
  const Status throttled = ResourceExhausted("429");
  s.Add(std::make_unique<ScriptedJob>("a", std::vector<Status>{throttled, throttled}, &log), kT0);
  s.Add(std::make_unique<ScriptedJob>("b", std::vector<Status>{throttled}, &log), kT0);
  std::optional<WallTime> next = s.RunDue(kT0);  // a throttled: 4 s; b not started
  ASSERT_EQ(next, kT0 + milliseconds(4000));
  next = s.RunDue(*next);  // a throttled again: 6 s (4 s x 1.5)
  ASSERT_EQ(next, kT0 + milliseconds(10000));
  EXPECT_EQ(s.throttled_in_a_row(), 2);
  // a is written (the count resets), then b is throttled: the first window
  // again, narrowed to the half still to write (x 1/4).
  next = s.RunDue(*next);
  EXPECT_EQ(s.throttled_in_a_row(), 1);
  EXPECT_EQ(next, kT0 + milliseconds(10000 + 1000));
  EXPECT_EQ(log, (std::vector<std::string>{"a", "a", "a", "b"}));
}

// The server's Retry-After comes first, the jitter after it.
TEST(SchedulerThrottleTest, RetryAfterIsHonoured) {
  std::vector<std::string> log;
  Scheduler s = MakeScheduler(1);
  s.Add(std::make_unique<ScriptedJob>("a", std::vector<Status>{ResourceExhausted("429")}, &log,
                                      seconds(30)),
        kT0);
  EXPECT_EQ(s.RunDue(kT0), kT0 + seconds(30) + milliseconds(4000));
}

// Additive increase, multiplicative decrease: after a throttle one job per
// pass, one more after each success, up to max_in_flight.
TEST(SchedulerThrottleTest, TheWindowDropsToOneAndGrowsWithEachSuccess) {
  std::vector<std::string> log;
  Scheduler s = MakeScheduler(4);
  EXPECT_EQ(s.window(), 4u);
  s.Add(std::make_unique<ScriptedJob>("t", std::vector<Status>{ResourceExhausted("429")}, &log),
        kT0);
  std::optional<WallTime> next = s.RunDue(kT0);
  EXPECT_EQ(s.window(), 1u);
  for (int i = 0; i < 8; ++i)
    s.Add(std::make_unique<ScriptedJob>("j" + std::to_string(i), std::vector<Status>{}, &log),
          *next);
  std::vector<size_t> started;
  while (next) {
    const size_t before = log.size();
    next = s.RunDue(*next);
    started.push_back(log.size() - before);
  }
  // t alone (1), then 2 (one more for t's success), then — the window back
  // at max_in_flight — every job still due (at most 4 at once).
  EXPECT_EQ(started, (std::vector<size_t>{1, 2, 6}));
  EXPECT_EQ(s.window(), 4u);
}

// An init run that cannot finish within its bound fails with one line that
// says how often it was throttled and by what.
TEST(SchedulerThrottleTest, InitDeadlineNamesTheThrottling) {
  std::vector<std::string> log;
  Scheduler s = MakeScheduler(1);
  std::vector<Status> always(
      100, ResourceExhausted("GetSecretValue /x: ThrottlingException: Rate exceeded"));
  s.Add(std::make_unique<ScriptedJob>("secret-x", always, &log), kT0);
  FakeClock clock(kT0);
  FakeWaiter waiter(&clock, 1000);
  Status st = s.RunUntilReady(clock, waiter, kT0 + seconds(60));
  EXPECT_EQ(st.code(), Code::kDeadlineExceeded);
  const std::string m = st.message();
  EXPECT_NE(m.find("throttled " + std::to_string(s.throttles()) + " times"), std::string::npos)
      << m;
  EXPECT_GE(s.throttles(), 10);  // 60 s of 6 s windows
  EXPECT_NE(m.find("secret-x: GetSecretValue /x: ThrottlingException"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_GE(clock.Now(), kT0 + seconds(60));  // it waited for its bound, no longer than a window
  EXPECT_LT(clock.Now(), kT0 + seconds(67));
}

}  // namespace
}  // namespace memsecret::injector
