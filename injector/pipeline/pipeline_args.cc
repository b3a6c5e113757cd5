#include "injector/pipeline/pipeline_args.h"

#include "memsecret/duration.h"
#include "memsecret/injection_plan.h"

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

PipelineArgs ParsePipelineArgs(PipelineCommand command, const std::vector<std::string>& args,
                               std::vector<std::string>* problems) {
  PipelineArgs out;
  out.command = command;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (command == PipelineCommand::kExec && arg == "--") {
      out.argv.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    // "--flag=value" and "--flag value" (and "-f FILE") are both accepted.
    std::string flag = arg, value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        flag = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        has_inline = true;
      }
    }
    auto take = [&](const char* what) -> bool {
      if (has_inline) return true;
      if (i + 1 >= args.size()) {
        problems->push_back(flag + ": needs " + what);
        return false;
      }
      value = args[++i];
      return true;
    };
    if (flag == "-f" || flag == "--file") {
      if (!take("a file")) continue;
      if (out.key_file) problems->push_back(flag + ": given twice (one key file per run)");
      out.key_file = value;
    } else if (flag == "--set") {
      if (!take("KEY=VALUE")) continue;
      size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) {
        problems->push_back("--set \"" + value + "\": expected KEY=VALUE");
        continue;
      }
      out.sets.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (flag == "--env" && command != PipelineCommand::kGet) {
      if (!take("VAR=NAME[#FIELD]")) continue;
      size_t eq = value.find('=');
      std::string var = value.substr(0, eq == std::string::npos ? 0 : eq);
      if (eq == std::string::npos || !IsValidEnvVarName(var)) {
        problems->push_back("--env \"" + value +
                            "\": expected VAR=NAME[#FIELD] with VAR a shell variable name");
        continue;
      }
      auto sel = ParseItemSelector(value.substr(eq + 1));
      if (!sel) {
        problems->push_back("--env \"" + value + "\": \"" + value.substr(eq + 1) +
                            "\" is not NAME[#FIELD] (NAME: 1-63 of [A-Za-z0-9._-])");
        continue;
      }
      for (const EnvBinding& b : out.env)
        if (b.var == var) problems->push_back("--env: " + var + " is set twice");
      out.env.push_back({var, *sel});
    } else if (flag == "--allow") {
      if (!take("a glob")) continue;
      if (value.empty())
        problems->push_back("--allow: empty glob");
      else
        out.allow.push_back(value);
    } else if (flag == "--allow-addr") {
      if (!take("a glob")) continue;
      if (value.empty())
        problems->push_back("--allow-addr: empty glob");
      else
        out.allow_addr.push_back(value);
    } else if (flag == "--rotation") {
      if (!take("GLOB=AGE")) continue;
      auto rule = ParseRotationFlag(value);
      if (!rule.ok())
        problems->push_back(rule.status().message());
      else
        out.rotation.push_back(std::move(rule).value());
    } else if (flag == "--timeout" && command == PipelineCommand::kExec) {
      if (!take("a duration")) continue;
      auto d = ParseDuration(value);
      if (!d.ok())
        problems->push_back("--timeout: " + d.status().message());
      else if (d->count() <= 0)
        problems->push_back("--timeout: must be more than 0s");
      else
        out.timeout = *d;
    } else if (flag == "--dir" && command == PipelineCommand::kExec) {
      if (!take("a directory")) continue;
      if (value.empty() || value[0] != '/')
        problems->push_back("--dir \"" + value + "\": must be an absolute path");
      else
        out.dir = value;
    } else if (flag == "--github-env" && command == PipelineCommand::kExport && !has_inline) {
      out.github_env = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      problems->push_back("unknown flag " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  switch (command) {
    case PipelineCommand::kExec:
      if (!positional.empty())
        problems->push_back("unexpected \"" + positional[0] + "\" (put COMMAND after --)");
      if (out.argv.empty())
        problems->push_back("no COMMAND (usage: exec [flags] -- COMMAND [ARG...])");
      break;
    case PipelineCommand::kGet:
      if (positional.size() != 1) {
        problems->push_back("expected exactly one NAME[#FIELD]");
      } else if (auto sel = ParseItemSelector(positional[0]); !sel) {
        problems->push_back("\"" + positional[0] +
                            "\" is not NAME[#FIELD] (NAME: 1-63 of [A-Za-z0-9._-])");
      } else {
        out.get = *sel;
      }
      break;
    case PipelineCommand::kExport:
      if (!out.github_env) problems->push_back("--github-env is required (the only export target)");
      if (out.env.empty()) problems->push_back("at least one --env VAR=NAME[#FIELD]");
      if (!positional.empty()) problems->push_back("unexpected \"" + positional[0] + "\"");
      break;
  }
  return out;
}

}  // namespace memsecret::injector::pipeline
