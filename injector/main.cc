// memsecret-injector: fetches secrets with the pod's identity and writes them
// into the memory-backed volume (docs/injector.md, docs/cli.md); the pipeline
// commands exec/get/export serve CI runners and scripts (docs/pipelines.md).
// Installed also as `memsecret` (same binary). Thin: parse, then delegate.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "injector/commands.h"
#include "injector/pipeline/pipeline_args.h"
#include "injector/pipeline/pipeline_commands.h"
#include "injector/rotate_args.h"
#include "injector/runtime/bounded_executor.h"
#include "memsecret/duration.h"
#include "memsecret/flags.h"
#include "memsecret/log.h"

namespace {

std::string g_prog = "memsecret-injector";

// The usage of every command, its synopses generated from the flag tables.
std::string UsageText() {
  using namespace memsecret;
  using namespace memsecret::injector;
  using pipeline::PipelineCommand;
  const std::string pad(7, ' ');  // under "usage: "
  const auto line = [&](const std::string& command, std::vector<std::string> items) {
    return FormatUsageLine(pad + command, items);
  };
  const auto pipeline_items = [](PipelineCommand c) {
    pipeline::PipelineArgs scratch;
    return pipeline::PipelineFlags(c, &scratch).Synopsis();
  };
  RunProbeArgs run, probe;
  RotateArgs rotate;
  std::vector<std::string> exec = pipeline_items(PipelineCommand::kExec);
  exec.push_back("-- COMMAND [ARG...]");
  std::vector<std::string> get = pipeline_items(PipelineCommand::kGet);
  get.push_back("NAME[#FIELD]");
  std::vector<std::string> rotate_items = RotateFlags(&rotate).Synopsis();
  rotate_items.insert(rotate_items.begin(), "REF");
  std::string text = line(g_prog + " run", RunProbeFlags("run", &run).Synopsis());
  text.replace(0, 7, "usage: ");
  return text + line(g_prog + " probe", RunProbeFlags("probe", &probe).Synopsis()) +
         line(g_prog + " exec", exec) + line(g_prog + " get", get) +
         line(g_prog + " export", pipeline_items(PipelineCommand::kExport)) +
         line(g_prog + " rotate", rotate_items) + pad + g_prog +
         " rotation-function   (AWS Lambda; also with no command when\n" + pad +
         "     AWS_LAMBDA_RUNTIME_API is set: docs/rotation.md)\n" + pad + g_prog +
         " --version\n"
         "The plan of run/probe is read from MEMSECRET_PLAN unless --plan is given; exec, get and\n"
         "export take the annotation keys without the memsecret.io/ prefix (docs/pipelines.md).\n";
}

// The usage, then one line per flag of `command` when it has flags.
std::string CommandHelp(const std::string& command) {
  using namespace memsecret::injector;
  using pipeline::PipelineCommand;
  RunProbeArgs run_probe;
  RotateArgs rotate;
  pipeline::PipelineArgs scratch;
  std::string flags;
  if (command == "run" || command == "probe") flags = RunProbeFlags(command, &run_probe).Help();
  if (command == "rotate") flags = RotateFlags(&rotate).Help();
  if (command == "exec") flags = pipeline::PipelineFlags(PipelineCommand::kExec, &scratch).Help();
  if (command == "get") flags = pipeline::PipelineFlags(PipelineCommand::kGet, &scratch).Help();
  if (command == "export")
    flags = pipeline::PipelineFlags(PipelineCommand::kExport, &scratch).Help();
  return flags.empty() ? UsageText() : UsageText() + "\n" + command + ":\n" + flags;
}

int Usage() {
  std::fputs(UsageText().c_str(), stderr);
  return 2;
}

// The name the binary was called by: "memsecret" when installed under that name.
std::string ProgramName(const char* argv0) {
  std::string name = argv0 ? argv0 : "";
  if (size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  return name == "memsecret" ? name : "memsecret-injector";
}

bool IsHelp(const std::string& arg) { return arg == "-h" || arg == "--help" || arg == "help"; }

}  // namespace

int main(int argc, char** argv) {
  using namespace memsecret;
  g_prog = ProgramName(argv[0]);
  // Lambda starts a custom runtime's `bootstrap` without arguments; a
  // container-image function names the command (the image's CMD is `run`).
  if ((argc < 2 && std::getenv("AWS_LAMBDA_RUNTIME_API") != nullptr) ||
      (argc == 2 && std::strcmp(argv[1], "rotation-function") == 0)) {
    injector::ProcessEnvironment env;
    return injector::LambdaCommand(env);
  }
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  const bool pipeline = command == "exec" || command == "get" || command == "export";
  for (int i = 1; i < argc; ++i) {
    // exec's COMMAND may take --help of its own.
    if (pipeline && std::strcmp(argv[i], "--") == 0) break;
    if (IsHelp(argv[i])) {
      std::fputs(CommandHelp(command).c_str(), stdout);
      return 0;
    }
  }
  if (command == "--version" || command == "version") {
    std::printf("%s %s\n", g_prog.c_str(), MEMSECRET_VERSION);
    return 0;
  }
  if (command == "rotate") {
    injector::ProcessEnvironment env;
    InitJsonLogging("injector", env.GetOr("MEMSECRET_LOG_LEVEL", "warn"));
    return injector::RotateCommand(g_prog, std::vector<std::string>(argv + 2, argv + argc), env);
  }
  if (pipeline) {
    injector::ProcessEnvironment env;
    // Pipelines: warnings and errors only unless asked (stdout is get's value
    // or the GitHub mask commands; COMMAND owns its own output).
    InitJsonLogging("injector", env.GetOr("MEMSECRET_LOG_LEVEL", "warn"));
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "exec") return injector::pipeline::ExecCommand(g_prog, args, env);
    if (command == "get") return injector::pipeline::GetCommand(g_prog, args, env);
    return injector::pipeline::ExportCommand(g_prog, args, env);
  }
  if (command != "run" && command != "probe") {
    std::fprintf(stderr, "%s: unknown command \"%s\"\n", g_prog.c_str(), command.c_str());
    return Usage();
  }
  auto parsed =
      injector::ParseRunProbeArgs(command, std::vector<std::string>(argv + 2, argv + argc));
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s %s\n", g_prog.c_str(), parsed.status().message().c_str());
    return Usage();
  }
  injector::RunOptions options;
  options.plan_file = parsed->plan_file;
  options.once = parsed->once;
  injector::ProcessEnvironment env;
  if (command == "probe") return injector::ProbeCommand(options.plan_file, env, parsed->wait);

  InitJsonLogging("injector", env.GetOr("MEMSECRET_LOG_LEVEL", "info"));
  if (auto t = env.GetOr("MEMSECRET_INIT_TIMEOUT"); !t.empty()) {
    auto d = ParseDuration(t);
    if (!d.ok()) {
      std::fprintf(stderr, "memsecret-injector: MEMSECRET_INIT_TIMEOUT: %s\n",
                   d.status().message().c_str());
      return 2;
    }
    options.init_timeout = *d;
  }
  auto in_flight = injector::ParseMaxInFlight(env.GetOr("MEMSECRET_CONCURRENCY"));
  if (!in_flight.ok()) {
    std::fprintf(stderr, "memsecret-injector: %s\n", in_flight.status().message().c_str());
    return 2;
  }
  options.max_in_flight = *in_flight;
  // One malloc arena: a pass's worker threads live for milliseconds, and
  // per-thread arenas would keep their pages resident for the pod's life.
  mallopt(M_ARENA_MAX, 1);
  return injector::RunCommand(options, env);
}
