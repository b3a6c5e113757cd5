// Session: everything one injector run needs, built from a plan in one place
// so `run` (and every other command that fetches) wires providers and jobs
// the same way: one provider per backend the plan uses, each built by its
// row of the injector's table (injector/providers/backend_table.h), behind one
// coalescing layer (files of one secret
// share a fetch), the writer, and one job per file — SecretFileJob for
// `secret-<name>`, TokenJob for `token-<name>` — built from one
// JobEnvironment. The caller drives `scheduler`.
//
// Thread-safety: the session lives on the command's thread; the jobs of one
// pass run concurrently on the scheduler's executor and share only
// thread-safe parts (providers and their credential caches, the coalescing
// layer, the HTTP clients, the writer, the audit sink). Members refer to each
// other, so a Session never moves (it is handed out in a unique_ptr).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "injector/agent/cache_feed.h"
#include "injector/agent/on_demand_fetch.h"
#include "injector/agent/secret_cache.h"
#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/providers/backend_table.h"
#include "injector/providers/secret_provider.h"
#include "injector/runtime/coalescing_provider.h"
#include "injector/runtime/job_environment.h"
#include "injector/runtime/scheduler.h"
#include "memsecret/clock.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector {
namespace oauth {
class TokenJob;
}

struct SessionOptions {
  bool once = false;           // init / --once (see JobEnvironment::once)
  AuditSink* audit = nullptr;  // optional; must outlive the session
  // Fetches and mints in flight at once in one pass (1: sequential); see
  // runtime/bounded_executor.h and MEMSECRET_CONCURRENCY.
  size_t max_in_flight = kDefaultMaxInFlight;
  // exec (see JobEnvironment::gives_up_before_first_write)
  bool gives_up_before_first_write = false;
};

class Session {
 public:
  // kInvalidArgument / kFailedPrecondition naming the backend or file when a
  // provider or an issuer cannot be built, or MEMSECRET_GENESYS_LOGIN_URL /
  // MEMSECRET_CXONE_AUTH_URL is invalid (oauth/issuer_endpoints.h).
  static Result<std::unique_ptr<Session>> Build(const InjectionPlan& plan, const Environment& env,
                                                const Clock& clock, const SessionOptions& options);

  Scheduler& scheduler() { return scheduler_; }
  AtomicFileWriter& writer() { return *writer_; }
  const JobEnvironment& job_environment() const { return job_env_; }
  // Every file's health (declared at Build, recorded by the jobs); the
  // metrics endpoint reads it. Thread-safe.
  HealthRegistry& health() { return health_; }
  // The declared aws: secrets as the secret jobs last fetched them, for the
  // Agent endpoint; null unless the plan has an agent_port.
  const agent::AgentSecretCache* agent_cache() const { return agent_cache_.get(); }
  // The Agent endpoint's own, rate-bounded reads of the store (through the
  // cache feed); null unless the plan has an agent_port.
  agent::OnDemandFetch* agent_fetch() { return agent_fetch_.get(); }

  // One line per file not written (yet): "<name> (<ref>): <last failure>",
  // for commands that report every failed item of a first write.
  std::vector<std::string> UnwrittenFiles() const;
  // Expiry of the token currently in token file `name` (nullopt: no such
  // token file, or nothing written yet).
  std::optional<WallTime> TokenValidUntil(const std::string& name) const;

 private:
  Session() = default;

  std::unique_ptr<HttpClient> http_;
  std::vector<std::unique_ptr<HttpClient>> extra_http_;  // per-backend trust (AWS_CA_BUNDLE)
  ProviderRegistry providers_;
  std::unique_ptr<agent::AgentSecretCache> agent_cache_;  // plan.agent_port only
  std::unique_ptr<agent::AgentCacheFeed> agent_feed_;     // providers_ -> agent_cache_
  std::unique_ptr<agent::OnDemandFetch> agent_fetch_;     // -> agent_feed_
  std::unique_ptr<CoalescingProvider> shared_fetches_;
  std::unique_ptr<AtomicFileWriter> writer_;
  HealthRegistry health_;
  JobEnvironment job_env_;
  Scheduler scheduler_;
  struct FileJob {
    PlannedFile file;
    const Job* job;
    const oauth::TokenJob* token;  // null for secret files
  };
  std::vector<FileJob> jobs_;
};

}  // namespace memsecret::injector
