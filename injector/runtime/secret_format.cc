#include "injector/runtime/secret_format.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace memsecret::injector {

namespace {

using nlohmann::json;

// Scalar text for env/raw: strings bare, everything else compact JSON.
std::string ScalarText(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

// Recursively wipes the string payloads of a parsed document.
void WipeJson(json& j) {
  if (j.is_string()) {
    SecureWipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& child : j) WipeJson(child);
  }
}

Status AppendEnvLine(std::string_view key, std::string_view value, std::string* out) {
  if (value.find('\0') != std::string_view::npos)
    return InvalidArgument("env format: value of " + std::string(key) + " contains a NUL byte");
  *out += std::string(key) + "=" + ShellSingleQuote(value) + "\n";
  return Status::Ok();
}

// `env_var` (the file's env-var setting) names the one variable of a single
// value; an object then has no single value to put there.
Result<SecretValue> RenderEnv(const json* doc, std::string_view raw, std::string_view scalar_name,
                              std::string_view env_var) {
  std::string out;
  if (doc != nullptr && doc->is_object() && !env_var.empty())
    return InvalidArgument("env format: env-var " + std::string(env_var) +
                           " names one variable but the value is a JSON object (select a field "
                           "with #field)");
  if (!env_var.empty()) scalar_name = env_var;
  if (doc != nullptr && doc->is_object()) {
    for (const auto& [key, v] : doc->items()) {
      if (!IsValidEnvVarName(key)) {
        SecureWipe(out);
        return InvalidArgument("env format: key \"" + key +
                               "\" is not a valid shell variable name");
      }
      std::string text = ScalarText(v);
      Status st = AppendEnvLine(key, text, &out);
      SecureWipe(text);
      if (!st.ok()) {
        SecureWipe(out);
        return st;
      }
    }
    return SecretValue(std::move(out));
  }
  std::string text = doc != nullptr ? ScalarText(*doc) : std::string(raw);
  Status st = AppendEnvLine(scalar_name, text, &out);
  SecureWipe(text);
  if (!st.ok()) return st;
  return SecretValue(std::move(out));
}

}  // namespace

std::string ShellSingleQuote(std::string_view bytes) {
  std::string out = "'";
  for (char c : bytes) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

Result<SecretValue> FormatSecret(const SecretValue& value, const std::optional<std::string>& field,
                                 OutputFormat format, std::string_view file_name,
                                 std::string_view env_var) {
  json doc = json::parse(value.Reveal(), nullptr, /*allow_exceptions=*/false);
  const bool is_json = !doc.is_discarded();
  struct Wiper {
    json& j;
    ~Wiper() { WipeJson(j); }
  } wiper{doc};

  if (field) {
    if (!is_json || !doc.is_object())
      return InvalidArgument("cannot select field \"" + *field +
                             "\": the secret is not a JSON object");
    auto it = doc.find(*field);
    if (it == doc.end()) return NotFound("field \"" + *field + "\" is not in the secret");
    const json& selected = *it;
    switch (format) {
      case OutputFormat::kRaw:
        return SecretValue(ScalarText(selected));
      case OutputFormat::kJson:
        return SecretValue(selected.dump());
      case OutputFormat::kEnv:
        return RenderEnv(&selected, "",
                         IsValidEnvVarName(*field) ? *field : EnvVarFromFileName(*field), env_var);
    }
  }
  switch (format) {
    case OutputFormat::kRaw:
      return SecretValue(std::string(value.Reveal()));
    case OutputFormat::kJson: {
      if (is_json) return SecretValue(std::string(value.Reveal()));
      json text = std::string(value.Reveal());
      std::string out;
      try {
        out = text.dump();
      } catch (const json::exception&) {
        WipeJson(text);
        return InvalidArgument(
            "json format: the secret is neither JSON nor UTF-8 text (use format raw)");
      }
      WipeJson(text);
      return SecretValue(std::move(out));
    }
    case OutputFormat::kEnv:
      return RenderEnv(is_json ? &doc : nullptr, value.Reveal(), EnvVarFromFileName(file_name),
                       env_var);
  }
  return Internal("unknown output format");
}

}  // namespace memsecret::injector
