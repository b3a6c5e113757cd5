// The output renderers: a fetched value (remote, untrusted) -> raw / json /
// dotenv file bytes, with and without a `#field` selector.
// Input: first line = the field ("" for none); the rest = the secret value.
// Properties: no crash; a successful env rendering has no NUL and every line
// is KEY='...' with a shell name.
#include <cstdlib>

#include "injector/runtime/secret_format.h"

using namespace memsecret;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t eol = in.find('\n');
  std::optional<std::string> field;
  if (eol != std::string_view::npos && eol > 0) field = std::string(in.substr(0, eol));
  SecretValue value(std::string(eol == std::string_view::npos ? in : in.substr(eol + 1)));
  for (auto format : {OutputFormat::kRaw, OutputFormat::kJson, OutputFormat::kEnv}) {
    for (const auto& f : {field, std::optional<std::string>()}) {
      auto out = injector::FormatSecret(value, f, format, "fuzz-file.env");
      if (!out.ok() || format != OutputFormat::kEnv) continue;
      std::string_view text = out->Reveal();
      if (text.find('\0') != std::string_view::npos) std::abort();
      if (!text.empty() && (text.back() != '\n' || text.find("='") == std::string_view::npos))
        std::abort();
    }
  }
  (void)injector::ShellSingleQuote(in);
  (void)EnvVarFromFileName(in);
  return 0;
}
