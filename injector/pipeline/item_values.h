// Shared steps of the pipeline commands: flags + keys -> plan (every problem
// printed, exit 2), resolving the items once (bounded by a timeout, one line
// per failed item), and reading an item's value back (NAME[#FIELD]).
// Messages name keys, items and refs, never a value. Thread-compatible.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "injector/base/secret_value.h"
#include "injector/pipeline/pipeline_args.h"
#include "injector/pipeline/pipeline_spec.h"
#include "injector/runtime/scheduler.h"
#include "injector/session/session.h"

namespace memsecret::injector::pipeline {

// Prints "<prog> <cmd>: <line>" to stderr.
void PrintError(const std::string& prog, PipelineCommand cmd, const std::string& line);

// Parses `args`, loads -f, applies --set and ${VAR}, builds the plan. On any
// problem prints each one and returns nullopt (the caller exits 2).
std::optional<std::pair<PipelineArgs, PipelinePlan>> PreparePipeline(
    const std::string& prog, PipelineCommand cmd, const std::vector<std::string>& args,
    const Environment& env);

// Runs the session until every item is written or `deadline`/`waiter` stops
// it; on failure prints one line per failed item and returns false (nothing
// when `waiter` was stopped: the caller says why).
// RemoveTempFiles: what an interrupted write may leave in the writer's directory.
bool ResolveItems(const std::string& prog, PipelineCommand cmd, Session& session,
                  const Clock& clock, Waiter& waiter, WallTime deadline);

// The value of NAME[#FIELD] from `dir`/NAME (a raw-format item). A field must
// exist in a JSON object value (kNotFound naming item and field otherwise);
// a string field yields its text, anything else its compact JSON.
void RemoveTempFiles(Session& session);

// "stopped by SIGINT; the items fetched so far were removed"
std::string InterruptedText(int sig);

Result<SecretValue> ReadItemValue(const std::string& dir, const ItemSelector& selector);

}  // namespace memsecret::injector::pipeline
