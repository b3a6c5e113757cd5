#include "injector/providers/aws/aws_backend.h"

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/secrets_manager.h"
#include "injector/providers/aws/secrets_manager_writer.h"

namespace memsecret::injector::aws {
namespace {

using rotation::CredentialStore;
using rotation::ReadOptionalVersion;
using rotation::ReadStoredVersion;
using rotation::StoredVersion;

// The store as a rotation sees it: staged writes (PutSecretValue with
// AWSPENDING, then UpdateSecretVersionStage moves AWSCURRENT).
class AwsStore final : public CredentialStore {
 public:
  AwsStore(SecretRef ref, SecretProvider* reader, std::unique_ptr<SecretsManagerWriter> writer)
      : ref_(std::move(ref)), reader_(reader), writer_(std::move(writer)) {}

  Result<StoredVersion> ReadCurrent() override {
    return ReadStoredVersion(reader_, ref_, Stage("AWSCURRENT"));
  }
  Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion&) override {
    return ReadOptionalVersion(reader_, ref_, Stage("AWSPREVIOUS"));
  }
  Result<std::optional<StoredVersion>> ReadPending(const StoredVersion& current) override {
    auto pending = ReadOptionalVersion(reader_, ref_, Stage("AWSPENDING"));
    if (pending.ok() && *pending && (*pending)->version == current.version)
      return std::optional<StoredVersion>();  // a finished rotation's leftover label
    return pending;
  }
  Result<std::optional<StoredVersion>> ReadStaged(const std::string& version) override {
    FetchOptions o = Stage("AWSPENDING");
    o.version = version;
    return ReadOptionalVersion(reader_, ref_, o);
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
  std::unique_ptr<SecretsManagerWriter> writer_;
};

// AWS_CA_BUNDLE: a CA bundle for AWS endpoints only (as the AWS SDKs).
HttpClient& AwsHttp(const ProviderContext& ctx) {
  const std::string bundle = ctx.env.GetOr("AWS_CA_BUNDLE");
  return bundle.empty() ? ctx.http : ctx.http_for(TlsOptions{bundle, "", false});
}

Result<std::unique_ptr<SecretProvider>> MakeProvider(const PlanSettings& settings,
                                                     const ProviderContext& ctx) {
  auto provider = MakeSecretsManagerProvider(settings.GetOr<AwsSettings>(kAwsBackend), ctx.env,
                                             AwsHttp(ctx), ctx.clock);
  if (!provider.ok()) return provider.status().WithContext("aws");
  return provider;
}

Result<std::unique_ptr<CredentialStore>> MakeStore(const SecretRef& ref, SecretProvider* reader,
                                                   const PlanSettings& settings,
                                                   const ProviderContext& ctx) {
  auto writer = MakeSecretsManagerWriter(settings.GetOr<AwsSettings>(kAwsBackend), ctx.env,
                                         AwsHttp(ctx), ctx.clock);
  if (!writer.ok()) return writer.status().WithContext("aws");
  return std::unique_ptr<CredentialStore>(
      std::make_unique<AwsStore>(ref, reader, std::move(writer).value()));
}

}  // namespace

const BackendFetch& AwsFetch() {
  static const BackendFetch row{kAwsBackend, MakeProvider, MakeStore};
  return row;
}

}  // namespace memsecret::injector::aws
