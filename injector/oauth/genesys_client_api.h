// GenesysClientApi: the part of the Genesys Cloud Platform API that manages
// OAuth clients, for `memsecret rotate` (docs/rotation.md):
//   GET    /api/v2/oauth/clients              (oauth:client:view)
//   GET    /api/v2/oauth/clients/{clientId}   (oauth:client:view)
//   POST   /api/v2/oauth/clients              (oauth:client:add; the answer
//                                              carries the new `secret`, once)
//   DELETE /api/v2/oauth/clients/{clientId}   (oauth:client:delete)
// on https://api.<region host> (or MEMSECRET_GENESYS_API_URL), with a bearer
// token minted from an admin client. A 429 is retried after its Retry-After
// (at most kMaxThrottleRetries times, each wait at most 60 s); other failures
// are returned. No logging; errors carry the HTTP status and Genesys'
// `message`, never a body, token or secret. Not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "memsecret/status.h"

namespace memsecret::injector::oauth {

// What the API says about one client (never its secret). `settings` is the
// compact JSON object of the fields a rotation copies into the new client:
// authorizedGrantType, roleIds, roleDivisions, scope,
// accessTokenValiditySeconds, description (those present).
struct OAuthClientInfo {
  std::string id;
  std::string name;
  std::string state;  // active, disabled, inactive ("" when not said)
  std::string settings;
};

struct CreatedClient {
  OAuthClientInfo info;
  SecretValue secret;  // returned once, on create
};

// The operations a rotation needs on an issuer's clients (a fake in tests).
class OAuthClientDirectory {
 public:
  virtual ~OAuthClientDirectory() = default;
  virtual Result<std::optional<OAuthClientInfo>> Get(const std::string& client_id) = 0;
  virtual Result<std::vector<OAuthClientInfo>> List() = 0;
  virtual Result<CreatedClient> Create(const OAuthClientInfo& from, const std::string& name) = 0;
  virtual Status Delete(const std::string& client_id) = 0;
};

class GenesysClientApi final : public OAuthClientDirectory {
 public:
  static constexpr int kMaxThrottleRetries = 5;
  using Sleep = std::function<void(std::chrono::milliseconds)>;

  // `api_url`: "https://api.mypurecloud.ie" (no trailing '/'); `http` must
  // outlive the client; `sleep` waits out a 429 (tests pass a recorder).
  GenesysClientApi(std::string api_url, SecretValue admin_token, HttpClient* http, Sleep sleep);

  // nullopt when the client does not exist (404).
  Result<std::optional<OAuthClientInfo>> Get(const std::string& client_id) override;
  // Every client of the organisation (follows pageNumber/pageCount).
  Result<std::vector<OAuthClientInfo>> List() override;
  // Creates a client named `name` with `from.settings`.
  Result<CreatedClient> Create(const OAuthClientInfo& from, const std::string& name) override;
  // Deletes the client; a client that is already gone (404) is success.
  Status Delete(const std::string& client_id) override;

 private:
  Result<HttpResponse> Send(const std::string& method, const std::string& target, std::string body);

  std::string api_url_;
  SecretValue admin_token_;
  HttpClient* http_;
  Sleep sleep_;
};

// https://api.<host> for a Genesys region id or host ("eu-west-1",
// "mypurecloud.ie", "login.mypurecloud.ie", ...), or `override_url` when not
// empty. kInvalidArgument for an unknown region.
Result<std::string> GenesysApiUrl(const std::string& region, const std::string& override_url);

}  // namespace memsecret::injector::oauth
