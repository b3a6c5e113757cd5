// SecretRef: a parsed `<provider>:<path>[?k=v[&k=v]][#field]` reference (docs/annotations.md).
// Parsing validates the provider-specific path syntax and query keys; the
// reference names where a secret lives, never its value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsecret/status.h"

namespace memsecret {

enum class Provider { kAws, kVault, kAzure };

const char* ProviderName(Provider p);  // "aws", "vault", "azure"

struct SecretRef {
  Provider provider = Provider::kAws;
  std::string path;                                        // e.g. "/genesys/prod/x" or "secret/app"
  std::vector<std::pair<std::string, std::string>> query;  // in the order written, keys unique
  std::optional<std::string> field;                        // "#field" selector

  // Value of a query key, if present.
  std::optional<std::string> Query(std::string_view key) const;
  // "<provider>:<path>": what policy globs are matched against.
  std::string PolicyKey() const;
  // Canonical text form; ParseSecretRef(ToString()) round-trips.
  std::string ToString() const;

  bool operator==(const SecretRef&) const = default;
};

// Parses and validates a reference. Errors name the problem, e.g.
// "unknown provider \"gcp\" (expected aws, vault or azure)".
Result<SecretRef> ParseSecretRef(std::string_view text);

}  // namespace memsecret
