#include "injector/providers/secret_provider.h"

namespace memsecret::injector {

void ProviderRegistry::Register(std::string backend, std::unique_ptr<SecretProvider> impl) {
  providers_[std::move(backend)] = std::move(impl);
}

bool ProviderRegistry::Has(std::string_view backend) const {
  auto it = providers_.find(backend);
  return it != providers_.end() && it->second != nullptr;
}

FetchResult ProviderRegistry::Fetch(const SecretRef& ref, const FetchOptions& options) {
  auto it = providers_.find(ref.provider);
  if (it == providers_.end() || it->second == nullptr) {
    return FetchResult::Failure(
        FailedPrecondition("provider " + ref.provider + " is not configured for this plan"));
  }
  return it->second->Fetch(ref, options);
}

}  // namespace memsecret::injector
