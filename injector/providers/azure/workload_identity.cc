#include "injector/providers/azure/workload_identity.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "injector/base/json_fields.h"
#include "injector/base/percent_encoding.h"
#include "injector/base/read_file.h"
#include "injector/base/remote_text.h"
#include "injector/base/retry_after.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector::azure {

namespace {

using nlohmann::json;

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]");
  return text;
}

}  // namespace

WallTime TokenRefreshAt(WallTime issued, std::chrono::seconds expires_in) {
  const auto expiry = issued + expires_in;
  if (expires_in < std::chrono::minutes(10)) return issued + expires_in / 2;
  return expiry - std::chrono::minutes(5);
}

Status MapEntraError(int http_status, const std::string& error, const std::string& description) {
  std::string what = (error.empty() ? "HTTP " + std::to_string(http_status) : error) +
                     (description.empty() ? "" : ": " + description);
  if (http_status == 429) return ResourceExhausted(what);
  if (error == "temporarily_unavailable" || http_status >= 500) return Unavailable(what);
  if (error == "invalid_client" || error == "unauthorized_client" || error == "invalid_grant" ||
      http_status == 401)
    return Unauthenticated(what);
  if (http_status == 403) return PermissionDenied(what);
  return InvalidArgument(what);
}

WorkloadIdentityCredential::WorkloadIdentityCredential(AzureConfig config, HttpClient& http,
                                                       const Clock& clock)
    : config_(std::move(config)),
      http_(http),
      clock_(clock),
      cache_([this](const Expiring<SecretValue>*, bool*) { return Exchange(); }, clock,
             {std::chrono::seconds(30), KeepOnFailure::kRetryable, [](const Status& failure) {
                spdlog::warn("azure: {}; using the cached token until it nears expiry",
                             failure.message());
              }}) {}

Result<Expiring<SecretValue>> WorkloadIdentityCredential::Exchange() {
  const std::string context = "entra token for client " + config_.client_id;
  {
    std::lock_guard<std::mutex> lock(retry_mu_);
    last_retry_after_.reset();
  }
  auto assertion = ReadSecretFile(config_.token_file);
  if (!assertion.ok())
    return assertion.status().WithContext("federated token").WithContext(context);
  HttpRequest req;
  req.method = "POST";
  req.url = config_.TokenUrl();
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = "client_id=" + FormUrlEncode(config_.client_id) +
             "&scope=" + FormUrlEncode(config_.scope) +
             "&grant_type=client_credentials"
             "&client_assertion_type=" +
             FormUrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
             "&client_assertion=" + FormUrlEncode(assertion->Reveal());
  const WallTime sent = clock_.Now();
  auto resp = http_.Send(req);
  SecureWipe(req.body);
  if (!resp.ok()) return resp.status().WithContext(context);
  json j = json::parse(resp->body, nullptr, false);
  SecureWipe(resp->body);
  if (resp->status != 200) {
    std::string error, description;
    if (j.is_object()) {
      error = CleanRemoteText(JsonStringField(j, "error"), 64);
      std::string d = Redact(JsonStringField(j, "error_description"), assertion->Reveal());
      description = CleanRemoteText(d.substr(0, d.find_first_of("\r\n")), 300);
    }
    Status st = MapEntraError(resp->status, error, description);
    if (st.retryable()) {
      std::lock_guard<std::mutex> lock(retry_mu_);
      last_retry_after_ = ParseRetryAfter(*resp, sent);
    }
    return st.WithContext(context);
  }
  if (!j.is_object()) return Internal(context + ": token response is not a JSON object");
  auto token = j.find("access_token");
  auto expires_in = j.find("expires_in");
  if (token == j.end() || !token->is_string() || token->get_ref<std::string&>().empty())
    return Internal(context + ": token response has no access_token");
  int64_t lifetime = 0;
  // Entra sends ~3600; anything over a day is clamped (a huge number must not overflow).
  if (expires_in != j.end() && expires_in->is_number())
    lifetime = ClampRemoteSeconds(expires_in->get<double>(), std::chrono::hours(24)).count();
  if (expires_in != j.end() && expires_in->is_string()) {  // older endpoints send a string
    const std::string& s = expires_in->get_ref<const std::string&>();
    if (!s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos)
      lifetime = std::stoll(s);
  }
  if (lifetime <= 0) {
    SecureWipe(token->get_ref<std::string&>());
    return Internal(context + ": token response has no positive expires_in");
  }
  Expiring<SecretValue> out{SecretValue(std::move(token->get_ref<std::string&>())),
                            TokenRefreshAt(sent, std::chrono::seconds(lifetime)),
                            sent + std::chrono::seconds(lifetime)};
  SecureWipe(token->get_ref<std::string&>());
  spdlog::info("azure: obtained a Key Vault token for client {} (expires in {}s)",
               config_.client_id, lifetime);
  return out;
}

}  // namespace memsecret::injector::azure
