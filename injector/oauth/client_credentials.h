// ClientCredentialsIssuer: a generic RFC 6749 §4.4 client-credentials token
// endpoint named by an https:// URL (http:// only to loopback). Client
// authentication is client_secret_basic with the §2.3.1 form-urlencoding by
// default, client_secret_post when the credentials' `authMethod` says so.
// `scope` and `audience` come from the plan, else from the credentials.
#pragma once

#include <memory>
#include <string>

#include "injector/base/http_client.h"
#include "injector/oauth/token_issuer.h"

namespace memsecret::injector::oauth {

class ClientCredentialsIssuer final : public TokenIssuer {
 public:
  // `token_url` is the plan's issuer value (already allowlisted by the
  // webhook); Create re-checks its scheme. `http` must outlive the issuer.
  static Result<std::unique_ptr<ClientCredentialsIssuer>> Create(std::string token_url,
                                                                 HttpClient* http);

  std::string Describe() const override { return "oauth(" + token_url_ + ")"; }
  // Needs clientId and clientSecret. The credentials' own tokenUrl is ignored:
  // only the plan's URL passed the webhook's allowlist.
  MintResult Mint(const ClientCredentials& credentials, const TokenOptions& options,
                  WallTime now) override;

 private:
  ClientCredentialsIssuer(std::string token_url, HttpClient* http)
      : token_url_(std::move(token_url)), http_(http) {}

  std::string token_url_;
  HttpClient* http_;
};

}  // namespace memsecret::injector::oauth
