// WaitForReadyMarker (probe --wait): returns at once for a marker already
// there, the moment one is renamed into place by another thread, false after
// the timeout, and an error naming a directory that cannot be watched.
#include "injector/ready_marker_wait.h"

#include <gtest/gtest.h>

#include <thread>

#include "injector/runtime/atomic_file_writer.h"
#include "testing/temp_dir.h"

namespace memsecret::injector {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(WaitForReadyMarkerTest, MarkerAlreadyThere) {
  testing::TempDir dir;
  ASSERT_TRUE(AtomicFileWriter(dir.path()).WriteReadyMarker().ok());
  auto r = WaitForReadyMarker(dir.path(), milliseconds(0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
}

TEST(WaitForReadyMarkerTest, ReturnsWhenTheMarkerIsWrittenNotAtTheTimeout) {
  testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  std::thread writer_thread([&] {
    // Other files first: their events must not end the wait.
    EXPECT_TRUE(writer.Write("db", SecretValue("x"), 0400).ok());
    EXPECT_TRUE(writer.WriteReadyMarker().ok());
  });
  const auto t0 = steady_clock::now();
  auto r = WaitForReadyMarker(dir.path(), std::chrono::seconds(30));
  writer_thread.join();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
  EXPECT_LT(steady_clock::now() - t0, std::chrono::seconds(10));  // far below the 30 s timeout
}

TEST(WaitForReadyMarkerTest, TimesOutWithoutTheMarker) {
  testing::TempDir dir;
  ASSERT_TRUE(AtomicFileWriter(dir.path()).Write("db", SecretValue("x"), 0400).ok());
  auto r = WaitForReadyMarker(dir.path(), milliseconds(50));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(*r);
}

TEST(WaitForReadyMarkerTest, MissingDirectoryIsAnError) {
  testing::TempDir dir;
  auto r = WaitForReadyMarker(dir.path() + "/nope", milliseconds(50));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nope"), std::string::npos);
}

}  // namespace
}  // namespace memsecret::injector
