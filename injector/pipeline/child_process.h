// The signals of the pipeline commands and running COMMAND for `exec`: start
// it, forward SIGINT/SIGTERM/SIGHUP/SIGQUIT to it, and report its exit status
// the way a shell does.
//   GuardPipelineProcess    called first by every pipeline command, before any
//                           thread exists: core dumps off (PR_SET_DUMPABLE 0,
//                           RLIMIT_CORE 0: a core would hold the values),
//                           SIGPIPE ignored (a closed stdout is a write error,
//                           not a death), then BlockSupervisedSignals. No
//                           handled signal can then end the process: each
//                           becomes a return through the command's cleanup.
//   BlockSupervisedSignals  blocks SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGCHLD
//                           in the calling thread; call it before any other
//                           thread starts so every thread inherits the mask
//                           and only the supervisor's sigwait sees them.
//   SpawnCommand            fork + execvpe; the child gets PR_SET_PDEATHSIG
//                           SIGKILL (it dies with exec, even when exec is
//                           SIGKILLed; checked against getppid so a parent
//                           that died first is not missed) and the default
//                           signal mask and dispositions (SIGPIPE included).
//                           COMMAND inherits core size 0 (its environment
//                           holds the --env values). A COMMAND that does not
//                           exist is kNotFound (exit 127), one that cannot be
//                           executed kPermissionDenied (126). Only the direct
//                           child gets the death signal: its own children are
//                           its business.
//   ExitCodeOf              waitpid status -> exit code: the code, or 128+N
//                           when killed by signal N.
//   SignalSupervisor        the sigwait loop on its own thread: forwards the
//                           four signals to the child once it exists, reports
//                           them before it does (get and export never have
//                           one), and reaps the child.
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

void GuardPipelineProcess();
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
