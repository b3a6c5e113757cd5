// PipelineArgs: the command lines of the pipeline commands (docs/cli.md),
// parsed once into values with one FlagTable per command (memsecret/flags.h);
// every problem is collected so one run names them all (exit 2). Pure;
// thread-compatible.
//   exec   [-f FILE] [--set KEY=VALUE]... [--env VAR=NAME[#FIELD]]... [--allow GLOB]...
//          [--allow-addr GLOB]... [--rotation GLOB=AGE]... [--timeout DUR] [--dir DIR]
//          -- COMMAND [ARG...]
//   get    [-f FILE] [--set KEY=VALUE]... [--allow GLOB]... [--allow-addr GLOB]...
//          [--rotation GLOB=AGE]... NAME[#FIELD]
//   export --github-env [-f FILE] [--set KEY=VALUE]... --env VAR=NAME[#FIELD]...
//          [--allow GLOB]... [--allow-addr GLOB]... [--rotation GLOB=AGE]...
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "memsecret/flags.h"
#include "memsecret/plan/rotation_rules.h"

namespace memsecret::injector::pipeline {

enum class PipelineCommand { kExec, kGet, kExport };

// NAME[#FIELD]: an item (file name) and optionally one JSON field of its value.
struct ItemSelector {
  std::string item;
  std::optional<std::string> field;
};

// --env VAR=NAME[#FIELD]
struct EnvBinding {
  std::string var;
  ItemSelector source;
};

struct PipelineArgs {
  PipelineCommand command = PipelineCommand::kExec;
  std::optional<std::string> key_file;                    // -f FILE
  std::vector<std::pair<std::string, std::string>> sets;  // --set KEY=VALUE, in order
  std::vector<EnvBinding> env;                            // --env
  std::vector<std::string> allow;                         // --allow GLOB
  std::vector<std::string> allow_addr;                    // --allow-addr GLOB
  std::vector<RotationRule> rotation;                     // --rotation GLOB=AGE, first match wins
  std::chrono::seconds timeout{60};                       // --timeout (exec)
  std::optional<std::string> dir;                         // --dir (exec)
  bool github_env = false;                                // --github-env (export)
  ItemSelector get;                                       // get's NAME[#FIELD]
  std::vector<std::string> argv;                          // exec's COMMAND [ARG...]
};

// Parses NAME[#FIELD]; nullopt when NAME is not a valid item (file) name or
// FIELD is empty.
std::optional<ItemSelector> ParseItemSelector(const std::string& text);

// The flags of `command`, writing into `out` (which must outlive the table);
// also the source of the usage text.
FlagTable PipelineFlags(PipelineCommand command, PipelineArgs* out);

// `args` are the words after the command name. Problems name the flag.
PipelineArgs ParsePipelineArgs(PipelineCommand command, const std::vector<std::string>& args,
                               std::vector<std::string>* problems);

}  // namespace memsecret::injector::pipeline
