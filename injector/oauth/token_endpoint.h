// TokenEndpoint: the one HTTP exchange all issuers share (POST a form or JSON
// body, optional client authentication header, parse the RFC 6749 response),
// plus the URL checks that keep credentials on allowed hosts. Request and
// response bodies are wiped after use and never logged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "injector/oauth/token_issuer.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

// A token URL a client secret may be sent to: https://, or http:// only to a
// loopback host (memsecret/url.h ParseUrl and IsLoopbackHost). Errors name the URL (URLs are
// references, not secrets).
Status CheckTokenUrl(std::string_view url);

struct TokenPost {
  std::string url;
  std::string content_type = "application/x-www-form-urlencoded";
  SecretValue body;
  std::optional<SecretValue> authorization;  // full header value, e.g. "Basic ..."
};

// Sends `post` and parses the answer with ParseTokenResponse. Transport
// failures keep the client's status code (kUnavailable/kDeadlineExceeded)
// with `issuer` as context.
MintResult PostForToken(HttpClient& http, const TokenPost& post, std::string_view issuer,
                        WallTime now);

}  // namespace memsecret::injector::oauth
