// Annotation keys -> InjectionSpec: the one table of which keys exist and how
// each value is validated, shared by the webhook (pod annotations under
// `memsecret.io/`) and the injector's pipeline commands (the same keys from a
// YAML file and --set). Pure: no config, no I/O. Defaults are NOT applied
// here (unset = nullopt) so callers can tell "absent" from "explicitly set".
// Thread-safe (no shared mutable state).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/backend.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret {

struct InjectionSpec {
  std::vector<PlannedFile> files;  // sorted by name; tokens carry TokenSpec
  std::optional<std::vector<std::string>> containers;
  std::optional<std::string> mount_path;
  std::optional<Lifecycle> lifecycle;
  std::optional<std::chrono::seconds> refresh_interval;
  std::optional<int> agent_port;    // 1024-65535: the Agent-compatible endpoint (sidecar only)
  std::optional<int> metrics_port;  // 1024-65535; 0 = off (overrides injector.metricsPort)
  // The backends' keys ("vault-addr", "aws-region", ...), each checked by
  // its backend's row (memsecret/backend.h); the backend reads them when it
  // resolves its plan settings.
  BackendKeys backend_keys;
};

// Every key the parser accepts, in documentation form: "secret-<name>",
// "token-<name>", ..., "containers", "mount-path", ..., then each backend's
// keys ("status" is the webhook's own and not in this list).
std::vector<std::string> KnownInjectionKeys();

// Where a key sends an identity or credentials, as the text an address
// fence (the pipeline commands' --allow-addr) is matched against:
//   issuer-<name> URL   the token URL's origin (memsecret/url.h UrlOrigin),
//                       where client credentials go;
//   a backend's key     what its row says (vault-addr: the URL's origin,
//                       where the Vault token or JWT goes; aws-role-arn:
//                       the ARN itself, the role the identity assumes).
// nullopt: the key names no address (named Genesys/CXone issuers go to their
// fixed hosts). "": an address that cannot be read (a fence fails closed).
std::optional<std::string> InjectionKeyAddress(std::string_view key, std::string_view value);

// Parses `keys` (without any prefix). Every unknown key, invalid value, token
// without issuer, file setting without its secret-/token- key, and two
// env-format files defining one variable adds a message to `problems`;
// parsing continues so all are reported, and only valid files are kept.
// Messages name the key as `key_prefix` + key ("memsecret.io/secret-db" for
// the webhook, "secret-db" for pipelines) and never a secret value.
InjectionSpec ParseInjectionKeys(const std::map<std::string, std::string>& keys,
                                 std::string_view key_prefix, std::vector<std::string>* problems);

}  // namespace memsecret
