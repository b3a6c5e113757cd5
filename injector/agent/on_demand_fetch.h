// OnDemandFetch: the Agent endpoint's own reads of the store (refreshNow, a
// stage or version not cached, an expired or stale entry), bounded so that no
// pattern of requests can flood the store or hold the endpoint:
//  1. concurrent requests for one (secret, stage/version) share one fetch;
//  2. a result — success or failure — younger than kReuse (1 s) answers the
//     next request for the same (secret, stage/version) without a new call;
//  3. at most kMaxStartsPerSecond fetches of one secret start per second
//     (distinct version ids included), and at most kMaxInFlight run at once;
//     beyond that the answer is kResourceExhausted without a store call;
//  4. a fetch runs on a thread of its own; a request waits for it at most
//     `answer_within` (then kDeadlineExceeded: the caller answers from its
//     cache if it can), so a hanging store holds no event loop longer; the
//     fetch goes on and its result answers the next request (rule 2).
// So the endpoint adds at most kMaxStartsPerSecond GetSecretValue calls per
// declared secret per second, whatever the request rate. Not
// CoalescingProvider: that one never shares a failure, so a loop of
// refreshNow against a failing store would cost a call per request.
//
// `store` is the AgentCacheFeed, so what is fetched here fills (or evicts
// from) the cache like the secret jobs' fetches. Thread-safe: the endpoint's
// loop threads call Fetch concurrently. The destructor waits for fetches in
// flight (each bounded by the provider's request timeout).
#pragma once

#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"

namespace memsecret::injector::agent {

class OnDemandFetch {
 public:
  static constexpr std::chrono::seconds kReuse{1};
  static constexpr int kMaxStartsPerSecond = 4;
  static constexpr int kMaxInFlight = 4;

  // Both must outlive this object; `store` must be thread-safe. `clock`
  // dates results and budgets; the wait is measured on the steady clock.
  OnDemandFetch(SecretProvider* store, const Clock* clock,
                std::chrono::milliseconds answer_within = std::chrono::seconds(2))
      : store_(store), clock_(clock), answer_within_(answer_within) {}
  ~OnDemandFetch();
  OnDemandFetch(const OnDemandFetch&) = delete;
  OnDemandFetch& operator=(const OnDemandFetch&) = delete;

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
  struct Worker {
    std::thread thread;
    bool done = false;  // guarded by mu_
  };
  void PruneLocked(WallTime now);
  void ReapLocked();
  // Starts the fetch of `key` on a worker; kOk, or why not (budget, cap).
  Status StartLocked(const std::string& key, const std::string& secret, const SecretRef& ref,
                     const FetchOptions& options);

  SecretProvider* store_;
  const Clock* clock_;
  const std::chrono::milliseconds answer_within_;
  std::mutex mu_;
  std::condition_variable landed_;        // a fetch finished
  std::map<std::string, Recent> recent_;  // guarded by mu_; by secret + stage/version
  std::map<std::string, Budget> budget_;  // guarded by mu_; by secret
  std::list<Worker> workers_;             // guarded by mu_
  int in_flight_ = 0;                     // guarded by mu_
};

}  // namespace memsecret::injector::agent
