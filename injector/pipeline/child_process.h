// Running COMMAND for `exec`: start it, forward SIGINT/SIGTERM/SIGHUP to it,
// and report its exit status the way a shell does.
//   BlockSupervisedSignals  blocks SIGINT, SIGTERM, SIGHUP and SIGCHLD in the
//                           calling thread; call it before any other thread
//                           starts so every thread inherits the mask and only
//                           the supervisor's sigwait sees them.
//   SpawnCommand            posix_spawnp with the default signal mask and
//                           dispositions restored for the child; a COMMAND
//                           that does not exist is kNotFound (exit 127), one
//                           that cannot be executed kPermissionDenied (126).
//   ExitCodeOf              waitpid status -> exit code: the code, or 128+N
//                           when killed by signal N.
//   SignalSupervisor        the sigwait loop on its own thread: forwards the
//                           three signals to the child once it exists, reports
//                           them before it does, and reaps the child.
#pragma once

#include <sys/types.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "memsecret/status.h"

namespace memsecret::injector::pipeline {

void BlockSupervisedSignals();

// `argv[0]` is searched in PATH; `envp` entries are "NAME=value".
Result<pid_t> SpawnCommand(const std::vector<std::string>& argv,
                           const std::vector<std::string>& envp);

int ExitCodeOf(int wait_status);

// Exit code for a spawn failure: 127 not found, 126 otherwise.
int SpawnFailureExitCode(const Status& status);

class SignalSupervisor {
 public:
  struct Callbacks {
    // A signal arrived while no child was running (exec then gives up).
    std::function<void(int sig)> on_signal_without_child;
    // The child ended with this exit code (ExitCodeOf).
    std::function<void(int exit_code)> on_child_exit;
  };
  explicit SignalSupervisor(Callbacks callbacks);
  ~SignalSupervisor();  // stops the thread (sends itself SIGCHLD to wake it)
  SignalSupervisor(const SignalSupervisor&) = delete;
  SignalSupervisor& operator=(const SignalSupervisor&) = delete;

  // From now on signals are forwarded to `pid` and its exit is reported.
  void Attach(pid_t pid);

 private:
  void Loop();

  Callbacks callbacks_;
  std::mutex mu_;
  pid_t child_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace memsecret::injector::pipeline
