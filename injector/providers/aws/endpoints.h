// Where AWS requests go: region resolution and endpoint URLs with the
// standard overrides (docs/injector.md): AWS_ENDPOINT_URL_SECRETS_MANAGER,
// AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL; all ignored when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. A region's entry in the plan's
// aws.endpoints comes before all of them. Pure functions of their inputs.
#pragma once

#include <map>
#include <string>

#include "injector/base/environment.h"
#include "injector/providers/aws/aws_region.h"
#include "memsecret/status.h"

namespace memsecret::injector::aws {

// The plan's region if set, else AWS_REGION, else AWS_DEFAULT_REGION; an
// error naming all three when none is set, and InvalidArgument naming the
// source when the first one set is not a region name (injector/providers/aws/aws_region.h):
// the region becomes part of the STS and Secrets Manager host names.
Result<std::string> ResolveRegion(const std::string& plan_region, const Environment& env);

// https://secretsmanager.<region>.amazonaws.com (".amazonaws.com.cn" for
// cn-* regions) unless overridden.
std::string SecretsManagerEndpoint(const std::string& region, const Environment& env);

// https://sts.<region>.amazonaws.com (regional; the global endpoint when the
// region is empty) unless overridden.
std::string StsEndpoint(const std::string& region, const Environment& env);

// The same with the plan's per-region endpoints (aws.endpoints) first.
using RegionEndpointMap = std::map<std::string, AwsRegionEndpoints>;
std::string SecretsManagerEndpoint(const std::string& region, const RegionEndpointMap& configured,
                                   const Environment& env);
std::string StsEndpoint(const std::string& region, const RegionEndpointMap& configured,
                        const Environment& env);

}  // namespace memsecret::injector::aws
