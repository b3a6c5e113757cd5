// MakeTokenIssuer: the plan's issuer (TokenSpec::issuer, parsed once by
// memsecret::ParseIssuer where the plan was read) -> a TokenIssuer:
//   genesys[:<host>]   -> GenesysCloudIssuer
//   cxone[:<area>]     -> NiceCxoneIssuer
//   a token URL        -> ClientCredentialsIssuer
// Fails (kInvalidArgument) only when the issuer cannot be built from its
// fields, e.g. a URL the HTTP client cannot use.
#pragma once

#include <memory>

#include "injector/base/http_client.h"
#include "injector/oauth/issuer_endpoints.h"
#include "injector/oauth/token_issuer.h"
#include "memsecret/issuer.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

// `http` must outlive the issuer. `endpoints` (from the injector's own
// environment) redirect the built-in Genesys and CXone issuers.
Result<std::unique_ptr<TokenIssuer>> MakeTokenIssuer(const IssuerRef& issuer, HttpClient* http,
                                                     const IssuerEndpoints& endpoints = {});

}  // namespace memsecret::injector::oauth
