// TokenJob: the scheduler job that keeps one token file fresh — mint (via
// TokenMinter, which handles rotation), render, write atomically, and say
// when to run next: RefreshAt after a success, RetryAt (backoff, Retry-After,
// sooner as the token on disk nears expiry) after a failure. Between
// refreshes it re-reads the credentials every refresh-interval; a new
// credential version is minted with at once (a rotation reaches the file one
// refresh-interval after the store changed, not at the old token's refresh). A failure never
// touches the file, so it keeps the last good token until that expires.
// Emits one audit record per mint attempt (kind "token", outcome written /
// unchanged / error, credential version and its creation time, the token's
// expires_at) when given a sink; checks the credentials' version against the
// file's rotation maxAge (rotation_watch.h) and records mints and failures in
// JobEnvironment::health when set. Logs one line per outcome with the file
// name, issuer, credential ref and version and, on failure, the status message (issuer `error` and
// `error_description` only) — never a token, secret or response body.
//
// Built like SecretFileJob, from the run's JobEnvironment (its provider
// reads the credentials, its http reaches the token endpoint, its audit
// helper writes the line); wiring (injector/commands.cc):
//   auto jobs = MakeTokenJobs(plan, job_env);
//   for (auto& job : *jobs) scheduler.Add(std::move(job), clock.Now());
// Sidecar: Scheduler::Run keeps them refreshing. Init / --once: RunDue(now)
// once and require AllReady(); TokenJob::LastStatus() explains a failure.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "injector/oauth/issuer_endpoints.h"
#include "injector/oauth/refresh_schedule.h"
#include "injector/oauth/token_minter.h"
#include "injector/runtime/job_environment.h"
#include "injector/runtime/rotation_watch.h"
#include "injector/runtime/scheduler.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector::oauth {

class TokenJob final : public Job {
 public:
  // `file` must be a token file (kind kToken with a TokenSpec); `env` needs
  // provider, http and writer (audit optional), all outliving the job.
  // kInvalidArgument for an unknown issuer or a non-token file.
  static Result<std::unique_ptr<TokenJob>> Create(const PlannedFile& file,
                                                  const InjectionPlan& plan,
                                                  const JobEnvironment& env,
                                                  const IssuerEndpoints& endpoints = {});

  const std::string& name() const override { return file_.name; }
  std::optional<WallTime> Run(WallTime now) override;
  bool Ready() const override { return written_; }

  // The outcome of the last Run (OK before the first).
  Status LastStatus() const override { return last_status_; }
  std::optional<std::chrono::seconds> RetryAfter() const override { return retry_after_; }
  // Expiry of the token in the file (nullopt before the first write).
  std::optional<WallTime> valid_until() const { return valid_until_; }
  int consecutive_failures() const { return failures_; }

 private:
  TokenJob(PlannedFile file, RefreshSettings refresh, std::unique_ptr<TokenIssuer> issuer,
           TokenMinter::Config minter_config, JobEnvironment env);

  WallTime OnFailure(WallTime now, const Status& status,
                     std::optional<std::chrono::seconds> retry_after);
  // The next wake-up after a success: the token's refresh time, or sooner
  // the next credential check (every refresh-interval).
  WallTime NextWake(WallTime now) const;
  std::chrono::milliseconds Elapsed() const;

  PlannedFile file_;
  RefreshSettings refresh_;
  std::unique_ptr<TokenIssuer> issuer_;
  JobEnvironment env_;
  TokenMinter minter_;
  std::string ref_text_;                           // credential ref, for logs
  std::chrono::steady_clock::time_point started_;  // of the current Run, for audit latency
  bool written_ = false;
  int failures_ = 0;
  Status last_status_;
  std::optional<std::chrono::seconds> retry_after_;  // of the last failure
  std::optional<WallTime> valid_until_;
  RotationWatch rotation_;                 // of the client credentials' version
  std::chrono::seconds credential_check_;  // plan.refresh_interval; 0: only at refresh time
  std::optional<WallTime> next_refresh_;   // of the token on disk
  std::optional<WallTime> next_check_;     // of the credentials between refreshes
};

// One TokenJob per token file of `plan`, in plan order. Fails on the first
// file whose issuer cannot be built (start-up misconfiguration).
// `endpoints` (ReadIssuerEndpoints) redirect the built-in Genesys/CXone issuers.
Result<std::vector<std::unique_ptr<TokenJob>>> MakeTokenJobs(const InjectionPlan& plan,
                                                             const JobEnvironment& env,
                                                             const IssuerEndpoints& endpoints = {});

}  // namespace memsecret::injector::oauth
