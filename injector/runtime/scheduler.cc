#include "injector/runtime/scheduler.h"

#include <algorithm>
#include <mutex>

namespace memsecret::injector {

bool CondVarWaiter::WaitUntil(std::optional<WallTime> deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (deadline) {
    cv_.wait_until(lock, *deadline, [&] { return stopped_; });
  } else {
    cv_.wait(lock, [&] { return stopped_; });
  }
  return !stopped_;
}

void CondVarWaiter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool CondVarWaiter::stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

void Scheduler::Add(std::unique_ptr<Job> job, WallTime first_due) {
  entries_.push_back(Entry{std::move(job), first_due});
}

std::optional<WallTime> Scheduler::RunDue(WallTime now) {
  // Collect due entries in due order so an overdue job never starves another.
  std::vector<Entry*> due;
  for (auto& e : entries_) {
    if (e.due && *e.due <= now) due.push_back(&e);
  }
  std::stable_sort(due.begin(), due.end(), [](Entry* a, Entry* b) { return *a->due < *b->due; });

  // A throttle in force: nothing starts before it ends.
  if (throttled_until_ && *throttled_until_ > now) {
    for (Entry* e : due) e->due = *throttled_until_;
    due.clear();
  }
  // A window narrowed by a throttle: the rest stay due and start in the next
  // pass, right after (a full window is the executor's own bound).
  if (window_ < executor_.max_in_flight() && due.size() > window_) due.resize(window_);

  // The first throttled answer of this pass stops the start of the rest;
  // jobs already in flight finish (their answers are not lost).
  struct Outcome {
    std::mutex mu;
    bool throttled = false;  // guarded by mu
    std::vector<Entry*> throttled_entries;
    std::optional<std::chrono::seconds> retry_after;
    std::string last;
    size_t successes = 0;
  } outcome;
  std::vector<std::function<void()>> tasks;
  tasks.reserve(due.size());
  for (Entry* e : due) {
    tasks.push_back([e, now, &outcome] {
      {
        std::lock_guard<std::mutex> lock(outcome.mu);
        if (outcome.throttled) return;  // held below with the rest
      }
      std::optional<WallTime> next = e->job->Run(now);
      e->due = next;
      const Status st = e->job->LastStatus();
      std::lock_guard<std::mutex> lock(outcome.mu);
      if (st.ok()) {
        ++outcome.successes;
      } else if (next && st.code() == Code::kResourceExhausted) {
        outcome.throttled = true;
        outcome.throttled_entries.push_back(e);
        outcome.last = e->job->name() + ": " + st.message();
        if (auto ra = e->job->RetryAfter();
            ra && (!outcome.retry_after || *ra > *outcome.retry_after))
          outcome.retry_after = ra;
      }
    });
  }
  executor_.RunAll(tasks);

  if (outcome.successes > 0) throttled_in_a_row_ = 0;
  if (outcome.throttled) {
    ++throttled_in_a_row_;
    ++throttles_;
    last_throttle_ = outcome.last;
    window_ = 1;
    const WallTime until =
        now + ThrottleDelay(throttle_policy_, throttled_in_a_row_, UnreadyShare(), AllReady(),
                            jitter_ ? jitter_() : 0.5, outcome.retry_after);
    throttled_until_ = until;
    // Every job waits for it: the throttled ones, the ones this pass did not
    // start and the ones the window left for the next pass.
    for (Entry* e : outcome.throttled_entries) e->due = until;
    for (auto& e : entries_)
      if (e.due && *e.due < until) e.due = until;
  } else {
    window_ = std::min(window_ + outcome.successes, executor_.max_in_flight());
  }

  std::optional<WallTime> next;
  for (const auto& e : entries_) {
    if (e.due && (!next || *e.due < *next)) next = e.due;
  }
  return next;
}

double Scheduler::UnreadyShare() const {
  size_t unready = 0;
  for (const auto& e : entries_)
    if (!e.job->Ready()) ++unready;
  if (unready == 0 || entries_.empty()) return 1.0;
  return static_cast<double>(unready) / static_cast<double>(entries_.size());
}

bool Scheduler::AllReady() const {
  return std::all_of(entries_.begin(), entries_.end(),
                     [](const Entry& e) { return e.job->Ready(); });
}

Status Scheduler::RunUntilReady(const Clock& clock, Waiter& waiter, WallTime deadline) {
  while (true) {
    std::optional<WallTime> next = RunDue(clock.Now());
    if (AllReady()) return Status::Ok();
    bool final_failure = false;
    std::string problems;
    Code code = Code::kUnavailable;
    for (const auto& e : entries_) {
      if (e.job->Ready()) continue;
      Status st = e.job->LastStatus();
      if (!st.ok() && !st.retryable()) {
        final_failure = true;
        code = st.code();
      }
      if (!problems.empty()) problems += "; ";
      problems += e.job->name() + ": " + (st.ok() ? "not written" : st.message());
    }
    if (final_failure) return Status(code, problems);
    if (clock.Now() >= deadline) {
      std::string throttled;
      if (throttles_ > 0)
        throttled =
            "throttled " + std::to_string(throttles_) + " times (last: " + last_throttle_ + "); ";
      return DeadlineExceeded("gave up retrying: " + throttled + problems);
    }
    WallTime wake = next && *next < deadline ? *next : deadline;
    if (!waiter.WaitUntil(wake))
      return Unavailable("stopped before the first complete write: " + problems);
  }
}

void Scheduler::Run(const Clock& clock, Waiter& waiter, const std::function<void()>& after_pass) {
  while (!waiter.stopped()) {
    std::optional<WallTime> next = RunDue(clock.Now());
    if (after_pass) after_pass();
    if (!waiter.WaitUntil(next)) break;
  }
}

std::optional<WallTime> Scheduler::DueOf(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.job->name() == name) return e.due;
  }
  return std::nullopt;
}

}  // namespace memsecret::injector
