// GenesysRotationSteps: the four Secrets Manager rotation steps for a secret
// holding Genesys Cloud client credentials, with the alternating-clients
// strategy of `memsecret rotate` (docs/rotation.md) and its pieces: the
// credential document edits (rotation/credential_document.h), the client
// names (rotation/rotator.h) and the OAuth client directory; the store is
// reached through a reader and two writes (PutSecretValue, UpdateSecretVersionStage).
//   createSecret  A = AWSCURRENT's client, P = the one before it; a version
//                 with the event's token that already holds AWSPENDING is
//                 reused; else orphans of this lineage (a crash between create
//                 and store) are deleted, B is created with A's settings and
//                 PutSecretValue stores it under the token as AWSPENDING
//                 (previousClientId A, retiredClientId P);
//   setSecret     nothing: a Genesys client is usable once it exists;
//   testSecret    mints with the token's AWSPENDING credentials (retried
//                 while a new client is rejected: creation takes a moment);
//   finishSecret  UpdateSecretVersionStage AWSCURRENT -> the token's version
//                 (RemoveFromVersionId: the current one), then deletes P.
// Every step first checks the event as Secrets Manager's own rotation
// functions do (DescribeSecret): rotation must be enabled and the token must
// be a version of the secret holding AWSPENDING; a token already AWSCURRENT
// has nothing left to do (finishSecret still completes the delete of P, so a
// retry after a crash between the two does not leave P valid).
// Facts are reported per step (refs, client ids, version ids; never a secret).
// Not thread-safe (the function serves one invocation at a time).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "injector/lambda/rotation_steps.h"
#include "injector/oauth/genesys_client_api.h"
#include "injector/providers/aws/secrets_manager_writer.h"
#include "injector/providers/secret_provider.h"
#include "injector/rotation/rotator.h"
#include "memsecret/clock.h"

namespace memsecret::injector::lambda {

struct GenesysStepsDeps {
  SecretProvider* reader = nullptr;  // Secrets Manager reads (stage and version)
  // DescribeSecret: rotation enabled? the stages of each version.
  std::function<Result<aws::SecretRotationState>(const std::string& secret_id)> describe;
  // PutSecretValue(secret, value, ClientRequestToken = token, stages [AWSPENDING]).
  std::function<Status(const std::string& secret_id, const SecretValue& value,
                       const std::string& token)>
      stage;
  // UpdateSecretVersionStage(secret, AWSCURRENT, MoveToVersionId = token,
  // RemoveFromVersionId = from).
  std::function<Status(const std::string& secret_id, const std::string& token,
                       const std::string& from)>
      promote;
  // The client directory for the credential's region, with a fresh admin token.
  std::function<Result<std::unique_ptr<oauth::OAuthClientDirectory>>(const SecretValue& credential)>
      open_clients;
  // Mints a token with the credential document; OK when it worked.
  std::function<Status(const SecretValue& document)> verify;
  const Clock* clock = nullptr;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<void(const std::string& secret_id, const rotation::RotationStep&)> report;
  int verify_attempts = 3;
  std::chrono::milliseconds verify_pause{1000};
};

class GenesysRotationSteps final : public RotationSteps {
 public:
  explicit GenesysRotationSteps(GenesysStepsDeps deps) : d_(std::move(deps)) {}

  Status CreateSecret(const std::string& secret_id, const std::string& token) override;
  Status SetSecret(const std::string& secret_id, const std::string& token) override;
  Status TestSecret(const std::string& secret_id, const std::string& token) override;
  Status FinishSecret(const std::string& secret_id, const std::string& token) override;

 private:
  // True when the step has work to do; false when the token is already
  // AWSCURRENT; an error when the event does not name a rotation in progress.
  Result<bool> CheckEvent(const std::string& secret_id, const std::string& token);
  Result<FetchedSecret> Read(const std::string& secret_id, const char* stage,
                             const std::string& version = "");
  Result<std::optional<FetchedSecret>> ReadIfThere(const std::string& secret_id, const char* stage,
                                                   const std::string& version = "");
  void Report(const std::string& secret_id, std::string step, std::string outcome,
              std::string client_id = "", std::string version = "", std::string detail = "");

  GenesysStepsDeps d_;
};

}  // namespace memsecret::injector::lambda
