#include "memsecret/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace memsecret {

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

LogField::LogField(std::string_view k, std::string_view value) : key(k), json("\"" + JsonEscape(value) + "\"") {}
LogField::LogField(std::string_view k, int64_t value) : key(k), json(std::to_string(value)) {}
LogField::LogField(std::string_view k, double value) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  json = buf;
}
LogField LogField::Raw(std::string_view k, std::string json) {
  LogField f(k, int64_t{0});
  f.json = std::move(json);
  return f;
}

namespace {

// Fields of the LogEvent call in progress on this thread (loggers are synchronous).
thread_local const std::initializer_list<LogField>* t_fields = nullptr;

// Formats the payload as a quoted JSON string, followed by the fields of the
// current LogEvent call, if any.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string out = "\"" + JsonEscape(std::string_view(msg.payload.data(), msg.payload.size())) + "\"";
    if (t_fields)
      for (const auto& f : *t_fields) out += ",\"" + JsonEscape(f.key) + "\":" + f.json;
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

void InitJsonLogging(std::string_view component, std::string_view level) {
  const std::string name(component);
  spdlog::drop(name);
  auto logger = spdlog::stderr_logger_mt(name);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('*');
  formatter->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":")" + JsonEscape(component) +
                         R"(","msg":%*})");
  logger->set_formatter(std::move(formatter));
  spdlog::level::level_enum lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void LogEvent(spdlog::level::level_enum level, std::string_view msg, std::initializer_list<LogField> fields) {
  t_fields = &fields;
  spdlog::log(level, "{}", msg);
  t_fields = nullptr;
}

}  // namespace memsecret
