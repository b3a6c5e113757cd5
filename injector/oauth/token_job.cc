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
                                                   const InjectionPlan& plan,
                                                   const JobEnvironment& env,
                                                   const IssuerEndpoints& endpoints) {
  if (file.kind != FileKind::kToken || !file.token) {
    return InvalidArgument("file \"" + file.name + "\" is not a token file");
  }
  Result<std::unique_ptr<TokenIssuer>> issuer =
      MakeTokenIssuer(file.token->issuer, env.http, endpoints);
  if (!issuer.ok()) return issuer.status().WithContext("token file \"" + file.name + "\"");
  RefreshSettings refresh{plan.token_refresh_fraction,
                          std::chrono::seconds(plan.token_min_remaining_seconds)};
  TokenMinter::Config config{file.ref, TokenOptions{file.token->scope, file.token->audience},
                             std::chrono::seconds(plan.refresh_interval_seconds)};
  return std::unique_ptr<TokenJob>(
      new TokenJob(file, refresh, std::move(issuer).value(), std::move(config), env));
}

TokenJob::TokenJob(PlannedFile file, RefreshSettings refresh, std::unique_ptr<TokenIssuer> issuer,
                   TokenMinter::Config minter_config, JobEnvironment env)
    : file_(std::move(file)),
      refresh_(refresh),
      issuer_(std::move(issuer)),
      env_(std::move(env)),
      minter_(std::move(minter_config), issuer_.get(), env_.provider),
      ref_text_(file_.ref.ToString()),
      rotation_(file_.name, ref_text_, std::chrono::seconds(file_.rotation_max_age_seconds)),
      credential_check_(minter_.credential_max_age()) {}

std::chrono::milliseconds TokenJob::Elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started_);
}

WallTime TokenJob::NextWake(WallTime) const {
  return next_check_ ? std::min(*next_refresh_, *next_check_) : *next_refresh_;
}

std::optional<WallTime> TokenJob::Run(WallTime now) {
  started_ = std::chrono::steady_clock::now();
  if (written_ && failures_ == 0 && next_refresh_ && now < *next_refresh_ && next_check_ &&
      now >= *next_check_) {
    // A credential check between refreshes: mint only for a new version.
    Result<bool> changed = minter_.ReloadIfChanged(now);
    next_check_ = now + credential_check_;
    if (!changed.ok()) {
      spdlog::warn("token {}: credential check of {} failed: {} (keeping the current token)",
                   file_.name, ref_text_, changed.status().message());
      return NextWake(now);
    }
    if (!*changed) return NextWake(now);
    spdlog::info("token {}: {} holds a new credential version; minting with it now", file_.name,
                 ref_text_);
  }
  MintReport report = minter_.Mint(now);
  if (!report.result.ok()) return OnFailure(now, report.result.status, report.result.retry_after);

  const AccessToken& token = *report.result.token;
  Result<WriteOutcome> wrote = env_.writer->Write(
      file_.name, RenderToken(token, file_.format, TokenEnvVar(file_)), file_.mode);
  if (!wrote.ok()) return OnFailure(now, wrote.status(), std::nullopt);

  written_ = true;
  failures_ = 0;
  last_status_ = Status::Ok();
  valid_until_ = EffectiveExpiry(token.issued_at, token.expires_at);
  EmitFileAudit(
      env_, file_, now, {report.credential_version, report.credential_created, {}, valid_until_},
      *wrote == WriteOutcome::kWritten ? AuditOutcome::kWritten : AuditOutcome::kUnchanged,
      Elapsed(), Status::Ok());
  rotation_.Observe(report.credential_created, now);
  if (env_.health != nullptr) {
    env_.health->RecordSuccess(file_.name, report.credential_version, report.credential_created,
                               now, valid_until_);
    env_.health->RecordClientId(file_.name, minter_.client_id());
  }
  next_refresh_ = RefreshAt(token.issued_at, token.expires_at, refresh_, env_.Jitter());
  if (credential_check_.count() > 0 && !env_.once) next_check_ = now + credential_check_;
  const WallTime next = NextWake(now);
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
  retry_after_ = retry_after;
  last_status_ = status.WithContext("token " + file_.name);
  EmitFileAudit(env_, file_, now, {}, AuditOutcome::kError, Elapsed(), last_status_);
  if (env_.health != nullptr) env_.health->RecordFailure(file_.name, status.code());
  const WallTime next = RetryAt(now, failures_, env_.Jitter(), retry_after, valid_until_);
  const char* held = !valid_until_         ? "no token written yet"
                     : *valid_until_ > now ? "keeping the current token"
                                           : "the current token has expired";
  spdlog::warn(
      "{} (attempt {}; {}; {})", last_status_.ToString(), failures_, held,
      NextAttemptText(env_, status,
                      std::chrono::duration_cast<std::chrono::milliseconds>(next - now), written_));
  return next;
}

Result<std::vector<std::unique_ptr<TokenJob>>> MakeTokenJobs(const InjectionPlan& plan,
                                                             const JobEnvironment& env,
                                                             const IssuerEndpoints& endpoints) {
  std::vector<std::unique_ptr<TokenJob>> jobs;
  for (const PlannedFile& file : plan.files) {
    if (file.kind != FileKind::kToken) continue;
    Result<std::unique_ptr<TokenJob>> job = TokenJob::Create(file, plan, env, endpoints);
    if (!job.ok()) return job.status();
    jobs.push_back(std::move(job).value());
  }
  return jobs;
}

}  // namespace memsecret::injector::oauth
