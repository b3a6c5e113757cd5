// VaultHttp: the one place that builds Vault requests — address + "/v1/...",
// X-Vault-Request, X-Vault-Namespace (on every request, logins included) and
// X-Vault-Token — and turns failed responses into Statuses. Request headers
// carrying the token are wiped after sending. Not thread-safe (the injector's
// scheduler thread only).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/base/secret_value.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::vault {

class VaultHttp {
 public:
  // `http` and `clock` must outlive this object.
  VaultHttp(std::string addr, std::string vault_namespace, HttpClient& http, const Clock& clock);

  // Sends `method` to addr + `target` ("/v1/..."). `token` (may be null) goes
  // in X-Vault-Token; `body` (may hold a JWT) is wiped after sending.
  // Transport failures are returned as they are; any HTTP status is a result.
  Result<HttpResponse> Send(std::string_view method, std::string_view target,
                            const SecretValue* token, std::string body = "");

  // The Status for a response with status >= 400 (MapVaultError on its
  // {"errors"} body), with every occurrence of `redact1`/`redact2` removed
  // from the server's text first.
  static Status ErrorOf(const HttpResponse& response, std::string_view redact1 = {},
                        std::string_view redact2 = {});
  // The response's Retry-After hint, if any.
  std::optional<std::chrono::seconds> RetryAfter(const HttpResponse& response) const;

  const std::string& addr() const { return addr_; }
  const std::string& vault_namespace() const { return namespace_; }

 private:
  std::string addr_;
  std::string namespace_;
  HttpClient& http_;
  const Clock& clock_;
};

// 200 and 204 are success (docs/backends.md §2).
inline bool IsVaultSuccess(int status) { return status == 200 || status == 204; }

}  // namespace memsecret::injector::vault
