// CredentialStore: the secret store as a rotation sees it — the current
// version, the one before it, a version staged by an unfinished run, and the
// write that makes a new version current (docs/rotation.md):
//   AWS Secrets Manager  PutSecretValue(ClientRequestToken, AWSPENDING), then
//                        UpdateSecretVersionStage moves AWSCURRENT to it (AWS
//                        moves AWSPREVIOUS) and takes AWSPENDING off it;
//   Vault KV v2          one write with options.cas = the current version;
//   Azure Key Vault      a new version (PUT), after checking the version read
//                        first is still the latest (Key Vault has no cas);
// Reads go through the same SecretProvider the injector reads with.
// Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "injector/base/secret_value.h"
#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret::injector::aws {
class SecretsManagerWriter;
}
namespace memsecret::injector::vault {
class VaultKvWriter;
}
namespace memsecret::injector::azure {
class KeyVaultWriter;
}

namespace memsecret::injector::rotation {

struct StoredVersion {
  std::string version;  // the store's version id ("" when it has none)
  std::optional<WallTime> created;
  SecretValue value;  // the credential document
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual Result<StoredVersion> ReadCurrent() = 0;
  // The version before `current` (AWSPREVIOUS; Vault version N-1); nullopt
  // when there is none or the store cannot say.
  virtual Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion& current) = 0;
  // A version an unfinished rotation staged (AWSPENDING on a version that is
  // not current); nullopt for stores that write in one step.
  virtual Result<std::optional<StoredVersion>> ReadPending(const StoredVersion& current) = 0;
  // Two-step stores: the version `version` when it holds the staged label
  // (AWSPENDING) and a value; nullopt otherwise and for one-step stores.
  virtual Result<std::optional<StoredVersion>> ReadStaged(const std::string& version) = 0;
  // True when a write is two steps (Stage, then Promote).
  virtual bool stages() const = 0;
  // Two-step stores: stages `value` under `request_id` (idempotent).
  virtual Result<std::string> Stage(const SecretValue& value, const std::string& request_id) = 0;
  // Two-step stores: makes `pending_version` current in place of `current`.
  virtual Status Promote(const StoredVersion& current, const std::string& pending_version) = 0;
  // One-step stores: writes `value` as the version after `current` (fails,
  // writing nothing, when the store moved on since `current` was read).
  virtual Result<std::string> Write(const StoredVersion& current, const SecretValue& value) = 0;
};

// The writer of each store; only the ref's provider's must be set.
struct StoreWriters {
  aws::SecretsManagerWriter* aws = nullptr;
  vault::VaultKvWriter* vault = nullptr;
  azure::KeyVaultWriter* azure = nullptr;
};

// The store for `ref` (#field ignored). `reader` and the writers must outlive
// the result. kInvalidArgument when the ref's writer is missing, for pinned
// refs (?version=, ?stage=) and KV v1.
Result<std::unique_ptr<CredentialStore>> MakeCredentialStore(const SecretRef& ref,
                                                             SecretProvider* reader,
                                                             const StoreWriters& writers);

}  // namespace memsecret::injector::rotation
