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

// A source of uniform draws in [0,1) (real: std::mt19937 seeded from
// random_device; tests: a constant).
using JitterSource = std::function<double()>;
JitterSource MakeRandomJitter();

}  // namespace memsecret::injector
