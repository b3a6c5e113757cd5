#include "injector/runtime/coalescing_provider.h"

namespace memsecret::injector {

FetchResult CoalescingProvider::Fetch(const SecretRef& ref, const FetchOptions& options) {
  SecretRef whole = ref;
  whole.field.reset();
  const std::string key =
      whole.ToString() + "\n" + options.stage.value_or("") + "\n" + options.version.value_or("");
  std::unique_lock<std::mutex> lock(mu_);
  // Wait while the same read is in flight on another thread.
  landed_.wait(lock, [&] {
    auto it = recent_.find(key);
    return it == recent_.end() || it->second.secret.has_value();
  });
  const WallTime now = clock_->Now();
  for (auto it = recent_.begin(); it != recent_.end();) {  // drop expired entries (and values)
    const bool expired = now - it->second.at > window_ || now < it->second.at;
    it = it->second.secret && expired ? recent_.erase(it) : std::next(it);
  }
  if (auto it = recent_.find(key); it != recent_.end())
    return FetchResult::Success(*it->second.secret);
  recent_[key] = Entry{now, std::nullopt};  // in flight: later callers wait
  lock.unlock();
  FetchResult r = inner_->Fetch(ref, options);
  lock.lock();
  if (r.ok())
    recent_[key] = Entry{now, *r.secret};
  else
    recent_.erase(key);  // failures are never shared: each waiter reads for itself
  lock.unlock();
  landed_.notify_all();
  return r;
}

}  // namespace memsecret::injector
