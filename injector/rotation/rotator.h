// Rotator: one credential rotation as a sequence of steps over small
// interfaces (store, issuer's client directory, verification mint, census,
// clock), so every branch is decided here and tested with fakes
// (docs/rotation.md). Two strategies:
//
// Automatic (alternating clients; an issuer with a client API, Genesys Cloud).
// The strategy is three steps, the only home of its rules; `memsecret rotate`
// (RotateClient) and the Secrets Manager rotation function
// (lambda/genesys_rotation_steps.h) are two drivers of them:
//  StagePending   A = the current version's client, P = the one before it
//                 (previousClientId, else the store's previous version);
//                 clients of A's lineage that no version knows (a crash
//                 between create and store) are deleted; client B is created
//                 with A's settings, named "<A's base name> (memsecret
//                 rotation <UTC time>)", verified by minting (on failure B is
//                 deleted, nothing else changes) and stored with
//                 previousClientId A, retiredClientId P: staged under the
//                 token in a two-step store (a version already staged under
//                 the token is reused), written as current in a one-step one;
//  TestPending    mints with the version staged under the token;
//  FinishPending  makes the token's version current (two-step stores; nothing
//                 to move when it already is), then deletes its
//                 retiredClientId — the client of the rotation before last,
//                 never A or B — once the census no longer reports it;
//                 repeatable: a client already gone is skipped.
// RotateClient, the whole run: resume first (a pending version whose client
// mints is finished; a current version whose retiredClientId still exists has
// that delete finished — and the run stops there: a rerun after a crash
// finishes the interrupted rotation, it never starts a second one), then due?
// (--if-older-than against the current version's creation time), then the
// three steps.
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
#include "injector/providers/credential_store.h"
#include "injector/rotation/credential_document.h"
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

// What StagePending stored (or, in a dry run, would store).
struct StagedClient {
  std::string client_id;  // B ("" in a dry run)
  std::string version;    // the staged or written version
  std::string replaced;   // A: previousClientId
  std::string retired;    // P: retiredClientId ("" when none)
  bool reused = false;    // a version staged under the token already existed
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

  // The three steps of the automatic strategy (header comment). `token`
  // names the staged version (AWS ClientRequestToken); StagePending with an
  // empty token stages under StagingRequestId(B). Errors carry the step's
  // name as context and keep their code.
  Result<StagedClient> StagePending(const std::string& token);
  Status TestPending(const std::string& token);
  Status FinishPending(const std::string& token);

 private:
  // The current version, its client A (which must exist) and P.
  struct Lineage {
    StoredVersion current;
    CredentialFacts facts;
    oauth::OAuthClientInfo a;
    std::string p;
  };
  Status ReadLineage(Lineage* out);
  Result<StagedClient> StageFrom(const Lineage& l, const std::string& token);
  // Promotes `token` unless it is `current` (or the store writes in one
  // step), then deletes the retired client of the token's version.
  Status FinishFrom(const StoredVersion& current, const std::string& token);
  // Deletes `facts`' retiredClientId when it still exists (census first);
  // `acted` says whether it did (or, in a dry run, would).
  Status DeleteRetired(const CredentialFacts& facts, const std::string& version, bool report_resume,
                       bool* acted);
  Status DeleteOrphans(const Lineage& l);
  // Reports the step's error; the status with the step as context.
  Status StepError(const std::string& step, const Status& status,
                   const std::string& client_id = "");
  RotationOutcome Outcome(const Status& status) const;
  RotationOutcome Fail(const std::string& step, const Status& status,
                       const std::string& client_id = "");
  void Report(std::string step, std::string outcome, std::string client_id = "",
              std::string version = "", std::string detail = "");
  Status Verify(const SecretValue& document);
  // Deletes `client_id` once the census no longer reports it.
  Status DeleteWhenUnused(const std::string& client_id, const std::string& why);
  bool Due(const StoredVersion& current, std::string* why) const;

  RotatorDeps d_;
  RotatorOptions o_;
  bool census_timed_out_ = false;
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
