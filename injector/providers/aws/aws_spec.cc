#include "injector/providers/aws/aws_spec.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "memsecret/config_section.h"
#include "memsecret/json_member.h"
#include "memsecret/ref_syntax.h"

namespace memsecret {

namespace {

using nlohmann::json;

// "a, b ,c" -> {"a", "b", "c"}
std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view item : SplitOn(s, ',')) {
    const size_t first = item.find_first_not_of(" \t");
    item = first == std::string_view::npos ? std::string_view() : item.substr(first);
    item = item.substr(0, item.find_last_not_of(" \t") + 1);
    out.emplace_back(item);
  }
  return out;
}

std::vector<std::string> FailoverList(std::string_view value) {
  if (value.find_first_not_of(" \t") == std::string_view::npos) return {};
  return SplitList(value);
}

Status CheckPath(std::string_view path) {
  if (path.empty() || path.size() > 2048)
    return InvalidArgument("secret name or ARN must be 1-2048 characters");
  if (path.starts_with("arn:")) {
    // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>
    auto parts = SplitOn(path, ':');
    // The name part obeys the same character set as a plain name.
    if (parts.size() != 7 || parts[2] != "secretsmanager" || parts[5] != "secret" ||
        !IsDigits(parts[4]) || parts[4].size() != 12 || parts[3].empty() || !AllOf(parts[1], "-") ||
        !AllOf(parts[3], "-") || parts[6].empty() || !AllOf(parts[6], "/_+=.@-")) {
      return InvalidArgument(
          "malformed Secrets Manager ARN (expected "
          "arn:aws:secretsmanager:<region>:<account>:secret:<name>)");
    }
    return Status::Ok();
  }
  if (!AllOf(path, "/_+=.@-"))
    return InvalidArgument("secret name may only contain letters, digits and /_+=.@-");
  return Status::Ok();
}

Status CheckStage(std::string_view value) {
  if (value.empty() || value.size() > 256 || !AllOf(value, "_-"))
    return InvalidArgument("stage must be 1-256 letters, digits, '_' or '-'");
  return Status::Ok();
}

Status CheckVersion(std::string_view value) {
  if (value.size() < 32 || value.size() > 64 || !AllOf(value, "-"))
    return InvalidArgument("version must be a 32-64 character version id");
  return Status::Ok();
}

Status CheckRegionKey(std::string_view value) {
  if (!IsAwsRegionName(value)) return InvalidArgument("not an AWS region (e.g. eu-west-1)");
  return Status::Ok();
}

Status CheckRoleArnKey(std::string_view value) {
  static const std::regex kRoleArn(
      R"(arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512})");
  if (!std::regex_match(value.begin(), value.end(), kRoleArn))
    return InvalidArgument("not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
  return Status::Ok();
}

Status CheckFailoverKey(std::string_view value) {
  // The primary is not known here (it may come from config or env); the
  // resolver checks that no listed region is the primary.
  Status st = ValidateAwsFailoverRegions("", "", FailoverList(value));
  if (st.ok()) return st;
  std::string_view msg = st.message();
  if (msg.starts_with(": ")) msg.remove_prefix(2);
  return InvalidArgument(std::string(msg));
}

std::any DefaultConfig() { return AwsSection{}; }

void ParseConfig(const json& node, std::any* config, std::vector<std::string>* errors) {
  AwsSection& c = *std::any_cast<AwsSection>(config);
  ConfigSection s(node, kAwsBackend, errors);
  s.Keys({"region", "roleArn", "tokenAudience", "failoverRegions", "endpoints"});
  s.String("region", &c.region);
  s.String("roleArn", &c.role_arn);
  s.String("tokenAudience", &c.token_audience);
  s.StringList("failoverRegions", &c.failover_regions);
  // endpoints: {<region>: {secretsmanager: URL, sts: URL}}
  for (auto& [region, e] : s.Section("endpoints").Members()) {
    e.Keys({"secretsmanager", "sts"});
    if (!e.present()) continue;
    AwsRegionEndpoints ep;
    e.String("secretsmanager", &ep.secretsmanager);
    e.String("sts", &ep.sts);
    c.endpoints[region] = std::move(ep);
  }
  if (!c.region.empty() && !IsAwsRegionName(c.region))
    errors->push_back("aws.region: \"" + c.region + "\" is not an AWS region (e.g. eu-west-1)");
  if (Status st = ValidateAwsFailoverRegions("aws.failoverRegions", "", c.failover_regions);
      !st.ok())
    errors->push_back(st.message());
  if (Status st = ValidateAwsEndpoints("aws.endpoints", c.endpoints); !st.ok())
    errors->push_back(st.message());
}

std::shared_ptr<const BackendSettings> Resolve(const BackendKeys& keys, const PlanContext& ctx,
                                               const std::any* config, PlanNotes* notes) {
  static const AwsSection kNone = [] {
    AwsSection none;  // pipelines: what a key leaves empty comes from the runner's env
    none.region.clear();
    none.token_audience.clear();
    return none;
  }();
  const AwsSection& d = config != nullptr ? *std::any_cast<AwsSection>(config) : kNone;
  AwsSettings aws;
  aws.region = KeyValue(keys, "aws-region").value_or(d.region);
  // The app's env is not validated elsewhere; the region becomes a host name
  // in the injector (aws_region.h).
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (!aws.region.empty()) break;
    aws.region = ctx.AppEnv(var);
    if (Status st = ValidateAwsRegion(std::string("aws: the app's ") + var, aws.region);
        !aws.region.empty() && !st.ok())
      notes->problems.push_back(st.message());
  }
  if (aws.region.empty() && config != nullptr)
    notes->problems.push_back(
        "aws: no region (set memsecret.io/aws-region or aws.region in the webhook config)");
  aws.role_arn = KeyValue(keys, "aws-role-arn").value_or(d.role_arn);
  if (aws.role_arn.empty()) aws.role_arn = ctx.AppEnv("AWS_ROLE_ARN");
  if (!aws.role_arn.empty()) {
    aws.web_identity_token_file = ctx.ProjectToken(d.token_audience, "aws-token", notes);
  } else if (config != nullptr) {
    // Short (the apiserver may cut warnings over 120 characters).
    notes->warnings.push_back(
        "memsecret: no AWS role (aws-role-arn, aws.roleArn, AWS_ROLE_ARN): "
        "no web-identity token mounted");
  }
  // Failover: the key's list as written (naming the primary is an error);
  // the config's list without the pod's own region.
  const auto from_key = KeyValue(keys, "aws-failover-regions");
  if (from_key) {
    aws.failover_regions = FailoverList(*from_key);
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
  return std::make_shared<const SettingsOf<AwsSettings>>(std::move(aws));
}

Result<std::shared_ptr<const BackendSettings>> Decode(const json& j, const std::string& where) {
  AwsSettings a;
  std::string err;
  if (!ReadMember(j, "region", &a.region, &err, where) ||
      !ReadMember(j, "roleArn", &a.role_arn, &err, where) ||
      !ReadMember(j, "webIdentityTokenFile", &a.web_identity_token_file, &err, where) ||
      !ReadMember(j, "failoverRegions", &a.failover_regions, &err, where))
    return InvalidArgument(err);
  if (auto eps = j.find("endpoints"); eps != j.end() && !eps->is_null()) {
    if (!eps->is_object()) return InvalidArgument(where + ".endpoints must be an object");
    for (const auto& [region, e] : eps->items()) {
      const std::string at = where + ".endpoints." + region;
      if (!e.is_object()) return InvalidArgument(at + " must be an object");
      for (const auto& [key, unused] : e.items())
        if (key != "secretsmanager" && key != "sts")
          return InvalidArgument(at + "." + key + " is not a known endpoint");
      AwsRegionEndpoints ep;
      if (!ReadMember(e, "secretsmanager", &ep.secretsmanager, &err, at) ||
          !ReadMember(e, "sts", &ep.sts, &err, at))
        return InvalidArgument(err);
      a.endpoints[region] = std::move(ep);
    }
  }
  if (Status st =
          ValidateAwsFailoverRegions(where + ".failoverRegions", a.region, a.failover_regions);
      !st.ok())
    return st;
  if (Status st = ValidateAwsEndpoints(where + ".endpoints", a.endpoints); !st.ok()) return st;
  return std::shared_ptr<const BackendSettings>(
      std::make_shared<const SettingsOf<AwsSettings>>(std::move(a)));
}

}  // namespace

void AwsSettings::Encode(JsonWriter& w) const {
  w.BeginObject();
  if (!endpoints.empty()) {
    w.Key("endpoints").BeginObject();
    for (const auto& [region, e] : endpoints) {
      w.Key(region).BeginObject();
      if (!e.secretsmanager.empty()) w.Member("secretsmanager", e.secretsmanager);
      if (!e.sts.empty()) w.Member("sts", e.sts);
      w.EndObject();
    }
    w.EndObject();
  }
  if (!failover_regions.empty()) {
    w.Key("failoverRegions").BeginArray();
    for (const auto& r : failover_regions) w.String(r);
    w.EndArray();
  }
  w.Member("region", region).Member("roleArn", role_arn);
  w.Member("webIdentityTokenFile", web_identity_token_file).EndObject();
}

const Backend& AwsBackend() {
  static const Backend backend{
      .name = kAwsBackend,
      .check_path = CheckPath,
      .query = {{"stage", CheckStage}, {"version", CheckVersion}},
      .check_ref = nullptr,
      .keys = {{"aws-region", CheckRegionKey},
               {"aws-failover-regions", CheckFailoverKey},
               // The role the identity assumes: the ARN is its own address.
               {"aws-role-arn", CheckRoleArnKey,
                [](std::string_view v) -> std::optional<std::string> { return std::string(v); }}},
      .default_config = DefaultConfig,
      .parse_config = ParseConfig,
      .check_policy = nullptr,
      .resolve = Resolve,
      .decode = Decode,
  };
  return backend;
}

}  // namespace memsecret
