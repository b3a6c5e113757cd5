#include "webhook/command_line.h"

#include <charconv>
#include <utility>

#include "memsecret/duration.h"

namespace memsecret::webhook {

const char kUsage[] =
    "usage: memsecret-webhook serve [--config FILE] [--listen ADDR:PORT] [--tls-cert FILE]\n"
    "                               [--tls-key FILE] [--log-level trace|debug|info|warn|error]\n"
    "                               [--shutdown-delay DURATION]\n"
    "       memsecret-webhook render -f FILE|- [--namespace N] [--config FILE]\n"
    "       memsecret-webhook --version\n";

namespace {

struct FlagSpec {
  std::string_view long_name;   // "--config"
  std::string_view short_name;  // "-f" or empty
  std::string* value;
};

// Fills each spec's value from `args`; the last occurrence wins.
Status ParseFlags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string_view name = arg;
    std::string_view inline_value;
    bool has_inline = false;
    if (arg.starts_with("--")) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        name = std::string_view(arg).substr(0, eq);
        inline_value = std::string_view(arg).substr(eq + 1);
        has_inline = true;
      }
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (name == s.long_name || (!s.short_name.empty() && name == s.short_name)) spec = &s;
    }
    if (spec == nullptr) {
      if (arg.starts_with("-") && arg != "-") return InvalidArgument("unknown flag " + arg);
      return InvalidArgument("unexpected argument \"" + arg + "\"");
    }
    if (has_inline) {
      *spec->value = std::string(inline_value);
    } else if (i + 1 < args.size()) {
      *spec->value = args[++i];
    } else {
      return InvalidArgument("flag " + std::string(name) + " needs a value");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("--listen \"" + std::string(text) + "\": " + why);
  };
  ListenAddress out;
  std::string_view port_text;
  if (text.starts_with("[")) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return bad("expected [IPv6]:PORT");
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected ADDR:PORT or :PORT");
    if (text.substr(0, colon).find(':') != std::string_view::npos) {
      return bad("IPv6 addresses need brackets, e.g. [::]:8443");
    }
    out.host = colon == 0 ? "0.0.0.0" : std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return bad("empty address");
  int port = -1;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  out.port = port;
  return out;
}

Result<ServeFlags> ParseServeFlags(const std::vector<std::string>& args) {
  ServeFlags flags;
  std::string listen;
  std::string shutdown_delay;
  Status s = ParseFlags(args, {{"--config", "", &flags.config_path},
                               {"--listen", "", &listen},
                               {"--shutdown-delay", "", &shutdown_delay},
                               {"--tls-cert", "", &flags.tls_cert},
                               {"--tls-key", "", &flags.tls_key},
                               {"--log-level", "", &flags.log_level}});
  if (!s.ok()) return s;
  if (!listen.empty()) {
    Result<ListenAddress> addr = ParseListenAddress(listen);
    if (!addr.ok()) return addr.status();
    flags.listen = *addr;
  }
  if (!shutdown_delay.empty()) {
    Result<std::chrono::seconds> delay = ParseDuration(shutdown_delay);
    if (!delay.ok()) return delay.status().WithContext("--shutdown-delay");
    flags.shutdown_delay = *delay;
  }
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    if (flags.log_level == level) return flags;
  }
  return InvalidArgument("--log-level \"" + flags.log_level +
                         "\": expected trace, debug, info, warn or error");
}

Result<RenderFlags> ParseRenderFlags(const std::vector<std::string>& args) {
  RenderFlags flags;
  Status s = ParseFlags(args, {{"--file", "-f", &flags.file},
                               {"--namespace", "-n", &flags.namespace_name},
                               {"--config", "", &flags.config_path}});
  if (!s.ok()) return s;
  if (flags.file.empty()) return InvalidArgument("render needs -f FILE (or -f - for stdin)");
  return flags;
}

}  // namespace memsecret::webhook
