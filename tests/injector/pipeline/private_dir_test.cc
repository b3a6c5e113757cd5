// exec's directory: private (0700), on a memory filesystem unless --dir says
// otherwise; a --dir others can read is refused.
#include "injector/pipeline/private_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace
}  // namespace memsecret::injector::pipeline
