// RotationSteps: the four steps of a Secrets Manager rotation function, for
// one secret and one new version (the event's ClientRequestToken):
//   createSecret  stage the new credential as AWSPENDING under the token; a
//                 second call with the same token reuses what the first made;
//   setSecret     make the new credential usable at its service;
//   testSecret    prove the AWSPENDING credential works;
//   finishSecret  move AWSCURRENT to the token's version and retire what the
//                 strategy retires.
// Each step may be called again after a failure or a timeout (Secrets Manager
// retries), so every implementation is idempotent. The function loop
// (function_loop.h) only decodes events and calls these.
#pragma once

#include <string>

#include "memsecret/status.h"

namespace memsecret::injector::lambda {

class RotationSteps {
 public:
  virtual ~RotationSteps() = default;
  virtual Status CreateSecret(const std::string& secret_id, const std::string& token) = 0;
  virtual Status SetSecret(const std::string& secret_id, const std::string& token) = 0;
  virtual Status TestSecret(const std::string& secret_id, const std::string& token) = 0;
  virtual Status FinishSecret(const std::string& secret_id, const std::string& token) = 0;
};

}  // namespace memsecret::injector::lambda
