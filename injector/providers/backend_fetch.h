// BackendFetch: what a secret store backend's *fetch part* fills in (its
// authentication, reads and writes; injector only). Each backend's row lives
// in its folder (injector/providers/<name>/<name>_backend.cc) beside its
// spec part (memsecret/backend.h), and is one row of the injector's table
// (backend_table.h).
#pragma once

#include <functional>
#include <memory>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/providers/credential_store.h"
#include "injector/providers/secret_provider.h"
#include "memsecret/backend.h"
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector {

// What a backend's provider is built from. `http` is the shared client
// (system trust); `http_for` gives a client for another trust configuration
// (a backend's own CA bundle), owned by the caller.
struct ProviderContext {
  const Environment& env;
  const Clock& clock;
  HttpClient& http;
  std::function<HttpClient&(const TlsOptions&)> http_for;
};

struct BackendFetch {
  const char* name;  // as its spec part's Backend::name
  // The backend's provider from the plan's settings (its own member of
  // `settings`, absent for pipelines and `rotate`: the environment's).
  // Errors are start-up misconfiguration: the command exits.
  Result<std::unique_ptr<SecretProvider>> (*make_provider)(const PlanSettings& settings,
                                                           const ProviderContext& ctx);
  // The store a rotation reads and writes at `ref` (no #field, no pinned
  // version), reading through `reader` (which must outlive it). Null: the
  // backend takes no writes.
  Result<std::unique_ptr<rotation::CredentialStore>> (*make_store)(const SecretRef& ref,
                                                                   SecretProvider* reader,
                                                                   const PlanSettings& settings,
                                                                   const ProviderContext& ctx);
};

}  // namespace memsecret::injector
