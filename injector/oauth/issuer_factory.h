// MakeTokenIssuer: the plan's issuer value (TokenSpec::issuer) -> a
// TokenIssuer, parsed with the webhook's own memsecret::ParseIssuer so both
// sides agree on the grammar:
//   "genesys", "genesys:<host or region id>"   -> GenesysCloudIssuer
//   "cxone", "cxone:<area or host>"            -> NiceCxoneIssuer
//   "https://..." (or "http://" to loopback)   -> ClientCredentialsIssuer
// Anything else is kInvalidArgument naming the value. Start-up misconfiguration:
// the injector should refuse to run on such a plan.
#pragma once

#include <memory>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/oauth/issuer_endpoints.h"
#include "injector/oauth/token_issuer.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

// `http` must outlive the issuer. `endpoints` (from the injector's own
// environment) redirect the built-in Genesys and CXone issuers.
Result<std::unique_ptr<TokenIssuer>> MakeTokenIssuer(std::string_view issuer, HttpClient* http,
                                                     const IssuerEndpoints& endpoints = {});

}  // namespace memsecret::injector::oauth
