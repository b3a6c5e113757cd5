// Config: the webhook's YAML configuration (docs/configuration.md) as typed structs with
// defaults. Parsing is strict: unknown keys and invalid values are errors that
// name the key, so a typo in the ConfigMap never silently changes behaviour.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/plan/backend_settings.h"
#include "memsecret/plan/rotation_rules.h"
#include "memsecret/status.h"

namespace memsecret::webhook {

struct EnvVar {
  std::string name;
  std::string value;
  bool operator==(const EnvVar&) const = default;
};

struct Resources {
  std::string requests_cpu = "5m";
  std::string requests_memory = "8Mi";
  std::string limits_cpu;  // empty: no CPU limit
  std::string limits_memory = "16Mi";
};

struct PolicyRule {
  std::vector<std::string> namespaces;  // globs on the request namespace
  std::vector<std::string>
      allow;  // globs on "<provider>:<path>", {namespace}/{serviceAccount} substituted
};

struct Config {
  // Each backend's section (`aws:`, `vault:`, ...), read by the backend
  // (memsecret/backend.h): the planner's defaults.
  BackendConfigs backends = DefaultBackendConfigs();
  struct Injector {
    std::string image = "ghcr.io/memsecret/memsecret-injector:0.1.0";
    std::string image_pull_policy = "IfNotPresent";
    std::string binary_path = "/usr/local/bin/memsecret-injector";
    Resources resources;
    bool native_sidecar = true;
    std::vector<EnvVar> env;
    int64_t default_run_as_user = 65532;  // used when the pod states no UID
    // metricsPort: every sidecar injector serves GET /metrics here unless the
    // pod's metrics-port annotation says otherwise; 0 = off.
    int metrics_port = 0;
  } injector;
  std::string volume_size_limit = "1Mi";
  std::string mount_path = "/var/run/secrets/memsecret";
  std::chrono::seconds refresh_interval{300};  // refreshInterval, parsed once at load
  struct OAuth {
    std::vector<std::string> allowed_token_urls;  // exact https:// URLs pods may name
    double refresh_fraction = 0.75;
    int64_t min_remaining_seconds = 60;
  } oauth;
  int64_t service_account_token_expiration_seconds = 3600;
  std::vector<PolicyRule> policy;  // empty: every pod asking for secrets is denied
  // rotation: [{match, maxAge}], first match wins (memsecret/plan/rotation_rules.h);
  // the planner resolves each file's maxAge into the plan.
  std::vector<RotationRule> rotation;
};

// Parses YAML text; an empty document yields the defaults.
Result<Config> ParseConfig(std::string_view yaml);
// Reads and parses a file; errors name the file.
Result<Config> LoadConfigFile(const std::string& path);

}  // namespace memsecret::webhook
