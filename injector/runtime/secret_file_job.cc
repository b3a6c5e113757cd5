#include "injector/runtime/secret_file_job.h"

#include <spdlog/spdlog.h>

#include "injector/runtime/render.h"

namespace memsecret::injector {

SecretFileJob::SecretFileJob(PlannedFile file, std::chrono::seconds refresh, JobEnvironment env)
    : file_(std::move(file)),
      ref_text_(file_.ref.ToString()),
      refresh_(refresh),
      env_(std::move(env)) {}

Status SecretFileJob::Refresh(std::string* version, std::string* outcome,
                              std::optional<std::chrono::seconds>* retry_after) {
  FetchResult fetched = env_.provider->Fetch(file_.ref);
  *retry_after = fetched.retry_after;
  if (!fetched.ok()) return fetched.status;
  *version = fetched.secret->version;
  if (written_ && !version->empty() && *version == version_) {
    *outcome = "unchanged";
    return Status::Ok();
  }
  auto rendered = RenderSecret(fetched.secret->value, file_.ref.field, file_.format, file_.name,
                               file_.env_var);
  if (!rendered.ok()) return rendered.status().WithContext("render");
  auto wrote = env_.writer->Write(file_.name, *rendered, file_.mode);
  if (!wrote.ok()) return wrote.status();
  *outcome = *wrote == WriteOutcome::kWritten ? "written" : "unchanged";
  return Status::Ok();
}

std::optional<WallTime> SecretFileJob::Run(WallTime now) {
  const auto start = std::chrono::steady_clock::now();
  std::string version, outcome;
  std::optional<std::chrono::seconds> retry_after;
  Status st = Refresh(&version, &outcome, &retry_after);
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (st.ok()) {
    const bool first_write = !written_;
    Audit(now, version, outcome, latency, st);
    if (failures_ > 0)
      spdlog::info("{}: {} recovered after {} failed attempts", file_.name, ref_text_, failures_);
    else if (outcome == "written")
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
  Audit(now, version, "error", latency, last_status_);
  auto delay =
      BackoffDelay(env_.backoff, failures_, env_.jitter ? env_.jitter() : 0.5, retry_after);
  spdlog::warn("{}: {} failed (attempt {}, {}), keeping the last good file; retry in {} ms: {}",
               file_.name, ref_text_, failures_, st.retryable() ? "retryable" : "not retryable",
               delay.count(), last_status_.message());
  return now + delay;
}

void SecretFileJob::Audit(WallTime now, const std::string& version, const std::string& outcome,
                          std::chrono::milliseconds latency, const Status& status) {
  if (env_.audit == nullptr) return;
  AuditRecord r;
  r.time = now;
  r.pod = env_.pod;
  r.kind = FileKindName(file_.kind);
  r.provider = ProviderName(file_.ref.provider);
  r.ref = ref_text_;
  r.file = file_.name;
  r.version = version;
  r.outcome = outcome;
  r.latency = latency;
  if (!status.ok()) r.error = status.ToString();
  env_.audit->Emit(r);
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
