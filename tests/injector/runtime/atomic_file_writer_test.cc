// AtomicFileWriter: content and mode land atomically, unchanged files are not
// rewritten, failures leave the old file and no temp files behind.
#include "injector/runtime/atomic_file_writer.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint32_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

ino_t InodeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_ino;
}

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AtomicFileWriterTest, WritesContentWithModeAndNoTempLeftovers) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  auto r = w.Write("db-password", SecretValue(std::string("s3cr\0et\n", 8)), 0440);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, WriteOutcome::kWritten);
  EXPECT_EQ(ReadFile(dir.path() + "/db-password"), std::string("s3cr\0et\n", 8));
  EXPECT_EQ(ModeOf(dir.path() + "/db-password"), 0440u);
  EXPECT_EQ(List(dir.path()), std::vector<std::string>{"db-password"});
}

TEST(AtomicFileWriterTest, DotFilesNeedADotAndAValidName) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  auto r = w.WriteDotFile(".agent-token", SecretValue("abc"), 0444);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile(dir.path() + "/.agent-token"), "abc");
  EXPECT_EQ(ModeOf(dir.path() + "/.agent-token"), 0444u);
  for (const char* bad : {"", ".", "agent-token", "..", "./x", ".a/b", "..x"})
    EXPECT_EQ(w.WriteDotFile(bad, SecretValue("x"), 0444).status().code(), Code::kInvalidArgument)
        << bad;
  EXPECT_EQ(List(dir.path()), std::vector<std::string>{".agent-token"});
}

TEST(AtomicFileWriterTest, UnchangedContentIsNotRewritten) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  ASSERT_TRUE(w.Write("a", SecretValue("one"), 0400).ok());
  ino_t before = InodeOf(dir.path() + "/a");
  auto again = w.Write("a", SecretValue("one"), 0400);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, WriteOutcome::kUnchanged);
  EXPECT_EQ(InodeOf(dir.path() + "/a"), before);
}

TEST(AtomicFileWriterTest, ChangedContentOrModeReplacesTheFile) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  ASSERT_TRUE(w.Write("a", SecretValue("one"), 0400).ok());
  ino_t first = InodeOf(dir.path() + "/a");
  auto longer = w.Write("a", SecretValue("one-and-more"), 0400);
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(*longer, WriteOutcome::kWritten);
  EXPECT_NE(InodeOf(dir.path() + "/a"), first);  // renamed, not rewritten in place
  EXPECT_EQ(ReadFile(dir.path() + "/a"), "one-and-more");
  auto prefix = w.Write("a", SecretValue("one"), 0400);  // a prefix of the old content
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(*prefix, WriteOutcome::kWritten);
  EXPECT_EQ(ReadFile(dir.path() + "/a"), "one");
  auto mode = w.Write("a", SecretValue("one"), 0444);
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, WriteOutcome::kWritten);
  EXPECT_EQ(ModeOf(dir.path() + "/a"), 0444u);
}

TEST(AtomicFileWriterTest, ReplacesASymlinkInsteadOfWritingThroughIt) {
  TempDir dir;
  TempDir elsewhere;
  std::string victim = elsewhere.path() + "/victim";
  { std::ofstream(victim) << "untouched"; }
  ASSERT_EQ(::symlink(victim.c_str(), (dir.path() + "/a").c_str()), 0);
  AtomicFileWriter w(dir.path());
  ASSERT_TRUE(w.Write("a", SecretValue("new"), 0400).ok());
  EXPECT_EQ(ReadFile(victim), "untouched");
  struct stat st;
  ASSERT_EQ(::lstat((dir.path() + "/a").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST(AtomicFileWriterTest, RejectsInvalidNames) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  for (const char* bad : {"", ".hidden", "../escape", "a/b", ".memsecret-ready"}) {
    auto r = w.Write(bad, SecretValue("x"), 0400);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
  for (const std::string& bad :
       {std::string(".."), std::string("/etc/passwd"), std::string("a\0b", 3)})
    EXPECT_EQ(w.Write(bad, SecretValue("x"), 0400).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(List(dir.path()).empty());
}

TEST(AtomicFileWriterTest, FailedWriteKeepsOldFileRemovesTempAndHidesContent) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  ASSERT_TRUE(w.Write("a", SecretValue("old"), 0400).ok());
  // A file size limit makes write(2) fail with EFBIG, even for root.
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tiny = saved;
  tiny.rlim_cur = 4;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tiny), 0);
  auto r = w.Write("a", SecretValue("VERY-SECRET-NEW"), 0400);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(dir.path() + "/a"), std::string::npos);
  EXPECT_EQ(r.status().message().find("VERY-SECRET-NEW"), std::string::npos);
  EXPECT_EQ(ReadFile(dir.path() + "/a"), "old");
  EXPECT_EQ(List(dir.path()), std::vector<std::string>{"a"});
}

TEST(AtomicFileWriterTest, MissingDirectoryIsAnErrorNamingThePath) {
  AtomicFileWriter w("/nonexistent-memsecret-dir");
  auto r = w.Write("a", SecretValue("x"), 0400);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent-memsecret-dir/a"), std::string::npos);
}

TEST(AtomicFileWriterTest, ReadyMarkerIsADotFileAndTempFilesAreSwept) {
  TempDir dir;
  AtomicFileWriter w(dir.path());
  EXPECT_FALSE(AtomicFileWriter::ReadyMarkerExists(dir.path()));
  ASSERT_TRUE(w.WriteReadyMarker().ok());
  EXPECT_TRUE(AtomicFileWriter::ReadyMarkerExists(dir.path()));
  ASSERT_TRUE(w.RemoveReadyMarker().ok());
  EXPECT_FALSE(AtomicFileWriter::ReadyMarkerExists(dir.path()));
  EXPECT_TRUE(w.RemoveReadyMarker().ok());  // already gone: fine
  ASSERT_TRUE(w.WriteReadyMarker().ok());
  { std::ofstream(dir.path() + "/.a.tmp-0123456789abcdef") << "partial"; }
  EXPECT_EQ(w.RemoveStaleTempFiles(), 1);
  EXPECT_EQ(List(dir.path()), std::vector<std::string>{AtomicFileWriter::kReadyMarker});
}

}  // namespace
}  // namespace memsecret::injector
