#include "injector/oauth/genesys_client_api.h"

#include <nlohmann/json.hpp>

#include "injector/base/percent_encoding.h"
#include "injector/base/remote_text.h"
#include "injector/base/retry_after.h"
#include "memsecret/issuer.h"

namespace memsecret::injector::oauth {
namespace {

using nlohmann::json;

// The fields a rotation copies from the old client into the new one.
constexpr const char* kCopiedFields[] = {
    "authorizedGrantType",        "roleIds",    "roleDivisions", "scope",
    "accessTokenValiditySeconds", "description"};

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

OAuthClientInfo InfoOf(const json& j) {
  OAuthClientInfo info{Str(j, "id"), Str(j, "name"), Str(j, "state"), "{}"};
  json settings = json::object();
  for (const char* key : kCopiedFields)
    if (auto it = j.find(key); it != j.end() && !it->is_null()) settings[key] = *it;
  info.settings = settings.dump();
  return info;
}

Status ErrorOf(const std::string& what, const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  std::string message = j.is_object() ? CleanRemoteText(Str(j, "message")) : "";
  std::string text =
      what + ": HTTP " + std::to_string(r.status) + (message.empty() ? "" : " (" + message + ")");
  if (r.status == 401) return Unauthenticated(text);
  if (r.status == 403)
    return PermissionDenied(text + "; the admin client needs the oauth:client:* permissions");
  if (r.status == 404) return NotFound(text);
  if (r.status == 429) return ResourceExhausted(text);
  if (r.status >= 500) return Unavailable(text);
  return InvalidArgument(text);
}

}  // namespace

GenesysClientApi::GenesysClientApi(std::string api_url, SecretValue admin_token, HttpClient* http,
                                   Sleep sleep)
    : api_url_(std::move(api_url)),
      admin_token_(std::move(admin_token)),
      http_(http),
      sleep_(std::move(sleep)) {}

Result<HttpResponse> GenesysClientApi::Send(const std::string& method, const std::string& target,
                                            std::string body) {
  for (int attempt = 0;; ++attempt) {
    HttpRequest req;
    req.method = method;
    req.url = api_url_ + target;
    req.headers = {{"Authorization", "Bearer " + std::string(admin_token_.Reveal())},
                   {"Accept", "application/json"}};
    if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    req.body = body;
    Result<HttpResponse> resp = http_->Send(req);
    SecureWipe(req.headers[0].second);
    if (!resp.ok() || resp->status != 429 || attempt >= kMaxThrottleRetries) return resp;
    std::chrono::seconds wait = ParseRetryAfter(*resp, std::chrono::system_clock::now())
                                    .value_or(std::chrono::seconds(1 << attempt));
    sleep_(std::min<std::chrono::milliseconds>(wait, std::chrono::seconds(60)));
  }
}

Result<std::optional<OAuthClientInfo>> GenesysClientApi::Get(const std::string& client_id) {
  const std::string what = "GET /api/v2/oauth/clients/" + client_id;
  auto resp = Send("GET", "/api/v2/oauth/clients/" + UriEncode(client_id, true), "");
  if (!resp.ok()) return resp.status().WithContext(what);
  if (resp->status == 404) return std::optional<OAuthClientInfo>();
  if (resp->status != 200) return ErrorOf(what, *resp);
  json j = json::parse(resp->body, nullptr, false);
  if (!j.is_object()) return Unavailable(what + ": answer is not a JSON object");
  return std::optional<OAuthClientInfo>(InfoOf(j));
}

Result<std::vector<OAuthClientInfo>> GenesysClientApi::List() {
  std::vector<OAuthClientInfo> out;
  for (int page = 1;; ++page) {
    const std::string target =
        "/api/v2/oauth/clients?pageSize=100&pageNumber=" + std::to_string(page);
    auto resp = Send("GET", target, "");
    if (!resp.ok()) return resp.status().WithContext("GET /api/v2/oauth/clients");
    if (resp->status != 200) return ErrorOf("GET /api/v2/oauth/clients", *resp);
    json j = json::parse(resp->body, nullptr, false);
    auto entities = j.is_object() ? j.find("entities") : j.end();
    if (!j.is_object() || entities == j.end() || !entities->is_array())
      return Unavailable("GET /api/v2/oauth/clients: answer has no entities");
    for (const json& e : *entities)
      if (e.is_object()) out.push_back(InfoOf(e));
    auto count = j.find("pageCount");
    if (count == j.end() || !count->is_number_integer() || page >= count->get<int>() ||
        entities->empty())
      return out;
  }
}

Result<CreatedClient> GenesysClientApi::Create(const OAuthClientInfo& from,
                                               const std::string& name) {
  const std::string what = "POST /api/v2/oauth/clients";
  json body = json::parse(from.settings, nullptr, false);
  if (!body.is_object()) return Internal(what + ": settings are not a JSON object");
  body["name"] = name;
  auto resp = Send("POST", "/api/v2/oauth/clients", body.dump());
  if (!resp.ok()) return resp.status().WithContext(what);
  if (resp->status != 200 && resp->status != 201) return ErrorOf(what, *resp);
  json j = json::parse(resp->body, nullptr, false);
  SecureWipe(resp->body);
  if (!j.is_object()) return Unavailable(what + ": answer is not a JSON object");
  CreatedClient created{InfoOf(j), SecretValue(Str(j, "secret"))};
  if (auto it = j.find("secret"); it != j.end() && it->is_string())
    SecureWipe(it->get_ref<std::string&>());
  if (created.info.id.empty() || created.secret.empty())
    return Unavailable(what + ": answer has no id or no secret");
  return created;
}

Status GenesysClientApi::Delete(const std::string& client_id) {
  const std::string what = "DELETE /api/v2/oauth/clients/" + client_id;
  auto resp = Send("DELETE", "/api/v2/oauth/clients/" + UriEncode(client_id, true), "");
  if (!resp.ok()) return resp.status().WithContext(what);
  if (resp->status == 404 || resp->status == 200 || resp->status == 204) return Status::Ok();
  return ErrorOf(what, *resp);
}

Result<std::string> GenesysApiUrl(const std::string& region, const std::string& override_url) {
  if (!override_url.empty()) return override_url;
  std::optional<std::string> host = GenesysHost(region);
  if (!host) return InvalidArgument("genesys: unknown region or host \"" + region + "\"");
  return "https://api." + *host;
}

}  // namespace memsecret::injector::oauth
