// JobEnvironment: what every file job of one injector run shares (secret-file
// jobs and token jobs alike), and the one place their audit lines are built.
// Pointees must outlive the jobs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/providers/secret_provider.h"
#include "injector/runtime/atomic_file_writer.h"
#include "injector/runtime/audit.h"
#include "injector/runtime/backoff.h"
#include "injector/runtime/health_registry.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector {

struct JobEnvironment {
  PodIdentity pod;                     // with the pod name from MEMSECRET_POD_NAME when known
  SecretProvider* provider = nullptr;  // secrets and the credentials tokens are minted from
  HttpClient* http = nullptr;          // token endpoints
  AtomicFileWriter* writer = nullptr;
  AuditSink* audit = nullptr;  // optional
  // Optional: every job records its reads, mints and failures here (the
  // metrics endpoint's source). Thread-safe; must outlive the jobs.
  HealthRegistry* health = nullptr;
  JitterSource jitter;  // empty: 0.5 (the middle of every jitter range)
  BackoffPolicy backoff;
  // This pod's draw in [0,1), shared by all its files: the first refresh
  // after the first write comes refresh_phase * kRefreshPhaseSpread of the
  // interval early. Pods created together (a rollout) then read the store
  // spread over the interval instead of in step for their whole life, and
  // the files of one pod stay together, so a pass still shares one read per
  // secret (CoalescingProvider). 0: no offset (tests).
  double refresh_phase = 0.0;
  // Init / --once: the run ends at the first complete write, and a
  // non-retryable failure ends it at once (Scheduler::RunUntilReady), so
  // jobs must not announce a next attempt that will not happen.
  bool once = false;
  // exec: until every file has been written once the run ends at a
  // non-retryable failure too (RunUntilReady), then it refreshes as a sidecar.
  bool gives_up_before_first_write = false;

  double Jitter() const { return jitter ? jitter() : 0.5; }
};

inline constexpr double kRefreshPhaseSpread = 0.25;

// "retryable, next attempt in 1500 ms", or "not retryable, giving up" when
// the run ends at this failure (init mode, or exec before the job's first
// write: `written` says whether the job has written its file): the tail of
// every job's failure line.
std::string NextAttemptText(const JobEnvironment& env, const Status& failure,
                            std::chrono::milliseconds delay, bool written);

// Emits the audit line of one attempt at `file` (no-op without a sink): who
// (env.pod), what (the file's kind, provider, ref; `version` of what was
// read, when it was created, and the AWS `region` that answered, "" elsewhere;
// a token's `expires_at`), how it went. `status` must be OK unless outcome is
// kError.
struct AuditFacts {
  std::string_view version;
  std::optional<WallTime> version_created;
  std::string_view region;
  std::optional<WallTime> expires_at;
};
void EmitFileAudit(const JobEnvironment& env, const PlannedFile& file, WallTime now,
                   const AuditFacts& facts, AuditOutcome outcome, std::chrono::milliseconds latency,
                   const Status& status);

}  // namespace memsecret::injector
