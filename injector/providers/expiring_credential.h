// ExpiringCredential<T>: one short-lived credential — AWS temporary keys, an
// Entra ID access token, a Vault client token — cached, refreshed ahead of
// its expiry and shared by every thread that needs it. Each backend's auth
// code only fetches (aws/credentials.h, azure/workload_identity.h,
// vault/token_manager.h); when to fetch and what a failure leaves behind is
// decided here, once:
//  1. Get() answers the cached value while now < refresh_at.
//  2. From refresh_at (or with nothing cached) the caller fetches, holding
//     the lock: callers arriving meanwhile wait for that one fetch and share
//     its value (one fetch in flight, one STS call or login per pod start).
//  3. A failed fetch keeps the cached value, and answers it, when the failure
//     may keep it (Options::keep: retryable failures only, or any), the value
//     is still usable (now + min_usable < expires_at) and the fetch did not
//     report that the server refused the cached value too. Otherwise the
//     cache is emptied and the failure returned.
//  4. Callers that waited while a fetch failed get its outcome (the kept
//     value or the failure) instead of fetching again: one throttled answer
//     costs one request, not one per waiting caller. A failure is not cached:
//     the next caller after it fetches again.
// Time is the injected Clock. No logging and no messages of its own: errors
// are the fetch's, and Options::on_kept reports rule 3.
//
// Thread-safety: every method may be called from any thread; the fetch runs
// under the lock, so it must not call back into this object.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector {

// A fetched credential and its times. WallTime::max(): never.
template <typename T>
struct Expiring {
  T value;
  WallTime refresh_at = WallTime::max();  // from then on Get() fetches anew
  WallTime expires_at = WallTime::max();  // after it the value is useless
};

// Which failed refreshes may keep a cached value that is still usable.
enum class KeepOnFailure {
  kRetryable,  // only retryable ones (an outage, throttling): the server may refuse it anyway
  kAny,        // any: the value was granted until expires_at
};

template <typename T>
class ExpiringCredential {
 public:
  struct Options {
    std::chrono::seconds min_usable{0};  // a kept value has at least this long left
    KeepOnFailure keep = KeepOnFailure::kRetryable;
    std::function<void(const Status&)> on_kept;  // rule 3 applied (optional)
  };
  // Fetches a new credential. `current` is the cached one (nullptr when none),
  // e.g. to renew it; setting `*current_refused` says the server refused it,
  // so a failure must not keep it.
  using Fetch =
      std::function<Result<Expiring<T>>(const Expiring<T>* current, bool* current_refused)>;

  // `clock` must outlive the object.
  ExpiringCredential(Fetch fetch, const Clock& clock, Options options)
      : fetch_(std::move(fetch)), clock_(clock), options_(std::move(options)) {}

  // The cached value, fetching first when rules 1-4 say so. A copy: another
  // thread may replace the cache at any time.
  Result<T> Get() {
    const uint64_t seen = fetches_.load();
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_ && clock_.Now() < cached_->refresh_at) return cached_->value;
    if (fetches_.load() != seen && last_failure_) {  // rule 4
      if (cached_) return cached_->value;
      return *last_failure_;
    }
    bool refused = false;
    Result<Expiring<T>> fresh = fetch_(cached_ ? &*cached_ : nullptr, &refused);
    fetches_.fetch_add(1);
    if (fresh.ok()) {
      last_failure_.reset();
      cached_ = std::move(fresh).value();
      return cached_->value;
    }
    last_failure_ = fresh.status();
    const bool may_keep = options_.keep == KeepOnFailure::kAny || fresh.status().retryable();
    if (cached_ && may_keep && !refused &&
        clock_.Now() + options_.min_usable < cached_->expires_at) {
      if (options_.on_kept) options_.on_kept(fresh.status());
      return cached_->value;
    }
    cached_.reset();
    return fresh.status();
  }

  // Forgets the cached value (the server refused it); the next Get() fetches.
  void Invalidate() {
    std::lock_guard<std::mutex> lock(mu_);
    cached_.reset();
  }

  // A copy of the cache, for tests and diagnostics.
  std::optional<Expiring<T>> Peek() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cached_;
  }

 private:
  const Fetch fetch_;
  const Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;               // held across a fetch; guards the two below
  std::optional<Expiring<T>> cached_;   // guarded by mu_
  std::optional<Status> last_failure_;  // of the last fetch; guarded by mu_
  std::atomic<uint64_t> fetches_{0};    // finished fetches; written under mu_
};

}  // namespace memsecret::injector
