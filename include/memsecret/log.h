// Structured JSON logging over spdlog. One line per event:
//   {"time":"...","level":"info","component":"webhook","msg":"..."}
// Callers pass messages built from references and reasons only — never a
// secret value, token or raw backend response (Secret values cannot be
// formatted at all; see the injector's SecretValue).
#pragma once

#include <string>
#include <string_view>

namespace memsecret {

// Installs a stderr JSON logger as spdlog's default. `level` is one of
// trace, debug, info, warn, error (others fall back to info). Thread-safe
// after the call; call once at start-up.
void InitJsonLogging(std::string_view component, std::string_view level = "info");

// Escapes a string for embedding inside a JSON string literal.
std::string JsonEscape(std::string_view s);

}  // namespace memsecret
