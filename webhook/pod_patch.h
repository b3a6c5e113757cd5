// PodPatch: PodPlan + the original pod -> RFC 6902 JSON Patch operations.
// Pure. Arrays and maps that do not exist are created whole (an `add` under a
// missing parent fails at the apiserver); names never collide with existing
// volumes or containers. The injector goes FIRST among init containers so
// later init containers can read the secrets (when named in `containers`).
#pragma once

#include <nlohmann/json.hpp>

#include "webhook/config.h"
#include "webhook/planner.h"

namespace memsecret::webhook {

// Returns the JSON array of operations.
nlohmann::json BuildPodPatch(const nlohmann::json& pod, const PodPlan& plan, const Config& config);

}  // namespace memsecret::webhook
