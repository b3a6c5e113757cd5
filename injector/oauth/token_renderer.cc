#include "injector/oauth/token_renderer.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "injector/oauth/refresh_schedule.h"
#include "injector/runtime/secret_format.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector::oauth {

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
      std::string quoted = ShellSingleQuote(token.access_token.Reveal());
      const std::string v(var);
      std::string text = v + "=" + quoted + "\n" + v +
                         "_TYPE=" + ShellSingleQuote(token.token_type) + "\n" + v +
                         "_EXPIRES_AT=" + expires_at + "\n";
      SecureWipe(quoted);
      return SecretValue(std::move(text));
    }
  }
  return token.access_token;
}

}  // namespace memsecret::injector::oauth
