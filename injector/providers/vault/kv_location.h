// KvLocation: where a `vault:` reference lives — the secrets-engine mount,
// the path inside it, the KV version and the requested secret version — and
// the HTTP target that reads it. Pure.
//
// Mounts: `vault:<mount>/<path>` takes the FIRST segment as the mount, as
// `vault kv get secret/app` does for the default `secret/` mount. A mount
// whose name contains '/' is named with the `mount=` query key, which must be
// a segment-aligned prefix of the path:
//   vault:team-a/kv/app/db?mount=team-a/kv  ->  GET /v1/team-a/kv/data/app/db
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "injector/providers/secret_provider.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret::injector::vault {

struct KvLocation {
  std::string mount;               // "secret", "team-a/kv"
  std::string path;                // inside the mount: "genesys/production/cx-pipeline"
  int kv_version = 2;              // 1 or 2 (`?kv=1`)
  std::optional<int64_t> version;  // KV v2 version; nullopt = latest

  // "/v1/secret/data/genesys/production/cx-pipeline?version=3" (KV v2) or
  // "/v1/kv/app" (KV v1). Path bytes outside [A-Za-z0-9/._~@+=-] are
  // percent-encoded.
  std::string RequestTarget() const;
  // For messages: "secret/genesys/production/cx-pipeline (kv v2, version 3)".
  std::string Describe() const;
};

// Resolves a parsed `vault:` ref. `options.version` replaces `?version=`;
// `options.stage` is kInvalidArgument (Vault has no stages), as is a
// `mount=` that is not a segment-aligned proper prefix of the path, a version
// with kv=1, or a version that is not a positive integer.
Result<KvLocation> ResolveKvLocation(const SecretRef& ref, const FetchOptions& options = {});

}  // namespace memsecret::injector::vault
