#include "injector/agent/on_demand_fetch.h"

namespace memsecret::injector::agent {

void OnDemandFetch::PruneLocked(WallTime now) {
  for (auto it = recent_.begin(); it != recent_.end();) {
    const bool done = it->second.result.has_value();
    it = done && now - it->second.at >= kReuse ? recent_.erase(it) : std::next(it);
  }
  for (auto it = budget_.begin(); it != budget_.end();)
    it = now - it->second.window_start >= std::chrono::seconds(1) ? budget_.erase(it)
                                                                  : std::next(it);
}

FetchResult OnDemandFetch::Fetch(const SecretRef& ref, const FetchOptions& options) {
  SecretRef bare = ref;
  bare.field.reset();
  const std::string secret = bare.ToString();
  const std::string key =
      secret + "\n" + options.stage.value_or("") + "\n" + options.version.value_or("");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const WallTime now = clock_->Now();
    PruneLocked(now);
    auto it = recent_.find(key);
    if (it == recent_.end()) break;
    if (it->second.result) return *it->second.result;  // younger than kReuse
    landed_.wait(lock);                                // in flight: share it
  }
  const WallTime now = clock_->Now();
  Budget& budget = budget_.try_emplace(secret, Budget{now, 0}).first->second;
  if (budget.started >= kMaxStartsPerSecond)
    return FetchResult::Failure(
        Status(Code::kResourceExhausted,
               "agent endpoint: too many fetches of " + secret + " in one second"),
        std::chrono::seconds(1));
  ++budget.started;
  recent_[key] = Recent{now, std::nullopt};
  lock.unlock();
  FetchResult result = store_->Fetch(bare, options);
  lock.lock();
  recent_[key] = Recent{clock_->Now(), result};  // reused for kReuse from now
  landed_.notify_all();
  return result;
}

}  // namespace memsecret::injector::agent
