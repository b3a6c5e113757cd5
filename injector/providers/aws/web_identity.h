// Web identity credentials (IRSA): exchanges the projected service-account
// token for temporary credentials with STS AssumeRoleWithWebIdentity (query
// protocol, unsigned, XML response; docs/backends.md §3.2). The token file is re-read
// on every exchange because the kubelet rotates it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "injector/base/http_client.h"
#include "injector/providers/aws/credentials.h"
#include "memsecret/clock.h"

namespace memsecret::injector::aws {

struct WebIdentityConfig {
  std::string role_arn;
  std::string token_file;
  std::string session_name;                   // empty: "memsecret-<unix seconds>"
  std::string sts_endpoint;                   // e.g. https://sts.eu-west-1.amazonaws.com
  std::chrono::milliseconds timeout{10'000};  // per exchange (shorter with failover regions)
};

// `http` and `clock` must outlive the source.
std::unique_ptr<CredentialSource> MakeWebIdentitySource(WebIdentityConfig config, HttpClient& http,
                                                        const Clock& clock);

// Maps an STS error code to a Status (exposed for tests): Throttling (and 429)
// is kResourceExhausted, as a store's throttling; IDPCommunicationError and
// 5xx are kUnavailable; both retryable. InvalidIdentityToken/
// ExpiredTokenException are kUnauthenticated; IDPRejectedClaim/AccessDenied
// kPermissionDenied.
Status MapStsError(int http_status, const std::string& code, const std::string& message);

}  // namespace memsecret::injector::aws
