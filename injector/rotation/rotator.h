// Rotator: one credential rotation as a sequence of steps over small
// interfaces (store, issuer's client directory, verification mint, census,
// clock), so every branch is decided here and tested with fakes
// (docs/rotation.md). Two strategies:
//
// Automatic (alternating clients; an issuer with a client API, Genesys Cloud):
//  0. resume: a pending version whose client mints is promoted; a current
//     version whose retiredClientId still exists has that client deleted
//     (census first) — and the run stops there: a rerun after a crash
//     finishes the interrupted rotation, it never starts a second one;
//     clients marked with the rotation suffix of this lineage that no version
//     knows (a crash between create and store) are deleted;
//  1. due? (--if-older-than against the current version's creation time);
//  2. create client B with client A's settings, named "<A's base name>
//     (memsecret rotation <UTC time>)";
//  3. verify: mint with B (on failure B is deleted, nothing else changes);
//  4. store B as current (previousClientId A, retiredClientId P);
//  5. delete P, the client of the version before A, once the census no
//     longer reports it (not A, not B).
// Assisted (--new-from-file): verify the person's new credentials, store
// them, and say which old id to delete once consumers moved.
//
// Facts are reported through `report` (one per step: refs, client ids,
// version ids; never a secret). Not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "injector/oauth/genesys_client_api.h"
#include "injector/rotation/credential_store.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::rotation {

inline constexpr const char* kRotationMarker = " (memsecret rotation ";

// Exit codes of `memsecret rotate`.
enum class RotationExit { kDone = 0, kFailed = 1, kUsage = 2, kCensusTimeout = 3 };

struct RotationStep {
  std::string step;  // "create_client", "verify", "stage", "promote", "write", "delete_client", ...
  std::string outcome;  // "ok", "planned", "skipped", "error", "waiting"
  std::string client_id;
  std::string version;
  std::string detail;  // non-secret text
};

class Census {
 public:
  virtual ~Census() = default;
  // True while any series still reports `client_id`.
  virtual Result<bool> Reports(const std::string& client_id) = 0;
};

struct RotatorDeps {
  CredentialStore* store = nullptr;
  oauth::OAuthClientDirectory* clients = nullptr;  // automatic only
  // Mints a token with the credential document; OK when it worked.
  std::function<Status(const SecretValue& document)> verify;
  Census* census = nullptr;  // optional
  const Clock* clock = nullptr;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<void(const RotationStep&)> report;
};

struct RotatorOptions {
  bool dry_run = false;
  std::optional<std::chrono::seconds> if_older_than;
  std::chrono::seconds census_timeout{3600};
  int verify_attempts = 3;  // a new client may need a moment before it can mint
  std::chrono::milliseconds verify_pause{1000};
};

struct RotationOutcome {
  RotationExit exit = RotationExit::kDone;
  std::string message;  // one line for the person running it (no secret)
};

class Rotator {
 public:
  Rotator(RotatorDeps deps, RotatorOptions options) : d_(std::move(deps)), o_(options) {}

  RotationOutcome RotateClient();
  RotationOutcome StoreReplacement(const SecretValue& replacement);

 private:
  RotationOutcome Fail(const std::string& step, const Status& status,
                       const std::string& client_id = "");
  void Report(std::string step, std::string outcome, std::string client_id = "",
              std::string version = "", std::string detail = "");
  Status Verify(const SecretValue& document);
  // Deletes `client_id` once the census no longer reports it.
  RotationOutcome DeleteWhenUnused(const std::string& client_id, const std::string& why);
  bool Due(const StoredVersion& current, std::string* why) const;

  RotatorDeps d_;
  RotatorOptions o_;
};

// The idempotency key a two-step store stages the version for `client_id`
// under (AWS ClientRequestToken: 32-64 characters): the same id gives the
// same key, so a rerun that stages again finds the version it staged.
std::string StagingRequestId(const std::string& client_id);

// "crm-sync (memsecret rotation 20261207T010203Z)" -> "crm-sync".
std::string BaseClientName(const std::string& name);
// `base` + kRotationMarker + the compact UTC time + ")".
std::string RotatedClientName(const std::string& base, WallTime now);

}  // namespace memsecret::injector::rotation
