#include "injector/commands.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "injector/agent/agent_endpoint.h"
#include "injector/agent/agent_token.h"
#include "injector/metrics_endpoint.h"
#include "injector/ready_marker_wait.h"
#include "injector/runtime/atomic_file_writer.h"
#include "injector/runtime/audit.h"
#include "injector/runtime/scheduler.h"
#include "injector/session/session.h"
#include "memsecret/duration.h"

namespace memsecret::injector {

namespace {

int Fail(const std::string& message, int code = 1) {
  spdlog::error("{}", message);
  std::fprintf(stderr, "memsecret-injector: %s\n", message.c_str());
  return code;
}

// Blocks SIGTERM/SIGINT in every thread and turns them into waiter.Stop() on a
// dedicated thread. If the main loop is stuck in a network call, the process
// exits on its own shortly after, well within a second: files are replaced
// atomically, so an interrupted write leaves only a temp file (swept on start).
// `forced_exit_code` is 0 for a sidecar; init must not look successful, so it
// uses 128+SIGTERM.
void HandleTerminationSignals(Waiter* waiter, int forced_exit_code) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, waiter, forced_exit_code] {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    waiter->Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    spdlog::warn("still busy 700 ms after {}; exiting now", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    spdlog::default_logger()->flush();
    std::fflush(stdout);
    std::_Exit(forced_exit_code);
  }).detach();
}

}  // namespace

FlagTable RunProbeFlags(const std::string& command, RunProbeArgs* out) {
  const bool run = command == "run";
  std::vector<Flag> flags = {{"--plan", "", FlagKind::kValue, "FILE",
                              "read the plan from FILE, not from MEMSECRET_PLAN",
                              StoreIn(&out->plan_file)}};
  if (run) {
    flags.push_back({"--once", "", FlagKind::kSwitch, "",
                     "exit after the first complete write (as lifecycle init)",
                     SetTrue(&out->once)});
  } else {
    flags.push_back({"--wait", "", FlagKind::kValue, "DUR",
                     "wait up to DUR for the first complete write", [out](const std::string& v) {
                       auto d = ParseDuration(v);
                       if (!d.ok()) return d.status().WithContext("--wait");
                       out->wait = *d;
                       return Status::Ok();
                     }});
  }
  FlagTable table(command, std::move(flags));
  table.AddForeignFlag(run ? "--wait" : "--once", run ? "probe" : "run");
  return table;
}

Result<RunProbeArgs> ParseRunProbeArgs(const std::string& command,
                                       const std::vector<std::string>& args) {
  RunProbeArgs out;
  auto words = RunProbeFlags(command, &out).Parse(args);
  if (!words.ok()) return words.status().WithContext(command);
  for (const auto* list : {&words->before_end, &words->after_end}) {
    if (!list->empty()) {
      return InvalidArgument(command + ": unexpected argument \"" + list->front() + "\" (" +
                             command + " takes only flags)");
    }
  }
  return out;
}

Result<InjectionPlan> LoadPlan(const std::optional<std::string>& plan_file,
                               const Environment& env) {
  std::string text;
  if (plan_file) {
    std::ifstream in(*plan_file);
    if (!in) return InvalidArgument("cannot read plan file " + *plan_file);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } else {
    auto v = env.Get("MEMSECRET_PLAN");
    if (!v || v->empty()) return InvalidArgument("no plan: set MEMSECRET_PLAN or pass --plan FILE");
    text = *v;
  }
  auto plan = DecodePlan(text);
  if (!plan.ok()) return plan.status();
  if (auto pod = env.Get("MEMSECRET_POD_NAME"); pod && !pod->empty()) plan->pod.name = *pod;
  return plan;
}

int RunCommand(const RunOptions& options, const Environment& env) {
  auto loaded = LoadPlan(options.plan_file, env);
  if (!loaded.ok()) return Fail(loaded.status().message(), 2);
  const InjectionPlan& plan = *loaded;
  struct stat st;
  if (::stat(plan.output_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Fail("output directory " + plan.output_dir +
                " does not exist (is the memsecret volume mounted?)");

  const bool once = options.once || plan.lifecycle == Lifecycle::kInit;
  SystemClock clock;
  CondVarWaiter waiter;
  HandleTerminationSignals(&waiter, once ? 128 + SIGTERM : 0);

  StreamAuditSink audit(stdout);
  auto session =
      Session::Build(plan, env, clock, SessionOptions{once, &audit, options.max_in_flight});
  if (!session.ok()) return Fail(session.status().message());
  AtomicFileWriter& writer = (*session)->writer();
  Scheduler& scheduler = (*session)->scheduler();
  if (Status m = writer.RemoveReadyMarker(); !m.ok()) return Fail(m.message());
  if (int swept = writer.RemoveStaleTempFiles(); swept > 0)
    spdlog::info("removed {} temp files left by an interrupted write", swept);
  const WallTime start = clock.Now();

  spdlog::info("starting: {} files into {}, lifecycle {}, refresh every {}s, pod {}/{}",
               plan.files.size(), plan.output_dir, once ? "init" : "sidecar",
               plan.refresh_interval_seconds, plan.pod.namespace_name,
               plan.pod.name.empty() ? "-" : plan.pod.name);
  // The Agent endpoint answers from the cache the secret jobs fill; a run
  // that ends after the first write has no one to answer.
  std::unique_ptr<agent::AgentEndpoint> agent_endpoint;
  if (plan.agent_port != 0 && once) {
    spdlog::warn("agent-port {} ignored: the endpoint needs the sidecar lifecycle",
                 plan.agent_port);
  } else if (plan.agent_port != 0) {
    auto started =
        agent::AgentEndpoint::Start(plan.agent_port, writer, agent::AgentTokenMode(plan),
                                    *(*session)->agent_cache(), *(*session)->agent_fetch());
    if (!started.ok()) return Fail(started.status().message());
    agent_endpoint = std::move(started).value();
  }

  if (once) {
    Status done = scheduler.RunUntilReady(clock, waiter, start + options.init_timeout);
    if (!done.ok()) return Fail("first write failed: " + done.message());
    if (Status m = writer.WriteReadyMarker(); !m.ok()) return Fail(m.message());
    spdlog::info("all {} files written", plan.files.size());
    return 0;
  }

  // Sidecar only: an init injector exits before anything could scrape it.
  std::unique_ptr<MetricsEndpoint> metrics;
  if (plan.metrics_port != 0) {
    auto started = MetricsEndpoint::Start(plan.metrics_port, (*session)->health(), clock);
    if (!started.ok()) return Fail(started.status().message());
    metrics = std::move(started).value();
  }

  bool marker_written = false;
  Status marker_status;
  scheduler.Run(clock, waiter, [&] {
    if (marker_written || !scheduler.AllReady()) return;
    marker_status = writer.WriteReadyMarker();
    if (marker_status.ok()) {
      marker_written = true;
      spdlog::info(
          "first complete write done in {} ms",
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now() - start).count());
    } else {
      spdlog::error("cannot write the readiness marker: {}", marker_status.message());
    }
  });
  spdlog::info("stopped");
  return 0;
}

int ProbeCommand(const std::optional<std::string>& plan_file, const Environment& env,
                 std::optional<std::chrono::seconds> wait) {
  auto plan = LoadPlan(plan_file, env);
  if (!plan.ok()) {
    std::fprintf(stderr, "memsecret-injector probe: %s\n", plan.status().message().c_str());
    return 2;
  }
  if (AtomicFileWriter::ReadyMarkerExists(plan->output_dir)) return 0;
  if (wait) {
    auto ready = WaitForReadyMarker(plan->output_dir, *wait);
    if (!ready.ok()) {
      std::fprintf(stderr, "memsecret-injector probe: %s\n", ready.status().message().c_str());
      return 1;
    }
    if (*ready) return 0;
    std::fprintf(stderr, "memsecret-injector probe: first write not complete in %s after %s\n",
                 plan->output_dir.c_str(), FormatDuration(*wait).c_str());
    return 1;
  }
  std::fprintf(stderr, "memsecret-injector probe: first write not complete in %s\n",
               plan->output_dir.c_str());
  return 1;
}

}  // namespace memsecret::injector
