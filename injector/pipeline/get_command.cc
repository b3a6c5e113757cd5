// get: one item's value (or one JSON field of it) on stdout, nothing else.
#include <cstdio>

#include "injector/pipeline/item_values.h"
#include "injector/pipeline/once_session.h"
#include "injector/pipeline/pipeline_commands.h"

namespace memsecret::injector::pipeline {

int GetCommand(const std::string& prog, const std::vector<std::string>& args,
               const Environment& env) {
  return RunOnce(
      prog, PipelineCommand::kGet, args, env, [&](const PipelineArgs& a, const std::string& dir) {
        auto value = ReadItemValue(dir, a.get);
        if (!value.ok()) {
          PrintError(prog, PipelineCommand::kGet, value.status().message());
          return 1;
        }
        const std::string_view v = value->Reveal();
        if (std::fwrite(v.data(), 1, v.size(), stdout) != v.size() || std::fflush(stdout) != 0) {
          PrintError(prog, PipelineCommand::kGet, "cannot write to stdout");
          return 1;
        }
        return 0;
      });
}

}  // namespace memsecret::injector::pipeline
