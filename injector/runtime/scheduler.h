// Scheduler: runs the sidecar's jobs (one per output file: secret re-reads,
// OAuth token refreshes) each at its own next-due time, driven by an injected
// Clock and Waiter so tests move time without sleeping. When nothing is due
// it blocks until the earliest due time or Stop — no periodic wake-ups; with
// no due times at all it waits for Stop only.
//
// The scheduler keeps time; a BoundedExecutor runs the jobs due in one pass,
// up to max_in_flight at once (1: one after another on the calling thread).
// A pass starts its jobs in due order, and throttling is shared: when a job
// ends with kResourceExhausted (a 429 / ThrottlingException from any store
// or token endpoint, or a full volume), the pass's jobs not started yet are
// not started, and no job starts before that job's own next attempt (its
// backoff, honouring Retry-After). One throttled answer slows every file
// down instead of each request learning it on its own.
//
// Thread-safety: Add/RunDue/Run/RunUntilReady are called from one thread;
// jobs of one pass run concurrently, so everything they share (provider,
// caches, writer, audit sink, jitter source) must be thread-safe. Each job
// is run by at most one thread at a time.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

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
  explicit Scheduler(size_t max_in_flight = 1) : executor_(max_in_flight) {}
  size_t max_in_flight() const { return executor_.max_in_flight(); }
  // Changes the bound; not while a pass runs.
  void set_max_in_flight(size_t n) { executor_ = BoundedExecutor(n); }

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
  // non-retryable status, when `deadline` passes, or when the waiter is
  // stopped. Retryable failures are retried at the jobs' own backoff times.
  Status RunUntilReady(const Clock& clock, Waiter& waiter, WallTime deadline);

  // Loop: RunDue(clock.Now()); after_pass(); WaitUntil(next) — until the
  // waiter is stopped. `after_pass` may be empty.
  void Run(const Clock& clock, Waiter& waiter, const std::function<void()>& after_pass = {});

  size_t size() const { return entries_.size(); }
  // The due time of the named job, if scheduled (for tests and status).
  std::optional<WallTime> DueOf(const std::string& name) const;
  // The end of the shared throttle (see above), if one was ever set.
  std::optional<WallTime> throttled_until() const { return throttled_until_; }

 private:
  struct Entry {
    std::unique_ptr<Job> job;
    std::optional<WallTime> due;  // nullopt: finished
  };
  std::vector<Entry> entries_;
  BoundedExecutor executor_;
  // No job starts before this time (set from a throttled job's next attempt;
  // only read and written on the scheduler's thread, between passes).
  std::optional<WallTime> throttled_until_;
};

}  // namespace memsecret::injector
