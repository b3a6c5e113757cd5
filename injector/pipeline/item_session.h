// ItemSession: a pipeline plan's items wired to real effects — one provider
// per backend the plan uses (shared fetches), one job per item, one
// scheduler — writing into the plan's output_dir. The pipeline commands drive
// its scheduler: RunUntilReady for the first complete write, then Run to keep
// tokens and secrets fresh. Not thread-safe: one thread drives it.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "injector/runtime/scheduler.h"
#include "injector/wire/environment.h"
#include "memsecret/clock.h"
#include "memsecret/injection_plan.h"
#include "memsecret/status.h"

namespace memsecret::injector::pipeline {

class ItemSession {
 public:
  // kInvalidArgument for start-up misconfiguration (an issuer override, a
  // provider's settings); audit lines go to `audit_out`.
  static Result<std::unique_ptr<ItemSession>> Create(const InjectionPlan& plan,
                                                     const Environment& env, const Clock& clock,
                                                     std::FILE* audit_out);
  virtual ~ItemSession() = default;

  virtual Scheduler& scheduler() = 0;
  // One line per item that is not written: "<name> (<ref>): <reason>".
  virtual std::vector<std::string> FailedItems() const = 0;
  // Expiry of the token item's current file (nullopt: not a token or unwritten).
  virtual std::optional<WallTime> TokenValidUntil(const std::string& name) const = 0;
  // Removes temp files and the readiness marker the writer may have left.
  virtual void CleanUp() = 0;
};

}  // namespace memsecret::injector::pipeline
