// AgentCacheFeed: a SecretProvider that passes every fetch through to
// `inner` and tells the Agent endpoint's cache (secret_cache.h) how it went:
// a success is kept (for declared secrets), a definite "gone" or "forbidden"
// evicts (AgentSecretCache::RecordFailure). The session puts it under the
// coalescing layer, so the secret jobs' own fetches fill the cache, and the
// endpoint's fetches on demand (on_demand_fetch.h) go through it too. As
// thread-safe as `inner`.
#pragma once

#include "injector/agent/secret_cache.h"
#include "injector/providers/secret_provider.h"

namespace memsecret::injector::agent {

class AgentCacheFeed final : public SecretProvider {
 public:
  // Both must outlive the feed.
  AgentCacheFeed(SecretProvider* inner, AgentSecretCache* cache) : inner_(inner), cache_(cache) {}

  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override {
    FetchResult r = inner_->Fetch(ref, options);
    if (r.ok())
      cache_->Store(ref, options, *r.secret);
    else
      cache_->RecordFailure(ref, options, r.status);
    return r;
  }

 private:
  SecretProvider* inner_;
  AgentSecretCache* cache_;
};

}  // namespace memsecret::injector::agent
