#include "injector/providers/aws/aws_region.h"

#include <regex>
#include <set>

#include "memsecret/url.h"

namespace memsecret {

bool IsAwsRegionName(std::string_view region) {
  static const std::regex kRegion("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
  return region.size() <= 32 && std::regex_match(region.begin(), region.end(), kRegion);
}

Status ValidateAwsRegion(std::string_view where, std::string_view region) {
  if (IsAwsRegionName(region)) return Status::Ok();
  return InvalidArgument(std::string(where) + ": \"" + std::string(region.substr(0, 64)) +
                         "\" is not an AWS region (e.g. us-west-2)");
}

Status ValidateAwsFailoverRegions(std::string_view where, const std::string& primary,
                                  const std::vector<std::string>& regions) {
  const std::string w(where);
  if (regions.size() > kMaxAwsFailoverRegions)
    return InvalidArgument(w + ": at most " + std::to_string(kMaxAwsFailoverRegions) +
                           " regions, not " + std::to_string(regions.size()));
  std::set<std::string> seen;
  for (const auto& r : regions) {
    if (!IsAwsRegionName(r))
      return InvalidArgument(w + ": \"" + r + "\" is not an AWS region (e.g. us-west-2)");
    if (r == primary) return InvalidArgument(w + ": \"" + r + "\" is the primary region");
    if (!seen.insert(r).second) return InvalidArgument(w + ": \"" + r + "\" appears twice");
  }
  return Status::Ok();
}

Status ValidateAwsEndpoints(std::string_view where,
                            const std::map<std::string, AwsRegionEndpoints>& endpoints) {
  const std::string w(where);
  for (const auto& [region, e] : endpoints) {
    if (!IsAwsRegionName(region))
      return InvalidArgument(w + ": \"" + region + "\" is not an AWS region (e.g. us-west-2)");
    if (e.secretsmanager.empty() && e.sts.empty())
      return InvalidArgument(w + "." + region + ": set secretsmanager, sts or both");
    for (const auto& [name, url] :
         {std::pair{"secretsmanager", &e.secretsmanager}, std::pair{"sts", &e.sts}}) {
      if (url->empty()) continue;
      const std::string what = w + "." + region + "." + name;
      auto parsed = ParseOutboundUrl(*url, what);
      if (!parsed.ok()) return parsed.status();
      if (parsed->target != "/" || url->back() == '/')
        return InvalidArgument(what + " \"" + *url +
                               "\" must be scheme://host[:port] without a path");
    }
  }
  return Status::Ok();
}

}  // namespace memsecret
