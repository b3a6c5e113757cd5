#include "injector/rotation/credential_store.h"

#include "injector/providers/aws/secrets_manager_writer.h"
#include "injector/providers/azure/key_vault_writer.h"
#include "injector/providers/vault/kv_location.h"
#include "injector/providers/vault/kv_writer.h"

namespace memsecret::injector::rotation {
namespace {

Result<StoredVersion> Read(SecretProvider* reader, const SecretRef& ref,
                           const FetchOptions& options) {
  FetchResult r = reader->Fetch(ref, options);
  if (!r.ok()) return r.status;
  return StoredVersion{r.secret->version, r.secret->created, std::move(r.secret->value)};
}

// A read whose "not there" answers mean "no such version".
Result<std::optional<StoredVersion>> ReadOptional(SecretProvider* reader, const SecretRef& ref,
                                                  const FetchOptions& options) {
  auto v = Read(reader, ref, options);
  if (v.ok()) return std::optional<StoredVersion>(std::move(v).value());
  if (v.status().code() == Code::kNotFound || v.status().code() == Code::kFailedPrecondition)
    return std::optional<StoredVersion>();
  return v.status();
}

class AwsStore final : public CredentialStore {
 public:
  AwsStore(SecretRef ref, SecretProvider* reader, aws::SecretsManagerWriter* writer)
      : ref_(std::move(ref)), reader_(reader), writer_(writer) {}

  Result<StoredVersion> ReadCurrent() override { return Read(reader_, ref_, Stage("AWSCURRENT")); }
  Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion&) override {
    return ReadOptional(reader_, ref_, Stage("AWSPREVIOUS"));
  }
  Result<std::optional<StoredVersion>> ReadPending(const StoredVersion& current) override {
    auto pending = ReadOptional(reader_, ref_, Stage("AWSPENDING"));
    if (pending.ok() && *pending && (*pending)->version == current.version)
      return std::optional<StoredVersion>();  // a finished rotation's leftover label
    return pending;
  }
  Result<std::optional<StoredVersion>> ReadStaged(const std::string& version) override {
    FetchOptions o = Stage("AWSPENDING");
    o.version = version;
    return ReadOptional(reader_, ref_, o);
  }
  bool stages() const override { return true; }
  Result<std::string> Stage(const SecretValue& value, const std::string& request_id) override {
    return writer_->PutSecretValue(ref_.path, value, request_id, {"AWSPENDING"});
  }
  Status Promote(const StoredVersion& current, const std::string& pending) override {
    Status moved =
        writer_->UpdateSecretVersionStage(ref_.path, "AWSCURRENT", pending, current.version);
    if (!moved.ok()) return moved;
    // The label has done its job; a reader's AWSPENDING fallback must not
    // find a stale version later.
    return writer_->UpdateSecretVersionStage(ref_.path, "AWSPENDING", "", pending);
  }
  Result<std::string> Write(const StoredVersion&, const SecretValue&) override {
    return Internal("aws: writes are staged");
  }

 private:
  static FetchOptions Stage(const char* stage) {
    FetchOptions o;
    o.stage = stage;
    return o;
  }
  SecretRef ref_;
  SecretProvider* reader_;
  aws::SecretsManagerWriter* writer_;
};

// A store whose write makes the new version current at once (Vault KV v2 with
// cas, Key Vault): nothing is staged, so the staging half of the interface is
// the same for all of them. `name` prefixes the (internal) misuse errors.
class OneStepStore : public CredentialStore {
 public:
  explicit OneStepStore(const char* name) : name_(name) {}
  Result<std::optional<StoredVersion>> ReadPending(const StoredVersion&) override {
    return std::optional<StoredVersion>();
  }
  Result<std::optional<StoredVersion>> ReadStaged(const std::string&) override {
    return std::optional<StoredVersion>();
  }
  bool stages() const override { return false; }
  Result<std::string> Stage(const SecretValue&, const std::string&) override {
    return Internal(std::string(name_) + ": writes are one step");
  }
  Status Promote(const StoredVersion&, const std::string&) override {
    return Internal(std::string(name_) + ": writes are one step");
  }

 private:
  const char* name_;
};

class VaultStore final : public OneStepStore {
 public:
  VaultStore(SecretRef ref, vault::KvLocation location, SecretProvider* reader,
             vault::VaultKvWriter* writer)
      : OneStepStore("vault"),
        ref_(std::move(ref)),
        location_(std::move(location)),
        reader_(reader),
        writer_(writer) {}

  Result<StoredVersion> ReadCurrent() override { return Read(reader_, ref_, {}); }
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
    return ReadOptional(reader_, ref_, o);
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
  vault::KvLocation location_;
  SecretProvider* reader_;
  vault::VaultKvWriter* writer_;
};

class AzureStore final : public OneStepStore {
 public:
  AzureStore(SecretRef ref, SecretProvider* reader, azure::KeyVaultWriter* writer)
      : OneStepStore("azure"), ref_(std::move(ref)), reader_(reader), writer_(writer) {}

  Result<StoredVersion> ReadCurrent() override { return Read(reader_, ref_, {}); }
  // Key Vault's versions are not ordered by id: the document's
  // previousClientId tells the rotation which client came before.
  Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion&) override {
    return std::optional<StoredVersion>();
  }
  Result<std::string> Write(const StoredVersion& current, const SecretValue& value) override {
    // No check-and-set in Key Vault: refuse when another writer came first.
    auto latest = Read(reader_, ref_, {});
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
  azure::KeyVaultWriter* writer_;
};

}  // namespace

Result<std::unique_ptr<CredentialStore>> MakeCredentialStore(const SecretRef& ref,
                                                             SecretProvider* reader,
                                                             const StoreWriters& writers) {
  aws::SecretsManagerWriter* aws = writers.aws;
  vault::VaultKvWriter* vault = writers.vault;
  SecretRef whole = ref;
  whole.field.reset();
  if (ref.Query("version") || ref.Query("stage"))
    return InvalidArgument(ref.ToString() + ": a rotated ref must not pin ?version= or ?stage=");
  if (ref.provider == Provider::kAws && aws != nullptr)
    return std::unique_ptr<CredentialStore>(std::make_unique<AwsStore>(whole, reader, aws));
  if (ref.provider == Provider::kVault && vault != nullptr) {
    auto loc = vault::ResolveKvLocation(whole);
    if (!loc.ok()) return loc.status().WithContext(ref.ToString());
    if (loc->kv_version != 2)
      return InvalidArgument(ref.ToString() + ": rotation needs KV v2 (check-and-set)");
    return std::unique_ptr<CredentialStore>(
        std::make_unique<VaultStore>(whole, *loc, reader, vault));
  }
  if (ref.provider == Provider::kAzure && writers.azure != nullptr)
    return std::unique_ptr<CredentialStore>(
        std::make_unique<AzureStore>(whole, reader, writers.azure));
  return InvalidArgument(ref.ToString() + ": no writer for this store");
}

}  // namespace memsecret::injector::rotation
