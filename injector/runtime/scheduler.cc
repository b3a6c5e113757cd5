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
  // The first throttled answer of this pass stops the start of the rest;
  // jobs already in flight finish (their answers are not lost).
  std::mutex mu;
  std::optional<WallTime> throttle;  // guarded by mu
  std::vector<std::function<void()>> tasks;
  tasks.reserve(due.size());
  for (Entry* e : due) {
    tasks.push_back([e, now, &mu, &throttle] {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (throttle) {
          e->due = *throttle;
          return;
        }
      }
      std::optional<WallTime> next = e->job->Run(now);
      e->due = next;
      if (next && e->job->LastStatus().code() == Code::kResourceExhausted) {
        std::lock_guard<std::mutex> lock(mu);
        if (!throttle || *next > *throttle) throttle = next;
      }
    });
  }
  executor_.RunAll(tasks);
  // Jobs that finished before the throttle was seen keep their own times.
  if (throttle) throttled_until_ = throttle;

  std::optional<WallTime> next;
  for (const auto& e : entries_) {
    if (e.due && (!next || *e.due < *next)) next = e.due;
  }
  return next;
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
    if (clock.Now() >= deadline) return DeadlineExceeded("gave up retrying: " + problems);
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
