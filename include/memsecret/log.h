// Structured JSON logging over spdlog. One line per event:
//   {"time":"...","level":"info","component":"webhook","msg":"..."}
// Callers pass messages built from references and reasons only — never a
// secret value, token or raw backend response (Secret values cannot be
// formatted at all; see the injector's SecretValue).
#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace memsecret {

// How lines reach stderr.
enum class LogWrites {
  // One write(2) per line, at once: the injector (few lines, each an audit fact).
  kPerLine,
  // Lines below warn wait in memory and are written together: when 64 KiB
  // are pending, when a warn/error/critical line arrives (it goes out at once
  // with everything before it) or 200 ms after the oldest pending line. The
  // webhook logs one info line per admission; a write per line (a pipe wakeup
  // of the container runtime's reader each time) cost ~20 us of CPU per
  // admission, a fifth of the request (bench/webhook_load.sh). A crash can
  // lose at most the last 200 ms of info lines; a normal exit writes them.
  kBatched,
};

// Installs a stderr JSON logger as spdlog's default. `level` is one of
// trace, debug, info, warn, error (others fall back to info). Thread-safe
// after the call; call once at start-up. FlushLogs() writes pending lines.
void InitJsonLogging(std::string_view component, std::string_view level = "info",
                     LogWrites writes = LogWrites::kPerLine);
void FlushLogs();

// Escapes a string for embedding inside a JSON string literal.
std::string JsonEscape(std::string_view s);

// One extra top-level field of a log line; the value is kept as JSON text.
struct LogField {
  LogField(std::string_view key, std::string_view value);  // a JSON string
  LogField(std::string_view key, const char* value) : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, int64_t value);
  LogField(std::string_view key, double value);
  static LogField Raw(std::string_view key, std::string json);  // pre-encoded JSON value
  std::string key;
  std::string json;
};

// Logs `msg` with extra fields on the same JSON line:
//   {"time":..,"level":..,"component":..,"msg":"admission","uid":"..","latency_ms":1.2}
// Fields are attached only to this call (the text of `msg` can never inject fields).
void LogEvent(spdlog::level::level_enum level, std::string_view msg,
              std::initializer_list<LogField> fields);

}  // namespace memsecret
