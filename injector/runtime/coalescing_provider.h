// CoalescingProvider: lets the files of one pass share a fetch. Several files
// often read the same secret (`#clientId` and `#clientSecret` of one JSON
// secret); a successful result is reused for the same ref (field ignored) and
// options within `window`, so a pass costs one GetSecretValue per secret.
// Failures are never cached. Use it for secret files only: credential
// rotation (OAuth invalid_client) must re-read the store, not this cache.
// The window must stay well below the shortest refresh interval (1 s) so a
// later pass always reads the store again.
//
// Thread-safety: Fetch may be called from any number of threads (the jobs of
// one concurrent pass). A caller asking for a ref whose fetch is in flight
// waits for it and shares its success, so a concurrent pass makes exactly the
// fetches of a sequential one; after a failed in-flight fetch each waiter
// reads the store itself, as it would have one after another.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "injector/providers/secret_provider.h"
#include "memsecret/clock.h"

namespace memsecret::injector {

class CoalescingProvider final : public SecretProvider {
 public:
  // `inner` and `clock` must outlive this provider; `inner` must be
  // thread-safe when this provider is used from several threads.
  CoalescingProvider(SecretProvider* inner, const Clock* clock,
                     std::chrono::milliseconds window = std::chrono::milliseconds(500))
      : inner_(inner), clock_(clock), window_(window) {}

  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override;

 private:
  struct Entry {
    WallTime at;
    std::optional<FetchedSecret> secret;  // nullopt: the fetch is in flight
  };
  SecretProvider* inner_;
  const Clock* clock_;
  std::chrono::milliseconds window_;
  std::mutex mu_;
  std::condition_variable landed_;       // an in-flight fetch finished
  std::map<std::string, Entry> recent_;  // guarded by mu_; key: ref without field + options
};

}  // namespace memsecret::injector
