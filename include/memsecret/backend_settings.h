// Backend settings: how a plan's per-backend settings (InjectionPlan::aws,
// ::vault, ::azure) are resolved from the keys a pod or a pipeline gave and the
// defaults in force. One resolver per backend, one loop over them
// (PlanBackends), used by both planners: the webhook's (defaults from its
// config, the app's literal env, projected service-account tokens) and the
// pipeline commands' (no defaults: what a key leaves empty the injector takes
// from the runner's own environment). A backend is resolved only when a file
// of the plan uses it. Pure. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/annotation_keys.h"
#include "memsecret/aws_region.h"
#include "memsecret/injection_plan.h"

namespace memsecret {

// The webhook config's per-backend sections (docs/configuration.md).
struct AwsDefaults {
  std::string region = "us-east-1";
  std::string role_arn;
  std::string token_audience = "sts.amazonaws.com";
  // failoverRegions: replicas tried in order when the primary region is out;
  // a pod's own region is skipped when it appears here.
  std::vector<std::string> failover_regions;
  // endpoints: {<region>: {secretsmanager: URL, sts: URL}} (VPC endpoints, FIPS).
  std::map<std::string, AwsRegionEndpoints> endpoints;
};

struct VaultDefaults {
  std::string addr = "https://vault.vault.svc:8200";
  std::string auth_path = "kubernetes";
  std::string role = "{serviceAccount}";
  std::string vault_namespace;  // Enterprise namespace (X-Vault-Namespace), optional
  std::string token_audience = "vault";
  std::vector<std::string> allowed_addrs = {"https://vault.vault.svc:8200"};
  bool allow_skip_verify = false;
};

struct AzureDefaults {
  std::string token_audience = "api://AzureADTokenExchange";
};

struct BackendDefaults {
  AwsDefaults aws;
  VaultDefaults vault;
  AzureDefaults azure;
};

// "{namespace}" and "{serviceAccount}" in `pattern` replaced by the pod's
// (policy globs, the Vault role).
std::string SubstitutePodVars(std::string_view pattern, const std::string& namespace_name,
                              const std::string& service_account);

// A projected service-account token the injector needs: its audience and the
// file name under PlanContext::token_dir.
struct ProjectedToken {
  std::string audience;
  std::string path;
};

// Who asks for a plan. Pods: `defaults`, `app_env`, `token_dir` set.
// Pipelines: all unset.
struct PlanContext {
  const BackendDefaults* defaults = nullptr;
  // A literal env value of the app's containers ("" when unset); AWS reads
  // AWS_REGION, AWS_DEFAULT_REGION and AWS_ROLE_ARN from it.
  std::function<std::string(std::string_view)> app_env;
  std::string token_dir;  // where projected service-account tokens are mounted
  std::string namespace_name, service_account;
  std::string key_prefix;  // how messages name keys: "memsecret.io/" for pods, "" for pipelines
};

// What resolving adds beside the plan.
struct PlanNotes {
  std::vector<std::string> problems;  // the pod is denied / the command exits 2
  std::vector<std::string> warnings;
  std::vector<ProjectedToken> sa_tokens;
};

// Whether a file of `plan` reads from `provider`.
bool PlanUses(const InjectionPlan& plan, Provider provider);

// Sets plan->aws / vault / azure for every backend a file of plan->files
// uses, from `spec`'s keys and the context.
void PlanBackends(const InjectionSpec& spec, const PlanContext& ctx, InjectionPlan* plan,
                  PlanNotes* notes);

}  // namespace memsecret
