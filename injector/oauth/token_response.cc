#include "injector/oauth/token_response.h"

#include <openssl/evp.h>

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "injector/base/json_fields.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector::oauth {
namespace {

// RFC 6749 Appendix A.12: access-token = 1*VSCHAR (%x20-7E). A token outside it would break the
// raw file's one-line contract, an Authorization header and the env format's quoting.
bool IsTokenSyntax(const std::string& token) {
  for (unsigned char c : token)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

using nlohmann::json;
constexpr double kMaxExpiresIn = 10.0 * 365 * 24 * 3600;

// expires_in as seconds; numbers or numeric strings ("3600") are accepted.
std::optional<double> ExpiresIn(const json& body) {
  auto it = body.find("expires_in");
  if (it == body.end()) return std::nullopt;
  double v = 0;
  if (it->is_number()) {
    v = it->get<double>();
  } else if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(v)) return std::nullopt;
  return std::clamp(v, 0.0, kMaxExpiresIn);
}

// "issuer: HTTP 400 invalid_client: description" from an error body.
std::string ErrorMessage(std::string_view issuer, int status, const json& body) {
  std::string msg = std::string(issuer) + ": HTTP " + std::to_string(status);
  if (!body.is_object()) return msg;
  std::string error = CleanRemoteText(JsonStringField(body, "error"), 64);
  std::string description = JsonStringField(body, "error_description");
  if (description.empty()) description = JsonStringField(body, "description");  // Genesys
  description = CleanRemoteText(description);
  if (!error.empty()) msg += " " + error;
  if (!description.empty()) msg += ": " + description;
  return msg;
}

Status ClassifyError(int http_status, const std::string& error, std::string msg) {
  if (error == "invalid_client" || error == "invalid_grant" || http_status == 401) {
    return Unauthenticated(std::move(msg));
  }
  if (error == "unauthorized_client" || error == "access_denied" || http_status == 403) {
    return PermissionDenied(std::move(msg));
  }
  if (http_status == 429 || error == "slow_down") return ResourceExhausted(std::move(msg));
  if (http_status >= 500 || error == "temporarily_unavailable" || error == "server_error") {
    return Unavailable(std::move(msg));
  }
  if (http_status == 400 || !error.empty()) return InvalidArgument(std::move(msg));
  return FailedPrecondition(std::move(msg) + " (unexpected status from token endpoint)");
}

}  // namespace

std::optional<WallTime> JwtExpiry(std::string_view jwt) {
  const size_t a = jwt.find('.');
  const size_t b = a == std::string_view::npos ? a : jwt.find('.', a + 1);
  if (b == std::string_view::npos || b - a - 1 == 0 || b - a - 1 > 8192) return std::nullopt;
  std::string b64(jwt.substr(a + 1, b - a - 1));
  for (char& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (b64.size() % 4 != 0) b64 += '=';
  std::string raw(b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  raw.resize(static_cast<size_t>(n));
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();  // padding artefacts
  json claims = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number()) return std::nullopt;
  const double secs = exp->get<double>();
  if (!std::isfinite(secs) || secs <= 0 || secs >= static_cast<double>(kMaxUnixSeconds))
    return std::nullopt;
  return WallTimeFromUnixSeconds(static_cast<int64_t>(secs));
}

MintResult ParseTokenResponse(const HttpResponse& response, std::string_view issuer,
                              WallTime sent_at) {
  std::optional<std::chrono::seconds> retry_after;
  if (auto h = response.Header("Retry-After")) retry_after = ParseRetryAfter(*h, sent_at);

  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  const bool is_object = !body.is_discarded() && body.is_object();

  if (response.status < 200 || response.status >= 300) {
    const std::string error = is_object ? JsonStringField(body, "error") : std::string();
    Status s = ClassifyError(response.status, error, ErrorMessage(issuer, response.status, body));
    return MintResult::Failure(std::move(s), retry_after);
  }
  if (!is_object) {
    return MintResult::Failure(Unavailable(std::string(issuer) + ": HTTP " +
                                           std::to_string(response.status) +
                                           " body is not a JSON object"));
  }
  auto at = body.find("access_token");
  if (at != body.end() && at->is_string() && !IsTokenSyntax(at->get_ref<const std::string&>())) {
    SecureWipe(at->get_ref<std::string&>());
    return MintResult::Failure(Unavailable(std::string(issuer) +
                                           ": access_token has characters outside printable ASCII "
                                           "(RFC 6749 Appendix A.12)"));
  }
  if (at == body.end() || !at->is_string() || at->get_ref<const std::string&>().empty()) {
    if (body.contains("error")) {
      return MintResult::Failure(ClassifyError(400, JsonStringField(body, "error"),
                                               ErrorMessage(issuer, response.status, body)));
    }
    return MintResult::Failure(
        Unavailable(std::string(issuer) + ": token response has no access_token"));
  }
  AccessToken token;
  token.access_token = SecretValue(at->get<std::string>());
  SecureWipe(at->get_ref<std::string&>());
  const std::string type = JsonStringField(body, "token_type");
  token.token_type = type.empty() ? "Bearer" : CleanRemoteText(type, 32);
  token.scope = CleanRemoteText(JsonStringField(body, "scope"), 1024);
  token.issued_at = sent_at;
  if (auto expires_in = ExpiresIn(body)) {
    token.expires_at =
        sent_at + std::chrono::milliseconds(static_cast<int64_t>(*expires_in * 1000));
  } else {
    token.expires_at = JwtExpiry(token.access_token.Reveal());
  }
  return MintResult::Success(std::move(token));
}

}  // namespace memsecret::injector::oauth
