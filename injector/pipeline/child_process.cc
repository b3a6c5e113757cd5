#include "injector/pipeline/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "memsecret/unique_fd.h"

namespace memsecret::injector::pipeline {
namespace {

sigset_t SupervisedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&set, s);
  return set;
}

// Between fork and exec: async-signal-safe calls only (the parent has threads).
[[noreturn]] void ExecChild(pid_t parent, char* const* argv, char* const* envp, int report_fd) {
  // Dies with the parent (the spawning thread: exec's main thread, which
  // outlives COMMAND); a parent that died before the prctl is seen here.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE}) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execvpe(argv[0], argv, envp);
  const int err = errno;
  ssize_t ignored = ::write(report_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

void GuardPipelineProcess() {
  ::prctl(PR_SET_DUMPABLE, 0);
  const struct rlimit no_core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(SIGPIPE, SIG_IGN);
  BlockSupervisedSignals();
}

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

  // The child writes execvpe's errno here; a successful exec closes it.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    return Unavailable(std::string("cannot start COMMAND: pipe: ") + std::strerror(errno));
  UniqueFd read_end(report[0]), write_end(report[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    return Unavailable(std::string("cannot start COMMAND: fork: ") + std::strerror(errno));
  if (pid == 0) ExecChild(parent, args.data(), env.data(), write_end.get());
  write_end = UniqueFd();
  int err = 0;
  ssize_t n;
  do {
    n = ::read(read_end.get(), &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof err)) return pid;  // exec happened
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (err == ENOENT) return NotFound(argv[0] + ": command not found");
  return PermissionDenied(argv[0] + ": cannot execute: " + std::strerror(err));
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
