// GenesysRotationSteps: the four Secrets Manager rotation steps for a secret
// holding Genesys Cloud client credentials. The strategy is not here: each
// step is a thin adapter from the event to the alternating-clients steps of
// rotation::Rotator (rotation/rotator.h, docs/rotation.md), the same ones
// `memsecret rotate` runs, over the secret as a two-step CredentialStore
// (reads through the AWS provider, PutSecretValue, UpdateSecretVersionStage):
//   createSecret  Rotator::StagePending(token): reuse the token's staged
//                 version, else delete orphans, create B with A's settings,
//                 verify it, PutSecretValue under the token as AWSPENDING
//                 (previousClientId A, retiredClientId P);
//   setSecret     nothing: a Genesys client is usable once it exists;
//   testSecret    Rotator::TestPending(token): mints with the token's version;
//   finishSecret  Rotator::FinishPending(token): UpdateSecretVersionStage
//                 AWSCURRENT -> the token's version (RemoveFromVersionId: the
//                 current one), then deletes P, the client of the rotation
//                 before last.
// What is the function's own: every step first checks the event as Secrets
// Manager's own rotation functions do (DescribeSecret): rotation must be
// enabled and the token must be a version of the secret holding AWSPENDING; a
// token already AWSCURRENT has nothing left to do (finishSecret still
// completes the delete of P, so a retry after a crash between the two does not
// leave P valid). AWSPENDING is left on the promoted version, as Secrets
// Manager's own functions leave it.
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
  // Runs `step` on a Rotator over the secret (and, with `clients`, the
  // client directory of its current credential).
  Status WithRotator(const std::string& secret_id, bool clients,
                     const std::function<Status(rotation::Rotator&)>& step);
  void Report(const std::string& secret_id, std::string step, std::string outcome,
              std::string version = "", std::string detail = "");

  GenesysStepsDeps d_;
};

}  // namespace memsecret::injector::lambda
