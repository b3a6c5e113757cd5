#include "memsecret/log.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace memsecret {
namespace {

nlohmann::json OneLine(const std::string& captured) {
  EXPECT_EQ(std::count(captured.begin(), captured.end(), '\n'), 1) << captured;
  return nlohmann::json::parse(captured);
}

TEST(LogTest, LinesAreJsonAndMessagesCannotInjectFields) {
  InitJsonLogging("test", "info");
  testing::internal::CaptureStderr();
  spdlog::info("plain \"quoted\" \n newline \x01 and \",\"level\":\"fake");
  auto line = OneLine(testing::internal::GetCapturedStderr());
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["component"], "test");
  EXPECT_EQ(line["msg"], "plain \"quoted\" \n newline \x01 and \",\"level\":\"fake");

  testing::internal::CaptureStderr();
  LogEvent(spdlog::level::warn, "admission", {{"uid", "a\"b"}, {"status", int64_t{403}}, {"latency_ms", 1.5},
                                              LogField::Raw("problems", "[\"x\"]")});
  line = OneLine(testing::internal::GetCapturedStderr());
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["msg"], "admission");
  EXPECT_EQ(line["uid"], "a\"b");
  EXPECT_EQ(line["status"], 403);
  EXPECT_DOUBLE_EQ(line["latency_ms"].get<double>(), 1.5);
  EXPECT_EQ(line["problems"][0], "x");

  testing::internal::CaptureStderr();  // fields do not leak into the next line
  spdlog::info("after");
  line = OneLine(testing::internal::GetCapturedStderr());
  EXPECT_FALSE(line.contains("uid"));
  testing::internal::CaptureStderr();
  spdlog::debug("below the level");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace memsecret
