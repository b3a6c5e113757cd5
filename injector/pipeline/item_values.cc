#include "injector/pipeline/item_values.h"

#include <cstdio>
#include <cstring>

#include "injector/base/read_file.h"
#include "injector/runtime/secret_format.h"

namespace memsecret::injector::pipeline {
namespace {

const char* Name(PipelineCommand c) {
  switch (c) {
    case PipelineCommand::kExec:
      return "exec";
    case PipelineCommand::kGet:
      return "get";
    case PipelineCommand::kExport:
      return "export";
  }
  return "?";
}

}  // namespace

void PrintError(const std::string& prog, PipelineCommand cmd, const std::string& line) {
  std::fprintf(stderr, "%s %s: %s\n", prog.c_str(), Name(cmd), line.c_str());
}

std::optional<std::pair<PipelineArgs, PipelinePlan>> PreparePipeline(
    const std::string& prog, PipelineCommand cmd, const std::vector<std::string>& args,
    const Environment& env) {
  std::vector<std::string> problems;
  PipelineArgs parsed = ParsePipelineArgs(cmd, args, &problems);
  KeyMap keys;
  if (parsed.key_file) keys = LoadKeyFile(*parsed.key_file, &problems);
  const size_t before_expansion = problems.size();
  keys = ExpandVariables(MergeKeys(std::move(keys), parsed.sets), env, &problems);
  // A value with an unset variable is incomplete: checking it would only
  // repeat that problem as knock-on errors (an empty path segment, ...).
  const bool expanded = problems.size() == before_expansion;
  PipelinePlan plan;
  if (expanded) plan = BuildPipelinePlan(keys, parsed, &problems);
  for (const std::string& w : plan.warnings) PrintError(prog, cmd, "warning: " + w);
  if (!problems.empty()) {
    for (const std::string& p : problems) PrintError(prog, cmd, p);
    PrintError(prog, cmd,
               std::to_string(problems.size()) + " problem(s); nothing was fetched" +
                   (expanded ? "" : " (the keys are checked once every ${VAR} is resolved)"));
    return std::nullopt;
  }
  return std::make_pair(std::move(parsed), std::move(plan));
}

bool ResolveItems(const std::string& prog, PipelineCommand cmd, Session& session,
                  const Clock& clock, Waiter& waiter, WallTime deadline) {
  Status done = session.scheduler().RunUntilReady(clock, waiter, deadline);
  if (done.ok()) return true;
  if (waiter.stopped()) return false;
  for (const std::string& line : session.UnwrittenFiles()) PrintError(prog, cmd, line);
  if (done.code() == Code::kDeadlineExceeded) PrintError(prog, cmd, "gave up at the timeout");
  return false;
}

void RemoveTempFiles(Session& session) { session.writer().RemoveStaleTempFiles(); }

std::string InterruptedText(int sig) {
  const char* name = ::sigabbrev_np(sig);
  return std::string("stopped by SIG") + (name ? name : std::to_string(sig).c_str()) +
         "; the items fetched so far were removed";
}

Result<SecretValue> ReadItemValue(const std::string& dir, const ItemSelector& selector) {
  auto content = ReadSecretFile(dir + "/" + selector.item);
  if (!content.ok()) return content.status().WithContext("item \"" + selector.item + "\"");
  if (!selector.field) return content;
  // The one home of #field selection (a string field's text, else its JSON).
  auto field = FormatSecret(*content, selector.field, OutputFormat::kRaw, selector.item);
  if (!field.ok()) return field.status().WithContext("item \"" + selector.item + "\"");
  return field;
}

}  // namespace memsecret::injector::pipeline
