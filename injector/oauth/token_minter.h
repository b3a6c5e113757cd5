// TokenMinter: mints access tokens for one token file from client credentials
// kept in a secret store, and rides through credential rotation (docs/injector.md):
//  1. credentials are read from the store on first use and re-read when older
//     than `credential_max_age` (so a rotated secret is picked up);
//  2. when the issuer rejects them (kUnauthenticated: invalid_client, 401,
//     invalid_grant) the credentials are re-read at once and, if different,
//     tried again;
//  3. if they are still rejected and the ref is an AWS ref without a pinned
//     version, the AWSPENDING stage is read and tried: during a rotation's
//     grace window the new secret may already be live at the issuer while
//     AWSCURRENT still holds the old one. (For Vault refs, step 2 already
//     reads the newest version unless the ref pins ?version=.)
// Credentials that worked are kept until the next re-read. No logging here:
// the result says what happened; the caller logs and audits it.
// Not thread-safe; used from the injector's single scheduler thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "injector/oauth/credentials.h"
#include "injector/oauth/token_issuer.h"
#include "injector/providers/secret_provider.h"
#include "memsecret/secret_ref.h"

namespace memsecret::injector::oauth {

// What a mint attempt did, for logs and audit lines (no secret material).
struct MintReport {
  MintResult result;
  std::string credential_version;              // store version of the credentials used last
  std::optional<WallTime> credential_created;  // when that version was created; nullopt: unknown
  bool credentials_reread = false;             // re-read after a rejection
  bool used_pending = false;                   // the AWSPENDING stage was tried
};

class TokenMinter {
 public:
  static constexpr const char* kPendingStage = "AWSPENDING";

  struct Config {
    SecretRef ref;         // where the credentials live (whole JSON; #field ignored)
    TokenOptions options;  // scope / audience from the plan
    std::chrono::seconds credential_max_age{300};  // plan.refresh_interval; 0 = only on rejection
  };

  // `issuer` and `store` must outlive the minter.
  TokenMinter(Config config, TokenIssuer* issuer, SecretProvider* store)
      : config_(std::move(config)), issuer_(issuer), store_(store) {}

  // One attempt (with the rotation steps above). Store failures are returned
  // with the store's status and Retry-After; credential parse errors are
  // kInvalidArgument naming the ref.
  MintReport Mint(WallTime now);

  const std::string& describe_issuer() const { return issuer_description_; }

  // Reads the credentials now and keeps them when the store holds another
  // version (or other credentials) than the ones last used: true then, so
  // the caller mints with them at once instead of at the token's refresh
  // time. Store failures are returned; the cached credentials stay.
  Result<bool> ReloadIfChanged(WallTime now);

  std::chrono::seconds credential_max_age() const { return config_.credential_max_age; }

  // The id (not secret) of the credentials used last: clientId, else the
  // CXone accessKeyId; "" before the first read.
  std::string client_id() const {
    if (!cached_) return "";
    return cached_->credentials.client_id.empty() ? cached_->credentials.access_key_id
                                                  : cached_->credentials.client_id;
  }

 private:
  struct Loaded {
    ClientCredentials credentials;
    std::string version;
    std::optional<WallTime> created;
  };
  // Reads and parses the credentials (optionally a stage).
  Result<Loaded> Load(const FetchOptions& options,
                      std::optional<std::chrono::seconds>* retry_after);
  MintResult TryMint(const ClientCredentials& c, WallTime now) {
    return issuer_->Mint(c, config_.options, now);
  }

  Config config_;
  TokenIssuer* issuer_;
  SecretProvider* store_;
  std::string issuer_description_ = issuer_ ? issuer_->Describe() : "";
  std::optional<Loaded> cached_;  // credentials last read (or last that worked)
  std::optional<WallTime> loaded_at_;
};

}  // namespace memsecret::injector::oauth
