// SecretProvider: one secret store backend (aws/, vault/, azure/), each
// owning its own authentication. The injector asks a provider for the whole
// value at a SecretRef; `#field` selection and output formatting happen later
// (runtime/secret_format.h), so a provider never interprets the secret's content.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "injector/base/secret_value.h"
#include "memsecret/clock.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret::injector {

// What a store says about the secret beside its value, in the store's own
// terms; a field the store does not have stays empty. Served again by the
// Agent-compatible endpoint (injector/agent/).
struct SecretMetadata {
  std::string id;                   // the store's full id (a Secrets Manager ARN)
  std::string name;                 // the store's name of the secret
  std::vector<std::string> labels;  // labels on the version (Secrets Manager staging labels)
  bool binary = false;              // the value came as bytes (SecretBinary)
  bool operator==(const SecretMetadata&) const = default;
};

// A secret as read from its store. `version` is the store's version id (AWS
// VersionId, Vault KV version, Key Vault version id); empty when the store has
// none. Equal non-empty versions of the same ref mean equal values.
// `created` is when that version was created, read from the same answer (AWS
// CreatedDate, Vault KV v2 metadata.created_time, Key Vault
// attributes.created); nullopt when the store does not say (KV v1) or says
// it in a shape that cannot be read: "unknown", never an error.
struct FetchedSecret {
  SecretValue value;
  std::string version;
  std::optional<WallTime> created;
  SecretMetadata metadata;
};

// Overrides for one fetch. When set they replace the ref's `?stage=` /
// `?version=` query (OAuth credential rotation reads the AWSPENDING stage this
// way). A provider without that notion fails with kInvalidArgument.
struct FetchOptions {
  std::optional<std::string> stage;
  std::optional<std::string> version;
};

// The outcome of one fetch: a secret, or a non-OK status whose message names
// the ref and the reason (never the value), plus the server's Retry-After hint
// when it sent one. status.retryable() decides whether to retry with backoff.
struct FetchResult {
  Status status;
  std::optional<FetchedSecret> secret;  // set iff status.ok()
  std::optional<std::chrono::seconds> retry_after;
  // The region that served or answered, for stores that have regions (AWS
  // with failover); "" otherwise. Audit lines carry it.
  std::string region;

  bool ok() const { return status.ok(); }
  static FetchResult Success(FetchedSecret s) {
    return {Status::Ok(), std::move(s), std::nullopt, ""};
  }
  static FetchResult Failure(Status s, std::optional<std::chrono::seconds> retry_after = {}) {
    return {std::move(s), std::nullopt, retry_after, ""};
  }
};

class SecretProvider {
 public:
  virtual ~SecretProvider() = default;
  // Reads the value at `ref` (ref.provider matches this provider). Performs
  // network I/O and may refresh credentials. Thread-safety: called
  // concurrently by the jobs of one pass (runtime/scheduler.h), so
  // implementations must be thread-safe; credentials they cache are fetched
  // once and shared by concurrent callers.
  virtual FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) = 0;
};

// Dispatches each ref to the provider registered for its Provider. Refs for a
// provider without a registration fail with kFailedPrecondition
// "provider <name> is not configured for this plan" (never retried).
class ProviderRegistry final : public SecretProvider {
 public:
  void Register(std::string backend, std::unique_ptr<SecretProvider> impl);
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override;
  bool Has(std::string_view backend) const;

 private:
  std::map<std::string, std::unique_ptr<SecretProvider>, std::less<>> providers_;
};

}  // namespace memsecret::injector
