// Backoff: how long to wait before retrying a failed fetch — a pure function
// of the attempt number, the policy and a jitter value, so it is tested
// without sleeping or randomness.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace memsecret::injector {

struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};  // delay after the first failure
  double multiplier = 2.0;
  std::chrono::milliseconds cap{300'000};     // exponential growth stops here
  double jitter = 0.2;                        // +/- this fraction of the delay
  std::chrono::seconds max_retry_after{900};  // larger Retry-After hints are clamped
};

// Delay before retry number `attempt` (1 = first retry). `jitter01` is a
// uniform draw in [0,1): the delay is scaled by 1 + jitter*(2*jitter01-1) and
// never exceeds cap. A server `retry_after` is honoured: the result is at least
// min(retry_after, max_retry_after), even above the cap.
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt, double jitter01,
                                       std::optional<std::chrono::seconds> retry_after = {});

// How long an injector waits after a throttled answer (HTTP 429,
// ThrottlingException, STS Throttling, a token endpoint's 429): every request
// of the process waits, not only the one that was throttled (the scheduler
// holds every job), so a fleet of pods started together offers the quota
// about what it can serve instead of synchronised exponential waves.
//
//   window = min(cap, first_window * growth^(throttles - 1)) * share^priority
//   delay  = retry_after + jitter01 * window        (full jitter, no floor
//                                                     but min_delay)
//
// `throttles` counts throttled passes since the last successful answer: each
// one without progress widens the window (the fleet is larger than the
// quota), and any success narrows it again. `share` is the part of the first
// write still to do (unwritten files / files, 1 once everything is written):
// a pod that is nearly done retries within a much smaller window than one
// that has not started, so pods with progress keep their place and finish
// one by one instead of every pod holding partial progress until the end.
// `cap` bounds the tail while the first write is incomplete (the defaults set
// it to first_window: during a start the window stays at 5 s, which bounds a
// burst's tail); after it (sidecar refreshes) `steady_cap` applies and the
// window widens up to it.
struct ThrottlePolicy {
  std::chrono::milliseconds first_window{5000};
  double growth = 1.2;
  std::chrono::milliseconds cap{5000};
  std::chrono::milliseconds steady_cap{300'000};
  double priority = 2.0;
  std::chrono::milliseconds min_delay{10};
  std::chrono::seconds max_retry_after{900};  // larger Retry-After hints are clamped
};

// The delay above; `throttles` < 1 counts as 1, `share` is clamped to (0,1]
// (0 or less: 1), `jitter01` to [0,1]. `ready` selects steady_cap. Pure.
std::chrono::milliseconds ThrottleDelay(const ThrottlePolicy& policy, int throttles, double share,
                                        bool ready, double jitter01,
                                        std::optional<std::chrono::seconds> retry_after = {});

// A source of uniform draws in [0,1) (real: std::mt19937 seeded from
// random_device; tests: a constant).
using JitterSource = std::function<double()>;
JitterSource MakeRandomJitter();

}  // namespace memsecret::injector
