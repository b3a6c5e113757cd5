#include "injector/oauth/issuer_factory.h"

#include <string>

#include "injector/oauth/client_credentials.h"
#include "injector/oauth/genesys_cloud.h"
#include "injector/oauth/nice_cxone.h"

namespace memsecret::injector::oauth {
namespace {

template <typename T>
Result<std::unique_ptr<TokenIssuer>> Upcast(Result<std::unique_ptr<T>> r) {
  if (!r.ok()) return r.status();
  return std::unique_ptr<TokenIssuer>(std::move(r).value());
}

}  // namespace

Result<std::unique_ptr<TokenIssuer>> MakeTokenIssuer(const IssuerRef& issuer, HttpClient* http,
                                                     const IssuerEndpoints& endpoints) {
  switch (issuer.kind) {
    case IssuerKind::kGenesys:
      return Upcast(GenesysCloudIssuer::Create(issuer.host, http, endpoints.genesys_login_url));
    case IssuerKind::kCxone:
      return Upcast(NiceCxoneIssuer::Create(issuer.host, http, endpoints.cxone_auth_url));
    case IssuerKind::kGeneric:
      return Upcast(ClientCredentialsIssuer::Create(issuer.url, http));
  }
  return Internal("unhandled issuer kind");
}

}  // namespace memsecret::injector::oauth
