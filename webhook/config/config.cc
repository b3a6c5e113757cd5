// YAML -> Config. yaml-cpp exceptions stop here. Unknown keys are errors.
#include "webhook/config/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "memsecret/duration.h"
#include "memsecret/issuer.h"
#include "memsecret/plan/backends.h"
#include "memsecret/url.h"
#include "webhook/config/yaml_json.h"

namespace memsecret::webhook {

namespace {

// Collects errors while walking the document; every message names its key path.
class Reader {
 public:
  std::vector<std::string> errors;

  void Keys(const YAML::Node& node, const std::string& where, std::set<std::string> allowed) {
    if (!node || node.IsNull()) return;
    if (!node.IsMap()) {
      errors.push_back(where + ": must be a mapping");
      return;
    }
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) errors.push_back(Join(where, key) + ": unknown key");
    }
  }

  void String(const YAML::Node& parent, const char* key, const std::string& where,
              std::string* out) {
    YAML::Node n = parent[key];
    if (!n || n.IsNull()) return;
    if (!n.IsScalar()) {
      errors.push_back(Join(where, key) + ": must be a string");
      return;
    }
    if (!IsValidUtf8(n.Scalar())) {
      errors.push_back(Join(where, key) + ": must be valid UTF-8");
      return;
    }
    *out = n.as<std::string>();
  }

  void Bool(const YAML::Node& parent, const char* key, const std::string& where, bool* out) {
    YAML::Node n = parent[key];
    if (!n || n.IsNull()) return;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, *out))
      errors.push_back(Join(where, key) + ": must be true or false");
  }

  template <typename Num>
  void Number(const YAML::Node& parent, const char* key, const std::string& where, Num* out) {
    YAML::Node n = parent[key];
    if (!n || n.IsNull()) return;
    if (!n.IsScalar() || !YAML::convert<Num>::decode(n, *out))
      errors.push_back(Join(where, key) + ": must be a number");
  }

  void StringList(const YAML::Node& parent, const char* key, const std::string& where,
                  std::vector<std::string>* out) {
    YAML::Node n = parent[key];
    if (!n || n.IsNull()) return;
    if (!n.IsSequence()) {
      errors.push_back(Join(where, key) + ": must be a list of strings");
      return;
    }
    out->clear();
    for (size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar() || !IsValidUtf8(n[i].Scalar())) {
        errors.push_back(Join(where, key) + "[" + std::to_string(i) + "]: must be a UTF-8 string");
        continue;
      }
      out->push_back(n[i].as<std::string>());
    }
  }

  static std::string Join(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }
};

// Kubernetes resource quantity, e.g. 5m, 8Mi, 1, 0.5, 1G.
bool IsQuantity(const std::string& q) {
  static const std::regex re(R"(^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$)");
  return std::regex_match(q, re);
}

bool IsHttpsOrLoopback(const std::string& url) { return ParseOutboundUrl(url, "url").ok(); }

void ReadResources(Reader& r, const YAML::Node& n, const std::string& where, Resources* out) {
  r.Keys(n, where, {"requests", "limits"});
  if (!n || !n.IsMap()) return;
  r.Keys(n["requests"], where + ".requests", {"cpu", "memory"});
  r.Keys(n["limits"], where + ".limits", {"cpu", "memory"});
  if (n["requests"] && n["requests"].IsMap()) {
    r.String(n["requests"], "cpu", where + ".requests", &out->requests_cpu);
    r.String(n["requests"], "memory", where + ".requests", &out->requests_memory);
  }
  if (n["limits"] && n["limits"].IsMap()) {
    r.String(n["limits"], "cpu", where + ".limits", &out->limits_cpu);
    r.String(n["limits"], "memory", where + ".limits", &out->limits_memory);
  }
}

// rotation: [{match: GLOB, maxAge: 90d}], each rule checked as it is read.
void ReadRotation(Reader& r, const YAML::Node& n, std::vector<RotationRule>* out) {
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.errors.push_back("rotation: must be a list of {match, maxAge}");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string where = "rotation[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      r.errors.push_back(where + ": must be a mapping {match, maxAge}");
      continue;
    }
    r.Keys(n[i], where, {"match", "maxAge"});
    std::string match, max_age;
    r.String(n[i], "match", where, &match);
    r.String(n[i], "maxAge", where, &max_age);
    auto rule = MakeRotationRule(match, max_age, where);
    if (!rule.ok())
      r.errors.push_back(rule.status().message());
    else
      out->push_back(std::move(rule).value());
  }
}

void Validate(const Config& c, std::vector<std::string>& errors) {
  const std::pair<const char*, const std::string*> quantities[] = {
      {"injector.resources.requests.cpu", &c.injector.resources.requests_cpu},
      {"injector.resources.requests.memory", &c.injector.resources.requests_memory},
      {"injector.resources.limits.cpu", &c.injector.resources.limits_cpu},
      {"injector.resources.limits.memory", &c.injector.resources.limits_memory},
      {"volume.sizeLimit", &c.volume_size_limit}};
  for (auto [key, value] : quantities)
    if (!value->empty() && !IsQuantity(*value))
      errors.push_back(std::string(key) + ": \"" + *value + "\" is not a resource quantity");
  if (c.volume_size_limit.empty())
    errors.push_back(
        "volume.sizeLimit: must be set (a memory volume without a limit can use the node's "
        "memory)");
  if (c.injector.image.empty()) errors.push_back("injector.image: must be set");
  if (c.injector.binary_path.empty() || c.injector.binary_path[0] != '/')
    errors.push_back("injector.binaryPath: must be an absolute path");
  if (c.injector.image_pull_policy != "Always" && c.injector.image_pull_policy != "IfNotPresent" &&
      c.injector.image_pull_policy != "Never")
    errors.push_back("injector.imagePullPolicy: must be Always, IfNotPresent or Never");
  if (c.injector.metrics_port != 0 &&
      (c.injector.metrics_port < 1024 || c.injector.metrics_port > 65535))
    errors.push_back("injector.metricsPort: must be 0 (off) or between 1024 and 65535");
  if (c.injector.default_run_as_user <= 0)
    errors.push_back("injector.defaultRunAsUser: must be a non-root UID (> 0)");
  for (const auto& e : c.injector.env)
    if (e.name.empty() || e.name == "MEMSECRET_PLAN")
      errors.push_back("injector.env: invalid or reserved name \"" + e.name + "\"");
  if (c.mount_path.empty() || c.mount_path[0] != '/')
    errors.push_back("mountPath: must be an absolute path");
  for (const auto& u : c.oauth.allowed_token_urls)
    if (!IsHttpsOrLoopback(u))
      errors.push_back("oauth.allowedTokenUrls: \"" + u +
                       "\" must be https:// (http only to loopback)");
  if (!(c.oauth.refresh_fraction > 0.0 && c.oauth.refresh_fraction < 1.0))
    errors.push_back("oauth.refreshFraction: must be between 0 and 1");
  if (c.oauth.min_remaining_seconds < 0)
    errors.push_back("oauth.minRemainingSeconds: must be >= 0");
  if (c.service_account_token_expiration_seconds < 600)
    errors.push_back(
        "serviceAccountTokenExpirationSeconds: must be at least 600 (Kubernetes minimum)");
  for (size_t i = 0; i < c.policy.size(); ++i) {
    if (c.policy[i].namespaces.empty())
      errors.push_back("policy[" + std::to_string(i) + "].namespaces: must not be empty");
  }
}

}  // namespace

Result<Config> ParseConfig(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config: YAML syntax error at line " + std::to_string(e.mark.line + 1) +
                           ": " + e.msg);
  }
  Config c;
  Reader r;
  if (!root || root.IsNull()) return c;
  try {
    std::set<std::string> top = {"injector",  "volume",
                                 "mountPath", "refreshInterval",
                                 "oauth",     "serviceAccountTokenExpirationSeconds",
                                 "policy",    "rotation"};
    for (const Backend* b : Backends()) top.insert(b->name);
    r.Keys(root, "", top);
    if (!root.IsMap()) return InvalidArgument("config: top level must be a mapping");

    YAML::Node inj = root["injector"];
    r.Keys(inj, "injector",
           {"image", "imagePullPolicy", "binaryPath", "resources", "nativeSidecar", "env",
            "defaultRunAsUser", "metricsPort"});
    if (inj && inj.IsMap()) {
      r.String(inj, "image", "injector", &c.injector.image);
      r.String(inj, "imagePullPolicy", "injector", &c.injector.image_pull_policy);
      r.String(inj, "binaryPath", "injector", &c.injector.binary_path);
      ReadResources(r, inj["resources"], "injector.resources", &c.injector.resources);
      r.Bool(inj, "nativeSidecar", "injector", &c.injector.native_sidecar);
      r.Number(inj, "defaultRunAsUser", "injector", &c.injector.default_run_as_user);
      r.Number(inj, "metricsPort", "injector", &c.injector.metrics_port);
      if (YAML::Node env = inj["env"]; env && !env.IsNull()) {
        if (!env.IsSequence())
          r.errors.push_back("injector.env: must be a list of {name, value}");
        else
          for (size_t i = 0; i < env.size(); ++i) {
            std::string where = "injector.env[" + std::to_string(i) + "]";
            r.Keys(env[i], where, {"name", "value"});
            EnvVar e;
            if (env[i].IsMap()) {
              r.String(env[i], "name", where, &e.name);
              r.String(env[i], "value", where, &e.value);
            }
            c.injector.env.push_back(e);
          }
      }
    }
    YAML::Node vol = root["volume"];
    r.Keys(vol, "volume", {"sizeLimit"});
    if (vol && vol.IsMap()) r.String(vol, "sizeLimit", "volume", &c.volume_size_limit);
    r.String(root, "mountPath", "", &c.mount_path);
    if (std::string interval; r.String(root, "refreshInterval", "", &interval), !interval.empty()) {
      if (auto d = ParseDuration(interval); !d.ok())
        r.errors.push_back("refreshInterval: " + d.status().message());
      else
        c.refresh_interval = *d;
    }
    r.Number(root, "serviceAccountTokenExpirationSeconds", "",
             &c.service_account_token_expiration_seconds);

    // Each backend reads its own section (memsecret/backend.h).
    for (const Backend* b : Backends()) {
      nlohmann::json section;
      try {
        section = YamlToJson(root[b->name]);
      } catch (const YAML::Exception& e) {
        r.errors.push_back(std::string(b->name) + ": every key and value must be a UTF-8 string (" +
                           e.msg + ")");
        continue;
      }
      b->parse_config(section, &c.backends[b->name], &r.errors);
    }
    YAML::Node oauth = root["oauth"];
    r.Keys(oauth, "oauth", {"allowedTokenUrls", "refreshFraction", "minRemainingSeconds"});
    if (oauth && oauth.IsMap()) {
      r.StringList(oauth, "allowedTokenUrls", "oauth", &c.oauth.allowed_token_urls);
      r.Number(oauth, "refreshFraction", "oauth", &c.oauth.refresh_fraction);
      r.Number(oauth, "minRemainingSeconds", "oauth", &c.oauth.min_remaining_seconds);
    }
    if (YAML::Node policy = root["policy"]; policy && !policy.IsNull()) {
      if (!policy.IsSequence())
        r.errors.push_back("policy: must be a list of rules");
      else
        for (size_t i = 0; i < policy.size(); ++i) {
          std::string where = "policy[" + std::to_string(i) + "]";
          r.Keys(policy[i], where, {"namespaces", "allow"});
          PolicyRule rule;
          if (policy[i].IsMap()) {
            r.StringList(policy[i], "namespaces", where, &rule.namespaces);
            r.StringList(policy[i], "allow", where, &rule.allow);
          }
          c.policy.push_back(std::move(rule));
        }
    }
    ReadRotation(r, root["rotation"], &c.rotation);
  } catch (const YAML::Exception& e) {
    r.errors.push_back(std::string("unexpected structure: ") + e.what());
  }
  Validate(c, r.errors);
  if (!r.errors.empty()) {
    std::string msg = "config: ";
    for (size_t i = 0; i < r.errors.size(); ++i) msg += (i ? "; " : "") + r.errors[i];
    return InvalidArgument(msg);
  }
  return c;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("config: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto c = ParseConfig(text.str());
  if (!c.ok()) return c.status().WithContext(path);
  return c;
}

}  // namespace memsecret::webhook
