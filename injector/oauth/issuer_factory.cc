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

Result<std::unique_ptr<TokenIssuer>> MakeTokenIssuer(std::string_view issuer, HttpClient* http) {
  if (issuer == "genesys") return Upcast(GenesysCloudIssuer::Create("", http));
  if (issuer.starts_with("genesys:"))
    return Upcast(GenesysCloudIssuer::Create(issuer.substr(8), http));
  if (issuer == "cxone") return Upcast(NiceCxoneIssuer::Create("", http));
  if (issuer.starts_with("cxone:")) return Upcast(NiceCxoneIssuer::Create(issuer.substr(6), http));
  if (issuer.starts_with("https://") || issuer.starts_with("http://")) {
    return Upcast(ClientCredentialsIssuer::Create(std::string(issuer), http));
  }
  return InvalidArgument(
      "unknown token issuer \"" + std::string(issuer) +
      "\" (expected genesys, genesys:<host>, cxone, cxone:<area|host> or an https:// token URL)");
}

}  // namespace memsecret::injector::oauth
