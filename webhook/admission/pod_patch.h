// PodPatch: PodPlan + the pod's facts -> RFC 6902 JSON Patch operations.
// Pure. Arrays and maps that do not exist are created whole (an `add` under a
// missing parent fails at the apiserver); names never collide with existing
// volumes or containers. The injector goes FIRST among init containers so
// later init containers can read the secrets (when named in `containers`).
#pragma once

#include <string>

#include "webhook/admission/planner.h"
#include "webhook/admission/pod_facts.h"
#include "webhook/config/config.h"

namespace memsecret::webhook {

// Returns the JSON array of operations as JSON text, written directly (no
// DOM) with every object's keys in sorted order: the same bytes
// nlohmann_json's dump() would print for it.
std::string BuildPodPatch(const PodFacts& pod, const PodPlan& plan, const Config& config);

}  // namespace memsecret::webhook
