// SecretFileJob: the scheduler job that keeps one `secret-<name>` file in
// step with its store: fetch, render (field + format), write atomically when
// changed. A fetch returning the VersionId already on disk skips rendering and
// writing. After success it is due again in refresh_interval (never when 0;
// the first time a per-pod offset earlier, see JobEnvironment::refresh_phase);
// after a failure it keeps the last good file and retries with exponential
// backoff and jitter (honouring Retry-After), recovering by itself. One audit
// line per fetch (with the version's creation time); failures are logged
// (warn) with the ref and the reason. Each successful read is checked against
// the file's rotation maxAge (rotation_watch.h: the "rotation overdue" line),
// and reads and failures go to JobEnvironment::health when set.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "injector/runtime/job_environment.h"
#include "injector/runtime/rotation_watch.h"
#include "injector/runtime/scheduler.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector {

class SecretFileJob final : public Job {
 public:
  // `file.kind` must be kSecret. refresh <= 0 means fetch once.
  SecretFileJob(PlannedFile file, std::chrono::seconds refresh, JobEnvironment env);

  const std::string& name() const override { return file_.name; }
  std::optional<WallTime> Run(WallTime now) override;
  bool Ready() const override { return written_; }
  Status LastStatus() const override { return last_status_; }
  std::optional<std::chrono::seconds> RetryAfter() const override { return retry_after_; }

  int consecutive_failures() const { return failures_; }
  const std::string& version_on_disk() const { return version_; }

 private:
  // Fetch + render + write; fills *version/*created/*outcome.
  Status Refresh(std::string* version, std::optional<WallTime>* created, AuditOutcome* outcome,
                 std::optional<std::chrono::seconds>* retry_after);

  PlannedFile file_;
  std::string ref_text_;
  std::chrono::seconds refresh_;
  JobEnvironment env_;
  bool written_ = false;
  std::string version_;  // VersionId of the content on disk ("" when unknown)
  int failures_ = 0;
  Status last_status_;
  std::optional<std::chrono::seconds> retry_after_;  // of the last failed fetch
  std::string region_;  // region of the last fetch's answer (audit), "" when none
  RotationWatch rotation_;
};

// One SecretFileJob per kSecret file of `plan`, in plan order.
std::vector<std::unique_ptr<SecretFileJob>> MakeSecretFileJobs(const InjectionPlan& plan,
                                                               const JobEnvironment& env);

}  // namespace memsecret::injector
