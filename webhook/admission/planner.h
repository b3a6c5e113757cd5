// Planner: a validated PodInjectionSpec + Config + the pod -> PodPlan, the
// complete description of what to inject (the InjectionPlan for the injector
// plus container placement, identity and volumes). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memsecret/plan/backend_settings.h"
#include "memsecret/plan/injection_plan.h"
#include "webhook/admission/annotations.h"
#include "webhook/admission/pod_facts.h"
#include "webhook/admission/problems.h"
#include "webhook/config/config.h"

namespace memsecret::webhook {

// Where the injector finds its projected service-account tokens.
inline constexpr const char* kServiceAccountTokenDir =
    "/var/run/secrets/memsecret.io/serviceaccount";

struct PodPlan {
  InjectionPlan plan;
  std::string mount_path;
  std::vector<size_t> app_containers;   // indices into spec.containers that get the mount
  std::vector<size_t> init_containers;  // indices into spec.initContainers named in `containers`
  bool native_sidecar = true;
  int64_t run_as_user = 0;
  std::optional<int64_t> run_as_group;
  std::vector<ProjectedToken> sa_tokens;  // empty: no token volume
  std::vector<std::string> warnings;      // short texts for AdmissionResponse.warnings
};

// Adds problems for unknown container names, mount path collisions and
// missing backend settings.
PodPlan PlanInjection(const PodInjectionSpec& spec, const Config& config, const PodFacts& pod,
                      const std::string& namespace_name, const std::string& service_account,
                      Problems* problems);

}  // namespace memsecret::webhook
