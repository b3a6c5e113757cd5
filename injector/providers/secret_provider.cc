#include "injector/providers/secret_provider.h"

namespace memsecret::injector {

void ProviderRegistry::Register(Provider provider, std::unique_ptr<SecretProvider> impl) {
  providers_[provider] = std::move(impl);
}

bool ProviderRegistry::Has(Provider provider) const {
  auto it = providers_.find(provider);
  return it != providers_.end() && it->second != nullptr;
}

FetchResult ProviderRegistry::Fetch(const SecretRef& ref, const FetchOptions& options) {
  auto it = providers_.find(ref.provider);
  if (it == providers_.end() || it->second == nullptr) {
    return FetchResult::Failure(FailedPrecondition("provider " +
                                                   std::string(ProviderName(ref.provider)) +
                                                   " is not configured for this plan"));
  }
  return it->second->Fetch(ref, options);
}

}  // namespace memsecret::injector
