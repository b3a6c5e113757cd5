#include "memsecret/backend_settings.h"

#include <algorithm>

namespace memsecret {

namespace {

// One backend's settings from the spec's keys and the context. `defaults` is
// null for pipelines (see PlanContext).
struct BackendResolver {
  Provider provider;
  void (*resolve)(const InjectionSpec& spec, const PlanContext& ctx, InjectionPlan* plan,
                  PlanNotes* notes);
};

// What pipelines resolve against: nothing. What a key leaves empty the
// injector takes from the runner's environment (an empty Vault auth path is
// the auth method's default mount).
const BackendDefaults& NoDefaults() {
  static const BackendDefaults none = [] {
    BackendDefaults d;
    d.aws.region.clear();
    d.aws.token_audience.clear();
    d.vault.addr.clear();
    d.vault.auth_path.clear();
    d.vault.role.clear();
    d.vault.token_audience.clear();
    d.vault.allowed_addrs.clear();
    d.azure.token_audience.clear();
    return d;
  }();
  return none;
}

std::string AppEnv(const PlanContext& ctx, std::string_view name) {
  return ctx.app_env ? ctx.app_env(name) : "";
}

// A projected token for a pod; pipelines use the runner's own identity.
std::string ProjectToken(const PlanContext& ctx, const std::string& audience,
                         const std::string& file, PlanNotes* notes) {
  if (ctx.token_dir.empty()) return "";
  notes->sa_tokens.push_back({audience, file});
  return ctx.token_dir + "/" + file;
}

void ResolveAws(const InjectionSpec& spec, const PlanContext& ctx, InjectionPlan* plan,
                PlanNotes* notes) {
  const AwsDefaults& d = ctx.defaults ? ctx.defaults->aws : NoDefaults().aws;
  AwsSettings aws;
  aws.region = spec.aws_region.value_or(d.region);
  // The app's env is not validated elsewhere; the region becomes a host name
  // in the injector (memsecret/aws_region.h).
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (!aws.region.empty()) break;
    aws.region = AppEnv(ctx, var);
    if (Status st = ValidateAwsRegion(std::string("aws: the app's ") + var, aws.region);
        !aws.region.empty() && !st.ok())
      notes->problems.push_back(st.message());
  }
  if (aws.region.empty() && ctx.defaults)
    notes->problems.push_back(
        "aws: no region (set memsecret.io/aws-region or aws.region in the webhook config)");
  aws.role_arn = spec.aws_role_arn.value_or(d.role_arn);
  if (aws.role_arn.empty()) aws.role_arn = AppEnv(ctx, "AWS_ROLE_ARN");
  if (!aws.role_arn.empty()) {
    aws.web_identity_token_file = ProjectToken(ctx, d.token_audience, "aws-token", notes);
  } else if (ctx.defaults) {
    // Short (the apiserver may cut warnings over 120 characters).
    notes->warnings.push_back(
        "memsecret: no AWS role (aws-role-arn, aws.roleArn, AWS_ROLE_ARN): "
        "no web-identity token mounted");
  }
  // Failover: the key's list as written (naming the primary is an error);
  // the defaults' list without the pod's own region.
  const bool from_key = spec.aws_failover_regions.has_value();
  if (from_key) {
    aws.failover_regions = *spec.aws_failover_regions;
  } else {
    for (const auto& r : d.failover_regions)
      if (r != aws.region) aws.failover_regions.push_back(r);
  }
  // Only the endpoints of the regions this plan may use travel in it.
  for (const auto& [region, e] : d.endpoints) {
    if (region == aws.region || std::find(aws.failover_regions.begin(), aws.failover_regions.end(),
                                          region) != aws.failover_regions.end())
      aws.endpoints[region] = e;
  }
  const std::string where =
      from_key ? ctx.key_prefix + "aws-failover-regions" : "aws.failoverRegions";
  if (Status st = ValidateAwsFailoverRegions(where, aws.region, aws.failover_regions); !st.ok())
    notes->problems.push_back(st.message());
  plan->aws = aws;
}

void ResolveVault(const InjectionSpec& spec, const PlanContext& ctx, InjectionPlan* plan,
                  PlanNotes* notes) {
  const VaultDefaults& d = ctx.defaults ? ctx.defaults->vault : NoDefaults().vault;
  VaultSettings v;
  v.addr = spec.vault_addr.value_or(d.addr);
  if (v.addr.empty() && ctx.defaults)
    notes->problems.push_back(
        "vault: no address (set memsecret.io/vault-addr or vault.addr in the webhook config)");
  v.auth_path = spec.vault_auth_path.value_or(d.auth_path);
  v.role =
      SubstitutePodVars(spec.vault_role.value_or(d.role), ctx.namespace_name, ctx.service_account);
  v.vault_namespace = spec.vault_namespace.value_or(d.vault_namespace);
  v.allow_skip_verify = d.allow_skip_verify;
  v.token_file = ProjectToken(ctx, d.token_audience, "vault-token", notes);
  plan->vault = v;
}

void ResolveAzure(const InjectionSpec&, const PlanContext& ctx, InjectionPlan* plan,
                  PlanNotes* notes) {
  const AzureDefaults& d = ctx.defaults ? ctx.defaults->azure : NoDefaults().azure;
  plan->azure = AzureSettings{ProjectToken(ctx, d.token_audience, "azure-token", notes)};
}

// Every backend's settings resolver: one row per backend.
const BackendResolver kResolvers[] = {
    {Provider::kAws, ResolveAws},
    {Provider::kVault, ResolveVault},
    {Provider::kAzure, ResolveAzure},
};

}  // namespace

std::string SubstitutePodVars(std::string_view pattern, const std::string& namespace_name,
                              const std::string& service_account) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i, 11) == "{namespace}") {
      out += namespace_name;
      i += 11;
    } else if (pattern.substr(i, 16) == "{serviceAccount}") {
      out += service_account;
      i += 16;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

bool PlanUses(const InjectionPlan& plan, Provider provider) {
  return std::any_of(plan.files.begin(), plan.files.end(),
                     [&](const PlannedFile& f) { return f.ref.provider == provider; });
}

void PlanBackends(const InjectionSpec& spec, const PlanContext& ctx, InjectionPlan* plan,
                  PlanNotes* notes) {
  for (const BackendResolver& row : kResolvers)
    if (PlanUses(*plan, row.provider)) row.resolve(spec, ctx, plan, notes);
}

}  // namespace memsecret
