// The pipeline commands (docs/cli.md "Pipelines"), wired to real effects:
//   exec    resolve every item into a private memory-backed directory, start
//           COMMAND with MEMSECRET_DIR (and --env variables), keep the items
//           fresh while it runs, forward SIGINT/SIGTERM/SIGHUP, exit with its
//           status (128+N when killed by signal N);
//   get     print one item's value (or one field) to stdout;
//   export  --github-env: ::add-mask:: lines on stdout, variables appended to
//           the file named by $GITHUB_ENV.
// Exit codes: 0 success (exec: COMMAND's), 1 an item could not be had (one
// line per item: name, ref, reason; COMMAND not started), 2 a bad flag, key,
// value, --allow refusal or unset variable (every problem named, nothing
// fetched), 126/127 COMMAND not executable / not found.
// `prog` is the name the binary was called by, for messages.
#pragma once

#include <string>
#include <vector>

#include "injector/base/environment.h"

namespace memsecret::injector::pipeline {

int ExecCommand(const std::string& prog, const std::vector<std::string>& args,
                const Environment& env);
int GetCommand(const std::string& prog, const std::vector<std::string>& args,
               const Environment& env);
int ExportCommand(const std::string& prog, const std::vector<std::string>& args,
                  const Environment& env);

}  // namespace memsecret::injector::pipeline
