#include "injector/lambda/function_loop.h"

#include <cctype>

namespace memsecret::injector::lambda {
namespace {

Status RunStep(RotationSteps& steps, const RotationEvent& e) {
  switch (e.step) {
    case RotationStep::kCreateSecret:
      return steps.CreateSecret(e.secret_id, e.token);
    case RotationStep::kSetSecret:
      return steps.SetSecret(e.secret_id, e.token);
    case RotationStep::kTestSecret:
      return steps.TestSecret(e.secret_id, e.token);
    case RotationStep::kFinishSecret:
      return steps.FinishSecret(e.secret_id, e.token);
  }
  return Internal("unknown rotation step");
}

}  // namespace

std::string ErrorTypeFor(const Status& status) {
  // invalid_argument -> InvalidArgument
  std::string type = "Rotation.";
  bool upper = true;
  for (const char* p = CodeName(status.code()); *p != '\0'; ++p) {
    if (*p == '_') {
      upper = true;
      continue;
    }
    type += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*p))) : *p;
    upper = false;
  }
  return type;
}

Answer AnswerInvocation(const Invocation& invocation, RotationSteps& steps) {
  Answer a;
  auto event = ParseRotationEvent(invocation.payload);
  if (!event.ok()) {
    a.outcome = event.status();
    a.error = FunctionError{"Rotation.InvalidEvent", event.status().message()};
    return a;
  }
  a.event = *event;
  a.outcome = RunStep(steps, *event);
  if (!a.outcome.ok())
    a.error =
        FunctionError{ErrorTypeFor(a.outcome), std::string(StepName(event->step)) + " " +
                                                   event->secret_id + ": " + a.outcome.message()};
  return a;
}

Status ServeInvocations(RuntimeApi& api, RotationSteps& steps,
                        const std::function<void(const InvocationReport&)>& report) {
  for (;;) {
    auto next = api.Next();
    if (!next.ok()) {
      // A day without an invocation ends the client's wait; ask again.
      if (next.status().code() == Code::kDeadlineExceeded) continue;
      return next.status();
    }
    Answer a = AnswerInvocation(*next, steps);
    Status posted =
        a.error ? api.Fail(next->request_id, *a.error) : api.Respond(next->request_id, "{}");
    if (report) report({next->request_id, a.event, a.outcome, posted});
    if (!posted.ok() && posted.code() != Code::kInvalidArgument &&
        posted.code() != Code::kFailedPrecondition)
      return posted;
  }
}

}  // namespace memsecret::injector::lambda
