#include "injector/providers/azure/key_vault_writer.h"

#include <nlohmann/json.hpp>

#include "injector/base/json_fields.h"
#include "injector/base/remote_text.h"
#include "injector/providers/azure/key_vault_provider.h"

namespace memsecret::injector::azure {

using nlohmann::json;

KeyVaultWriter::KeyVaultWriter(AzureConfig config, HttpClient& http, const Clock& clock)
    : config_(std::move(config)), http_(http), credential_(config_, http, clock) {}

Result<std::string> KeyVaultWriter::SetSecret(const std::string& path, const SecretValue& value) {
  const std::string context = "azure set " + path;
  const size_t slash = path.find('/');
  if (slash == std::string::npos)
    return InvalidArgument(context + ": expected <vault-name>/<secret-name>");
  const std::string url = config_.VaultUrl(path.substr(0, slash)) + "/secrets/" +
                          path.substr(slash + 1) + "?api-version=" + kKeyVaultApiVersion;
  bool unauthorized = false;
  auto r = SetOnce(url, value, &unauthorized);
  if (unauthorized) {
    credential_.Invalidate();
    r = SetOnce(url, value, &unauthorized);
  }
  if (!r.ok()) return r.status().WithContext(context);
  return r;
}

Result<std::string> KeyVaultWriter::SetOnce(const std::string& url, const SecretValue& value,
                                            bool* unauthorized) {
  *unauthorized = false;
  auto token = credential_.Token();
  if (!token.ok()) return token.status();
  HttpRequest req;
  req.method = "PUT";
  req.url = url;
  req.headers = {{"Authorization", "Bearer " + std::string(token->Reveal())},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/json"}};
  json body = {{"value", std::string(value.Reveal())}};
  req.body = body.dump();
  SecureWipe(body["value"].get_ref<std::string&>());
  auto resp = http_.Send(req);
  SecureWipe(req.body);
  for (auto& h : req.headers) SecureWipe(h.second);
  if (!resp.ok()) return resp.status();
  json j = json::parse(resp->body, nullptr, false);
  SecureWipe(resp->body);
  if (auto v = j.is_object() ? j.find("value") : j.end();
      j.is_object() && v != j.end() && v->is_string())
    SecureWipe(v->get_ref<std::string&>());
  if (resp->status != 200) {
    std::string code, inner, message;
    if (auto err = j.is_object() ? j.find("error") : j.end();
        j.is_object() && err != j.end() && err->is_object()) {
      code = CleanRemoteText(JsonStringField(*err, "code"), 64);
      message = CleanRemoteText(JsonStringField(*err, "message"));
      if (auto in = err->find("innererror"); in != err->end() && in->is_object())
        inner = CleanRemoteText(JsonStringField(*in, "code"), 64);
    }
    *unauthorized = resp->status == 401;
    return MapKeyVaultError(resp->status, code, inner, message);
  }
  const std::string id = j.is_object() ? JsonStringField(j, "id") : "";
  const size_t last = id.rfind('/');
  if (id.empty() || last == std::string::npos || last + 1 == id.size())
    return Unavailable("the answer has no version id");
  return id.substr(last + 1);
}

Result<std::unique_ptr<KeyVaultWriter>> MakeKeyVaultWriter(const AzureSettings& settings,
                                                           const Environment& env, HttpClient& http,
                                                           const Clock& clock) {
  auto config = ResolveAzureConfig(settings, env);
  if (!config.ok()) return config.status().WithContext("azure");
  return std::make_unique<KeyVaultWriter>(std::move(config).value(), http, clock);
}

}  // namespace memsecret::injector::azure
