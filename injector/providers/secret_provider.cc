#include "injector/providers/secret_provider.h"

namespace memsecret::injector {

void ProviderRegistry::Register(Provider provider, std::unique_ptr<SecretProvider> impl) {
  switch (provider) {
    case Provider::kAws:
      aws_ = std::move(impl);
      break;
    case Provider::kVault:
      vault_ = std::move(impl);
      break;
    case Provider::kAzure:
      azure_ = std::move(impl);
      break;
  }
}

bool ProviderRegistry::Has(Provider provider) const {
  switch (provider) {
    case Provider::kAws:
      return aws_ != nullptr;
    case Provider::kVault:
      return vault_ != nullptr;
    case Provider::kAzure:
      return azure_ != nullptr;
  }
  return false;
}

FetchResult ProviderRegistry::Fetch(const SecretRef& ref, const FetchOptions& options) {
  SecretProvider* impl = nullptr;
  switch (ref.provider) {
    case Provider::kAws:
      impl = aws_.get();
      break;
    case Provider::kVault:
      impl = vault_.get();
      break;
    case Provider::kAzure:
      impl = azure_.get();
      break;
  }
  if (impl == nullptr) {
    return FetchResult::Failure(FailedPrecondition("provider " +
                                                   std::string(ProviderName(ref.provider)) +
                                                   " is not configured for this plan"));
  }
  return impl->Fetch(ref, options);
}

}  // namespace memsecret::injector
