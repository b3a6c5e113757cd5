#include "injector/pipeline/once_session.h"

#include <cstdio>
#include <set>

#include "injector/pipeline/item_values.h"
#include "injector/pipeline/private_dir.h"
#include "injector/runtime/audit.h"
#include "memsecret/duration.h"

namespace memsecret::injector::pipeline {

int RunOnce(const std::string& prog, PipelineCommand cmd, const std::vector<std::string>& args,
            const Environment& env,
            const std::function<int(const PipelineArgs& args, const std::string& dir)>& use) {
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
  std::vector<std::string> items(needed.begin(), needed.end());
  pipeline.plan.output_dir = dir->path();
  SystemClock clock;
  CondVarWaiter waiter;
  int code = 1;
  {
    StreamAuditSink audit(stderr);  // stdout carries get's value / GitHub's mask commands
    auto session = Session::Build(pipeline.plan, env, clock, SessionOptions{true, &audit});
    if (!session.ok()) {
      PrintError(prog, cmd, session.status().message());
      code = 2;
    } else if (ResolveItems(prog, cmd, **session, clock, waiter, clock.Now() + timeout)) {
      code = use(parsed, dir->path());
    }
    if (session.ok()) RemoveTempFiles(**session);
  }
  dir->Remove(items);
  return code;
}

}  // namespace memsecret::injector::pipeline
