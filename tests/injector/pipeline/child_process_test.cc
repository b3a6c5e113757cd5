// COMMAND supervision: exit codes like a shell (127 not found, 128+N), and
// SIGINT/SIGTERM/SIGHUP forwarded to the child.
#include "injector/pipeline/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>

#include "testing/eventually.h"

namespace memsecret::injector::pipeline {
namespace {

struct ExitLatch {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<int> code;
  std::optional<int> early_signal;
  int Wait() {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return code.has_value(); }));
    return code.value_or(-1);
  }
  SignalSupervisor::Callbacks Callbacks() {
    return {[this](int sig) {
              std::lock_guard<std::mutex> lock(mu);
              early_signal = sig;
            },
            [this](int c) {
              std::lock_guard<std::mutex> lock(mu);
              code = c;
              cv.notify_all();
            }};
  }
};

std::vector<std::string> Env() { return {"PATH=/usr/bin:/bin"}; }

TEST(ExitCodeOf, ShellConventions) {
  EXPECT_EQ(ExitCodeOf(0), 0);
  EXPECT_EQ(ExitCodeOf(3 << 8), 3);
  EXPECT_EQ(ExitCodeOf(SIGKILL), 128 + SIGKILL);
}

TEST(SpawnCommand, NotFoundIs127) {
  auto r = SpawnCommand({"memsecret-no-such-command-xyz"}, Env());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(SpawnFailureExitCode(r.status()), 127);
  EXPECT_NE(r.status().message().find("command not found"), std::string::npos);
}

TEST(SignalSupervisor, ExitStatusPassesThrough) {
  BlockSupervisedSignals();
  for (int code : {0, 1, 42}) {
    ExitLatch latch;
    SignalSupervisor sup(latch.Callbacks());
    auto pid = SpawnCommand({"sh", "-c", "exit " + std::to_string(code)}, Env());
    ASSERT_TRUE(pid.ok());
    sup.Attach(*pid);
    EXPECT_EQ(latch.Wait(), code);
  }
}

TEST(SignalSupervisor, ForwardsTermAndReports128PlusN) {
  BlockSupervisedSignals();
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    ExitLatch latch;
    SignalSupervisor sup(latch.Callbacks());
    // The child restores default dispositions, so the forwarded signal kills it.
    auto pid = SpawnCommand({"sleep", "30"}, Env());
    ASSERT_TRUE(pid.ok());
    sup.Attach(*pid);
    ::kill(::getpid(), sig);  // to this process: the supervisor forwards it
    EXPECT_EQ(latch.Wait(), 128 + sig) << strsignal(sig);
  }
}

TEST(SignalSupervisor, ASignalBeforeTheChildIsReported) {
  BlockSupervisedSignals();
  ExitLatch latch;
  SignalSupervisor sup(latch.Callbacks());
  ::kill(::getpid(), SIGTERM);
  EXPECT_TRUE(memsecret::testing::Eventually([&] {
    std::lock_guard<std::mutex> lock(latch.mu);
    return latch.early_signal.has_value();
  })) << "the signal was never reported";
  std::lock_guard<std::mutex> lock(latch.mu);
  EXPECT_EQ(latch.early_signal, SIGTERM);
}

}  // namespace
}  // namespace memsecret::injector::pipeline
