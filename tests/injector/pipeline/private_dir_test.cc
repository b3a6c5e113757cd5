// exec's directory: private (0700), on a memory filesystem unless --dir says
// otherwise; a --dir others can read is refused.
#include "injector/pipeline/private_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace memsecret::injector::pipeline {
namespace {

TEST(PrivateDir, DefaultIsAFreshPrivateDirOnTmpfs) {
  if (!IsMemoryFilesystem("/dev/shm")) GTEST_SKIP() << "no tmpfs at /dev/shm";
  MapEnvironment env;
  env.Set("XDG_RUNTIME_DIR", "/nonexistent-xdg");
  auto d = PrivateDir::Create(std::nullopt, env);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->path().rfind("/dev/shm/memsecret-", 0), 0u);
  struct stat st;
  ASSERT_EQ(::stat(d->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(IsMemoryFilesystem(d->path()));
  std::ofstream(d->path() + "/genesys") << "x";
  d->Remove({"genesys"});
  EXPECT_NE(::stat(d->path().c_str(), &st), 0) << "removed at the end";
}

TEST(PrivateDir, ExplicitDirMustBePrivate) {
  const std::string base = ::testing::TempDir() + "/memsecret-private-dir-test";
  ::rmdir((base + "/new").c_str());
  ::rmdir(base.c_str());
  ASSERT_EQ(::mkdir(base.c_str(), 0755), 0);
  MapEnvironment env;
  auto open = PrivateDir::Create(base, env);
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("not private: mode 0755"), std::string::npos)
      << open.status().ToString();

  ASSERT_EQ(::chmod(base.c_str(), 0700), 0);
  auto ok = PrivateDir::Create(base, env);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FALSE(ok->created());
  std::ofstream(base + "/item") << "x";
  std::ofstream(base + "/user-file") << "keep";
  ok->Remove({"item"});
  struct stat st;
  EXPECT_NE(::stat((base + "/item").c_str(), &st), 0);
  EXPECT_EQ(::stat((base + "/user-file").c_str(), &st), 0) << "a user's --dir keeps their files";

  auto fresh = PrivateDir::Create(base + "/new", env);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->created());
  ASSERT_EQ(::stat((base + "/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  fresh->Remove({});
  ::unlink((base + "/user-file").c_str());
  ::rmdir(base.c_str());
}

// A pid that no process has (a child that has been reaped).
pid_t DeadPid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void MakeDir(const std::string& path, mode_t mode, bool with_file) {
  ASSERT_EQ(::mkdir(path.c_str(), mode), 0) << path;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  if (with_file) std::ofstream(path + "/token") << "x";
}

// A killed exec (SIGKILL, or a signal exec does not handle) leaves its
// directory: the next run removes it, and only such a directory.
TEST(SweepStaleDirs, RemovesOnlyTheDirsOfDeadOwners) {
  const std::string base = ::testing::TempDir() + "/memsecret-sweep-test";
  std::filesystem::remove_all(base);
  ASSERT_EQ(::mkdir(base.c_str(), 0700), 0);
  const std::string dead = std::to_string(DeadPid());
  const std::string live = std::to_string(::getppid());  // the test runner's parent is alive
  const std::string stale = base + "/memsecret-" + dead + "-abc123";
  MakeDir(stale, 0700, true);
  const std::string alive = base + "/memsecret-" + live + "-abc123";
  MakeDir(alive, 0700, true);
  const std::string mine = base + "/memsecret-" + std::to_string(::getpid()) + "-abc123";
  MakeDir(mine, 0700, true);
  const std::string open_mode = base + "/memsecret-" + dead + "-def456";
  MakeDir(open_mode, 0755, true);  // not a directory memsecret made
  const std::string not_ours = base + "/memsecret-foo";
  MakeDir(not_ours, 0700, true);
  const std::string bad_suffix = base + "/memsecret-" + dead + "-abc";
  MakeDir(bad_suffix, 0700, true);
  const std::string nested = base + "/memsecret-" + dead + "-nest01";
  MakeDir(nested, 0700, true);
  MakeDir(nested + "/sub", 0700, false);  // something memsecret never writes: kept
  const std::string target = base + "/target";
  MakeDir(target, 0700, true);
  const std::string link = base + "/memsecret-" + dead + "-link01";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  // Held under flock: an owner in another pid namespace, whose pid means nothing here.
  const std::string locked = base + "/memsecret-" + dead + "-lock01";
  MakeDir(locked, 0700, true);
  UniqueFd lock(::open(locked.c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_EQ(::flock(lock.get(), LOCK_EX), 0);

  EXPECT_EQ(SweepStaleDirs(base), 1);
  EXPECT_FALSE(Exists(stale)) << "a dead owner's directory is removed";
  for (const std::string& kept : {alive, mine, open_mode, not_ours, bad_suffix, nested + "/sub",
                                  link, target + "/token", locked + "/token"})
    EXPECT_TRUE(Exists(kept)) << kept;
  lock = UniqueFd();
  EXPECT_EQ(SweepStaleDirs(base), 1) << "the lock released: its owner is gone";
  EXPECT_FALSE(Exists(locked));
  std::filesystem::remove_all(base);
}

TEST(PrivateDir, FreshDirNamesItsOwnerAndGoesWithTheObject) {
  if (!IsMemoryFilesystem("/dev/shm")) GTEST_SKIP() << "no tmpfs at /dev/shm";
  MapEnvironment env;
  env.Set("XDG_RUNTIME_DIR", "/nonexistent-xdg");
  std::string path;
  {
    auto d = PrivateDir::Create(std::nullopt, env);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    path = d->path();
    EXPECT_EQ(path.rfind("/dev/shm/memsecret-" + std::to_string(::getpid()) + "-", 0), 0u) << path;
    d->Track({"genesys"});
    std::ofstream(path + "/genesys") << "x";
    // While it lives, a sweep by anyone leaves it alone.
    SweepStaleDirs("/dev/shm");
    EXPECT_TRUE(Exists(path + "/genesys"));
  }
  EXPECT_FALSE(Exists(path)) << "removed when the owner returns";
}

}  // namespace
}  // namespace memsecret::injector::pipeline
