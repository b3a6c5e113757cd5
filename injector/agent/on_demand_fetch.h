// OnDemandFetch: the Agent endpoint's own reads of the store (refreshNow, a
// stage or version not cached, an expired or stale entry), bounded so that no
// pattern of requests can flood the store:
//  1. concurrent requests for one (secret, stage/version) share one fetch;
//  2. a result — success or failure — younger than kReuse (1 s) answers the
//     next request for the same (secret, stage/version) without a new call;
//  3. at most kMaxStartsPerSecond fetches of one secret start per second
//     (distinct version ids included); beyond that the answer is
//     kResourceExhausted ("throttled") without a store call.
// So the endpoint adds at most kMaxStartsPerSecond GetSecretValue calls per
// declared secret per second, whatever the request rate. Not
// CoalescingProvider: that one never shares a failure, so a loop of
// refreshNow against a failing store would cost a call per request.
//
// `store` is the AgentCacheFeed, so what is fetched here fills (or evicts
// from) the cache like the secret jobs' fetches. Thread-safe: the endpoint's
// loop threads call Fetch concurrently; a caller may wait for another's fetch.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"

namespace memsecret::injector::agent {

class OnDemandFetch {
 public:
  static constexpr std::chrono::seconds kReuse{1};
  static constexpr int kMaxStartsPerSecond = 4;

  // Both must outlive this object; `store` must be thread-safe.
  OnDemandFetch(SecretProvider* store, const Clock* clock) : store_(store), clock_(clock) {}

  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options);

 private:
  struct Recent {
    WallTime at;                        // when the fetch landed (in flight: started)
    std::optional<FetchResult> result;  // nullopt: in flight
  };
  struct Budget {
    WallTime window_start;
    int started = 0;
  };
  void PruneLocked(WallTime now);

  SecretProvider* store_;
  const Clock* clock_;
  std::mutex mu_;
  std::condition_variable landed_;        // a fetch finished
  std::map<std::string, Recent> recent_;  // guarded by mu_; by secret + stage/version
  std::map<std::string, Budget> budget_;  // guarded by mu_; by secret
};

}  // namespace memsecret::injector::agent
