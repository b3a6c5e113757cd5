#include "injector/providers/vault/vault_http.h"

#include "injector/base/retry_after.h"
#include "injector/providers/vault/vault_errors.h"

namespace memsecret::injector::vault {

VaultHttp::VaultHttp(std::string addr, std::string vault_namespace, HttpClient& http,
                     const Clock& clock)
    : addr_(std::move(addr)), namespace_(std::move(vault_namespace)), http_(http), clock_(clock) {}

Result<HttpResponse> VaultHttp::Send(std::string_view method, std::string_view target,
                                     const SecretValue* token, std::string body) {
  HttpRequest req;
  req.method = std::string(method);
  req.url = addr_ + std::string(target);
  req.headers.emplace_back("X-Vault-Request", "true");
  if (!namespace_.empty()) req.headers.emplace_back("X-Vault-Namespace", namespace_ + "/");
  if (token != nullptr) req.headers.emplace_back("X-Vault-Token", std::string(token->Reveal()));
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  auto resp = http_.Send(req);
  SecureWipe(req.body);
  for (auto& h : req.headers) SecureWipe(h.second);
  return resp;
}

Status VaultHttp::ErrorOf(const HttpResponse& response, std::string_view redact1,
                          std::string_view redact2) {
  std::string body = Redact(Redact(response.body, redact1), redact2);
  Status st = MapVaultError(response.status, ParseVaultErrorBody(body));
  SecureWipe(body);
  return st;
}

std::optional<std::chrono::seconds> VaultHttp::RetryAfter(const HttpResponse& response) const {
  return ParseRetryAfter(response, clock_.Now());
}

}  // namespace memsecret::injector::vault
