#include "injector/oauth/issuer_endpoints.h"

#include "memsecret/url.h"

namespace memsecret::injector::oauth {
namespace {

// One base URL: the one outbound rule (https except loopback), no query or
// fragment; a trailing '/' is dropped so paths can be appended.
Status ReadBase(const Environment& env, const char* name, std::string* out) {
  std::string value = env.GetOr(name);
  if (value.empty()) return Status::Ok();
  if (value.find_first_of("?#") != std::string::npos)
    return InvalidArgument(std::string(name) + ": a base URL must not have a query or fragment");
  for (char c : value)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return InvalidArgument(std::string(name) + ": contains whitespace or a control character");
  Result<Url> url = ParseOutboundUrl(value, name);
  if (!url.ok()) return url.status();
  while (!value.empty() && value.back() == '/') value.pop_back();
  *out = value;
  return Status::Ok();
}

}  // namespace

Result<IssuerEndpoints> ReadIssuerEndpoints(const Environment& env) {
  IssuerEndpoints e;
  if (Status s = ReadBase(env, "MEMSECRET_GENESYS_LOGIN_URL", &e.genesys_login_url); !s.ok())
    return s;
  if (Status s = ReadBase(env, "MEMSECRET_CXONE_AUTH_URL", &e.cxone_auth_url); !s.ok()) return s;
  if (Status s = ReadBase(env, "MEMSECRET_GENESYS_API_URL", &e.genesys_api_url); !s.ok()) return s;
  return e;
}

}  // namespace memsecret::injector::oauth
