#include "injector/providers/vault/vault_errors.h"

#include <nlohmann/json.hpp>

#include "injector/base/remote_text.h"

namespace memsecret::injector::vault {

namespace {

std::vector<std::string> StringList(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (!e.is_string()) continue;
    if (out.size() == 3) {
      out.push_back("...");
      break;
    }
    out.push_back(CleanRemoteText(e.get<std::string>()));
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

VaultErrorBody ParseVaultErrorBody(std::string_view body) {
  VaultErrorBody out;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return out;
  out.errors = StringList(j, "errors");
  out.warnings = StringList(j, "warnings");
  return out;
}

Status MapVaultError(int http_status, const VaultErrorBody& body) {
  std::string detail = Join(body.errors);
  if (detail.empty()) detail = Join(body.warnings);
  std::string what = "HTTP " + std::to_string(http_status) + (detail.empty() ? "" : ": " + detail);
  switch (http_status) {
    case 400:
    case 405:
      return InvalidArgument(what);
    case 401:
      return Unauthenticated(what);
    case 403:
      return PermissionDenied(what);
    case 404:
      return NotFound(what);
    case 412:
      return Unavailable(what + " (not yet replicated; retrying)");
    case 429:
      return ResourceExhausted(what);
    case 503:
      return Unavailable(what + " (Vault is sealed or in maintenance)");
    default:
      break;
  }
  if (http_status >= 500) return Unavailable(what);
  if (http_status >= 400) return InvalidArgument(what);
  return Internal("unexpected HTTP " + std::to_string(http_status) + " from Vault");
}

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]");
  return text;
}

}  // namespace memsecret::injector::vault
