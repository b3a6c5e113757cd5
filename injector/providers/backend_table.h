// The injector's backends: one row per backend's fetch part
// (backend_fetch.h), beside the spec parts' table (memsecret/plan/backends.h).
// Every command that fetches or writes builds its providers and stores here.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "injector/providers/backend_fetch.h"

namespace memsecret::injector {

const std::vector<const BackendFetch*>& FetchBackends();

// The provider of `backend` ("vault") built from `settings`.
Result<std::unique_ptr<SecretProvider>> MakeProvider(std::string_view backend,
                                                     const PlanSettings& settings,
                                                     const ProviderContext& ctx);

// The store for `ref` (#field ignored), reading through `reader`.
// kInvalidArgument for pinned refs (?version=, ?stage=), a backend without
// writes, and what its store refuses (Vault KV v1).
Result<std::unique_ptr<rotation::CredentialStore>> MakeCredentialStore(const SecretRef& ref,
                                                                       SecretProvider* reader,
                                                                       const PlanSettings& settings,
                                                                       const ProviderContext& ctx);

}  // namespace memsecret::injector
