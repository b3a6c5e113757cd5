// PipelineSpec: a pipeline's keys (-f FILE and --set, the annotation keys
// without the memsecret.io/ prefix) + the environment -> the InjectionPlan the
// pipeline commands carry out. Parse once, validate everything, then plan:
//   1. LoadKeyFile: the YAML map of -f FILE (string keys, scalar values);
//   2. MergeKeys: --set wins over the file;
//   3. ExpandVariables: ${VAR} from the environment (unset = problem);
//   4. BuildPipelinePlan: the shared key table (memsecret/plan/annotation_keys.h),
//      --allow globs (memsecret/glob.h, against "<provider>:<path>"),
//      --allow-addr globs (against every address a key names, see
//      KeyAddresses), and the items --env / get name — before anything is
//      fetched.
// Every problem is collected (the command exits 2 naming all of them). Pure
// except LoadKeyFile (reads one file). Thread-compatible.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "injector/base/environment.h"
#include "injector/pipeline/pipeline_args.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector::pipeline {

using KeyMap = std::map<std::string, std::string>;

// Reads -f FILE: a YAML mapping of key -> scalar (numbers and booleans are
// taken as written). Problems name the file and the key.
KeyMap LoadKeyFile(const std::string& path, std::vector<std::string>* problems);

// The file's keys overlaid with --set (later --set of one key wins).
KeyMap MergeKeys(KeyMap file_keys, const std::vector<std::pair<std::string, std::string>>& sets);

// Replaces every ${VAR} (VAR a shell name) in every value from `env`. An unset
// VAR is one problem naming the keys that use it; a "${" without a closing "}"
// or with a bad name is a problem naming the key. A "$" not followed by "{"
// stays as it is. After any problem here the values are incomplete: callers
// do not check them further (their errors would only echo this one).
KeyMap ExpandVariables(const KeyMap& keys, const Environment& env,
                       std::vector<std::string>* problems);

// What --allow-addr fences: the places the keys send the CI identity or the
// fetched credentials to (memsecret/plan/annotation_keys.h InjectionKeyAddress),
// each {key, text}. Addresses from the environment (VAULT_ADDR,
// AWS_ENDPOINT_URL*) are the runner's own and not fenced.
struct KeyAddress {
  std::string key;
  std::string text;
};
std::vector<KeyAddress> KeyAddresses(const KeyMap& keys);

struct PipelinePlan {
  InjectionPlan plan;                 // output_dir left empty: the command chooses it
  std::vector<std::string> warnings;  // pod-only keys that do not apply here
};

// Builds the plan. `selectors` are the items the command will read (--env
// sources, get's NAME): each must be a key's item of format raw (the value
// itself). Lifecycle: sidecar for exec, init for get/export.
PipelinePlan BuildPipelinePlan(const KeyMap& keys, const PipelineArgs& args,
                               std::vector<std::string>* problems);

}  // namespace memsecret::injector::pipeline
