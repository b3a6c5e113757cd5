#include "injector/oauth/refresh_schedule.h"

#include <algorithm>

namespace memsecret::injector::oauth {
namespace {

using Dur = WallTime::duration;

Dur Scale(Dur d, double f) {
  return Dur(static_cast<Dur::rep>(static_cast<double>(d.count()) * f));
}

double ClampJitter(double j) { return std::clamp(j, 0.0, 0.999999); }

}  // namespace

WallTime EffectiveExpiry(WallTime issued_at, std::optional<WallTime> expires_at) {
  return expires_at ? *expires_at : issued_at + kAssumedLifetime;
}

WallTime RefreshAt(WallTime issued_at, std::optional<WallTime> expires_at,
                   const RefreshSettings& settings, double jitter) {
  const double fraction = std::clamp(settings.fraction, 0.05, 0.95);
  const Dur margin = std::max<Dur>(settings.min_remaining, Dur::zero());
  const WallTime expiry = EffectiveExpiry(issued_at, expires_at);
  const Dur lifetime = std::max<Dur>(expiry - issued_at, Dur::zero());

  WallTime due = issued_at + Scale(lifetime, fraction);
  if (lifetime > margin) due = std::min(due, expiry - margin);
  due -= Scale(due - issued_at, ClampJitter(jitter) * kJitterSpread);
  return std::max(due, issued_at + kMinRefreshDelay);
}

WallTime RetryAt(WallTime now, int attempt, double jitter,
                 std::optional<std::chrono::seconds> retry_after,
                 std::optional<WallTime> valid_until, const BackoffPolicy& policy) {
  Dur delay = BackoffDelay(policy, attempt, jitter, std::nullopt);
  if (valid_until && *valid_until > now) delay = std::min(delay, (*valid_until - now) / 2);
  delay = std::max<Dur>(delay, kMinRefreshDelay);
  if (retry_after) delay = std::max<Dur>(delay, std::min(*retry_after, policy.max_retry_after));
  return now + delay;
}

}  // namespace memsecret::injector::oauth
