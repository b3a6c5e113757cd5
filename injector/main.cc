// memsecret-injector: fetches secrets with the pod's identity and writes them
// into the memory-backed volume (docs/injector.md, docs/cli.md). Thin: parse, then delegate.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "injector/commands.h"
#include "memsecret/duration.h"
#include "memsecret/log.h"

namespace {

constexpr const char kUsage[] =
    "usage: memsecret-injector run [--plan FILE] [--once]\n"
    "       memsecret-injector probe [--plan FILE]\n"
    "       memsecret-injector --version\n"
    "The plan is read from MEMSECRET_PLAN unless --plan is given.\n";

int Usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

bool IsHelp(const std::string& arg) { return arg == "-h" || arg == "--help" || arg == "help"; }

}  // namespace

int main(int argc, char** argv) {
  using namespace memsecret;
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  for (int i = 1; i < argc; ++i) {
    if (IsHelp(argv[i])) {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  if (command == "--version" || command == "version") {
    std::printf("memsecret-injector %s\n", MEMSECRET_VERSION);
    return 0;
  }
  injector::RunOptions options;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--plan" && i + 1 < argc) {
      options.plan_file = argv[++i];
    } else if (arg.starts_with("--plan=")) {
      options.plan_file = arg.substr(7);
    } else if (arg == "--once" && command == "run") {
      options.once = true;
    } else {
      return Usage();
    }
  }
  injector::ProcessEnvironment env;
  if (command == "probe") return injector::ProbeCommand(options.plan_file, env);
  if (command != "run") return Usage();

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
  return injector::RunCommand(options, env);
}
