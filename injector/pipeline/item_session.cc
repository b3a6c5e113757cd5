#include "injector/pipeline/item_session.h"

#include "injector/oauth/issuer_endpoints.h"
#include "injector/oauth/token_job.h"
#include "injector/providers/aws/secrets_manager.h"
#include "injector/providers/azure/key_vault_provider.h"
#include "injector/providers/vault/vault_provider.h"
#include "injector/runtime/atomic_file_writer.h"
#include "injector/runtime/audit.h"
#include "injector/runtime/coalescing_provider.h"
#include "injector/runtime/secret_file_job.h"
#include "injector/wire/http_client.h"

namespace memsecret::injector::pipeline {
namespace {

bool Uses(const InjectionPlan& plan, Provider p) {
  for (const auto& f : plan.files)
    if (f.ref.provider == p) return true;
  return false;
}

class Session final : public ItemSession {
 public:
  Session(const InjectionPlan& plan, const Clock& clock, std::FILE* audit_out)
      : plan_(plan), writer_(plan.output_dir), audit_(audit_out), shared_(&providers_, &clock) {}

  Status Wire(const Environment& env, const Clock& clock) {
    http_ = MakeHttpClient();
    if (auto bundle = env.GetOr("AWS_CA_BUNDLE"); !bundle.empty())
      aws_http_ = MakeHttpClient(TlsOptions{bundle, "", false});
    if (Uses(plan_, Provider::kAws)) {
      auto aws = aws::MakeSecretsManagerProvider(plan_.aws.value_or(AwsSettings{}), env,
                                                 aws_http_ ? *aws_http_ : *http_, clock);
      if (!aws.ok()) return aws.status().WithContext("aws");
      providers_.Register(Provider::kAws, std::move(aws).value());
    }
    if (Uses(plan_, Provider::kVault)) {
      auto vault = vault::MakeVaultProvider(plan_.vault.value_or(VaultSettings{}), env, clock);
      if (!vault.ok()) return vault.status();
      providers_.Register(Provider::kVault, std::move(vault).value());
    }
    if (Uses(plan_, Provider::kAzure)) {
      auto azure = azure::MakeAzureProvider(plan_.azure.value_or(AzureSettings{}), env, *http_, clock);
      if (!azure.ok()) return azure.status();
      providers_.Register(Provider::kAzure, std::move(azure).value());
    }
    auto endpoints = oauth::ReadIssuerEndpoints(env);
    if (!endpoints.ok()) return endpoints.status();

    JobEnvironment job_env{plan_.pod, &shared_, &writer_, &audit_, MakeRandomJitter(), BackoffPolicy{}};
    const WallTime start = clock.Now();
    for (auto& job : MakeSecretFileJobs(plan_, job_env)) {
      jobs_.push_back({job.get(), nullptr});
      scheduler_.Add(std::move(job), start);
    }
    auto tokens = oauth::MakeTokenJobs(plan_, http_.get(), &providers_, &writer_, job_env.jitter,
                                       &audit_, *endpoints);
    if (!tokens.ok()) return tokens.status();
    for (auto& job : *tokens) {
      jobs_.push_back({job.get(), job.get()});
      scheduler_.Add(std::move(job), start);
    }
    return Status::Ok();
  }

  Scheduler& scheduler() override { return scheduler_; }

  std::vector<std::string> FailedItems() const override {
    std::vector<std::string> out;
    for (const auto& [job, token] : jobs_) {
      if (job->Ready()) continue;
      const PlannedFile* f = Find(job->name());
      Status st = job->LastStatus();
      out.push_back(job->name() + " (" + (f ? f->ref.ToString() : "?") +
                    "): " + (st.ok() ? "not written before the timeout" : st.message()));
    }
    return out;
  }

  std::optional<WallTime> TokenValidUntil(const std::string& name) const override {
    for (const auto& [job, token] : jobs_)
      if (token != nullptr && job->name() == name) return token->valid_until();
    return std::nullopt;
  }

  void CleanUp() override {
    (void)writer_.RemoveReadyMarker();
    writer_.RemoveStaleTempFiles();
  }

 private:
  const PlannedFile* Find(const std::string& name) const {
    for (const PlannedFile& f : plan_.files)
      if (f.name == name) return &f;
    return nullptr;
  }

  InjectionPlan plan_;
  std::unique_ptr<HttpClient> http_, aws_http_;
  ProviderRegistry providers_;
  AtomicFileWriter writer_;
  StreamAuditSink audit_;
  CoalescingProvider shared_;
  Scheduler scheduler_;
  std::vector<std::pair<Job*, oauth::TokenJob*>> jobs_;
};

}  // namespace

Result<std::unique_ptr<ItemSession>> ItemSession::Create(const InjectionPlan& plan,
                                                         const Environment& env,
                                                         const Clock& clock, std::FILE* audit_out) {
  auto s = std::make_unique<Session>(plan, clock, audit_out);
  if (Status st = s->Wire(env, clock); !st.ok()) return st;
  return std::unique_ptr<ItemSession>(std::move(s));
}

}  // namespace memsecret::injector::pipeline
