// Token refresh timing as pure functions of times, settings and a jitter
// value (time is an input): no clock reads, no randomness inside.
//
// RefreshAt — when to mint the next token (docs/injector.md):
//   L      = expires_at - issued_at (lifetime; unknown -> kAssumedLifetime)
//   due    = issued_at + fraction * L
//   if L > min_remaining:  due = min(due, expires_at - min_remaining)
//          (never later than min_remaining before expiry)
//   else:  the margin cannot be kept at all; the fraction alone applies
//   jitter spreads refreshes *earlier* only, so the bounds above still hold:
//   due   -= jitter * kJitterSpread * (due - issued_at),  jitter in [0, 1)
//   due    = max(due, issued_at + kMinRefreshDelay)   (no hot loop)
//
// RetryAt — when to try again after a failed mint: the injector's
//   BackoffDelay (1 s doubling to 5 min, +/-20% jitter); while the token on
//   disk is still valid the delay is also capped at half its remaining life
//   (retry harder as expiry nears, never slower than 1 s apart); a server's
//   Retry-After is a floor that wins over both (clamped to 15 min).
#pragma once

#include <chrono>
#include <optional>

#include "injector/runtime/backoff.h"
#include "memsecret/clock.h"

namespace memsecret::injector::oauth {

struct RefreshSettings {
  double fraction = 0.75;                  // plan.token_refresh_fraction
  std::chrono::seconds min_remaining{60};  // plan.token_min_remaining_seconds
};

inline constexpr double kJitterSpread = 0.10;  // up to 10% of the wait
inline constexpr std::chrono::seconds kMinRefreshDelay{1};
inline constexpr std::chrono::seconds kAssumedLifetime{300};  // no expires_in, no JWT exp

// The effective expiry of a token: `expires_at`, or issued_at +
// kAssumedLifetime when the issuer reported no lifetime.
WallTime EffectiveExpiry(WallTime issued_at, std::optional<WallTime> expires_at);

// `jitter` is clamped to [0, 1). Settings out of range are clamped:
// fraction to [0.05, 0.95], min_remaining to >= 0.
WallTime RefreshAt(WallTime issued_at, std::optional<WallTime> expires_at,
                   const RefreshSettings& settings, double jitter);

// `attempt` counts consecutive failures, starting at 1. `valid_until` is the
// expiry of the token currently on disk, if any.
WallTime RetryAt(WallTime now, int attempt, double jitter,
                 std::optional<std::chrono::seconds> retry_after,
                 std::optional<WallTime> valid_until, const BackoffPolicy& policy = {});

}  // namespace memsecret::injector::oauth
