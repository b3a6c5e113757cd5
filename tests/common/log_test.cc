#include "memsecret/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testing/eventually.h"
#include "testing/temp_dir.h"

namespace memsecret {
namespace {

nlohmann::json OneLine(const std::string& captured) {
  EXPECT_EQ(std::count(captured.begin(), captured.end(), '\n'), 1) << captured;
  return nlohmann::json::parse(captured);
}

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Points stderr (fd 2) at a temporary file until destroyed, and reads what
// has been written so far while still redirected: a test can wait for a line
// another thread writes instead of sleeping a guessed time.
class StderrToFile {
 public:
  StderrToFile() : path_(dir_.File("stderr")) {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    saved_ = ::dup(STDERR_FILENO);
    EXPECT_GE(fd, 0);
    EXPECT_GE(saved_, 0);
    EXPECT_EQ(::dup2(fd, STDERR_FILENO), STDERR_FILENO);
    ::close(fd);
  }
  ~StderrToFile() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

  std::string Text() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  memsecret::testing::TempDir dir_;
  std::string path_;
  int saved_ = -1;
};

TEST(LogTest, BatchedLinesWaitUntilAWarningAFlushOrTheDelay) {
  InitJsonLogging("batched", "info", LogWrites::kBatched);
  // Info lines wait in memory...
  ::testing::internal::CaptureStderr();
  const auto start = std::chrono::steady_clock::now();
  spdlog::info("one");
  std::string out = ::testing::internal::GetCapturedStderr();
  if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(150)) {
    EXPECT_EQ(out, "");
  }
  FlushLogs();  // (the line above went to the capture or is written here, outside it)
  // ...a warning goes out at once, with every line before it, in order...
  ::testing::internal::CaptureStderr();
  spdlog::info("two");
  spdlog::warn("three");
  out = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(Lines(out), 2u) << out;
  EXPECT_LT(out.find("two"), out.find("three"));
  // ...the flusher writes pending lines on its own, without a flush or a
  // warning (waited for, not slept: on a loaded machine it may be late)...
  {
    StderrToFile captured;
    spdlog::info("four");
    EXPECT_TRUE(memsecret::testing::Eventually([&] { return Lines(captured.Text()) == 1; }))
        << "the flusher never wrote the pending line";
    out = captured.Text();
  }
  ASSERT_EQ(Lines(out), 1u) << out;
  EXPECT_EQ(OneLine(out)["msg"], "four");
  // ...and FlushLogs() writes them at once.
  ::testing::internal::CaptureStderr();
  spdlog::info("five");
  FlushLogs();
  out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(Lines(out), 1u) << out;
  EXPECT_EQ(OneLine(out)["msg"], "five");
  InitJsonLogging("test", "info");  // the per-line logger for the other tests
}

TEST(LogTest, LinesAreJsonAndMessagesCannotInjectFields) {
  InitJsonLogging("test", "info");
  ::testing::internal::CaptureStderr();
  spdlog::info("plain \"quoted\" \n newline \x01 and \",\"level\":\"fake");
  auto line = OneLine(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["component"], "test");
  EXPECT_EQ(line["msg"], "plain \"quoted\" \n newline \x01 and \",\"level\":\"fake");

  ::testing::internal::CaptureStderr();
  LogEvent(spdlog::level::warn, "admission",
           {{"uid", "a\"b"},
            {"status", int64_t{403}},
            {"latency_ms", 1.5},
            LogField::Raw("problems", "[\"x\"]")});
  line = OneLine(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["msg"], "admission");
  EXPECT_EQ(line["uid"], "a\"b");
  EXPECT_EQ(line["status"], 403);
  EXPECT_DOUBLE_EQ(line["latency_ms"].get<double>(), 1.5);
  EXPECT_EQ(line["problems"][0], "x");

  ::testing::internal::CaptureStderr();  // fields do not leak into the next line
  spdlog::info("after");
  line = OneLine(::testing::internal::GetCapturedStderr());
  EXPECT_FALSE(line.contains("uid"));
  ::testing::internal::CaptureStderr();
  spdlog::debug("below the level");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace memsecret
