#include "injector/runtime/coalescing_provider.h"

namespace memsecret::injector {

FetchResult CoalescingProvider::Fetch(const SecretRef& ref, const FetchOptions& options) {
  SecretRef whole = ref;
  whole.field.reset();
  const std::string key =
      whole.ToString() + "\n" + options.stage.value_or("") + "\n" + options.version.value_or("");
  const WallTime now = clock_->Now();
  for (auto it = recent_.begin();
       it != recent_.end();) {  // drop expired entries (and their values)
    it = now - it->second.at > window_ || now < it->second.at ? recent_.erase(it) : std::next(it);
  }
  if (auto it = recent_.find(key); it != recent_.end())
    return FetchResult::Success(it->second.secret);
  FetchResult r = inner_->Fetch(ref, options);
  if (r.ok()) recent_[key] = Entry{now, *r.secret};
  return r;
}

}  // namespace memsecret::injector
