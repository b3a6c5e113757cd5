// CredentialStore: the secret store as a rotation sees it — the current
// version, the one before it, a version staged by an unfinished run, and the
// write that makes a new version current (docs/rotation.md):
//   AWS Secrets Manager  PutSecretValue(ClientRequestToken, AWSPENDING), then
//                        UpdateSecretVersionStage moves AWSCURRENT to it (AWS
//                        moves AWSPREVIOUS) and takes AWSPENDING off it;
//   Vault KV v2          one write with options.cas = the current version;
//   Azure Key Vault      a new version (PUT), after checking the version read
//                        first is still the latest (Key Vault has no cas);
// Reads go through the same SecretProvider the injector reads with. Each
// backend's store lives in its folder (its fetch row, BackendFetch::make_store).
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

// A store whose write makes the new version current at once (Vault KV v2 with
// cas, Key Vault): nothing is staged, so the staging half of the interface is
// the same for all of them. `name` prefixes the (internal) misuse errors.
class OneStepStore : public CredentialStore {
 public:
  explicit OneStepStore(const char* name) : name_(name) {}
  Result<std::optional<StoredVersion>> ReadPending(const StoredVersion&) override {
    return std::optional<StoredVersion>();
  }
  Result<std::optional<StoredVersion>> ReadStaged(const std::string&) override {
    return std::optional<StoredVersion>();
  }
  bool stages() const override { return false; }
  Result<std::string> Stage(const SecretValue&, const std::string&) override {
    return Internal(std::string(name_) + ": writes are one step");
  }
  Status Promote(const StoredVersion&, const std::string&) override {
    return Internal(std::string(name_) + ": writes are one step");
  }

 private:
  const char* name_;
};

// What a store's reads share: `reader` at `ref` with `options` as a version.
Result<StoredVersion> ReadStoredVersion(SecretProvider* reader, const SecretRef& ref,
                                        const FetchOptions& options);
// The same, where the store's "not there" answers (kNotFound,
// kFailedPrecondition) mean "no such version".
Result<std::optional<StoredVersion>> ReadOptionalVersion(SecretProvider* reader,
                                                         const SecretRef& ref,
                                                         const FetchOptions& options);

}  // namespace memsecret::injector::rotation
