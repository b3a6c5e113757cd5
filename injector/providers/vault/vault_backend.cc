#include "injector/providers/vault/vault_backend.h"

#include "injector/providers/vault/kv_location.h"
#include "injector/providers/vault/kv_writer.h"
#include "injector/providers/vault/vault_provider.h"
#include "injector/providers/vault/vault_spec.h"

namespace memsecret::injector::vault {
namespace {

using rotation::CredentialStore;
using rotation::OneStepStore;
using rotation::ReadOptionalVersion;
using rotation::ReadStoredVersion;
using rotation::StoredVersion;

// The store as a rotation sees it: KV v2, one write with options.cas = the
// version read.
class VaultStore final : public OneStepStore {
 public:
  VaultStore(SecretRef ref, KvLocation location, SecretProvider* reader,
             std::unique_ptr<VaultKvWriter> writer)
      : OneStepStore("vault"),
        ref_(std::move(ref)),
        location_(std::move(location)),
        reader_(reader),
        writer_(std::move(writer)) {}

  Result<StoredVersion> ReadCurrent() override { return ReadStoredVersion(reader_, ref_, {}); }
  Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion& current) override {
    int64_t n = 0;
    try {
      n = std::stoll(current.version);
    } catch (...) {
      return std::optional<StoredVersion>();
    }
    if (n <= 1) return std::optional<StoredVersion>();
    FetchOptions o;
    o.version = std::to_string(n - 1);
    return ReadOptionalVersion(reader_, ref_, o);
  }
  Result<std::string> Write(const StoredVersion& current, const SecretValue& value) override {
    int64_t cas = 0;
    try {
      cas = std::stoll(current.version);
    } catch (...) {
      return FailedPrecondition("vault: the current version \"" + current.version +
                                "\" is not a KV v2 version number");
    }
    auto v = writer_->Write(location_, value, cas);
    if (!v.ok()) return v.status();
    return std::to_string(*v);
  }

 private:
  SecretRef ref_;
  KvLocation location_;
  SecretProvider* reader_;
  std::unique_ptr<VaultKvWriter> writer_;
};

Result<std::unique_ptr<SecretProvider>> MakeProvider(const PlanSettings& settings,
                                                     const ProviderContext& ctx) {
  return MakeVaultProvider(settings.GetOr<VaultSettings>(kVaultBackend), ctx.env, ctx.clock);
}

Result<std::unique_ptr<CredentialStore>> MakeStore(const SecretRef& ref, SecretProvider* reader,
                                                   const PlanSettings& settings,
                                                   const ProviderContext& ctx) {
  auto loc = ResolveKvLocation(ref);
  if (!loc.ok()) return loc.status().WithContext(ref.ToString());
  if (loc->kv_version != 2)
    return InvalidArgument(ref.ToString() + ": rotation needs KV v2 (check-and-set)");
  auto writer = MakeVaultKvWriter(settings.GetOr<VaultSettings>(kVaultBackend), ctx.env, ctx.clock);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<CredentialStore>(
      std::make_unique<VaultStore>(ref, *loc, reader, std::move(writer).value()));
}

}  // namespace

const BackendFetch& VaultFetch() {
  static const BackendFetch row{kVaultBackend, MakeProvider, MakeStore};
  return row;
}

}  // namespace memsecret::injector::vault
