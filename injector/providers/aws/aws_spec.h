// The AWS Secrets Manager backend's spec part (memsecret/backend.h), linked
// into both binaries: the `aws:` ref syntax, the aws-* keys, the webhook
// config's `aws:` section and the plan's `aws` settings. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "injector/providers/aws/aws_region.h"
#include "memsecret/backend.h"

namespace memsecret {

inline constexpr const char* kAwsBackend = "aws";

// The plan's `aws` member.
struct AwsSettings {
  std::string region;
  std::string role_arn;                 // empty: use the container's own AWS env
  std::string web_identity_token_file;  // projected SA token (audience sts.amazonaws.com)
  // Replica regions tried in order when the primary `region` is out
  // (ValidateAwsFailoverRegions: at most kMaxAwsFailoverRegions, not region).
  std::vector<std::string> failover_regions;
  // Per-region endpoint overrides (VPC endpoints, FIPS, loopback test servers).
  std::map<std::string, AwsRegionEndpoints> endpoints;

  void Encode(JsonWriter& w) const;
  bool operator==(const AwsSettings&) const = default;
};

// The webhook config's `aws:` section (docs/configuration.md): the defaults a
// pod's keys override.
struct AwsSection {
  std::string region = "us-east-1";
  std::string role_arn;
  std::string token_audience = "sts.amazonaws.com";
  // failoverRegions: replicas tried in order when the primary region is out;
  // a pod's own region is skipped when it appears here.
  std::vector<std::string> failover_regions;
  // endpoints: {<region>: {secretsmanager: URL, sts: URL}} (VPC endpoints, FIPS).
  std::map<std::string, AwsRegionEndpoints> endpoints;
};

const Backend& AwsBackend();

}  // namespace memsecret
