// The event AWS Secrets Manager sends a rotation function, decoded once:
//   {"SecretId": "<name or ARN>", "ClientRequestToken": "<version id>",
//    "Step": "createSecret" | "setSecret" | "testSecret" | "finishSecret"}
// Other members (Secrets Manager may add some, e.g. RotationToken) are
// ignored. Pure; errors name the member at fault, never its value beyond the
// step name (the event holds no secret, but a malformed one may hold anything).
#pragma once

#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret::injector::lambda {

enum class RotationStep { kCreateSecret, kSetSecret, kTestSecret, kFinishSecret };

// "createSecret", "setSecret", "testSecret", "finishSecret".
const char* StepName(RotationStep step);

struct RotationEvent {
  std::string secret_id;  // SecretId: a name or ARN
  std::string token;      // ClientRequestToken: the id of the version this rotation writes
  RotationStep step = RotationStep::kCreateSecret;
};

// kInvalidArgument when the payload is not a JSON object, a member is
// missing or not a string, SecretId is empty or longer than 2048 bytes, the
// token is not 32-64 characters of [A-Za-z0-9-] (what PutSecretValue accepts
// as a ClientRequestToken and a version id), or Step is none of the four.
Result<RotationEvent> ParseRotationEvent(std::string_view payload);

}  // namespace memsecret::injector::lambda
