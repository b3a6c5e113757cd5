// Vault client-token lifecycle as pure functions of the lease and the time,
// so renewal and re-login are tested without sleeping (time is an input).
//
// Rules (after vault/api LifetimeWatcher):
//  - a token is refreshed at 2/3 of the lease it was last granted;
//  - at that point a renewable token is renewed (renew-self), anything else —
//    not renewable, or "capped" — logs in again;
//  - a renewal that did not push the expiry later, or granted a shorter lease
//    than the one it replaced, means the TTL stopped growing (max TTL
//    reached): the lease is capped and the next refresh is a re-login;
//  - within kExpiryMargin of expiry the token is not used; log in.
// A lease of 0 s (root or non-expiring tokens) never needs refreshing.
#pragma once

#include <chrono>

#include "memsecret/clock.h"

namespace memsecret::injector::vault {

inline constexpr std::chrono::seconds kExpiryMargin{5};

struct VaultLease {
  WallTime obtained;                 // when the login or renewal answered
  std::chrono::seconds duration{0};  // lease granted then; 0 = does not expire
  bool renewable = false;
  bool capped = false;  // a renewal stopped extending it: re-login next time

  bool expires() const { return duration.count() > 0; }
  WallTime Expiry() const { return obtained + duration; }
  // False within kExpiryMargin of expiry.
  bool UsableAt(WallTime now) const { return !expires() || now + kExpiryMargin < Expiry(); }
  // obtained + 2/3 duration (WallTime::max() when the lease does not expire).
  WallTime RefreshAt() const;
};

enum class TokenAction {
  kUse,    // the token is good as it is
  kRenew,  // renew-self now
  kLogin,  // log in (again) now
};

TokenAction NextTokenAction(const VaultLease& lease, WallTime now);

// The lease after a renew-self answered at `now` with `granted` seconds.
VaultLease AfterRenewal(const VaultLease& previous, WallTime now, std::chrono::seconds granted,
                        bool renewable);

}  // namespace memsecret::injector::vault
