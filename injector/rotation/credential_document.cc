#include "injector/rotation/credential_document.h"

#include <nlohmann/json.hpp>

namespace memsecret::injector::rotation {
namespace {

using nlohmann::json;

constexpr const char* kIdFields[] = {"clientId",      "client_id", "accessKeyId",
                                     "access_key_id", "apiKey",    "api_key"};
// Secret fields a replacement document may carry.
constexpr const char* kSecretFields[] = {"clientSecret",      "client_secret", "accessKeySecret",
                                         "access_key_secret", "apiSecret",     "api_secret"};

void WipeStrings(json& j) {
  if (j.is_string()) {
    SecureWipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& e : j) WipeStrings(e);
  }
}

Result<json> Parse(const SecretValue& document, const char* what) {
  json j = json::parse(document.Reveal(), nullptr, false);
  if (!j.is_object()) return InvalidArgument(std::string(what) + " is not a JSON object");
  return j;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string IdOf(const json& j) {
  for (const char* f : kIdFields)
    if (std::string v = Str(j, f); !v.empty()) return v;
  return "";
}

SecretValue Dump(json& j) {
  SecretValue out(j.dump());
  WipeStrings(j);
  return out;
}

void SetIds(json& j, const std::string& previous, const std::string& retired) {
  if (previous.empty())
    j.erase(kPreviousClientIdField);
  else
    j[kPreviousClientIdField] = previous;
  if (retired.empty())
    j.erase(kRetiredClientIdField);
  else
    j[kRetiredClientIdField] = retired;
}

}  // namespace

Result<CredentialFacts> ReadCredentialFacts(const SecretValue& document) {
  auto j = Parse(document, "the credentials");
  if (!j.ok()) return j.status();
  CredentialFacts facts{IdOf(*j), Str(*j, kPreviousClientIdField), Str(*j, kRetiredClientIdField)};
  WipeStrings(*j);
  if (facts.client_id.empty())
    return InvalidArgument("the credentials have no clientId (or accessKeyId)");
  return facts;
}

Result<SecretValue> WithNewClient(const SecretValue& document, const std::string& client_id,
                                  const SecretValue& client_secret,
                                  const std::string& previous_client_id,
                                  const std::string& retired_client_id) {
  auto parsed = Parse(document, "the credentials");
  if (!parsed.ok()) return parsed.status();
  json& j = *parsed;
  const bool snake = j.contains("client_id") && !j.contains("clientId");
  j[snake ? "client_id" : "clientId"] = client_id;
  j[snake ? "client_secret" : "clientSecret"] = std::string(client_secret.Reveal());
  SetIds(j, previous_client_id, retired_client_id);
  return Dump(j);
}

Result<SecretValue> WithReplacement(const SecretValue& document, const SecretValue& replacement,
                                    const std::string& previous_client_id) {
  auto base = Parse(document, "the current credentials");
  if (!base.ok()) return base.status();
  auto repl = Parse(replacement, "the new credentials");
  if (!repl.ok()) {
    WipeStrings(*base);
    return repl.status();
  }
  if (IdOf(*repl).empty()) {
    WipeStrings(*base);
    WipeStrings(*repl);
    return InvalidArgument(
        "the new credentials have no clientId, accessKeyId or apiKey (either spelling)");
  }
  // A field spelled differently in the old document must not survive beside
  // the new one: drop both spellings of every credential field the new one sets.
  for (const char* f : kIdFields) base->erase(f);
  for (const char* f : kSecretFields)
    for (const char* g : kSecretFields)
      if (repl->contains(f)) base->erase(g);
  for (auto& [k, v] : repl->items()) (*base)[k] = v;
  SetIds(*base, previous_client_id, "");
  WipeStrings(*repl);
  return Dump(*base);
}

}  // namespace memsecret::injector::rotation
