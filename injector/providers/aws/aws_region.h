// AWS regions as the webhook and the injector share them: the region-name
// syntax, per-region endpoint overrides and the failover list (primary first,
// then replicas in order). One home for these rules: the config loader, the
// annotation parser, the planner and the plan decoder all call the
// validators below. Pure.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/status.h"

namespace memsecret {

// At most this many failover regions after the primary: each one adds a
// request timeout to the worst case of a fetch during an outage.
inline constexpr size_t kMaxAwsFailoverRegions = 5;

// Endpoint overrides for one region; empty means the public regional endpoint.
// Both must be https:// (plain http only to loopback).
struct AwsRegionEndpoints {
  std::string secretsmanager;  // e.g. https://vpce-0abc.secretsmanager.us-west-2.vpce.amazonaws.com
  std::string sts;             // e.g. https://sts-fips.us-west-2.amazonaws.com
  bool operator==(const AwsRegionEndpoints&) const = default;
};

// "us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-4".
bool IsAwsRegionName(std::string_view region);

// The same rule as a Status for a region read from outside an annotation (a
// plan, an environment variable): InvalidArgument naming `where`
// ("AWS_REGION") when `region` is not a region name. The region becomes a host
// name (sts.<region>.amazonaws.com), so anything else could send a request, and
// the token it carries, to a host of someone else's choosing.
Status ValidateAwsRegion(std::string_view where, std::string_view region);

// Failover regions: region syntax, no duplicate, none equal to `primary`
// (when set), at most kMaxAwsFailoverRegions. InvalidArgument errors start
// with `where` ("aws.failoverRegions", an annotation).
Status ValidateAwsFailoverRegions(std::string_view where, const std::string& primary,
                                  const std::vector<std::string>& regions);

// Endpoints: region-name keys, at least one URL each, every URL https (plain
// http only to loopback, memsecret/url.h) with no path. InvalidArgument
// errors start with `where` ("aws.endpoints", "plan.aws.endpoints").
Status ValidateAwsEndpoints(std::string_view where,
                            const std::map<std::string, AwsRegionEndpoints>& endpoints);

}  // namespace memsecret
