#include "injector/providers/vault/token_lifecycle.h"

namespace memsecret::injector::vault {

WallTime VaultLease::RefreshAt() const {
  if (!expires()) return WallTime::max();
  return obtained + std::chrono::duration_cast<WallTime::duration>(duration * 2) / 3;
}

TokenAction NextTokenAction(const VaultLease& lease, WallTime now) {
  if (!lease.expires()) return TokenAction::kUse;
  if (!lease.UsableAt(now)) return TokenAction::kLogin;
  if (now < lease.RefreshAt()) return TokenAction::kUse;
  return lease.renewable && !lease.capped ? TokenAction::kRenew : TokenAction::kLogin;
}

VaultLease AfterRenewal(const VaultLease& previous, WallTime now, std::chrono::seconds granted,
                        bool renewable) {
  VaultLease next;
  next.obtained = now;
  next.duration = granted;
  next.renewable = renewable;
  // A renewal to "does not expire" cannot be capped; otherwise the TTL must
  // keep growing: a later expiry and no shorter lease than before.
  next.capped =
      granted.count() > 0 && (next.Expiry() <= previous.Expiry() || granted < previous.duration);
  return next;
}

}  // namespace memsecret::injector::vault
