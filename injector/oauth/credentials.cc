#include "injector/oauth/credentials.h"

#include <initializer_list>
#include <nlohmann/json.hpp>

namespace memsecret::injector::oauth {
namespace {

using nlohmann::json;

// Reads the first present spelling of a string field into *out. A present
// field of another type is an error naming the spelling found.
Status ReadString(const json& obj, std::initializer_list<const char*> names, std::string* out) {
  for (const char* name : names) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) continue;
    if (!it->is_string()) {
      return InvalidArgument(std::string("credential field \"") + name + "\" must be a string");
    }
    *out = it->get<std::string>();
    return Status::Ok();
  }
  return Status::Ok();
}

Status ReadSecret(const json& obj, std::initializer_list<const char*> names, SecretValue* out) {
  std::string value;
  Status s = ReadString(obj, names, &value);
  if (s.ok()) *out = SecretValue(std::move(value));
  SecureWipe(value);
  return s;
}

}  // namespace

Result<ClientCredentials> ParseClientCredentials(const SecretValue& secret_json) {
  // Parse without exceptions: a parse error message could quote the input.
  json obj = json::parse(secret_json.Reveal(), nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded() || !obj.is_object())
    return InvalidArgument("credentials are not a JSON object");

  ClientCredentials c;
  std::string auth_method;
  for (Status s : {
           ReadString(obj, {"clientId", "client_id"}, &c.client_id),
           ReadSecret(obj, {"clientSecret", "client_secret"}, &c.client_secret),
           ReadString(obj, {"region", "domain"}, &c.region),
           ReadString(obj, {"accessKeyId", "access_key_id", "apiKey", "api_key"}, &c.access_key_id),
           ReadSecret(obj, {"accessKeySecret", "access_key_secret", "apiSecret", "api_secret"},
                      &c.access_key_secret),
           ReadString(obj, {"tokenUrl", "token_url"}, &c.token_url),
           ReadString(obj, {"scope"}, &c.scope),
           ReadString(obj, {"audience"}, &c.audience),
           ReadString(obj,
                      {"authMethod", "auth_method", "tokenEndpointAuthMethod",
                       "token_endpoint_auth_method"},
                      &auth_method),
       }) {
    if (!s.ok()) return s;
  }
  if (auth_method == "client_secret_basic") {
    c.auth_method = ClientAuthMethod::kSecretBasic;
  } else if (auth_method == "client_secret_post") {
    c.auth_method = ClientAuthMethod::kSecretPost;
  } else if (!auth_method.empty()) {
    return InvalidArgument(
        "credential field \"authMethod\" must be client_secret_basic or client_secret_post");
  }
  // Best effort: wipe the parsed tree's copies of secret strings.
  for (const char* k : {"clientSecret", "client_secret", "accessKeySecret", "access_key_secret",
                        "apiSecret", "api_secret"}) {
    auto it = obj.find(k);
    if (it != obj.end() && it->is_string()) SecureWipe(it->get_ref<std::string&>());
  }
  return c;
}

bool SameCredentials(const ClientCredentials& a, const ClientCredentials& b) {
  return a.client_id == b.client_id && a.client_secret == b.client_secret &&
         a.access_key_id == b.access_key_id && a.access_key_secret == b.access_key_secret;
}

}  // namespace memsecret::injector::oauth
