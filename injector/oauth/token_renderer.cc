#include "injector/oauth/token_renderer.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "injector/oauth/refresh_schedule.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector::oauth {

std::string ShellQuote(std::string_view value) {
  constexpr std::string_view kSafe =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:+=@%,-";
  if (!value.empty() && value.find_first_not_of(kSafe) == std::string_view::npos)
    return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

SecretValue RenderToken(const AccessToken& token, OutputFormat format, std::string_view var) {
  const std::string expires_at = FormatRfc3339(EffectiveExpiry(token.issued_at, token.expires_at));
  switch (format) {
    case OutputFormat::kRaw:
      return token.access_token;
    case OutputFormat::kJson: {
      nlohmann::ordered_json doc;
      doc["access_token"] = std::string(token.access_token.Reveal());
      doc["token_type"] = token.token_type;
      doc["expires_at"] = expires_at;
      std::string text = doc.dump() + "\n";
      SecureWipe(doc["access_token"].get_ref<std::string&>());
      return SecretValue(std::move(text));
    }
    case OutputFormat::kEnv: {
      std::string quoted = ShellQuote(token.access_token.Reveal());
      const std::string v(var);
      std::string text = v + "=" + quoted + "\n" + v + "_TYPE=" + ShellQuote(token.token_type) +
                         "\n" + v + "_EXPIRES_AT=" + expires_at + "\n";
      SecureWipe(quoted);
      return SecretValue(std::move(text));
    }
  }
  return token.access_token;
}

}  // namespace memsecret::injector::oauth
