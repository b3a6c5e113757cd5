// memsecret-webhook's command line: subcommands and flags parsed into typed
// structs, with no I/O, so main stays thin and the parsing is table-tested.
// Each command's flags are one FlagTable (memsecret/flags.h: the grammar and
// the errors); stray positional arguments are usage errors too (main exits 2).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/status.h"

namespace memsecret::webhook {

// The usage of every command, generated from the flag tables (for usage
// errors and --help).
std::string Usage();
// The usage followed by one line per flag of `command` ("serve", "render");
// just the usage for any other word.
std::string CommandHelp(std::string_view command);

struct ListenAddress {
  std::string host = "0.0.0.0";
  int port = 8443;
  bool operator==(const ListenAddress&) const = default;
};

// "HOST:PORT", ":PORT" (all IPv4 addresses) or "[IPv6]:PORT"; port 0..65535
// (0: any free port, logged at start-up).
Result<ListenAddress> ParseListenAddress(std::string_view text);

struct ServeFlags {
  std::string config_path;  // empty: built-in defaults, nothing to reload
  ListenAddress listen;
  std::string tls_cert = "/etc/memsecret/tls/tls.crt";
  std::string tls_key = "/etc/memsecret/tls/tls.key";
  std::string log_level = "info";
  // After SIGTERM, /readyz answers 503 this long while requests are still
  // served, so kube-proxy and the apiserver stop sending before the listener
  // closes. A second signal ends the wait.
  std::chrono::seconds shutdown_delay{0};
};

struct RenderFlags {
  std::string file;  // "-" reads standard input
  std::string namespace_name;
  std::string config_path;  // empty: built-in defaults
};

// `args` are the arguments after the subcommand name.
Result<ServeFlags> ParseServeFlags(const std::vector<std::string>& args);
Result<RenderFlags> ParseRenderFlags(const std::vector<std::string>& args);

}  // namespace memsecret::webhook
