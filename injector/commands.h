// The injector's commands (docs/cli.md), wired to real effects; main() only
// parses the command line and calls one of these.
//   run [--plan FILE] [--once]  fetch/mint and write; init (or --once) exits
//                               after the first complete write, sidecar keeps
//                               refreshing until SIGTERM/SIGINT.
//   probe [--plan FILE] [--wait DUR]
//                               exit 0 iff the first complete write is done;
//                               with --wait, the moment it is done, or 1 after
//                               DUR (the native sidecar's postStart hook).
// Exit codes: 0 success, 1 failure (message on stderr naming the file, ref
// and reason), 2 usage or plan errors. Plan errors name the plan once (the
// decoder's messages start with "plan").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "injector/base/environment.h"
#include "memsecret/flags.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/status.h"

namespace memsecret::injector {

struct RunOptions {
  std::optional<std::string> plan_file;  // else env MEMSECRET_PLAN
  bool once = false;                     // also implied by lifecycle init
  // Init / --once: how long retryable failures are retried before giving up
  // (env MEMSECRET_INIT_TIMEOUT, a duration like "60s").
  std::chrono::seconds init_timeout{60};
  // Fetches and token mints in flight at once in a pass (env
  // MEMSECRET_CONCURRENCY, 1..32, default 8; 1 is the sequential pass).
  size_t max_in_flight = 8;
};

// The plan from `plan_file` or MEMSECRET_PLAN, decoded and checked; the pod
// name is taken from MEMSECRET_POD_NAME when set.
Result<InjectionPlan> LoadPlan(const std::optional<std::string>& plan_file, const Environment& env);

// The flags of `run` and `probe` (argv after the command word). An unknown
// flag, a flag of the other command, a missing value or a bad --wait gives an
// error "<command>: ..." naming the flag; the caller prints it with the usage.
struct RunProbeArgs {
  std::optional<std::string> plan_file;
  bool once = false;                         // run --once
  std::optional<std::chrono::seconds> wait;  // probe --wait DUR
};
// The flag table of `command` ("run" or "probe") writing into `out`, which
// must outlive it; also the source of the usage text.
FlagTable RunProbeFlags(const std::string& command, RunProbeArgs* out);
Result<RunProbeArgs> ParseRunProbeArgs(const std::string& command,
                                       const std::vector<std::string>& args);

int RunCommand(const RunOptions& options, const Environment& env);
// `wait`: nullopt checks once; otherwise waits up to that long for the marker.
int ProbeCommand(const std::optional<std::string>& plan_file, const Environment& env,
                 std::optional<std::chrono::seconds> wait = std::nullopt);

// memsecret rotate REF [--issuer ISSUER] [--admin ADMIN_REF] [--new-from-file FILE|-]
//                     [--prometheus URL] [--census-timeout DUR] [--if-older-than DUR] [--dry-run]
// (docs/rotation.md). Identity from the environment as the pipeline commands.
// Exit codes: 0 done or nothing due, 1 failed, 2 usage, 3 census timeout.
int RotateCommand(const std::string& prog, const std::vector<std::string>& args,
                  const Environment& env);

// The AWS Secrets Manager rotation function (docs/rotation.md): serves the
// Lambda Runtime API at AWS_LAMBDA_RUNTIME_API until it goes away (exit 1);
// a bad configuration is posted as an initialization error (exit 1).
int LambdaCommand(const Environment& env);

}  // namespace memsecret::injector
