// AgentSecretCache: the `aws:` secrets a pod declared (`secret-<name>`
// files), as the injector last fetched them, for the endpoint compatible with
// the AWS Secrets Manager Agent (agent_request.h). It is filled only from the
// secret jobs' own successful fetches (AgentCacheFeed, cache_feed.h), so a
// request never causes a backend call, and each refresh pass replaces the
// entry. Only declared secrets are ever kept: a fetch of anything else (OAuth
// client credentials, a stage override) is ignored.
//
// Thread-safe: Store runs on the refresh threads, Find on the endpoint's loop
// thread. An entry is immutable once stored; Find hands out a shared_ptr to
// it, so a reader keeps a consistent version while a refresh swaps in the next.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "injector/providers/secret_provider.h"
#include "memsecret/injection_plan.h"
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
};

class AgentSecretCache {
 public:
  // The secret ids (names or ARNs, as written after "aws:") of the plan's
  // `secret-<name>` files on AWS; `#field` is ignored: the endpoint serves
  // whole secrets. Token credentials are not declared secrets.
  static std::vector<SecretRef> DeclaredSecrets(const InjectionPlan& plan);

  explicit AgentSecretCache(std::vector<SecretRef> declared);

  // Keeps `secret` as the current entry of `ref` if `ref` (its field
  // ignored) is declared and `options` override nothing; otherwise ignores it.
  void Store(const SecretRef& ref, const FetchOptions& options, const FetchedSecret& secret);

  enum class Miss {
    kNone,          // found
    kUndeclared,    // no declared secret has this name or ARN
    kNotCached,     // declared, not fetched yet (or its last fetch failed)
    kNoSuchVersion  // cached, but not in the asked version or stage
  };
  struct Lookup {
    std::shared_ptr<const CachedSecret> secret;  // set iff miss == kNone
    Miss miss = Miss::kUndeclared;
  };
  // The entry for `secret_id` (the declared id, or the cached ARN or Name)
  // whose VersionId is `version_id` (when given) and whose stages include
  // `version_stage` (default AWSCURRENT when neither is given), as
  // GetSecretValue selects a version.
  Lookup Find(std::string_view secret_id, const std::optional<std::string>& version_id,
              const std::optional<std::string>& version_stage) const;

 private:
  struct Slot {
    SecretRef ref;  // declared, field cleared
    std::shared_ptr<const CachedSecret> cached;
  };
  mutable std::mutex mu_;
  std::vector<Slot> slots_;  // guarded by mu_ (the refs never change)
};

}  // namespace memsecret::injector::agent
