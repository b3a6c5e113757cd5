#include "injector/providers/vault/vault_provider.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "injector/base/json_fields.h"

namespace memsecret::injector::vault {

namespace {

using nlohmann::json;

// Overwrites every string inside `j` (keys cannot be reached; they are names,
// not values).
void WipeStrings(json& j) {
  if (j.is_string()) {
    SecureWipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& e : j) WipeStrings(e);
  }
}

const json* Find(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// "version 3 of secret/app was deleted at 2024-...": a 404 (or a 200 with
// null data) carrying KV v2 metadata.
Status DeletedVersionError(const json& metadata) {
  std::string version = "the requested version";
  if (const json* v = Find(metadata, "version"); v && v->is_number_integer())
    version = "version " + std::to_string(v->get<int64_t>());
  if (const json* d = Find(metadata, "destroyed"); d && d->is_boolean() && d->get<bool>())
    return FailedPrecondition(version + " is destroyed");
  std::string when;
  if (const json* t = Find(metadata, "deletion_time"); t && t->is_string())
    when = t->get<std::string>().substr(0, 40);
  return FailedPrecondition(version + " is deleted" + (when.empty() ? "" : " (at " + when + ")") +
                            "; undelete it or read another version");
}

}  // namespace

VaultProvider::VaultProvider(const VaultConfig& config, std::unique_ptr<HttpClient> http,
                             const Clock& clock)
    : owned_http_(std::move(http)),
      http_(config.addr, config.vault_namespace, *owned_http_, clock),
      tokens_(MakeAuthenticator(config, http_), http_, clock) {}

FetchResult VaultProvider::Fetch(const SecretRef& ref, const FetchOptions& options) {
  auto loc = ResolveKvLocation(ref, options);
  if (!loc.ok()) return FetchResult::Failure(loc.status().WithContext("vault " + ref.ToString()));
  const std::string context = "vault read " + loc->Describe();
  for (int attempt = 0;; ++attempt) {
    auto token = tokens_.Token();
    if (!token.ok()) return FetchResult::Failure(token.status().WithContext(context));
    int http_status = 0;
    FetchResult r = Read(*loc, *token, &http_status);
    if (http_status == 403 && attempt == 0) {
      spdlog::info("{}: permission denied; logging in again and retrying once", context);
      tokens_.Invalidate();
      continue;
    }
    if (!r.ok()) r.status = r.status.WithContext(context);
    return r;
  }
}

FetchResult VaultProvider::Read(const KvLocation& loc, const SecretValue& token, int* http_status) {
  auto resp = http_.Send("GET", loc.RequestTarget(), &token);
  if (!resp.ok()) return FetchResult::Failure(resp.status());
  *http_status = resp->status;
  json j = json::parse(resp->body, nullptr, false);
  if (!IsVaultSuccess(resp->status)) {
    const json* data = Find(j, "data");
    const json* metadata = data ? Find(*data, "metadata") : nullptr;
    Status st = resp->status == 404 && metadata && metadata->is_object()
                    ? DeletedVersionError(*metadata)
                    : VaultHttp::ErrorOf(*resp, token.Reveal());
    WipeStrings(j);
    SecureWipe(resp->body);
    return FetchResult::Failure(st, http_.RetryAfter(*resp));
  }
  SecureWipe(resp->body);
  const json* data = Find(j, "data");
  if (data == nullptr || !data->is_object()) {
    WipeStrings(j);
    return FetchResult::Failure(Internal("response has no data object"));
  }
  FetchedSecret out;
  const json* secret = data;
  if (loc.kv_version == 2) {
    const json* metadata = Find(*data, "metadata");
    secret = Find(*data, "data");
    if (secret == nullptr || secret->is_null()) {
      Status st =
          metadata && metadata->is_object()
              ? DeletedVersionError(*metadata)
              : Internal("KV v2 response has no data.data (is this a KV v1 mount? use kv=1)");
      WipeStrings(j);
      return FetchResult::Failure(st);
    }
    if (const json* v = metadata ? Find(*metadata, "version") : nullptr;
        v && v->is_number_integer())
      out.version = std::to_string(v->get<int64_t>());
    if (metadata) out.created = JsonRfc3339Field(*metadata, "created_time");
  }
  if (!secret->is_object()) {
    WipeStrings(j);
    return FetchResult::Failure(Internal("secret data is not a key/value object"));
  }
  std::string value = secret->dump();
  out.value = SecretValue(std::move(value));
  SecureWipe(value);
  WipeStrings(j);
  return FetchResult::Success(std::move(out));
}

Result<std::unique_ptr<SecretProvider>> MakeVaultProvider(const VaultSettings& settings,
                                                          const Environment& env,
                                                          const Clock& clock,
                                                          const HttpClientFactory& make_http) {
  auto config = ResolveVaultConfig(settings, env);
  if (!config.ok()) return config.status().WithContext("vault");
  auto http = make_http(config->tls);
  if (!http) return Internal("vault: no HTTP client");
  return std::unique_ptr<SecretProvider>(
      std::make_unique<VaultProvider>(*config, std::move(http), clock));
}

}  // namespace memsecret::injector::vault
