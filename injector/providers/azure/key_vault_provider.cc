#include "injector/providers/azure/key_vault_provider.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "injector/base/json_fields.h"
#include "injector/base/remote_text.h"
#include "injector/base/retry_after.h"
#include "injector/providers/azure/azure_spec.h"
#include "memsecret/rfc3339.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector::azure {

namespace {

using nlohmann::json;

// A Unix-seconds attribute (any JSON number) clamped to [0, 2200-01-01).
int64_t UnixSeconds(const json& v) {
  return ClampRemoteSeconds(v.get<double>(), std::chrono::seconds(kMaxUnixSeconds - 1)).count();
}

// Checks attributes{enabled, nbf, exp} (Unix seconds) against `now`.
Status CheckAttributes(const json& j, WallTime now) {
  auto attrs = j.find("attributes");
  if (attrs == j.end() || !attrs->is_object()) return Status::Ok();
  if (auto e = attrs->find("enabled"); e != attrs->end() && e->is_boolean() && !e->get<bool>())
    return FailedPrecondition("the secret is disabled");
  const int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (auto exp = attrs->find("exp");
      exp != attrs->end() && exp->is_number() && UnixSeconds(*exp) <= t)
    return FailedPrecondition("the secret expired at " +
                              FormatRfc3339(WallTime(std::chrono::seconds(UnixSeconds(*exp)))) +
                              " (set a new version or extend its expiry)");
  if (auto nbf = attrs->find("nbf");
      nbf != attrs->end() && nbf->is_number() && UnixSeconds(*nbf) > t)
    return FailedPrecondition("the secret is not valid before " +
                              FormatRfc3339(WallTime(std::chrono::seconds(UnixSeconds(*nbf)))));
  return Status::Ok();
}

}  // namespace

Status MapKeyVaultError(int http_status, const std::string& code, const std::string& inner_code,
                        const std::string& message) {
  std::string what = "HTTP " + std::to_string(http_status) + (code.empty() ? "" : " " + code) +
                     (inner_code.empty() ? "" : " (" + inner_code + ")") +
                     (message.empty() ? "" : ": " + message);
  if (http_status == 401) return Unauthenticated(what);
  if (http_status == 403) {
    if (inner_code == "SecretDisabled" || inner_code == "SecretExpired")
      return FailedPrecondition(what);
    return PermissionDenied(what + " (grant the workload identity 'get' on secrets)");
  }
  if (http_status == 404) return NotFound(what);
  if (http_status == 409) return FailedPrecondition(what);
  if (http_status == 429) return ResourceExhausted(what);
  if (http_status >= 500) return Unavailable(what);
  return InvalidArgument(what);
}

KeyVaultProvider::KeyVaultProvider(AzureConfig config, HttpClient& http, const Clock& clock)
    : config_(std::move(config)), http_(http), clock_(clock), credential_(config_, http, clock) {}

FetchResult KeyVaultProvider::Fetch(const SecretRef& ref, const FetchOptions& options) {
  const std::string context = "azure " + ref.path;
  if (options.stage)
    return FetchResult::Failure(InvalidArgument(context + ": Key Vault secrets have no stages"));
  auto slash = ref.path.find('/');
  if (ref.provider != kAzureBackend || slash == std::string::npos)
    return FetchResult::Failure(InvalidArgument(context + ": expected <vault-name>/<secret-name>"));
  std::string url =
      config_.VaultUrl(ref.path.substr(0, slash)) + "/secrets/" + ref.path.substr(slash + 1);
  std::optional<std::string> version = options.version ? options.version : ref.Query("version");
  if (version) {
    if (version->empty() ||
        version->find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      return FetchResult::Failure(InvalidArgument(context + ": version must be a hex version id"));
    url += "/" + *version;
  }
  url += "?api-version=" + std::string(kKeyVaultApiVersion);
  bool unauthorized = false;
  FetchResult r = FetchOnce(url, &unauthorized);
  if (unauthorized) {
    spdlog::info("{}: Key Vault rejected the access token; exchanging a new one", context);
    credential_.Invalidate();
    r = FetchOnce(url, &unauthorized);
  }
  if (!r.ok()) r.status = r.status.WithContext(context);
  return r;
}

FetchResult KeyVaultProvider::FetchOnce(const std::string& url, bool* unauthorized) {
  *unauthorized = false;
  auto token = credential_.Token();
  if (!token.ok()) return FetchResult::Failure(token.status(), credential_.last_retry_after());
  HttpRequest req;
  req.url = url;
  req.headers = {{"Authorization", "Bearer " + std::string(token->Reveal())},
                 {"Accept", "application/json"}};
  auto resp = http_.Send(req);
  for (auto& h : req.headers) SecureWipe(h.second);
  if (!resp.ok()) return FetchResult::Failure(resp.status());
  json j = json::parse(resp->body, nullptr, false);
  SecureWipe(resp->body);
  if (resp->status != 200) {
    std::string code, inner, message;
    if (auto err = j.is_object() ? j.find("error") : j.end();
        j.is_object() && err != j.end() && err->is_object()) {
      code = CleanRemoteText(JsonStringField(*err, "code"), 64);
      message = CleanRemoteText(JsonStringField(*err, "message"));
      for (const char* key : {"innererror", "innerError"})
        if (auto in = err->find(key); in != err->end() && in->is_object())
          inner = CleanRemoteText(JsonStringField(*in, "code"), 64);
    }
    *unauthorized = resp->status == 401;
    return FetchResult::Failure(MapKeyVaultError(resp->status, code, inner, message),
                                ParseRetryAfter(*resp, clock_.Now()));
  }
  if (!j.is_object()) return FetchResult::Failure(Internal("response is not a JSON object"));
  auto value = j.find("value");
  if (value == j.end() || !value->is_string()) {
    return FetchResult::Failure(Internal("response has no string value"));
  }
  FetchedSecret out;
  out.value = SecretValue(std::move(value->get_ref<std::string&>()));
  SecureWipe(value->get_ref<std::string&>());
  if (Status st = CheckAttributes(j, clock_.Now()); !st.ok()) return FetchResult::Failure(st);
  std::string id = JsonStringField(j, "id");
  out.version = id.substr(id.find_last_of('/') + 1);
  if (auto attrs = j.find("attributes"); attrs != j.end())
    out.created = JsonUnixTimeField(*attrs, "created");
  return FetchResult::Success(std::move(out));
}

Result<std::unique_ptr<SecretProvider>> MakeAzureProvider(const AzureSettings& settings,
                                                          const Environment& env, HttpClient& http,
                                                          const Clock& clock) {
  auto config = ResolveAzureConfig(settings, env);
  if (!config.ok()) return config.status().WithContext("azure");
  return std::unique_ptr<SecretProvider>(
      std::make_unique<KeyVaultProvider>(std::move(config).value(), http, clock));
}

}  // namespace memsecret::injector::azure
