// ParseRotationEvent: the Secrets Manager event, table-driven.
#include "injector/lambda/rotation_event.h"

#include <gtest/gtest.h>

namespace memsecret::injector::lambda {
namespace {

constexpr const char* kToken = "c7f4a2d1-0b3e-4c55-9d2a-7e1f3b6a9c01";

TEST(RotationEvent, DecodesEachStep) {
  const struct {
    const char* step;
    RotationStep want;
  } cases[] = {{"createSecret", RotationStep::kCreateSecret},
               {"setSecret", RotationStep::kSetSecret},
               {"testSecret", RotationStep::kTestSecret},
               {"finishSecret", RotationStep::kFinishSecret}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.step);
    const std::string payload =
        std::string(
            R"({"SecretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:genesys/a-AbCdEf",)") +
        R"("ClientRequestToken":")" + kToken + R"(","Step":")" + c.step + R"("})";
    auto e = ParseRotationEvent(payload);
    ASSERT_TRUE(e.ok()) << e.status().message();
    EXPECT_EQ(e->secret_id,
              "arn:aws:secretsmanager:us-east-1:123456789012:secret:genesys/a-AbCdEf");
    EXPECT_EQ(e->token, kToken);
    EXPECT_EQ(e->step, c.want);
    EXPECT_STREQ(StepName(e->step), c.step);
  }
}

TEST(RotationEvent, IgnoresOtherMembersAndTakesTheLastRepeat) {
  auto e = ParseRotationEvent(
      std::string(R"({"Step":"setSecret","RotationToken":"x","Extra":{"a":[1]},)") +
      R"("SecretId":"first","SecretId":"second","ClientRequestToken":")" + kToken + R"("})");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->secret_id, "second");
  EXPECT_EQ(e->step, RotationStep::kSetSecret);
}

TEST(RotationEvent, RejectsEachBadShapeNamingTheMember) {
  const std::string t = kToken;
  const struct {
    const char* name;
    std::string payload;
    const char* needle;
  } cases[] = {
      {"not json", "{", "not valid JSON"},
      {"array", "[]", "not a JSON object"},
      {"empty", "", "not a JSON object"},
      {"trailing garbage",
       R"({"SecretId":"s","ClientRequestToken":")" + t + R"(","Step":"setSecret"} x)",
       "not valid JSON"},
      {"no SecretId", R"({"ClientRequestToken":")" + t + R"(","Step":"setSecret"})",
       "SecretId is missing"},
      {"empty SecretId",
       R"({"SecretId":"","ClientRequestToken":")" + t + R"(","Step":"setSecret"})",
       "SecretId must be"},
      {"SecretId number",
       R"({"SecretId":7,"ClientRequestToken":")" + t + R"(","Step":"setSecret"})",
       "SecretId is not a string"},
      {"no token", R"({"SecretId":"s","Step":"setSecret"})", "ClientRequestToken is missing"},
      {"short token", R"({"SecretId":"s","ClientRequestToken":"abc","Step":"setSecret"})",
       "ClientRequestToken must be"},
      {"token with a slash",
       R"({"SecretId":"s","ClientRequestToken":"../../../../aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","Step":"setSecret"})",
       "ClientRequestToken must be"},
      {"no step", R"({"SecretId":"s","ClientRequestToken":")" + t + R"("})", "Step is missing"},
      {"unknown step", R"({"SecretId":"s","ClientRequestToken":")" + t + R"(","Step":"rotate"})",
       "Step must be"},
      {"step case", R"({"SecretId":"s","ClientRequestToken":")" + t + R"(","Step":"CreateSecret"})",
       "Step must be"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto e = ParseRotationEvent(c.payload);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), Code::kInvalidArgument);
    EXPECT_NE(e.status().message().find(c.needle), std::string::npos) << e.status().message();
  }
}

}  // namespace
}  // namespace memsecret::injector::lambda
