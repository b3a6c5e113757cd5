// exec: items into a private directory, then COMMAND, kept fresh while it runs.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "injector/pipeline/child_process.h"
#include "injector/pipeline/item_values.h"
#include "injector/pipeline/pipeline_commands.h"
#include "injector/pipeline/private_dir.h"
#include "injector/runtime/audit.h"
#include "memsecret/rfc3339.h"

extern char** environ;

namespace memsecret::injector::pipeline {
namespace {

// A token put into COMMAND's environment is a snapshot. Due at that token's
// expiry: prints one warning naming the variable and the file that stays
// fresh, then never runs again.
class SnapshotExpiryWarning final : public Job {
 public:
  SnapshotExpiryWarning(std::string prog, std::string var, std::string file, WallTime expiry)
      : prog_(std::move(prog)),
        var_(std::move(var)),
        file_(std::move(file)),
        name_(".expiry-" + var_),
        expiry_(expiry) {}
  const std::string& name() const override { return name_; }
  std::optional<WallTime> Run(WallTime now) override {
    if (now < expiry_) return expiry_;
    PrintError(prog_, PipelineCommand::kExec,
               "warning: the token in " + var_ + " expired at " + FormatRfc3339(expiry_) +
                   " and COMMAND is still running; read the fresh token from " + file_);
    return std::nullopt;
  }
  bool Ready() const override { return true; }

 private:
  std::string prog_, var_, file_, name_;
  WallTime expiry_;
};

// What the signal thread reports to the main thread.
struct Outcome {
  std::mutex mu;
  std::optional<int> child_exit;
  int signal_before_child = 0;
};

std::vector<std::string> ChildEnvironment(
    const std::string& dir, const std::vector<std::pair<std::string, SecretValue>>& vars) {
  std::vector<std::string> out;
  auto overridden = [&](std::string_view entry) {
    std::string_view name = entry.substr(0, entry.find('='));
    if (name == "MEMSECRET_DIR") return true;
    for (const auto& [var, value] : vars)
      if (name == var) return true;
    return false;
  };
  for (char** e = environ; e && *e; ++e)
    if (!overridden(*e)) out.emplace_back(*e);
  out.push_back("MEMSECRET_DIR=" + dir);
  for (const auto& [var, value] : vars) out.push_back(var + "=" + std::string(value.Reveal()));
  return out;
}

}  // namespace

int ExecCommand(const std::string& prog, const std::vector<std::string>& args,
                const Environment& env) {
  // Before any thread exists, so only the supervisor's sigwait sees them.
  GuardPipelineProcess();
  auto prepared = PreparePipeline(prog, PipelineCommand::kExec, args, env);
  if (!prepared) return 2;
  PipelineArgs& parsed = prepared->first;
  PipelinePlan& pipeline = prepared->second;
  auto fail = [&](const std::string& line, int code) {
    PrintError(prog, PipelineCommand::kExec, line);
    return code;
  };

  auto dir = PrivateDir::Create(parsed.dir, env);
  if (!dir.ok()) return fail(dir.status().message(), parsed.dir ? 2 : 1);
  std::vector<std::string> items;
  for (const PlannedFile& f : pipeline.plan.files) items.push_back(f.name);
  dir->Track(items);  // removed by its destructor on every return below
  InjectionPlan& plan = pipeline.plan;
  plan.output_dir = dir->path();

  SystemClock clock;
  CondVarWaiter resolve_waiter;  // stopped by a signal before COMMAND exists
  CondVarWaiter run_waiter;      // stopped when COMMAND ends
  Outcome outcome;
  SignalSupervisor supervisor({[&](int sig) {
                                 std::lock_guard<std::mutex> lock(outcome.mu);
                                 if (outcome.signal_before_child == 0)
                                   outcome.signal_before_child = sig;
                                 resolve_waiter.Stop();
                               },
                               [&](int code) {
                                 std::lock_guard<std::mutex> lock(outcome.mu);
                                 outcome.child_exit = code;
                                 run_waiter.Stop();
                               }});
  int code = 0;
  {
    StreamAuditSink audit(stderr, AuditLevel::kInfo);  // stdout belongs to COMMAND
    SessionOptions options{false, &audit};
    options.gives_up_before_first_write = true;
    auto session = Session::Build(plan, env, clock, options);
    if (!session.ok()) return fail(session.status().message(), 2);
    Session& s = **session;
    auto cleanup = [&] { RemoveTempFiles(s); };
    const WallTime start = clock.Now();
    if (!ResolveItems(prog, PipelineCommand::kExec, s, clock, resolve_waiter,
                      start + parsed.timeout)) {
      cleanup();
      std::lock_guard<std::mutex> lock(outcome.mu);
      if (const int sig = outcome.signal_before_child; sig != 0)
        return fail(InterruptedText(sig) + "; COMMAND was not started", 128 + sig);
      return fail("COMMAND was not started", 1);
    }

    std::vector<std::pair<std::string, SecretValue>> vars;
    for (const EnvBinding& b : parsed.env) {
      auto v = ReadItemValue(plan.output_dir, b.source);
      if (!v.ok()) {
        cleanup();
        return fail("--env " + b.var + ": " + v.status().message() + "; COMMAND was not started",
                    1);
      }
      vars.emplace_back(b.var, std::move(v).value());
      if (auto until = s.TokenValidUntil(b.source.item)) {
        s.scheduler().Add(std::make_unique<SnapshotExpiryWarning>(
                              prog, b.var, plan.output_dir + "/" + b.source.item, *until),
                          *until);
      }
    }
    std::vector<std::string> child_env = ChildEnvironment(plan.output_dir, vars);
    for (auto& [var, value] : vars) value = SecretValue();
    auto pid = SpawnCommand(parsed.argv, child_env);
    for (std::string& e : child_env) SecureWipe(e);
    if (!pid.ok()) {
      cleanup();
      return fail(pid.status().message(), SpawnFailureExitCode(pid.status()));
    }
    supervisor.Attach(*pid);
    {
      std::lock_guard<std::mutex> lock(outcome.mu);
      if (outcome.signal_before_child != 0) ::kill(*pid, outcome.signal_before_child);
    }
    // Keep the items fresh until COMMAND ends (the supervisor stops run_waiter).
    s.scheduler().Run(clock, run_waiter);
    cleanup();
    std::lock_guard<std::mutex> lock(outcome.mu);
    code = outcome.child_exit.value_or(1);
  }
  return code;
}

}  // namespace memsecret::injector::pipeline
