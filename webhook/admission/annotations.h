// Annotations -> PodInjectionSpec: every `memsecret.io/` annotation parsed
// exactly once into typed values. Pure: no config, no I/O. Defaults are NOT
// applied here (unset = nullopt) so the planner can tell "absent" from
// "explicitly set"; they live in Config and the planner.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "memsecret/injection_plan.h"
#include "webhook/admission/problems.h"

namespace memsecret::webhook {

inline constexpr const char* kAnnotationPrefix = "memsecret.io/";
inline constexpr const char* kInjectLabel = "memsecret.io/inject";
inline constexpr const char* kStatusAnnotation = "memsecret.io/status";
inline constexpr const char* kStatusInjected = "injected";

struct PodInjectionSpec {
  std::vector<PlannedFile> files;  // sorted by name; tokens carry TokenSpec
  std::optional<std::vector<std::string>> containers;
  std::optional<std::string> mount_path;
  std::optional<Lifecycle> lifecycle;
  std::optional<std::chrono::seconds> refresh_interval;
  std::optional<std::string> aws_region, aws_role_arn;
  std::optional<std::vector<std::string>> aws_failover_regions;  // empty list: no failover
  std::optional<std::string> vault_addr, vault_role, vault_auth_path, vault_namespace;
  bool already_injected = false;  // status: injected
  bool any = false;               // at least one memsecret.io/ annotation besides status
};

// Every key the parser accepts after the prefix, in documentation form:
// "secret-<name>", "token-<name>", ..., "containers", "mount-path", ..., "status".
// The parser rejects any key outside this list; README's table is checked against it.
std::vector<std::string> KnownAnnotationKeys();

// Parses the pod's annotations. Every invalid key or value adds a kInvalid
// problem naming the annotation; parsing continues so all are reported.
PodInjectionSpec ParseAnnotations(const std::map<std::string, std::string>& annotations, Problems* problems);

}  // namespace memsecret::webhook
