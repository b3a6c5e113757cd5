// SecretsManagerWriter: the two Secrets Manager writes a credential rotation
// needs (docs/rotation.md), over the JSON 1.1 protocol, SigV4-signed with
// credentials from the same chain as the reader (credential_chain.h):
//   PutSecretValue           a new version with a ClientRequestToken (the
//                            version id; idempotent: the same token and value
//                            again is success) and the given stages;
//   UpdateSecretVersionStage moves a stage label (AWSCURRENT: Secrets Manager
//                            itself moves AWSPREVIOUS to the version it came
//                            from).
// Errors as MapSecretsManagerError, naming the operation and the secret,
// never the value. Not thread-safe (one rotation at a time).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/credentials.h"
#include "memsecret/clock.h"

namespace memsecret::injector::aws {

// DescribeSecret's answer, the part a rotation function checks (no value).
struct SecretRotationState {
  bool rotation_enabled = false;
  std::map<std::string, std::vector<std::string>> version_stages;  // VersionIdsToStages
};

class SecretsManagerWriter {
 public:
  // `http` and `clock` must outlive the writer.
  SecretsManagerWriter(std::string region, std::string endpoint,
                       std::unique_ptr<CredentialSource> credentials, HttpClient& http,
                       const Clock& clock);

  // Returns the new version's id (== client_request_token).
  Result<std::string> PutSecretValue(const std::string& secret_id, const SecretValue& value,
                                     const std::string& client_request_token,
                                     const std::vector<std::string>& stages);
  // `remove_from` empty: the stage is attached to no version yet.
  Status UpdateSecretVersionStage(const std::string& secret_id, const std::string& stage,
                                  const std::string& move_to, const std::string& remove_from);

  // DescribeSecret: whether rotation is on and each version's stages (the
  // rotation function's check of its event, as Secrets Manager's templates do).
  Result<SecretRotationState> DescribeSecret(const std::string& secret_id);

 private:
  // The 200 answer's body; errors as MapSecretsManagerError.
  Result<std::string> Send(const std::string& operation, const std::string& secret_id,
                           std::string body);
  // Send, then the answer's VersionId.
  Result<std::string> Call(const std::string& operation, const std::string& secret_id,
                           std::string body);

  std::string region_;
  std::string endpoint_;
  RefreshingCredentials credentials_;
  HttpClient& http_;
  const Clock& clock_;
};

// The writer for the plan's primary region, with the reader's endpoint
// overrides and credential chain.
Result<std::unique_ptr<SecretsManagerWriter>> MakeSecretsManagerWriter(const AwsSettings& plan,
                                                                       const Environment& env,
                                                                       HttpClient& http,
                                                                       const Clock& clock);

}  // namespace memsecret::injector::aws
