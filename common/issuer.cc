#include "memsecret/issuer.h"

#include <algorithm>
#include <cctype>

#include "memsecret/ascii.h"
#include "memsecret/url.h"

namespace memsecret {

namespace {

struct GenesysRegion {
  const char* id;
  const char* host;
};

// purecloud-platform-client-v2 PureCloudRegionHosts (v223).
constexpr GenesysRegion kGenesysRegions[] = {
    {"us_east_1", "mypurecloud.com"},         {"eu_west_1", "mypurecloud.ie"},
    {"ap_southeast_2", "mypurecloud.com.au"}, {"ap_northeast_1", "mypurecloud.jp"},
    {"eu_central_1", "mypurecloud.de"},       {"us_west_2", "usw2.pure.cloud"},
    {"ca_central_1", "cac1.pure.cloud"},      {"ap_northeast_2", "apne2.pure.cloud"},
    {"eu_west_2", "euw2.pure.cloud"},         {"ap_south_1", "aps1.pure.cloud"},
    {"us_east_2", "use2.us-gov-pure.cloud"},  {"sa_east_1", "sae1.pure.cloud"},
    {"me_central_1", "mec1.pure.cloud"},      {"ap_northeast_3", "apne3.pure.cloud"},
    {"eu_central_2", "euc2.pure.cloud"},
};

}  // namespace

std::optional<std::string> GenesysHost(std::string_view region_or_host) {
  std::string v = AsciiLowercase(region_or_host);
  std::replace(v.begin(), v.end(), '-', '_');
  for (const auto& r : kGenesysRegions)
    if (v == r.id) return std::string(r.host);
  v = AsciiLowercase(region_or_host);
  // The URL form users copy from the Genesys admin UI: https://login.<host>[/].
  if (v.rfind("https://", 0) == 0) {
    v = v.substr(8);
    if (!v.empty() && v.back() == '/') v.pop_back();
  }
  for (const char* prefix : {"login.", "api."})
    if (v.rfind(prefix, 0) == 0) v = v.substr(std::string_view(prefix).size());
  for (const auto& r : kGenesysRegions)
    if (v == r.host) return std::string(r.host);
  return std::nullopt;
}

std::string IssuerRef::ToString() const {
  switch (kind) {
    case IssuerKind::kGenesys:
      return host.empty() ? "genesys" : "genesys:" + host;
    case IssuerKind::kCxone:
      return host.empty() ? "cxone" : "cxone:" + host;
    case IssuerKind::kGeneric:
      return url;
  }
  return url;
}

Result<IssuerRef> ParseIssuer(std::string_view text) {
  IssuerRef ref;
  if (text == "genesys") {
    ref.kind = IssuerKind::kGenesys;
    return ref;
  }
  if (text.rfind("genesys:", 0) == 0) {
    auto host = GenesysHost(text.substr(8));
    if (!host)
      return InvalidArgument("issuer \"" + std::string(text) +
                             "\": unknown Genesys Cloud region or host");
    ref.kind = IssuerKind::kGenesys;
    ref.host = *host;
    return ref;
  }
  if (text == "cxone") {
    ref.kind = IssuerKind::kCxone;
    return ref;
  }
  if (text.rfind("cxone:", 0) == 0) {
    std::string_view area = text.substr(6);
    bool ok =
        !area.empty() && area.size() <= 16 && std::all_of(area.begin(), area.end(), [](char c) {
          return std::islower(static_cast<unsigned char>(c)) ||
                 std::isdigit(static_cast<unsigned char>(c));
        });
    if (!ok)
      return InvalidArgument("issuer \"" + std::string(text) +
                             "\": CXone area must be lowercase letters/digits, e.g. na1");
    ref.kind = IssuerKind::kCxone;
    ref.host = std::string(area);
    return ref;
  }
  if (text.rfind("https://", 0) == 0 || text.rfind("http://", 0) == 0) {
    for (char c : text)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
        return InvalidArgument("issuer URL contains whitespace or a control character");
    if (text.find('#') != std::string_view::npos)
      return InvalidArgument("issuer URL must not contain a fragment");
    Result<Url> url = ParseOutboundUrl(text, "issuer token URL");
    if (!url.ok()) return url.status();
    ref.kind = IssuerKind::kGeneric;
    ref.url = std::string(text);
    return ref;
  }
  return InvalidArgument("issuer \"" + std::string(text) +
                         "\": expected genesys, genesys:<host>, cxone or an https:// token URL");
}

}  // namespace memsecret
