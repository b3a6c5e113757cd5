#include "injector/pipeline/pipeline_args.h"

#include "memsecret/duration.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector::pipeline {

std::optional<ItemSelector> ParseItemSelector(const std::string& text) {
  ItemSelector s;
  const size_t hash = text.find('#');
  s.item = text.substr(0, hash);
  if (!IsValidFileName(s.item)) return std::nullopt;
  if (hash != std::string::npos) {
    s.field = text.substr(hash + 1);
    if (s.field->empty()) return std::nullopt;
  }
  return s;
}

namespace {

Status ParseEnvBinding(const std::string& value, std::vector<EnvBinding>* env) {
  const size_t eq = value.find('=');
  const std::string var = value.substr(0, eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || !IsValidEnvVarName(var)) {
    return InvalidArgument("--env \"" + value +
                           "\": expected VAR=NAME[#FIELD] with VAR a shell variable name");
  }
  auto sel = ParseItemSelector(value.substr(eq + 1));
  if (!sel) {
    return InvalidArgument("--env \"" + value + "\": \"" + value.substr(eq + 1) +
                           "\" is not NAME[#FIELD] (NAME: 1-63 of [A-Za-z0-9._-])");
  }
  for (const EnvBinding& b : *env) {
    if (b.var == var) return InvalidArgument("--env: " + var + " is set twice");
  }
  env->push_back({var, *sel});
  return Status::Ok();
}

}  // namespace

FlagTable PipelineFlags(PipelineCommand command, PipelineArgs* out) {
  const bool exec = command == PipelineCommand::kExec;
  const bool exp = command == PipelineCommand::kExport;
  std::vector<Flag> flags;
  if (exp) {
    flags.push_back({"--github-env", "", FlagKind::kSwitch, "",
                     "write to $GITHUB_ENV and mask the values (the only export target)",
                     SetTrue(&out->github_env),
                     /*required=*/true});
  }
  flags.push_back({"--file", "-f", FlagKind::kValue, "FILE", "YAML map of annotation keys",
                   StoreIn(&out->key_file)});
  flags.push_back({"--set", "", FlagKind::kRepeated, "KEY=VALUE", "one key, after -f",
                   [out](const std::string& v) {
                     const size_t eq = v.find('=');
                     if (eq == std::string::npos || eq == 0)
                       return InvalidArgument("--set \"" + v + "\": expected KEY=VALUE");
                     out->sets.emplace_back(v.substr(0, eq), v.substr(eq + 1));
                     return Status::Ok();
                   }});
  if (command != PipelineCommand::kGet) {
    flags.push_back({"--env", "", FlagKind::kRepeated, "VAR=NAME[#FIELD]",
                     "the variable VAR gets item NAME (or its JSON field)",
                     [out](const std::string& v) { return ParseEnvBinding(v, &out->env); },
                     /*required=*/exp});
  }
  flags.push_back({"--allow", "", FlagKind::kRepeated, "GLOB", "refs the keys may name",
                   AppendTo(&out->allow)});
  flags.push_back({"--allow-addr", "", FlagKind::kRepeated, "GLOB",
                   "server addresses the keys may name", AppendTo(&out->allow_addr)});
  flags.push_back({"--rotation", "", FlagKind::kRepeated, "GLOB=AGE",
                   "rotation rule, first match wins", [out](const std::string& v) {
                     auto rule = ParseRotationFlag(v);
                     if (!rule.ok()) return rule.status();
                     out->rotation.push_back(std::move(rule).value());
                     return Status::Ok();
                   }});
  if (exec) {
    flags.push_back({"--timeout", "", FlagKind::kValue, "DUR",
                     "give up resolving the items after this long (60s)",
                     [out](const std::string& v) {
                       auto d = ParseDuration(v);
                       if (!d.ok()) return d.status().WithContext("--timeout");
                       if (d->count() <= 0)
                         return InvalidArgument("--timeout: must be more than 0s");
                       out->timeout = *d;
                       return Status::Ok();
                     }});
    flags.push_back({"--dir", "", FlagKind::kValue, "DIR", "absolute path of the private directory",
                     [out](const std::string& v) {
                       if (!v.starts_with('/'))
                         return InvalidArgument("--dir \"" + v + "\": must be an absolute path");
                       out->dir = v;
                       return Status::Ok();
                     }});
  }
  const char* name = exec ? "exec" : exp ? "export" : "get";
  return FlagTable(name, std::move(flags));
}

PipelineArgs ParsePipelineArgs(PipelineCommand command, const std::vector<std::string>& args,
                               std::vector<std::string>* problems) {
  PipelineArgs out;
  out.command = command;
  FlagOperands words = PipelineFlags(command, &out).Parse(args, problems);
  switch (command) {
    case PipelineCommand::kExec:
      if (!words.before_end.empty())
        problems->push_back("unexpected \"" + words.before_end[0] + "\" (put COMMAND after --)");
      out.argv = std::move(words.after_end);
      if (out.argv.empty())
        problems->push_back("no COMMAND (usage: exec [flags] -- COMMAND [ARG...])");
      break;
    case PipelineCommand::kGet: {
      std::vector<std::string> positional = std::move(words.before_end);
      positional.insert(positional.end(), words.after_end.begin(), words.after_end.end());
      if (positional.size() != 1) {
        problems->push_back("expected exactly one NAME[#FIELD]");
      } else if (auto sel = ParseItemSelector(positional[0]); !sel) {
        problems->push_back("\"" + positional[0] +
                            "\" is not NAME[#FIELD] (NAME: 1-63 of [A-Za-z0-9._-])");
      } else {
        out.get = *sel;
      }
      break;
    }
    case PipelineCommand::kExport:
      for (const auto* list : {&words.before_end, &words.after_end}) {
        if (!list->empty()) problems->push_back("unexpected \"" + list->front() + "\"");
      }
      break;
  }
  return out;
}

}  // namespace memsecret::injector::pipeline
