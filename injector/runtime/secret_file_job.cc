#include "injector/runtime/secret_file_job.h"

#include <spdlog/spdlog.h>

#include "injector/runtime/secret_format.h"

namespace memsecret::injector {

SecretFileJob::SecretFileJob(PlannedFile file, std::chrono::seconds refresh, JobEnvironment env)
    : file_(std::move(file)),
      ref_text_(file_.ref.ToString()),
      refresh_(refresh),
      env_(std::move(env)),
      rotation_(file_.name, ref_text_, std::chrono::seconds(file_.rotation_max_age_seconds)) {}

Status SecretFileJob::Refresh(std::string* version, std::optional<WallTime>* created,
                              AuditOutcome* outcome,
                              std::optional<std::chrono::seconds>* retry_after) {
  FetchResult fetched = env_.provider->Fetch(file_.ref);
  *retry_after = fetched.retry_after;
  region_ = fetched.region;
  if (!fetched.ok()) return fetched.status;
  *version = fetched.secret->version;
  *created = fetched.secret->created;
  if (written_ && !version->empty() && *version == version_) {
    *outcome = AuditOutcome::kUnchanged;
    return Status::Ok();
  }
  auto rendered =
      FormatSecret(fetched.secret->value, file_.ref.field, file_.format, file_.name, file_.env_var);
  if (!rendered.ok()) return rendered.status().WithContext("render");
  auto wrote = env_.writer->Write(file_.name, *rendered, file_.mode);
  if (!wrote.ok()) return wrote.status();
  *outcome = *wrote == WriteOutcome::kWritten ? AuditOutcome::kWritten : AuditOutcome::kUnchanged;
  return Status::Ok();
}

std::optional<WallTime> SecretFileJob::Run(WallTime now) {
  const auto start = std::chrono::steady_clock::now();
  std::string version;
  std::optional<WallTime> created;
  AuditOutcome outcome = AuditOutcome::kUnchanged;
  std::optional<std::chrono::seconds> retry_after;
  Status st = Refresh(&version, &created, &outcome, &retry_after);
  retry_after_ = retry_after;
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (st.ok()) {
    const bool first_write = !written_;
    EmitFileAudit(env_, file_, now, {version, created, region_, std::nullopt}, outcome, latency,
                  st);
    rotation_.Observe(created, now);
    if (env_.health != nullptr) env_.health->RecordSuccess(file_.name, version, created, now);
    if (failures_ > 0)
      spdlog::info("{}: {} recovered after {} failed attempts", file_.name, ref_text_, failures_);
    else if (outcome == AuditOutcome::kWritten)
      spdlog::info("{}: wrote {} (version {})", file_.name, ref_text_,
                   version.empty() ? "-" : version);
    written_ = true;
    version_ = version;
    failures_ = 0;
    last_status_ = Status::Ok();
    if (refresh_.count() <= 0) return std::nullopt;
    if (!first_write) return now + refresh_;
    const auto early = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(refresh_) * (kRefreshPhaseSpread * env_.refresh_phase));
    return now + refresh_ - early;
  }
  last_status_ = Status(st.code(), ref_text_ + ": " + st.message());
  ++failures_;
  EmitFileAudit(env_, file_, now, {version, std::nullopt, region_, std::nullopt},
                AuditOutcome::kError, latency, last_status_);
  if (env_.health != nullptr) env_.health->RecordFailure(file_.name, st.code());
  auto delay = BackoffDelay(env_.backoff, failures_, env_.Jitter(), retry_after);
  spdlog::warn("{}: {} failed (attempt {}; {}; {}): {}", file_.name, ref_text_, failures_,
               written_ ? "keeping the last good file" : "no file written yet",
               NextAttemptText(env_, st, delay, written_), last_status_.message());
  return now + delay;
}

std::vector<std::unique_ptr<SecretFileJob>> MakeSecretFileJobs(const InjectionPlan& plan,
                                                               const JobEnvironment& env) {
  std::vector<std::unique_ptr<SecretFileJob>> jobs;
  for (const auto& f : plan.files) {
    if (f.kind != FileKind::kSecret) continue;
    jobs.push_back(std::make_unique<SecretFileJob>(
        f, std::chrono::seconds(plan.refresh_interval_seconds), env));
  }
  return jobs;
}

}  // namespace memsecret::injector
