// Vault's error contract (docs/backends.md §2): any status >= 400 carries
// {"errors":["msg",...]} (sometimes with "warnings"); the HTTP status decides
// the Status code. Pure; messages are cleaned of control characters,
// truncated, and never contain secret values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "memsecret/status.h"

namespace memsecret::injector::vault {

struct VaultErrorBody {
  std::vector<std::string> errors;    // cleaned, at most 3 kept
  std::vector<std::string> warnings;  // cleaned, at most 3 kept
};

// Tolerant: a body that is not JSON or lacks the arrays yields empty lists.
VaultErrorBody ParseVaultErrorBody(std::string_view body);

// Maps a failed response to a Status whose message is "HTTP <n>: <errors>"
// (or the warnings when errors is empty):
//   400 kInvalidArgument, 401 kUnauthenticated, 403 kPermissionDenied,
//   404 kNotFound, 405 kInvalidArgument, 412 kUnavailable (eventual
//   consistency), 429 kResourceExhausted, 503 kUnavailable ("Vault is sealed
//   or in maintenance"), other 5xx kUnavailable, other 4xx kInvalidArgument.
Status MapVaultError(int http_status, const VaultErrorBody& body);

// Replaces every occurrence of `secret` (when non-empty) in `text` with
// "[redacted]": a defence against servers that echo credentials in errors.
std::string Redact(std::string text, std::string_view secret);

}  // namespace memsecret::injector::vault
