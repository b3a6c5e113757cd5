#include "injector/runtime/job_environment.h"

namespace memsecret::injector {

std::string NextAttemptText(const JobEnvironment& env, const Status& failure,
                            std::chrono::milliseconds delay, bool written) {
  const bool run_ends = env.once || (env.gives_up_before_first_write && !written);
  if (run_ends && !failure.retryable()) return "not retryable, giving up";
  return std::string(failure.retryable() ? "retryable" : "not retryable") + ", next attempt in " +
         std::to_string(delay.count()) + " ms";
}

void EmitFileAudit(const JobEnvironment& env, const PlannedFile& file, WallTime now,
                   const AuditFacts& facts, AuditOutcome outcome, std::chrono::milliseconds latency,
                   const Status& status) {
  if (env.audit == nullptr) return;
  AuditRecord r;
  r.time = now;
  r.pod = env.pod;
  r.kind = file.kind;
  r.provider = file.ref.provider;
  r.ref = file.ref.ToString();
  r.file = file.name;
  r.version = std::string(facts.version);
  r.version_created = facts.version_created;
  r.region = std::string(facts.region);
  r.expires_at = facts.expires_at;
  r.outcome = outcome;
  r.latency = latency;
  if (!status.ok()) r.error = status.ToString();
  env.audit->Emit(r);
}

}  // namespace memsecret::injector
