#include "injector/pipeline/once_session.h"

#include <atomic>
#include <cstdio>
#include <set>

#include "injector/pipeline/child_process.h"
#include "injector/pipeline/item_values.h"
#include "injector/pipeline/private_dir.h"
#include "injector/runtime/audit.h"
#include "memsecret/duration.h"

namespace memsecret::injector::pipeline {

int RunOnce(const std::string& prog, PipelineCommand cmd, const std::vector<std::string>& args,
            const Environment& env,
            const std::function<int(const PipelineArgs& args, const std::string& dir)>& use) {
  // Before any thread exists, so only the supervisor's sigwait sees them.
  GuardPipelineProcess();
  auto prepared = PreparePipeline(prog, cmd, args, env);
  if (!prepared) return 2;
  PipelineArgs& parsed = prepared->first;
  PipelinePlan& pipeline = prepared->second;
  std::chrono::seconds timeout{60};
  if (auto t = env.GetOr("MEMSECRET_INIT_TIMEOUT"); !t.empty()) {
    auto d = ParseDuration(t);
    if (!d.ok()) {
      PrintError(prog, cmd, "MEMSECRET_INIT_TIMEOUT: " + d.status().message());
      return 2;
    }
    timeout = *d;
  }
  auto dir = PrivateDir::Create(std::nullopt, env);
  if (!dir.ok()) {
    PrintError(prog, cmd, dir.status().message());
    return 1;
  }
  // Only the items the command reads are fetched (every key was validated).
  std::set<std::string> needed;
  if (cmd == PipelineCommand::kGet) needed.insert(parsed.get.item);
  for (const EnvBinding& b : parsed.env) needed.insert(b.source.item);
  std::erase_if(pipeline.plan.files, [&](const PlannedFile& f) { return !needed.count(f.name); });
  dir->Track(std::vector<std::string>(needed.begin(), needed.end()));  // removed on every return
  pipeline.plan.output_dir = dir->path();
  SystemClock clock;
  CondVarWaiter waiter;
  // A signal stops the resolution (or waits for `use` to finish), then the
  // directory is removed on the way out: the same path as a normal return.
  std::atomic<int> interrupted_by{0};
  SignalSupervisor supervisor({[&](int sig) {
                                 int none = 0;
                                 interrupted_by.compare_exchange_strong(none, sig);
                                 waiter.Stop();
                               },
                               nullptr});
  int code = 1;
  {
    // stdout carries get's value / GitHub's mask commands.
    StreamAuditSink audit(stderr, AuditLevel::kInfo);
    auto session = Session::Build(pipeline.plan, env, clock, SessionOptions{true, &audit});
    if (!session.ok()) {
      PrintError(prog, cmd, session.status().message());
      code = 2;
    } else if (ResolveItems(prog, cmd, **session, clock, waiter, clock.Now() + timeout) &&
               interrupted_by.load() == 0) {
      code = use(parsed, dir->path());
    }
    if (session.ok()) RemoveTempFiles(**session);
  }
  if (const int sig = interrupted_by.load(); sig != 0) {
    PrintError(prog, cmd, InterruptedText(sig));
    return 128 + sig;
  }
  return code;
}

}  // namespace memsecret::injector::pipeline
