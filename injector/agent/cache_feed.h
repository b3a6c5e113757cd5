// AgentCacheFeed: a SecretProvider that passes every fetch through to
// `inner` and hands each success to the Agent endpoint's cache
// (secret_cache.h), which keeps the declared ones. The session puts it under
// the coalescing layer, so the secret jobs' own fetches fill the cache and the
// endpoint never adds a backend call. As thread-safe as `inner`.
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
    if (r.ok()) cache_->Store(ref, options, *r.secret);
    return r;
  }

 private:
  SecretProvider* inner_;
  AgentSecretCache* cache_;
};

}  // namespace memsecret::injector::agent
