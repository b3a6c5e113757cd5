#include "injector/oauth/token_job.h"

#include <spdlog/spdlog.h>

#include "injector/oauth/issuer_factory.h"
#include "injector/oauth/token_renderer.h"

namespace memsecret::injector::oauth {
namespace {

int64_t SecondsBetween(WallTime from, WallTime to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

Result<std::unique_ptr<TokenJob>> TokenJob::Create(const PlannedFile& file,
                                                   const InjectionPlan& plan, HttpClient* http,
                                                   SecretProvider* store, AtomicFileWriter* writer,
                                                   JitterSource jitter, AuditSink* audit,
                                                   const IssuerEndpoints& endpoints) {
  if (file.kind != FileKind::kToken || !file.token) {
    return InvalidArgument("file \"" + file.name + "\" is not a token file");
  }
  Result<std::unique_ptr<TokenIssuer>> issuer = MakeTokenIssuer(file.token->issuer, http, endpoints);
  if (!issuer.ok()) return issuer.status().WithContext("token file \"" + file.name + "\"");
  RefreshSettings refresh{plan.token_refresh_fraction,
                          std::chrono::seconds(plan.token_min_remaining_seconds)};
  TokenMinter::Config config{file.ref, TokenOptions{file.token->scope, file.token->audience},
                             std::chrono::seconds(plan.refresh_interval_seconds)};
  std::unique_ptr<TokenJob> job(new TokenJob(file, refresh, std::move(issuer).value(),
                                             std::move(config), store, writer, std::move(jitter)));
  job->audit_ = audit;
  job->pod_ = plan.pod;
  return job;
}

void TokenJob::Audit(WallTime now, const char* outcome, const std::string& version,
                     const Status& status) {
  if (audit_ == nullptr) return;
  AuditRecord r;
  r.time = now;
  r.pod = pod_;
  r.kind = "token";
  r.provider = ProviderName(file_.ref.provider);
  r.ref = ref_text_;
  r.file = file_.name;
  r.version = version;
  r.outcome = outcome;
  r.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  if (!status.ok()) r.error = status.ToString();
  audit_->Emit(r);
}

TokenJob::TokenJob(PlannedFile file, RefreshSettings refresh, std::unique_ptr<TokenIssuer> issuer,
                   TokenMinter::Config minter_config, SecretProvider* store,
                   AtomicFileWriter* writer, JitterSource jitter)
    : file_(std::move(file)),
      refresh_(refresh),
      issuer_(std::move(issuer)),
      minter_(std::move(minter_config), issuer_.get(), store),
      writer_(writer),
      jitter_(jitter ? std::move(jitter) : JitterSource([] { return 0.5; })),
      ref_text_(file_.ref.ToString()) {}

std::optional<WallTime> TokenJob::Run(WallTime now) {
  started_ = std::chrono::steady_clock::now();
  MintReport report = minter_.Mint(now);
  if (!report.result.ok()) return OnFailure(now, report.result.status, report.result.retry_after);

  const AccessToken& token = *report.result.token;
  Result<WriteOutcome> wrote =
      writer_->Write(file_.name, RenderToken(token, file_.format, TokenEnvVar(file_)), file_.mode);
  if (!wrote.ok()) return OnFailure(now, wrote.status(), std::nullopt);

  written_ = true;
  failures_ = 0;
  Audit(now, *wrote == WriteOutcome::kWritten ? "written" : "unchanged", report.credential_version,
        Status::Ok());
  last_status_ = Status::Ok();
  valid_until_ = EffectiveExpiry(token.issued_at, token.expires_at);
  const WallTime next = RefreshAt(token.issued_at, token.expires_at, refresh_, jitter_());
  spdlog::info(
      "token {}: minted by {} from {} (credential version {}{}{}), {}, expires in {}s, next "
      "refresh in {}s",
      file_.name, minter_.describe_issuer(), ref_text_,
      report.credential_version.empty() ? "-" : report.credential_version,
      report.credentials_reread ? ", re-read after rejection" : "",
      report.used_pending ? ", AWSPENDING tried" : "",
      token.expires_at ? "lifetime from issuer" : "lifetime assumed",
      SecondsBetween(now, *valid_until_), SecondsBetween(now, next));
  return next;
}

WallTime TokenJob::OnFailure(WallTime now, const Status& status,
                             std::optional<std::chrono::seconds> retry_after) {
  ++failures_;
  last_status_ = status.WithContext("token " + file_.name);
  Audit(now, "error", "", last_status_);
  const WallTime next = RetryAt(now, failures_, jitter_(), retry_after, valid_until_);
  const char* held = !valid_until_         ? "no token written yet"
                     : *valid_until_ > now ? "keeping the current token"
                                           : "the current token has expired";
  spdlog::warn("{} (attempt {}; {}; retry in {}s)", last_status_.ToString(), failures_, held,
               SecondsBetween(now, next));
  return next;
}

Result<std::vector<std::unique_ptr<TokenJob>>> MakeTokenJobs(
    const InjectionPlan& plan, HttpClient* http, SecretProvider* store, AtomicFileWriter* writer,
    const JitterSource& jitter, AuditSink* audit, const IssuerEndpoints& endpoints) {
  std::vector<std::unique_ptr<TokenJob>> jobs;
  for (const PlannedFile& file : plan.files) {
    if (file.kind != FileKind::kToken) continue;
    Result<std::unique_ptr<TokenJob>> job =
        TokenJob::Create(file, plan, http, store, writer, jitter, audit, endpoints);
    if (!job.ok()) return job.status();
    jobs.push_back(std::move(job).value());
  }
  return jobs;
}

}  // namespace memsecret::injector::oauth
