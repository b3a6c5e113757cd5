#include "memsecret/plan/backend_settings.h"

#include <algorithm>

#include "memsecret/plan/backends.h"

namespace memsecret {

BackendConfigs DefaultBackendConfigs() {
  BackendConfigs configs;
  for (const Backend* b : Backends()) configs[b->name] = b->default_config();
  return configs;
}

bool PlanUses(const InjectionPlan& plan, std::string_view backend) {
  return std::any_of(plan.files.begin(), plan.files.end(),
                     [&](const PlannedFile& f) { return f.ref.provider == backend; });
}

void CheckBackendPolicy(const InjectionSpec& spec, const BackendConfigs& configs,
                        PlanNotes* notes) {
  for (const Backend* b : Backends()) {
    auto config = configs.find(b->name);
    if (b->check_policy != nullptr && config != configs.end())
      b->check_policy(spec.backend_keys, config->second, notes);
  }
}

void PlanBackends(const InjectionSpec& spec, const PlanContext& ctx, const BackendConfigs* configs,
                  InjectionPlan* plan, PlanNotes* notes) {
  for (const Backend* b : Backends()) {
    if (!PlanUses(*plan, b->name)) continue;
    const std::any* config = nullptr;
    if (configs != nullptr) {
      auto it = configs->find(b->name);
      if (it != configs->end()) config = &it->second;
    }
    plan->backends.Set(b->name, b->resolve(spec.backend_keys, ctx, config, notes));
  }
}

}  // namespace memsecret
