// Token issuers a plan may name (docs/annotations.md `issuer-<name>`), parsed once and
// shared by the webhook (admission checks) and the injector (where to POST).
//   genesys            region host taken from the credential's region/domain field
//   genesys:<host>     a Genesys Cloud host or region id: mypurecloud.ie, eu_west_1
//   cxone              NICE CXone; area/endpoint chosen from the credential fields
//   cxone:<area>       NICE CXone area such as na1, eu1, au1
//   https://...        a generic RFC 6749 token endpoint (allowlisted by the webhook)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret {

enum class IssuerKind { kGenesys, kCxone, kGeneric };

struct IssuerRef {
  IssuerKind kind = IssuerKind::kGeneric;
  std::string
      host;  // genesys: "mypurecloud.ie" (empty = from credentials); cxone: area (may be empty)
  std::string url;  // generic: the token URL

  // The canonical text ParseIssuer reads back: "genesys", "genesys:<host>",
  // "cxone", "cxone:<area>" or the URL (a region id is written as its host).
  std::string ToString() const;
  bool operator==(const IssuerRef&) const = default;
};

// Parses an issuer value, once: the plan carries the IssuerRef (TokenSpec),
// and the webhook's allowlist check and the injector's issuer factory read its
// fields. Generic URLs must be https:// (http:// only to a loopback host);
// this does not check any allowlist.
Result<IssuerRef> ParseIssuer(std::string_view text);

// Maps a Genesys Cloud region id ("eu_west_1", also "eu-west-1") or host name
// ("mypurecloud.ie", "login.mypurecloud.ie", "api.mypurecloud.ie",
// "https://login.mypurecloud.ie") to its base host; nullopt when unknown.
std::optional<std::string> GenesysHost(std::string_view region_or_host);

}  // namespace memsecret
