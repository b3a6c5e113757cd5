// IssuerEndpoints: where the built-in Genesys Cloud and NICE CXone issuers send
// their token requests, when the injector's own environment says otherwise
// (tests against loopback servers, egress proxies). Read only from the
// injector's process environment, never from a plan or a pod annotation:
//   MEMSECRET_GENESYS_LOGIN_URL  replaces https://login.<region host>;
//                                requests go to <url>/oauth/token
//   MEMSECRET_CXONE_AUTH_URL     replaces the CXone authentication base URL:
//                                <url>/authentication/v1/token/access-key and
//                                <url>/auth/token (password grant)
//   MEMSECRET_GENESYS_API_URL    replaces https://api.<region host> (the
//                                Platform API `memsecret rotate` manages
//                                OAuth clients with)
// Both must be https:// (plain http only to a loopback host), without query or
// fragment. Pure value type; thread-compatible.
#pragma once

#include <string>

#include "injector/base/environment.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

struct IssuerEndpoints {
  std::string genesys_login_url;  // empty: https://login.<region host>; no trailing '/'
  std::string cxone_auth_url;     // empty: the built-in CXone hosts; no trailing '/'
  std::string genesys_api_url;    // empty: https://api.<region host>; no trailing '/'
};

// Reads and validates the variables; kInvalidArgument naming the variable
// when one is set but not an allowed base URL. Unset or empty = built in.
Result<IssuerEndpoints> ReadIssuerEndpoints(const Environment& env);

}  // namespace memsecret::injector::oauth
