#include "injector/providers/vault/kv_writer.h"

#include <nlohmann/json.hpp>

#include "injector/providers/vault/vault_auth.h"

namespace memsecret::injector::vault {

using nlohmann::json;

VaultKvWriter::VaultKvWriter(const VaultConfig& config, std::unique_ptr<HttpClient> http,
                             const Clock& clock)
    : owned_http_(std::move(http)),
      http_(config.addr, config.vault_namespace, *owned_http_, clock),
      tokens_(MakeAuthenticator(config, http_), http_, clock) {}

Result<int64_t> VaultKvWriter::Write(const KvLocation& location, const SecretValue& data_json,
                                     int64_t cas) {
  KvLocation where = location;
  where.version.reset();
  const std::string context = "vault write " + where.Describe();
  if (where.kv_version != 2) return InvalidArgument(context + ": rotation needs KV v2 (cas)");
  json data = json::parse(data_json.Reveal(), nullptr, false);
  if (!data.is_object()) return InvalidArgument(context + ": the new value is not a JSON object");
  json body = {{"data", std::move(data)}, {"options", {{"cas", cas}}}};
  std::string text = body.dump();
  for (auto& [k, v] : body["data"].items())
    if (v.is_string()) SecureWipe(v.get_ref<std::string&>());
  for (int attempt = 0;; ++attempt) {
    auto token = tokens_.Token();
    if (!token.ok()) {
      SecureWipe(text);
      return token.status().WithContext(context);
    }
    auto resp = http_.Send("POST", where.RequestTarget(), &*token, text);
    if (!resp.ok()) {
      SecureWipe(text);
      return resp.status().WithContext(context);
    }
    if (resp->status == 403 && attempt == 0) {
      tokens_.Invalidate();
      continue;
    }
    SecureWipe(text);
    if (resp->status == 400 && resp->body.find("check-and-set") != std::string::npos)
      return FailedPrecondition(context + ": the secret changed since it was read (cas " +
                                std::to_string(cas) + " refused); run the rotation again");
    if (!IsVaultSuccess(resp->status)) return VaultHttp::ErrorOf(*resp).WithContext(context);
    json j = json::parse(resp->body, nullptr, false);
    const json* version = nullptr;
    if (j.is_object())
      if (auto d = j.find("data"); d != j.end() && d->is_object())
        if (auto v = d->find("version"); v != d->end() && v->is_number_integer()) version = &*v;
    if (version == nullptr) return Unavailable(context + ": answer has no data.version");
    return version->get<int64_t>();
  }
}

Result<std::unique_ptr<VaultKvWriter>> MakeVaultKvWriter(const VaultSettings& settings,
                                                         const Environment& env,
                                                         const Clock& clock) {
  auto config = ResolveVaultConfig(settings, env);
  if (!config.ok()) return config.status().WithContext("vault");
  return std::make_unique<VaultKvWriter>(*config, MakeHttpClient(config->tls), clock);
}

}  // namespace memsecret::injector::vault
