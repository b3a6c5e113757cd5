// SecretRef: a parsed `<provider>:<path>[?k=v[&k=v]][#field]` reference (docs/annotations.md).
// ParseSecretRef (memsecret/plan/backends.h) validates the backend's path
// syntax and query keys; the reference names where a secret lives, never its
// value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memsecret {

struct SecretRef {
  std::string provider;  // the backend's name: "aws", "vault", ...
  std::string path;      // e.g. "/genesys/prod/x" or "secret/app"
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

}  // namespace memsecret
