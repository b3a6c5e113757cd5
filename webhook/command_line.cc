#include "webhook/command_line.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <utility>

#include "memsecret/duration.h"
#include "memsecret/flags.h"

namespace memsecret::webhook {

namespace {

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

FlagTable ServeTable(ServeFlags* out) {
  return FlagTable(
      "serve",
      {{"--config", "", FlagKind::kValue, "FILE", "webhook configuration, re-read when it changes",
        StoreIn(&out->config_path)},
       {"--listen", "", FlagKind::kValue, "ADDR:PORT", "HOST:PORT, :PORT or [IPv6]:PORT (:8443)",
        [out](const std::string& v) {
          Result<ListenAddress> addr = ParseListenAddress(v);
          if (!addr.ok()) return addr.status();
          out->listen = *addr;
          return Status::Ok();
        }},
       {"--tls-cert", "", FlagKind::kValue, "FILE", "PEM certificate chain",
        StoreIn(&out->tls_cert)},
       {"--tls-key", "", FlagKind::kValue, "FILE", "PEM private key", StoreIn(&out->tls_key)},
       {"--log-level", "", FlagKind::kValue, "trace|debug|info|warn|error", "(info)",
        [out](const std::string& v) {
          if (std::find(std::begin(kLogLevels), std::end(kLogLevels), v) == std::end(kLogLevels)) {
            return InvalidArgument("--log-level \"" + v +
                                   "\": expected trace, debug, info, warn or error");
          }
          out->log_level = v;
          return Status::Ok();
        }},
       {"--shutdown-delay", "", FlagKind::kValue, "DURATION",
        "after SIGTERM, /readyz answers 503 this long before the listener closes (0s)",
        [out](const std::string& v) {
          Result<std::chrono::seconds> delay = ParseDuration(v);
          if (!delay.ok()) return delay.status().WithContext("--shutdown-delay");
          out->shutdown_delay = *delay;
          return Status::Ok();
        }}});
}

FlagTable RenderTable(RenderFlags* out) {
  return FlagTable("render",
                   {{"--file", "-f", FlagKind::kValue, "FILE|-", "the manifest; - reads stdin",
                     StoreIn(&out->file),
                     /*required=*/true},
                    {"--namespace", "-n", FlagKind::kValue, "N",
                     "namespace the policy is evaluated for", StoreIn(&out->namespace_name)},
                    {"--config", "", FlagKind::kValue, "FILE", "webhook configuration",
                     StoreIn(&out->config_path)}});
}

// The commands take flags only: any operand is a usage error.
Status NoOperands(const Result<FlagOperands>& words) {
  if (!words.ok()) return words.status();
  for (const auto* list : {&words->before_end, &words->after_end}) {
    if (!list->empty()) return InvalidArgument("unexpected argument \"" + list->front() + "\"");
  }
  return Status::Ok();
}

}  // namespace

std::string Usage() {
  ServeFlags serve;
  RenderFlags render;
  return FormatUsageLine("usage: memsecret-webhook serve", ServeTable(&serve).Synopsis()) +
         FormatUsageLine("       memsecret-webhook render", RenderTable(&render).Synopsis()) +
         "       memsecret-webhook --version\n";
}

std::string CommandHelp(std::string_view command) {
  ServeFlags serve;
  RenderFlags render;
  if (command == "serve") return Usage() + "\nserve:\n" + ServeTable(&serve).Help();
  if (command == "render") return Usage() + "\nrender:\n" + RenderTable(&render).Help();
  return Usage();
}

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
  if (Status s = NoOperands(ServeTable(&flags).Parse(args)); !s.ok()) return s;
  return flags;
}

Result<RenderFlags> ParseRenderFlags(const std::vector<std::string>& args) {
  RenderFlags flags;
  if (Status s = NoOperands(RenderTable(&flags).Parse(args)); !s.ok()) return s;
  return flags;
}

}  // namespace memsecret::webhook
