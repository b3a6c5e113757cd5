// ClientCredentials: the OAuth client credentials read from a secret store
// (docs/annotations.md). The secret's value is a JSON object; each field may be spelled
// camelCase or snake_case. Parsing never copies a secret field into an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "injector/base/secret_value.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

// How a generic issuer authenticates the client (RFC 6749 §2.3.1).
enum class ClientAuthMethod { kSecretBasic, kSecretPost };

struct ClientCredentials {
  std::string client_id;      // clientId / client_id
  SecretValue client_secret;  // clientSecret / client_secret
  std::string region;         // region / domain (Genesys region id or host; CXone area)
  std::string access_key_id;  // accessKeyId / access_key_id / apiKey / api_key (CXone)
  SecretValue
      access_key_secret;  // accessKeySecret / access_key_secret / apiSecret / api_secret (CXone)
  std::string token_url;  // tokenUrl / token_url
  std::string scope;      // scope
  std::string audience;   // audience
  // authMethod / auth_method / tokenEndpointAuthMethod /
  // token_endpoint_auth_method: "client_secret_basic" (default) or
  // "client_secret_post"; unset means "use the issuer's default".
  std::optional<ClientAuthMethod> auth_method;

  bool has_client_secret() const { return !client_id.empty() && !client_secret.empty(); }
  bool has_access_key() const { return !access_key_id.empty() && !access_key_secret.empty(); }
};

// Parses the secret's value. Errors (kInvalidArgument) name the offending
// field and never include a value:
//   "credentials are not a JSON object"
//   "credential field \"clientId\" must be a string"
//   "credential field \"authMethod\" must be client_secret_basic or client_secret_post"
// Unknown fields are ignored (stores often hold more than the credentials).
// Whether the fields an issuer needs are present is the issuer's check.
Result<ClientCredentials> ParseClientCredentials(const SecretValue& secret_json);

// True if `a` and `b` would authenticate identically (used to tell whether a
// re-read after invalid_client actually found different credentials).
bool SameCredentials(const ClientCredentials& a, const ClientCredentials& b);

}  // namespace memsecret::injector::oauth
