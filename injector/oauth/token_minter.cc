#include "injector/oauth/token_minter.h"

#include "injector/providers/aws/aws_spec.h"

namespace memsecret::injector::oauth {

Result<TokenMinter::Loaded> TokenMinter::Load(const FetchOptions& options,
                                              std::optional<std::chrono::seconds>* retry_after) {
  SecretRef whole = config_.ref;
  whole.field.reset();  // the credentials are the whole JSON object
  FetchResult fetched = store_->Fetch(whole, options);
  if (!fetched.ok()) {
    *retry_after = fetched.retry_after;
    return fetched.status;
  }
  Result<ClientCredentials> parsed = ParseClientCredentials(fetched.secret->value);
  if (!parsed.ok()) {
    const std::string where = whole.ToString() + (options.stage ? " (" + *options.stage + ")" : "");
    return parsed.status().WithContext("credentials at " + where);
  }
  return Loaded{std::move(parsed).value(), fetched.secret->version, fetched.secret->created};
}

Result<bool> TokenMinter::ReloadIfChanged(WallTime now) {
  std::optional<std::chrono::seconds> retry_after;
  Result<Loaded> loaded = Load({}, &retry_after);
  if (!loaded.ok()) return loaded.status();
  loaded_at_ = now;
  const bool changed = !cached_ || loaded->version != cached_->version ||
                       !SameCredentials(loaded->credentials, cached_->credentials);
  if (changed) cached_ = std::move(loaded).value();
  return changed;
}

MintReport TokenMinter::Mint(WallTime now) {
  MintReport report;
  std::optional<std::chrono::seconds> retry_after;

  const bool stale =
      !cached_ || !loaded_at_ ||
      (config_.credential_max_age.count() > 0 && now - *loaded_at_ >= config_.credential_max_age);
  if (stale) {
    Result<Loaded> loaded = Load({}, &retry_after);
    if (!loaded.ok()) {
      // A store hiccup must not stop refreshes while we still hold credentials.
      if (!cached_ || !loaded.status().retryable()) {
        report.result = MintResult::Failure(loaded.status(), retry_after);
        return report;
      }
    } else {
      cached_ = std::move(loaded).value();
      loaded_at_ = now;
    }
  }
  report.credential_version = cached_->version;
  report.credential_created = cached_->created;
  report.result = TryMint(cached_->credentials, now);
  if (report.result.status.code() != Code::kUnauthenticated) return report;

  // Rejected: re-read the current credentials at once (rotation).
  report.credentials_reread = true;
  Result<Loaded> current = Load({}, &retry_after);
  if (current.ok()) {
    loaded_at_ = now;
    if (!SameCredentials(current->credentials, cached_->credentials)) {
      MintResult again = TryMint(current->credentials, now);
      cached_ = std::move(current).value();
      report.credential_version = cached_->version;
      report.credential_created = cached_->created;
      report.result = std::move(again);
      if (report.result.status.code() != Code::kUnauthenticated) return report;
    }
  }

  // Still rejected: a rotation may be in progress; try the pending version.
  if (config_.ref.provider != kAwsBackend || config_.ref.Query("version")) return report;
  report.used_pending = true;
  FetchOptions pending_options;
  pending_options.stage = kPendingStage;
  Result<Loaded> pending = Load(pending_options, &retry_after);
  if (!pending.ok() || SameCredentials(pending->credentials, cached_->credentials)) return report;
  MintResult pending_result = TryMint(pending->credentials, now);
  if (pending_result.ok()) {
    cached_ = std::move(pending).value();
    loaded_at_ = now;
    report.credential_version = cached_->version;
    report.credential_created = cached_->created;
    report.result = std::move(pending_result);
  }
  return report;
}

}  // namespace memsecret::injector::oauth
