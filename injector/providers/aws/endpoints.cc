#include "injector/providers/aws/endpoints.h"

namespace memsecret::injector::aws {

namespace {

std::string Override(const Environment& env, const char* service_var) {
  std::string ignore = env.GetOr("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (ignore == "true" || ignore == "TRUE" || ignore == "True") return "";
  std::string v = env.GetOr(service_var);
  if (v.empty()) v = env.GetOr("AWS_ENDPOINT_URL");
  while (!v.empty() && v.back() == '/') v.pop_back();
  return v;
}

std::string DnsSuffix(const std::string& region) {
  return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

}  // namespace

Result<std::string> ResolveRegion(const std::string& plan_region, const Environment& env) {
  auto checked = [](const char* where, const std::string& region) -> Result<std::string> {
    if (Status st = ValidateAwsRegion(where, region); !st.ok()) return st;
    return region;
  };
  if (!plan_region.empty()) return checked("plan.aws.region", plan_region);
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = env.GetOr(var);
    if (!v.empty()) return checked(var, v);
  }
  return InvalidArgument(
      "no AWS region: set memsecret.io/aws-region, AWS_REGION or AWS_DEFAULT_REGION");
}

std::string SecretsManagerEndpoint(const std::string& region, const Environment& env) {
  std::string o = Override(env, "AWS_ENDPOINT_URL_SECRETS_MANAGER");
  if (!o.empty()) return o;
  return "https://secretsmanager." + region + "." + DnsSuffix(region);
}

std::string StsEndpoint(const std::string& region, const Environment& env) {
  std::string o = Override(env, "AWS_ENDPOINT_URL_STS");
  if (!o.empty()) return o;
  if (region.empty()) return "https://sts.amazonaws.com";
  return "https://sts." + region + "." + DnsSuffix(region);
}

std::string SecretsManagerEndpoint(const std::string& region, const RegionEndpointMap& configured,
                                   const Environment& env) {
  auto it = configured.find(region);
  if (it != configured.end() && !it->second.secretsmanager.empty())
    return it->second.secretsmanager;
  return SecretsManagerEndpoint(region, env);
}

std::string StsEndpoint(const std::string& region, const RegionEndpointMap& configured,
                        const Environment& env) {
  auto it = configured.find(region);
  if (it != configured.end() && !it->second.sts.empty()) return it->second.sts;
  return StsEndpoint(region, env);
}

}  // namespace memsecret::injector::aws
