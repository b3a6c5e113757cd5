// The rotation function's loop: ask the runtime API for the next invocation,
// decode the Secrets Manager event, run its step, post the answer; again.
//   - a malformed event: an error answer of type Rotation.InvalidEvent;
//   - a failed step: an error answer of type Rotation.<Code> (e.g.
//     Rotation.Unauthenticated) whose message names the step, the secret and
//     the reason — never a value (Status messages hold none by contract);
//   - success: {} (Secrets Manager reads nothing from it).
// One report per invocation (its facts, for a log line). The loop ends when
// the runtime API cannot be reached or answers next with an error: Lambda
// then starts a new environment.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "injector/lambda/rotation_event.h"
#include "injector/lambda/rotation_steps.h"
#include "injector/lambda/runtime_api.h"
#include "memsecret/status.h"

namespace memsecret::injector::lambda {

// The facts of one invocation (no secret).
struct InvocationReport {
  std::string request_id;
  std::optional<RotationEvent> event;  // nullopt when the payload did not decode
  Status outcome;                      // the step's (or the decoding's) result
  Status posted;                       // how the runtime API took the answer
};

// The answer to one invocation: decode the event, run its step. Pure apart
// from what `steps` does.
struct Answer {
  std::optional<RotationEvent> event;  // nullopt when the payload did not decode
  Status outcome;
  std::optional<FunctionError> error;  // nullopt: success (post {}); else post this
};
Answer AnswerInvocation(const Invocation& invocation, RotationSteps& steps);

// "Rotation.<Code>" for a failed step's status ("Rotation.Unavailable", ...).
std::string ErrorTypeFor(const Status& status);

// Serves invocations until Next() fails; returns that failure. A post the
// runtime API refuses (400, 403, 413) is reported and the loop goes on; one
// that cannot be made (5xx, transport) ends the loop.
Status ServeInvocations(RuntimeApi& api, RotationSteps& steps,
                        const std::function<void(const InvocationReport&)>& report);

}  // namespace memsecret::injector::lambda
