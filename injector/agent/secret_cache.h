// AgentSecretCache: the `aws:` secrets a pod declared (`secret-<name>`
// files), as the injector last fetched them, for the endpoint compatible with
// the AWS Secrets Manager Agent (agent_service.h). The secret jobs' own
// fetches fill it (AgentCacheFeed, cache_feed.h), and so do the endpoint's
// fetches on demand (on_demand_fetch.h: refreshNow, another stage or version).
// Only declared secrets are ever kept: a fetch of anything else is ignored.
//
// Entries are kept per secret and per selector — the stage or version id the
// fetch asked for (AWSCURRENT when it asked for neither) — so AWSPREVIOUS or a
// versionId is cached beside the current version, never mistaken for it.
//
// How long an entry is served (times from the injected clock):
//  - never when older than MaxAge(refresh-interval) = max(3 × refresh-interval,
//    5 min): such an entry is a miss (Miss::kExpired) and is fetched again;
//  - an entry the secret jobs keep fresh (the selector of a declared ref) is
//    otherwise served as it is; any other entry (fetched on demand) is
//    `stale` once older than the refresh interval (5 min when it is 0): the
//    endpoint fetches it again, and serves the stale one only while the store
//    is out (outage ≠ revocation);
//  - the store's definite answer that a secret is gone or forbidden evicts
//    it at once (RecordFailure): not found (ResourceNotFoundException),
//    access denied (AccessDeniedException), marked for deletion or not
//    decryptable (InvalidRequestException, DecryptionFailure). An outage
//    (connect error, timeout, 5xx, throttling) or rejected credentials of the
//    injector itself evict nothing.
//
// Thread-safe: Store/RecordFailure run on the refresh threads and the
// endpoint's, Find on the endpoint's. An entry is immutable once stored; Find
// hands out a shared_ptr to it, so a reader keeps a consistent version while
// a refresh swaps in the next.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/secret_ref.h"

namespace memsecret::injector::agent {

// One version of a declared secret, as GetSecretValue described it.
struct CachedSecret {
  std::string arn;
  std::string name;
  std::string version_id;
  std::vector<std::string> version_stages;
  std::optional<WallTime> created;
  bool binary = false;  // `value` came from SecretBinary
  SecretValue value;
  WallTime fetched_at;  // when the store returned it
};

// `secret` as the Agent shows it, fetched at `at`.
CachedSecret ToCachedSecret(const FetchedSecret& secret, WallTime at);

class AgentSecretCache {
 public:
  // The plan's `secret-<name>` files on AWS, `#field` removed (the endpoint
  // serves whole secrets, see docs/injector.md), `?stage=`/`?version=` kept
  // (the selector their jobs refresh). Token credentials are not declared.
  static std::vector<SecretRef> DeclaredSecrets(const InjectionPlan& plan);
  // The age beyond which nothing is served: max(3 × refresh, 5 min).
  static std::chrono::seconds MaxAge(std::chrono::seconds refresh_interval);

  // `clock` must outlive the cache.
  AgentSecretCache(std::vector<SecretRef> declared, const Clock* clock,
                   std::chrono::seconds refresh_interval);

  // The declared secret `secret_id` names — a declared id (as written after
  // "aws:"), or the ARN or Name of a version cached for it — as a bare ref
  // (no query, no field) to fetch it by; nullopt when undeclared.
  std::optional<SecretRef> Resolve(std::string_view secret_id) const;

  // Keeps `secret` as the entry of `ref`'s secret for the selector of
  // (`ref`, `options`) if the secret is declared; otherwise ignores it.
  void Store(const SecretRef& ref, const FetchOptions& options, const FetchedSecret& secret);
  // A fetch of (`ref`, `options`) failed with `status`. kPermissionDenied
  // and kFailedPrecondition evict every entry of the secret, kNotFound the
  // asked selector's (every entry when it was AWSCURRENT: the secret is
  // gone); other codes nothing.
  void RecordFailure(const SecretRef& ref, const FetchOptions& options, const Status& status);

  enum class Miss {
    kNone,        // found, younger than MaxAge
    kUndeclared,  // no declared secret has this id, name or ARN
    kNotCached,   // declared, but no entry for that stage or version
    kExpired      // the entry is older than MaxAge: never served
  };
  struct Lookup {
    std::shared_ptr<const CachedSecret> secret;  // set iff miss == kNone
    Miss miss = Miss::kUndeclared;
    bool stale = false;  // kNone, fetched on demand and older than the refresh interval
  };
  // The entry for `secret_id` (see Resolve) with VersionId `version_id` (any
  // selector; whose stages also include `version_stage` when both are
  // given), else the entry of stage `version_stage` (AWSCURRENT when neither
  // is given), as GetSecretValue selects a version.
  Lookup Find(std::string_view secret_id, const std::optional<std::string>& version_id,
              const std::optional<std::string>& version_stage) const;

 private:
  struct Slot {
    std::string path;                 // the declared id
    std::set<std::string> refreshed;  // selectors the secret jobs fetch
    std::map<std::string, std::shared_ptr<const CachedSecret>> entries;  // by selector
  };
  Slot* FindSlot(std::string_view path);
  const Slot* ResolveLocked(std::string_view secret_id) const;

  const Clock* clock_;
  const std::chrono::seconds max_age_;
  const std::chrono::seconds on_demand_ttl_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;  // guarded by mu_ (paths and `refreshed` never change)
};

}  // namespace memsecret::injector::agent
