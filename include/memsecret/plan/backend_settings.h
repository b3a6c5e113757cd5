// Backend settings: how a plan's per-backend settings (InjectionPlan::backends)
// are resolved from the keys a pod or a pipeline gave and the config in
// force. One loop over the backends' rows (memsecret/plan/backends.h), used
// by both planners: the webhook's (each backend's config section, the app's
// literal env, projected service-account tokens) and the pipeline commands'
// (no config: what a key leaves empty the injector takes from the runner's
// own environment). A backend is resolved only when a file of the plan uses
// it. Pure. Thread-safe.
#pragma once

#include <any>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/backend.h"
#include "memsecret/plan/annotation_keys.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret {

// The webhook config's backend sections by backend name (each backend's own
// type: Backend::default_config, Backend::parse_config).
using BackendConfigs = std::map<std::string, std::any, std::less<>>;

// Every backend's section at its defaults.
BackendConfigs DefaultBackendConfigs();

// Whether a file of `plan` reads from `backend`.
bool PlanUses(const InjectionPlan& plan, std::string_view backend);

// Adds to notes->policy each backend's denial of `spec`'s keys under
// `configs` (the Vault address allowlist).
void CheckBackendPolicy(const InjectionSpec& spec, const BackendConfigs& configs, PlanNotes* notes);

// Sets plan->backends for every backend a file of plan->files uses, from
// `spec`'s keys, the context and `configs` (null for pipelines).
void PlanBackends(const InjectionSpec& spec, const PlanContext& ctx, const BackendConfigs* configs,
                  InjectionPlan* plan, PlanNotes* notes);

}  // namespace memsecret
