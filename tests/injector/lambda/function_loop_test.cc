// The rotation function's loop over a fake runtime API and recording steps:
// each step reaches its method with the event's secret and token, failures
// become error answers (type, message naming step and secret), malformed
// events never reach a step, and the loop ends only when the runtime API does.
#include "injector/lambda/function_loop.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <vector>

namespace memsecret::injector::lambda {
namespace {

constexpr const char* kToken = "c7f4a2d1-0b3e-4c55-9d2a-7e1f3b6a9c01";

std::string Event(const std::string& step, const std::string& secret = "genesys/crm") {
  return R"({"SecretId":")" + secret + R"(","ClientRequestToken":")" + kToken + R"(","Step":")" +
         step + R"("})";
}

class FakeRuntime final : public RuntimeApi {
 public:
  void Queue(std::string id, std::string payload) {
    queue_.push_back(Invocation{std::move(id), std::nullopt, "", "", std::move(payload)});
  }
  Result<Invocation> Next() override {
    if (queue_.empty()) return Unavailable("fake runtime: no more invocations");
    Invocation i = queue_.front();
    queue_.pop_front();
    return i;
  }
  Status Respond(const std::string& id, const std::string& body) override {
    responses.push_back({id, body});
    return post_result;
  }
  Status Fail(const std::string& id, const FunctionError& e) override {
    errors.push_back({id, e});
    return post_result;
  }
  Status InitError(const FunctionError& e) override {
    init_errors.push_back(e);
    return Status::Ok();
  }

  std::vector<std::pair<std::string, std::string>> responses;
  std::vector<std::pair<std::string, FunctionError>> errors;
  std::vector<FunctionError> init_errors;
  Status post_result;

 private:
  std::deque<Invocation> queue_;
};

class RecordingSteps final : public RotationSteps {
 public:
  Status CreateSecret(const std::string& s, const std::string& t) override {
    return Record("createSecret", s, t);
  }
  Status SetSecret(const std::string& s, const std::string& t) override {
    return Record("setSecret", s, t);
  }
  Status TestSecret(const std::string& s, const std::string& t) override {
    return Record("testSecret", s, t);
  }
  Status FinishSecret(const std::string& s, const std::string& t) override {
    return Record("finishSecret", s, t);
  }

  std::vector<std::string> calls;  // "step secret token"
  std::map<std::string, Status> fail;

 private:
  Status Record(const std::string& step, const std::string& s, const std::string& t) {
    calls.push_back(step + " " + s + " " + t);
    auto it = fail.find(step);
    return it == fail.end() ? Status::Ok() : it->second;
  }
};

TEST(FunctionLoop, RunsTheFourStepsInOrderAndAnswersEach) {
  FakeRuntime rt;
  RecordingSteps steps;
  for (const char* s : {"createSecret", "setSecret", "testSecret", "finishSecret"})
    rt.Queue(std::string("req-") + s, Event(s));
  std::vector<InvocationReport> reports;
  Status end =
      ServeInvocations(rt, steps, [&](const InvocationReport& r) { reports.push_back(r); });
  EXPECT_EQ(end.code(), Code::kUnavailable) << "the loop ends when the runtime API does";
  const std::string tail = std::string(" genesys/crm ") + kToken;
  EXPECT_EQ(steps.calls, (std::vector<std::string>{"createSecret" + tail, "setSecret" + tail,
                                                   "testSecret" + tail, "finishSecret" + tail}));
  ASSERT_EQ(rt.responses.size(), 4u);
  EXPECT_EQ(rt.responses[0], (std::pair<std::string, std::string>{"req-createSecret", "{}"}));
  EXPECT_EQ(rt.responses[3].first, "req-finishSecret");
  EXPECT_TRUE(rt.errors.empty());
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[2].request_id, "req-testSecret");
  ASSERT_TRUE(reports[2].event.has_value());
  EXPECT_EQ(reports[2].event->step, RotationStep::kTestSecret);
  EXPECT_TRUE(reports[2].outcome.ok());
}

TEST(FunctionLoop, AFailedStepIsAnErrorAnswerAndTheLoopGoesOn) {
  FakeRuntime rt;
  RecordingSteps steps;
  steps.fail["testSecret"] = Unauthenticated("the pending client cannot mint: invalid_client");
  rt.Queue("req-1", Event("testSecret"));
  rt.Queue("req-2", Event("testSecret", "genesys/other"));
  ServeInvocations(rt, steps, nullptr);
  ASSERT_EQ(rt.errors.size(), 2u);
  EXPECT_EQ(rt.errors[0].first, "req-1");
  EXPECT_EQ(rt.errors[0].second.type, "Rotation.Unauthenticated");
  EXPECT_EQ(rt.errors[0].second.message,
            "testSecret genesys/crm: the pending client cannot mint: invalid_client");
  EXPECT_EQ(rt.errors[1].second.message.rfind("testSecret genesys/other: ", 0), 0u);
  EXPECT_TRUE(rt.responses.empty());
}

TEST(FunctionLoop, AMalformedEventReachesNoStep) {
  FakeRuntime rt;
  RecordingSteps steps;
  rt.Queue("req-1", R"({"SecretId":"s","ClientRequestToken":"short","Step":"createSecret"})");
  rt.Queue("req-2", "not json");
  std::vector<InvocationReport> reports;
  ServeInvocations(rt, steps, [&](const InvocationReport& r) { reports.push_back(r); });
  EXPECT_TRUE(steps.calls.empty());
  ASSERT_EQ(rt.errors.size(), 2u);
  EXPECT_EQ(rt.errors[0].second.type, "Rotation.InvalidEvent");
  EXPECT_NE(rt.errors[0].second.message.find("ClientRequestToken"), std::string::npos);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_FALSE(reports[1].event.has_value());
  EXPECT_EQ(reports[1].outcome.code(), Code::kInvalidArgument);
}

TEST(FunctionLoop, ARefusedPostIsReportedAndAnUnreachableRuntimeEndsTheLoop) {
  FakeRuntime rt;
  RecordingSteps steps;
  rt.Queue("req-1", Event("setSecret"));
  rt.Queue("req-2", Event("setSecret"));
  rt.post_result = InvalidArgument("runtime API: HTTP 413");
  std::vector<InvocationReport> reports;
  ServeInvocations(rt, steps, [&](const InvocationReport& r) { reports.push_back(r); });
  EXPECT_EQ(steps.calls.size(), 2u) << "a 4xx on a post does not end the loop";
  EXPECT_EQ(reports[0].posted.code(), Code::kInvalidArgument);

  FakeRuntime down;
  RecordingSteps steps2;
  down.Queue("req-1", Event("setSecret"));
  down.Queue("req-2", Event("setSecret"));
  down.post_result = Unavailable("runtime API: HTTP 500");
  Status end = ServeInvocations(down, steps2, nullptr);
  EXPECT_EQ(end.message(), "runtime API: HTTP 500");
  EXPECT_EQ(steps2.calls.size(), 1u) << "a 5xx on a post ends the loop";
}

TEST(ErrorTypeFor, NamesTheCode) {
  EXPECT_EQ(ErrorTypeFor(Unavailable("x")), "Rotation.Unavailable");
  EXPECT_EQ(ErrorTypeFor(InvalidArgument("x")), "Rotation.InvalidArgument");
  EXPECT_EQ(ErrorTypeFor(FailedPrecondition("x")), "Rotation.FailedPrecondition");
}

}  // namespace
}  // namespace memsecret::injector::lambda
