#include "injector/pipeline/child_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memsecret::injector::pipeline {
namespace {

sigset_t SupervisedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, s);
  return set;
}

}  // namespace

void BlockSupervisedSignals() {
  sigset_t set = SupervisedSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<pid_t> SpawnCommand(const std::vector<std::string>& argv,
                           const std::vector<std::string>& envp) {
  if (argv.empty()) return InvalidArgument("no COMMAND");
  std::vector<char*> args, env;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : envp) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults = SupervisedSet();
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), env.data());
  posix_spawnattr_destroy(&attr);
  if (rc == ENOENT) return NotFound(argv[0] + ": command not found");
  if (rc != 0) return PermissionDenied(argv[0] + ": cannot execute: " + std::strerror(rc));
  return pid;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

int SpawnFailureExitCode(const Status& status) {
  return status.code() == Code::kNotFound ? 127 : 126;
}

SignalSupervisor::SignalSupervisor(Callbacks callbacks) : callbacks_(std::move(callbacks)) {
  thread_ = std::thread([this] { Loop(); });
}

SignalSupervisor::~SignalSupervisor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  pthread_kill(thread_.native_handle(), SIGCHLD);
  thread_.join();
}

void SignalSupervisor::Attach(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  child_ = pid;
  // The child may already have ended: its SIGCHLD is pending, and the loop
  // reaps it on the next wake-up. Wake it now in case it was delivered earlier.
  pthread_kill(thread_.native_handle(), SIGCHLD);
}

void SignalSupervisor::Loop() {
  const sigset_t set = SupervisedSet();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    std::unique_lock<std::mutex> lock(mu_);
    if (sig == SIGCHLD) {
      if (child_ > 0) {
        int status = 0;
        pid_t r = ::waitpid(child_, &status, WNOHANG);
        if (r == child_) {
          child_ = -1;
          auto cb = callbacks_.on_child_exit;
          lock.unlock();
          if (cb) cb(ExitCodeOf(status));
          lock.lock();
        }
      }
      if (stopping_) return;
      continue;
    }
    if (child_ > 0) {
      ::kill(child_, sig);
    } else if (child_ == 0) {
      auto cb = callbacks_.on_signal_without_child;
      lock.unlock();
      if (cb) cb(sig);
    }
  }
}

}  // namespace memsecret::injector::pipeline
