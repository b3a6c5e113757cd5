#include "injector/providers/azure/azure_backend.h"

#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/azure/key_vault_provider.h"
#include "injector/providers/azure/key_vault_writer.h"

namespace memsecret::injector::azure {
namespace {

using rotation::CredentialStore;
using rotation::OneStepStore;
using rotation::ReadStoredVersion;
using rotation::StoredVersion;

// The store as a rotation sees it: a new version (PUT) after checking the
// version read is still the latest (Key Vault has no check-and-set).
class AzureStore final : public OneStepStore {
 public:
  AzureStore(SecretRef ref, SecretProvider* reader, std::unique_ptr<KeyVaultWriter> writer)
      : OneStepStore("azure"), ref_(std::move(ref)), reader_(reader), writer_(std::move(writer)) {}

  Result<StoredVersion> ReadCurrent() override { return ReadStoredVersion(reader_, ref_, {}); }
  // Key Vault's versions are not ordered by id: the document's
  // previousClientId tells the rotation which client came before.
  Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion&) override {
    return std::optional<StoredVersion>();
  }
  Result<std::string> Write(const StoredVersion& current, const SecretValue& value) override {
    // No check-and-set in Key Vault: refuse when another writer came first.
    auto latest = ReadStoredVersion(reader_, ref_, {});
    if (!latest.ok()) return latest.status();
    if (latest->version != current.version)
      return FailedPrecondition("azure " + ref_.path + ": the secret changed since it was read (" +
                                current.version + " -> " + latest->version +
                                "); run the rotation again");
    return writer_->SetSecret(ref_.path, value);
  }

 private:
  SecretRef ref_;
  SecretProvider* reader_;
  std::unique_ptr<KeyVaultWriter> writer_;
};

Result<std::unique_ptr<SecretProvider>> MakeProvider(const PlanSettings& settings,
                                                     const ProviderContext& ctx) {
  return MakeAzureProvider(settings.GetOr<AzureSettings>(kAzureBackend), ctx.env, ctx.http,
                           ctx.clock);
}

Result<std::unique_ptr<CredentialStore>> MakeStore(const SecretRef& ref, SecretProvider* reader,
                                                   const PlanSettings& settings,
                                                   const ProviderContext& ctx) {
  auto writer = MakeKeyVaultWriter(settings.GetOr<AzureSettings>(kAzureBackend), ctx.env, ctx.http,
                                   ctx.clock);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<CredentialStore>(
      std::make_unique<AzureStore>(ref, reader, std::move(writer).value()));
}

}  // namespace

const BackendFetch& AzureFetch() {
  static const BackendFetch row{kAzureBackend, MakeProvider, MakeStore};
  return row;
}

}  // namespace memsecret::injector::azure
