#include "injector/session/session.h"

#include "injector/oauth/token_job.h"
#include "injector/runtime/secret_file_job.h"
#include "memsecret/plan/backend_settings.h"

namespace memsecret::injector {

Result<std::unique_ptr<Session>> Session::Build(const InjectionPlan& plan, const Environment& env,
                                                const Clock& clock, const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->scheduler_.set_max_in_flight(options.max_in_flight);
  s->http_ = MakeHttpClient();
  Session* self = s.get();
  const ProviderContext ctx{env, clock, *s->http_, [self](const TlsOptions& tls) -> HttpClient& {
                              self->extra_http_.push_back(MakeHttpClient(tls));
                              return *self->extra_http_.back();
                            }};
  for (const BackendFetch* backend : FetchBackends()) {
    if (!PlanUses(plan, backend->name)) continue;
    auto provider = backend->make_provider(plan.backends, ctx);
    if (!provider.ok()) return provider.status();
    s->providers_.Register(backend->name, std::move(provider).value());
  }
  SecretProvider* fetches = &s->providers_;
  if (plan.agent_port != 0) {  // the secret jobs' fetches also fill the Agent endpoint's cache
    s->agent_cache_ = std::make_unique<agent::AgentSecretCache>(
        agent::AgentSecretCache::DeclaredSecrets(plan), &clock,
        std::chrono::seconds(plan.refresh_interval_seconds));
    s->agent_feed_ = std::make_unique<agent::AgentCacheFeed>(fetches, s->agent_cache_.get());
    s->agent_fetch_ = std::make_unique<agent::OnDemandFetch>(s->agent_feed_.get(), &clock);
    fetches = s->agent_feed_.get();
  }
  s->shared_fetches_ = std::make_unique<CoalescingProvider>(fetches, &clock);
  s->writer_ = std::make_unique<AtomicFileWriter>(plan.output_dir);

  JobEnvironment& job_env = s->job_env_;
  job_env.pod = plan.pod;
  job_env.provider = s->shared_fetches_.get();  // files of one secret share a fetch
  job_env.http = s->http_.get();
  job_env.writer = s->writer_.get();
  job_env.audit = options.audit;
  job_env.health = &s->health_;
  for (const PlannedFile& f : plan.files) s->health_.Declare(f);
  job_env.jitter = MakeRandomJitter();
  job_env.refresh_phase = job_env.jitter();
  s->scheduler_.set_jitter(job_env.jitter);  // the shared throttle's draws
  job_env.once = options.once;
  job_env.gives_up_before_first_write = options.gives_up_before_first_write;

  auto endpoints = oauth::ReadIssuerEndpoints(env);
  if (!endpoints.ok()) return endpoints.status();
  auto find = [&plan](const std::string& name) {
    for (const PlannedFile& f : plan.files)
      if (f.name == name) return f;
    return PlannedFile{};
  };
  const WallTime start = clock.Now();
  auto secrets = MakeSecretFileJobs(plan, job_env);
  for (auto& job : secrets) s->jobs_.push_back({find(job->name()), job.get(), nullptr});
  // Token credentials are read without coalescing: after an invalid_client
  // the minter must see the store's current value, not one read 100 ms ago.
  JobEnvironment token_env = job_env;
  token_env.provider = &s->providers_;
  auto tokens = oauth::MakeTokenJobs(plan, token_env, *endpoints);
  if (!tokens.ok()) return tokens.status().WithContext("oauth");
  // Token jobs are scheduled first: a mint is two round trips (credentials,
  // then the token endpoint), a secret one, so starting them first keeps a
  // concurrent first pass at two round trips after the credentials.
  for (auto& job : *tokens) {
    s->jobs_.push_back({find(job->name()), job.get(), job.get()});
    s->scheduler_.Add(std::move(job), start);
  }
  for (auto& job : secrets) s->scheduler_.Add(std::move(job), start);
  return s;
}

std::vector<std::string> Session::UnwrittenFiles() const {
  std::vector<std::string> out;
  for (const FileJob& j : jobs_) {
    if (j.job->Ready()) continue;
    const Status st = j.job->LastStatus();
    out.push_back(j.file.name + " (" + j.file.ref.ToString() +
                  "): " + (st.ok() ? "not written yet" : st.message()));
  }
  return out;
}

std::optional<WallTime> Session::TokenValidUntil(const std::string& name) const {
  for (const FileJob& j : jobs_)
    if (j.token != nullptr && j.file.name == name) return j.token->valid_until();
  return std::nullopt;
}

}  // namespace memsecret::injector
