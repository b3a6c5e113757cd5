#include "injector/runtime/backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>

namespace memsecret::injector {

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt, double jitter01,
                                       std::optional<std::chrono::seconds> retry_after) {
  attempt = std::max(attempt, 1);
  const double cap = static_cast<double>(policy.cap.count());
  double base =
      static_cast<double>(policy.initial.count()) * std::pow(policy.multiplier, attempt - 1);
  if (!std::isfinite(base) || base > cap) base = cap;
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  double delay = base * (1.0 + policy.jitter * (2.0 * jitter01 - 1.0));
  delay = std::clamp(delay, 0.0, cap);
  auto result = std::chrono::milliseconds(static_cast<int64_t>(delay));
  if (retry_after && retry_after->count() > 0) {
    auto hint = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min(*retry_after, policy.max_retry_after));
    result = std::max(result, hint);
  }
  return result;
}

std::chrono::milliseconds ThrottleDelay(const ThrottlePolicy& policy, int throttles, double share,
                                        bool ready, double jitter01,
                                        std::optional<std::chrono::seconds> retry_after) {
  throttles = std::max(throttles, 1);
  if (!(share > 0.0) || share > 1.0) share = 1.0;
  const double cap = static_cast<double>((ready ? policy.steady_cap : policy.cap).count());
  double window =
      static_cast<double>(policy.first_window.count()) * std::pow(policy.growth, throttles - 1);
  if (!std::isfinite(window) || window > cap) window = cap;
  window *= std::pow(share, policy.priority);
  double delay = std::clamp(jitter01, 0.0, 1.0) * window;
  delay = std::max(delay, static_cast<double>(policy.min_delay.count()));
  auto result = std::chrono::milliseconds(static_cast<int64_t>(delay));
  if (retry_after && retry_after->count() > 0)
    result += std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min(*retry_after, policy.max_retry_after));
  return result;
}

JitterSource MakeRandomJitter() {
  struct State {
    std::mutex mu;
    std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> dist{0.0, 1.0};
  };
  auto state = std::make_shared<State>();
  return [state] {
    std::lock_guard<std::mutex> lock(state->mu);
    return state->dist(state->rng);
  };
}

}  // namespace memsecret::injector
