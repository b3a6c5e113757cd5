#include "injector/pipeline/pipeline_spec.h"

#include <yaml-cpp/yaml.h>

#include "memsecret/glob.h"
#include "memsecret/plan/annotation_keys.h"
#include "memsecret/plan/backend_settings.h"

namespace memsecret::injector::pipeline {

KeyMap LoadKeyFile(const std::string& path, std::vector<std::string>* problems) {
  KeyMap out;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    problems->push_back("-f " + path + ": cannot read the file");
    return out;
  } catch (const YAML::Exception& e) {
    problems->push_back("-f " + path + ": not YAML (line " + std::to_string(e.mark.line + 1) + ")");
    return out;
  }
  if (root.IsNull()) return out;  // an empty file: no keys
  if (!root.IsMap()) {
    problems->push_back("-f " + path + ": must be a map of key: value");
    return out;
  }
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) {
      problems->push_back("-f " + path + ": keys must be strings");
      continue;
    }
    const std::string key = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      problems->push_back("-f " + path + ": " + key + ": value must be a string");
      continue;
    }
    if (out.count(key)) problems->push_back("-f " + path + ": " + key + " is given twice");
    out[key] = kv.second.Scalar();
  }
  return out;
}

KeyMap MergeKeys(KeyMap file_keys, const std::vector<std::pair<std::string, std::string>>& sets) {
  for (const auto& [k, v] : sets) file_keys[k] = v;
  return file_keys;
}

KeyMap ExpandVariables(const KeyMap& keys, const Environment& env,
                       std::vector<std::string>* problems) {
  KeyMap out;
  std::map<std::string, std::vector<std::string>> unset;  // VAR -> the keys using it
  for (const auto& [key, value] : keys) {
    std::string expanded;
    size_t i = 0;
    while (i < value.size()) {
      if (value.compare(i, 2, "${") != 0) {
        expanded += value[i++];
        continue;
      }
      size_t close = value.find('}', i + 2);
      if (close == std::string::npos) {
        problems->push_back(key + ": \"${\" without a closing \"}\"");
        break;
      }
      const std::string name = value.substr(i + 2, close - i - 2);
      if (!IsValidEnvVarName(name)) {
        problems->push_back(key + ": \"${" + name + "}\" is not a variable name");
      } else if (auto v = env.Get(name); !v) {
        auto& users = unset[name];
        if (users.empty() || users.back() != key) users.push_back(key);
      } else {
        expanded += *v;
      }
      i = close + 1;
    }
    out[key] = expanded;
  }
  for (const auto& [name, users] : unset) {
    std::string list;
    for (const std::string& k : users) list += (list.empty() ? "" : ", ") + k;
    problems->push_back("${" + name + "} is not set (used by " + list + ")");
  }
  return out;
}

std::vector<KeyAddress> KeyAddresses(const KeyMap& keys) {
  std::vector<KeyAddress> out;
  for (const auto& [key, value] : keys)
    if (auto address = InjectionKeyAddress(key, value)) out.push_back({key, *address});
  return out;
}

namespace {

// Keys that shape a pod (mounts, containers, injector lifecycle, the
// sidecar's metrics and Agent endpoints): accepted so one key set serves pods
// and pipelines, but they do nothing here.
bool IsPodOnlyKey(const std::string& key) {
  return key == "containers" || key == "mount-path" || key == "lifecycle" ||
         key == "metrics-port" || key == "agent-port";
}

// `who` is "--env VAR", or empty for get's NAME.
void CheckSelector(const InjectionPlan& plan, const ItemSelector& sel, const std::string& who,
                   std::vector<std::string>* problems) {
  const std::string lead = who.empty() ? "" : who + ": ";
  for (const PlannedFile& f : plan.files) {
    if (f.name != sel.item) continue;
    if (f.format != OutputFormat::kRaw)
      problems->push_back(lead + "item \"" + sel.item + "\" has format " +
                          OutputFormatName(f.format) + "; " + (who.empty() ? "get" : "--env") +
                          " reads the value itself (drop format-" + sel.item + ")");
    return;
  }
  problems->push_back(lead + "no item \"" + sel.item + "\" (no secret-" + sel.item + " or token-" +
                      sel.item + " key)");
}

}  // namespace

PipelinePlan BuildPipelinePlan(const KeyMap& keys, const PipelineArgs& args,
                               std::vector<std::string>* problems) {
  PipelinePlan out;
  KeyMap table_keys;
  for (const auto& [k, v] : keys) {
    if (IsPodOnlyKey(k)) out.warnings.push_back(k + " applies to pods only; ignored here");
    table_keys[k] = v;
  }
  InjectionSpec spec = ParseInjectionKeys(table_keys, "", problems);
  bool any_item = false;
  for (const auto& [k, v] : table_keys)
    any_item = any_item || k.rfind("secret-", 0) == 0 || k.rfind("token-", 0) == 0;
  if (!any_item)
    problems->push_back("no items: give secret-<name> or token-<name> keys with -f FILE or --set");

  InjectionPlan& plan = out.plan;
  plan.lifecycle = args.command == PipelineCommand::kExec ? Lifecycle::kSidecar : Lifecycle::kInit;
  plan.output_dir.clear();
  if (spec.refresh_interval) plan.refresh_interval_seconds = spec.refresh_interval->count();
  plan.files = spec.files;
  ApplyRotationRules(args.rotation, &plan.files);

  if (!args.allow.empty()) {
    for (const PlannedFile& f : plan.files) {
      const std::string key = f.ref.PolicyKey();
      bool allowed = false;
      for (const std::string& g : args.allow) allowed = allowed || GlobMatch(g, key);
      if (!allowed)
        problems->push_back("item \"" + f.name + "\": " + key + " is outside every --allow glob");
    }
  }
  if (!args.allow_addr.empty()) {
    for (const KeyAddress& a : KeyAddresses(table_keys)) {
      if (a.text.empty()) {  // fail closed: an address that cannot be read is not allowed
        problems->push_back(a.key + ": not a URL that --allow-addr can check");
        continue;
      }
      bool allowed = false;
      for (const std::string& g : args.allow_addr) allowed = allowed || GlobMatch(g, a.text);
      if (!allowed)
        problems->push_back(a.key + ": " + a.text + " is outside every --allow-addr glob");
    }
  }
  for (const EnvBinding& b : args.env) CheckSelector(plan, b.source, "--env " + b.var, problems);
  if (args.command == PipelineCommand::kGet) CheckSelector(plan, args.get, "", problems);

  // No defaults, no app env, no projected tokens: what a key leaves empty
  // the injector takes from the runner's environment.
  PlanNotes notes;
  PlanBackends(spec, PlanContext{}, /*configs=*/nullptr, &plan, &notes);
  problems->insert(problems->end(), notes.problems.begin(), notes.problems.end());
  return out;
}

}  // namespace memsecret::injector::pipeline
