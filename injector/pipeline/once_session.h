// OnceSession: what `get` and `export` share — resolve the items they read
// (every key is still validated) once into a
// private memory-backed directory (as exec does, bounded by
// MEMSECRET_INIT_TIMEOUT, default 60s), hand the directory to the caller, and
// remove it afterwards — also on SIGINT, SIGTERM, SIGHUP or SIGQUIT, which
// stop the resolution and make the command exit 128+N. Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "injector/base/environment.h"
#include "injector/pipeline/pipeline_args.h"

namespace memsecret::injector::pipeline {

// Runs PreparePipeline + resolution for `cmd`, then `use(args, dir)`; returns
// 2 on bad input, 1 when an item cannot be had, 128+N after signal N, else
// what `use` returns.
int RunOnce(const std::string& prog, PipelineCommand cmd, const std::vector<std::string>& args,
            const Environment& env,
            const std::function<int(const PipelineArgs& args, const std::string& dir)>& use);

}  // namespace memsecret::injector::pipeline
