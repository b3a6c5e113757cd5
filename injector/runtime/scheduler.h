// Scheduler: runs the sidecar's jobs (one per output file: secret re-reads,
// OAuth token refreshes) each at its own next-due time, driven by an injected
// Clock and Waiter so tests move time without sleeping. When nothing is due
// it blocks until the earliest due time or Stop — no periodic wake-ups; with
// no due times at all it waits for Stop only.
//
// The scheduler keeps time; a BoundedExecutor runs the jobs due in one pass,
// up to max_in_flight at once (1: one after another on the calling thread).
// A pass starts its jobs in due order.
//
// Throttling is shared by the whole process (docs/backends.md, "Mass starts
// and sizing your quotas"): when a job ends with kResourceExhausted (a 429 /
// ThrottlingException / STS Throttling from any store, credential service or
// token endpoint, or a full volume), the pass's jobs not started yet are not
// started, and no job starts before now + ThrottleDelay (backoff.h: full
// jitter over a window that widens with each throttled pass without
// progress, narrows with the share of the first write still to do, and
// comes after the server's Retry-After). After a throttle the jobs a pass
// starts are limited by an additive-increase / multiplicative-decrease
// window: a throttled pass drops it to one job, each success adds one; once
// it is back at max_in_flight a pass starts every due job again. A
// throttled pod therefore costs the quota one request per retry, not one per
// file, and a pod that has started to succeed goes on one file after
// another without waiting for the others.
//
// Thread-safety: Add/RunDue/Run/RunUntilReady are called from one thread;
// jobs of one pass run concurrently, so everything they share (provider,
// caches, writer, audit sink, jitter source) must be thread-safe. Each job
// is run by at most one thread at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "injector/runtime/backoff.h"
#include "injector/runtime/bounded_executor.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector {

// One unit of recurring work that owns its output file and its retry state.
class Job {
 public:
  virtual ~Job() = default;
  // For logs: usually the output file name.
  virtual const std::string& name() const = 0;
  // Does the work due at `now` (fetch/mint, render, write) and returns when it
  // wants to run next: the next refresh after success, a backoff time after a
  // failure, or nullopt for never again. Errors are handled (logged, audited,
  // backed off) inside the job; the scheduler only keeps time.
  virtual std::optional<WallTime> Run(WallTime now) = 0;
  // True once the job's file has been written at least once; the readiness
  // marker is written when every job is ready.
  virtual bool Ready() const = 0;
  // Why the last Run failed (OK when it succeeded or has not run). The
  // message names the file's ref and the reason, never a value. Init mode
  // reports it on exit and stops retrying when it is not retryable().
  virtual Status LastStatus() const { return Status::Ok(); }
  // The Retry-After hint of the last failed answer, if the server sent one.
  virtual std::optional<std::chrono::seconds> RetryAfter() const { return std::nullopt; }
};

// Blocks the scheduler thread between passes. Stop() may be called from any
// thread (the signal thread) and wakes a blocked WaitUntil at once.
class Waiter {
 public:
  virtual ~Waiter() = default;
  // Waits until `deadline` (nullopt: until Stop). Returns false once stopped.
  virtual bool WaitUntil(std::optional<WallTime> deadline) = 0;
  virtual void Stop() = 0;
  virtual bool stopped() const = 0;
};

// Real waiter: a condition variable on the system clock.
class CondVarWaiter final : public Waiter {
 public:
  bool WaitUntil(std::optional<WallTime> deadline) override;
  void Stop() override;
  bool stopped() const override;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
};

class Scheduler {
 public:
  // `max_in_flight`: jobs run at once within a pass (1: sequential).
  explicit Scheduler(size_t max_in_flight = 1)
      : executor_(max_in_flight), window_(executor_.max_in_flight()) {}
  size_t max_in_flight() const { return executor_.max_in_flight(); }
  // Changes the bound; not while a pass runs.
  void set_max_in_flight(size_t n) {
    executor_ = BoundedExecutor(n);
    window_ = executor_.max_in_flight();
  }
  // The draws for ThrottleDelay (default: 0.5, the middle of the window);
  // the injector passes MakeRandomJitter(). Not while a pass runs.
  void set_jitter(JitterSource jitter) { jitter_ = std::move(jitter); }
  void set_throttle_policy(const ThrottlePolicy& policy) { throttle_policy_ = policy; }

  // Adds a job first due at `first_due`. Not thread-safe with Run().
  void Add(std::unique_ptr<Job> job, WallTime first_due);

  // Runs every job whose due time is <= now, started in due order, and
  // reschedules it; with a throttle in force, due jobs are moved to its end
  // instead. Returns the earliest remaining due time (nullopt: nothing
  // scheduled).
  std::optional<WallTime> RunDue(WallTime now);

  // True when every job is Ready() (vacuously true with no jobs).
  bool AllReady() const;

  // Init / --once: runs passes until every job is Ready(). Stops with an error
  // listing each unready job's LastStatus() when one failed with a
  // non-retryable status, when `deadline` passes (kDeadlineExceeded, one
  // line that also says how often it was throttled and the last throttled
  // answer), or when the waiter is stopped. Retryable failures are
  // retried at the jobs' own backoff times, throttling as above.
  Status RunUntilReady(const Clock& clock, Waiter& waiter, WallTime deadline);

  // Loop: RunDue(clock.Now()); after_pass(); WaitUntil(next) — until the
  // waiter is stopped. `after_pass` may be empty.
  void Run(const Clock& clock, Waiter& waiter, const std::function<void()>& after_pass = {});

  size_t size() const { return entries_.size(); }
  // The due time of the named job, if scheduled (for tests and status).
  std::optional<WallTime> DueOf(const std::string& name) const;
  // The end of the shared throttle (see above), if one was ever set.
  std::optional<WallTime> throttled_until() const { return throttled_until_; }
  // Jobs started per pass now (the AIMD window above, 1..max_in_flight).
  size_t window() const { return window_; }
  // Throttled passes so far (the answers of one pass count once: jobs that
  // shared one refused credential exchange were refused once), and throttled
  // passes since the last success.
  int throttles() const { return throttles_; }
  int throttled_in_a_row() const { return throttled_in_a_row_; }

 private:
  struct Entry {
    std::unique_ptr<Job> job;
    std::optional<WallTime> due;  // nullopt: finished
  };
  // Share of the first write still to do: unready jobs / jobs (1 when all
  // are ready, as for a refresh).
  double UnreadyShare() const;

  std::vector<Entry> entries_;
  BoundedExecutor executor_;
  // The members below are only read and written on the scheduler's thread,
  // between passes.
  size_t window_;                            // jobs started per pass
  std::optional<WallTime> throttled_until_;  // no job starts before this time
  int throttled_in_a_row_ = 0;
  int throttles_ = 0;
  std::string last_throttle_;  // "<job>: <status>" of the last throttled answer
  JitterSource jitter_;
  ThrottlePolicy throttle_policy_;
};

}  // namespace memsecret::injector
