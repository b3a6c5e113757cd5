#include "injector/agent/on_demand_fetch.h"

#include <utility>

namespace memsecret::injector::agent {

OnDemandFetch::~OnDemandFetch() {
  std::list<Worker> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(workers_);  // iterators the workers hold stay valid
  }
  for (Worker& w : all) w.thread.join();
}

void OnDemandFetch::PruneLocked(WallTime now) {
  for (auto it = recent_.begin(); it != recent_.end();) {
    const bool done = it->second.result.has_value();
    it = done && now - it->second.at >= kReuse ? recent_.erase(it) : std::next(it);
  }
  for (auto it = budget_.begin(); it != budget_.end();)
    it = now - it->second.window_start >= std::chrono::seconds(1) ? budget_.erase(it)
                                                                  : std::next(it);
}

void OnDemandFetch::ReapLocked() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    it->thread.join();  // it only has to return: its work is done
    it = workers_.erase(it);
  }
}

Status OnDemandFetch::StartLocked(const std::string& key, const std::string& secret,
                                  const SecretRef& ref, const FetchOptions& options) {
  const WallTime now = clock_->Now();
  Budget& budget = budget_.try_emplace(secret, Budget{now, 0}).first->second;
  if (budget.started >= kMaxStartsPerSecond)
    return Status(Code::kResourceExhausted,
                  "agent endpoint: too many fetches of " + secret + " in one second");
  if (in_flight_ >= kMaxInFlight)
    return Status(Code::kResourceExhausted, "agent endpoint: too many fetches in flight");
  ++budget.started;
  ++in_flight_;
  recent_[key] = Recent{now, std::nullopt};
  auto worker = workers_.emplace(workers_.end());
  worker->thread = std::thread([this, key, ref, options, worker] {
    FetchResult result = store_->Fetch(ref, options);
    std::lock_guard<std::mutex> lock(mu_);
    recent_[key] = Recent{clock_->Now(), std::move(result)};  // reused for kReuse from now
    --in_flight_;
    worker->done = true;
    landed_.notify_all();
  });
  return Status::Ok();
}

FetchResult OnDemandFetch::Fetch(const SecretRef& ref, const FetchOptions& options) {
  SecretRef bare = ref;
  bare.field.reset();
  const std::string secret = bare.ToString();
  const std::string key =
      secret + "\n" + options.stage.value_or("") + "\n" + options.version.value_or("");
  const auto deadline = std::chrono::steady_clock::now() + answer_within_;
  std::unique_lock<std::mutex> lock(mu_);
  ReapLocked();
  for (;;) {
    PruneLocked(clock_->Now());
    auto it = recent_.find(key);
    if (it == recent_.end()) {
      if (Status st = StartLocked(key, secret, bare, options); !st.ok())
        return FetchResult::Failure(st, std::chrono::seconds(1));
      continue;
    }
    if (it->second.result) return *it->second.result;  // younger than kReuse
    if (landed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      it = recent_.find(key);
      if (it != recent_.end() && it->second.result) return *it->second.result;
      return FetchResult::Failure(
          Status(Code::kDeadlineExceeded, "agent endpoint: the store did not answer in time for " +
                                              secret + "; the fetch goes on"));
    }
  }
}

}  // namespace memsecret::injector::agent
