#include "injector/lambda/genesys_rotation_steps.h"

#include <algorithm>

#include "injector/providers/aws/aws_spec.h"

namespace memsecret::injector::lambda {
namespace {

// The secret as a two-step CredentialStore over the function's seams.
class SecretsManagerStore final : public rotation::CredentialStore {
 public:
  SecretsManagerStore(const GenesysStepsDeps& d, std::string secret_id)
      : d_(d), secret_id_(std::move(secret_id)) {}

  Result<rotation::StoredVersion> ReadCurrent() override {
    auto v = Read("AWSCURRENT", "");
    if (!v.ok()) return v.status();
    if (!*v) return NotFound("the secret has no AWSCURRENT version");
    return std::move(**v);
  }
  Result<std::optional<rotation::StoredVersion>> ReadPrevious(
      const rotation::StoredVersion&) override {
    return Read("AWSPREVIOUS", "");
  }
  Result<std::optional<rotation::StoredVersion>> ReadPending(
      const rotation::StoredVersion& current) override {
    auto pending = Read("AWSPENDING", "");
    if (pending.ok() && *pending && (*pending)->version == current.version)
      return std::optional<rotation::StoredVersion>();
    return pending;
  }
  Result<std::optional<rotation::StoredVersion>> ReadStaged(const std::string& version) override {
    return Read("AWSPENDING", version);
  }
  bool stages() const override { return true; }
  Result<std::string> Stage(const SecretValue& value, const std::string& token) override {
    if (Status st = d_.stage(secret_id_, value, token); !st.ok()) return st;
    return token;
  }
  Status Promote(const rotation::StoredVersion& current, const std::string& token) override {
    return d_.promote(secret_id_, token, current.version);
  }
  Result<std::string> Write(const rotation::StoredVersion&, const SecretValue&) override {
    return Internal("aws: writes are staged");
  }

 private:
  // nullopt when Secrets Manager has no such version.
  Result<std::optional<rotation::StoredVersion>> Read(const char* stage,
                                                      const std::string& version) {
    SecretRef ref;
    ref.provider = kAwsBackend;
    ref.path = secret_id_;
    FetchOptions options;
    options.stage = stage;
    if (!version.empty()) options.version = version;
    FetchResult r = d_.reader->Fetch(ref, options);
    if (!r.ok()) {
      if (r.status.code() == Code::kNotFound) return std::optional<rotation::StoredVersion>();
      return r.status.WithContext(std::string("reading ") + stage);
    }
    return std::optional<rotation::StoredVersion>(
        rotation::StoredVersion{r.secret->version, r.secret->created, std::move(r.secret->value)});
  }

  const GenesysStepsDeps& d_;
  std::string secret_id_;
};

}  // namespace

void GenesysRotationSteps::Report(const std::string& secret_id, std::string step,
                                  std::string outcome, std::string version, std::string detail) {
  if (d_.report)
    d_.report(secret_id,
              {std::move(step), std::move(outcome), "", std::move(version), std::move(detail)});
}

Result<bool> GenesysRotationSteps::CheckEvent(const std::string& secret_id,
                                              const std::string& token) {
  auto state = d_.describe(secret_id);
  if (!state.ok()) return state.status();
  if (!state->rotation_enabled) return FailedPrecondition("rotation is not enabled for the secret");
  auto it = state->version_stages.find(token);
  if (it == state->version_stages.end())
    return FailedPrecondition("version " + token + " has no stage for rotation");
  auto has = [&](const char* stage) {
    return std::find(it->second.begin(), it->second.end(), stage) != it->second.end();
  };
  if (has("AWSCURRENT")) return false;
  if (!has("AWSPENDING"))
    return FailedPrecondition("version " + token + " is not set as AWSPENDING for rotation");
  return true;
}

Status GenesysRotationSteps::WithRotator(const std::string& secret_id, bool clients,
                                         const std::function<Status(rotation::Rotator&)>& step) {
  SecretsManagerStore store(d_, secret_id);
  std::unique_ptr<oauth::OAuthClientDirectory> directory;
  if (clients) {
    auto current = store.ReadCurrent();
    if (!current.ok()) return current.status();
    auto opened = d_.open_clients(current->value);
    if (!opened.ok()) return opened.status();
    directory = std::move(opened).value();
  }
  rotation::RotatorDeps deps;
  deps.store = &store;
  deps.clients = directory.get();
  deps.verify = d_.verify;
  deps.clock = d_.clock;
  deps.sleep = d_.sleep;
  deps.report = [&](const rotation::RotationStep& s) {
    if (d_.report) d_.report(secret_id, s);
  };
  rotation::RotatorOptions options;
  options.verify_attempts = d_.verify_attempts;
  options.verify_pause = d_.verify_pause;
  rotation::Rotator rotator(std::move(deps), options);
  return step(rotator);
}

Status GenesysRotationSteps::CreateSecret(const std::string& secret_id, const std::string& token) {
  auto work = CheckEvent(secret_id, token);
  if (!work.ok()) return work.status();
  if (!*work) {
    Report(secret_id, "stage", "skipped", token, "the version is already AWSCURRENT");
    return Status::Ok();
  }
  return WithRotator(secret_id, true,
                     [&](rotation::Rotator& r) { return r.StagePending(token).status(); });
}

Status GenesysRotationSteps::SetSecret(const std::string& secret_id, const std::string& token) {
  auto work = CheckEvent(secret_id, token);
  if (!work.ok()) return work.status();
  Report(secret_id, "set", "skipped", token, "a Genesys client is usable once created");
  return Status::Ok();
}

Status GenesysRotationSteps::TestSecret(const std::string& secret_id, const std::string& token) {
  auto work = CheckEvent(secret_id, token);
  if (!work.ok()) return work.status();
  if (!*work) {
    Report(secret_id, "verify", "skipped", token, "the version is already AWSCURRENT");
    return Status::Ok();
  }
  return WithRotator(secret_id, false, [&](rotation::Rotator& r) { return r.TestPending(token); });
}

Status GenesysRotationSteps::FinishSecret(const std::string& secret_id, const std::string& token) {
  // A token already AWSCURRENT still finishes the delete of P.
  if (auto work = CheckEvent(secret_id, token); !work.ok()) return work.status();
  return WithRotator(secret_id, true, [&](rotation::Rotator& r) { return r.FinishPending(token); });
}

}  // namespace memsecret::injector::lambda
