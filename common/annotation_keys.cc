#include "memsecret/annotation_keys.h"

#include <functional>
#include <regex>

#include "memsecret/aws_region.h"
#include "memsecret/duration.h"
#include "memsecret/issuer.h"

namespace memsecret {

namespace {

struct RawFile {
  std::optional<std::string> secret, token, issuer, scope, audience, format, mode, env_var;
};

// Per-file keys "<kind>-<name>" and where each raw value goes; validated
// together once all of a file's keys are in (see ParseInjectionKeys).
struct FileKey {
  const char* kind;
  std::optional<std::string> RawFile::*slot;
};
constexpr FileKey kFileKeys[] = {
    {"secret", &RawFile::secret}, {"token", &RawFile::token},       {"issuer", &RawFile::issuer},
    {"scope", &RawFile::scope},   {"audience", &RawFile::audience}, {"format", &RawFile::format},
    {"mode", &RawFile::mode},     {"env-var", &RawFile::env_var},
};

enum PatternId : size_t {
  kContainerName,
  kMountPath,
  kAwsRegion,
  kRoleArn,
  kVaultAddr,
  kVaultRole,
  kVaultPath,
  kVaultNamespace,
  kScope,
  kAudience
};

// Compiled once: std::regex construction is far too slow for the admission path.
const std::regex& Pattern(size_t i) {
  static const std::regex kPatterns[] = {
      std::regex("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"),
      std::regex("(/[A-Za-z0-9._-]+)+"),
      std::regex("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}"),
      std::regex(R"(arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512})"),
      std::regex(R"(https?://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?/?)"),
      std::regex("[A-Za-z0-9._{}-]{1,128}"),
      std::regex("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*"),
      std::regex("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?"),
      std::regex(R"([\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*)"),
      std::regex(R"([\x21-\x7E]{1,512})"),
  };
  return kPatterns[i];
}

bool Matches(const std::string& value, size_t pattern) {
  return std::regex_match(value, Pattern(pattern));
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<uint32_t> ParseMode(const std::string& s) {
  if (s.size() < 3 || s.size() > 4 || s.find_first_not_of("01234567") != std::string::npos)
    return std::nullopt;
  uint32_t mode = static_cast<uint32_t>(std::stoul(s, nullptr, 8));
  if (mode > 0777) return std::nullopt;
  return mode;
}

using Report = std::function<void(const std::string&)>;

// Checks `value` against `pattern` and stores it in `slot`, or reports
// `key="value": <why>`.
void Store(const std::string& q, const std::string& value, size_t pattern, const char* why,
           std::optional<std::string>* slot, const Report& invalid, bool no_dotdot = false) {
  if (!Matches(value, pattern) || (no_dotdot && value.find("..") != std::string::npos))
    invalid(q + ": " + why);
  else
    *slot = value;
}

// One row per pod-wide key: the key after the prefix and how its value is
// validated into the spec. `q` is `key="value"` for messages; `key` the full
// annotation name. The parser accepts exactly these keys (plus the per-file
// kinds and "status"), so the table is the single list of what exists.
struct PodKey {
  const char* name;
  void (*apply)(const std::string& key, const std::string& q, const std::string& value,
                InjectionSpec& spec, const Report& invalid);
};

const PodKey kPodKeys[] = {
    {"containers",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       std::vector<std::string> names;
       for (const auto& n : SplitList(value)) {
         if (!Matches(n, kContainerName))
           invalid(q + ": \"" + n + "\" is not a container name");
         else
           names.push_back(n);
       }
       spec.containers = names;
     }},
    {"mount-path",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       bool ok = Matches(value, kMountPath) && value.size() <= 256 &&
                 value.find("/../") == std::string::npos &&
                 value.find("/./") == std::string::npos && !value.ends_with("/..") &&
                 !value.ends_with("/.");
       if (!ok)
         invalid(q + ": must be an absolute path of [A-Za-z0-9._-] segments without . or ..");
       else
         spec.mount_path = value;
     }},
    {"lifecycle",
     [](const std::string& key, const std::string&, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       auto l = ParseLifecycle(value);
       if (!l.ok())
         invalid(key + ": " + l.status().message());
       else
         spec.lifecycle = *l;
     }},
    {"refresh-interval",
     [](const std::string& key, const std::string&, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       auto d = ParseDuration(value);
       if (!d.ok())
         invalid(key + ": " + d.status().message());
       else
         spec.refresh_interval = *d;
     }},
    {"metrics-port",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       // "0" turns a config-wide injector.metricsPort off for this pod.
       int port = -1;
       if (!value.empty() && value.size() <= 5 &&
           value.find_first_not_of("0123456789") == std::string::npos)
         port = std::stoi(value);
       if (port != 0 && (port < 1024 || port > 65535))
         invalid(q + ": must be a port between 1024 and 65535 (or 0: off)");
       else
         spec.metrics_port = port;
     }},
    {"aws-region",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       if (!IsAwsRegionName(value))
         invalid(q + ": not an AWS region (e.g. eu-west-1)");
       else
         spec.aws_region = value;
     }},
    {"aws-failover-regions",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       std::vector<std::string> regions;
       if (value.find_first_not_of(" \t") != std::string::npos) regions = SplitList(value);
       // The primary is not known here (it may come from config or env); the
       // planner checks that no listed region is the primary.
       if (Status st = ValidateAwsFailoverRegions(q, "", regions); !st.ok())
         invalid(st.message());
       else
         spec.aws_failover_regions = regions;
     }},
    {"aws-role-arn",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       Store(q, value, kRoleArn, "not an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
             &spec.aws_role_arn, invalid);
     }},
    {"vault-addr",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       Store(q, value, kVaultAddr, "not a Vault address (https://host[:port])", &spec.vault_addr,
             invalid);
     }},
    {"vault-role",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       Store(q, value, kVaultRole, "role must be 1-128 of [A-Za-z0-9._-]", &spec.vault_role,
             invalid);
     }},
    {"vault-auth-path",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       Store(q, value, kVaultPath, "auth path must be segments of [A-Za-z0-9._-] joined by '/'",
             &spec.vault_auth_path, invalid, /*no_dotdot=*/true);
     }},
    {"vault-namespace",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       Store(q, value, kVaultNamespace,
             "namespace must be segments of [A-Za-z0-9._-] joined by '/'", &spec.vault_namespace,
             invalid, /*no_dotdot=*/true);
     }},
    {"agent-port",
     [](const std::string&, const std::string& q, const std::string& value, InjectionSpec& spec,
        const Report& invalid) {
       // Whether the lifecycle allows it and that it differs from the
       // injector's other ports are checked once the plan is known
       // (CheckInjectorPorts).
       int port = 0;
       if (!value.empty() && value.size() <= 5 &&
           value.find_first_not_of("0123456789") == std::string::npos)
         port = std::stoi(value);
       if (port < 1024 || port > 65535)
         invalid(q + ": must be a port between 1024 and 65535");
       else
         spec.agent_port = port;
     }},
};

const PodKey* FindPodKey(std::string_view k) {
  for (const PodKey& row : kPodKeys)
    if (k == row.name) return &row;
  return nullptr;
}

}  // namespace

std::vector<std::string> KnownInjectionKeys() {
  std::vector<std::string> keys;
  for (const FileKey& row : kFileKeys) keys.push_back(std::string(row.kind) + "-<name>");
  for (const PodKey& row : kPodKeys) keys.push_back(row.name);
  return keys;
}

InjectionSpec ParseInjectionKeys(const std::map<std::string, std::string>& keys,
                                 std::string_view key_prefix, std::vector<std::string>* problems) {
  InjectionSpec spec;
  const Report invalid = [&](const std::string& msg) { problems->push_back(msg); };
  const auto Key = [&](std::string_view suffix) {
    return std::string(key_prefix) + std::string(suffix);
  };
  std::map<std::string, RawFile> files;

  for (const auto& [k, value] : keys) {
    const std::string key = Key(k);
    const std::string q = key + "=\"" + value + "\"";
    if (const PodKey* row = FindPodKey(k)) {
      row->apply(key, q, value, spec, invalid);
      continue;
    }
    bool known = false;  // "<kind>-<name>", or unknown
    for (const FileKey& row : kFileKeys) {
      std::string p = std::string(row.kind) + "-";
      if (k.rfind(p, 0) != 0) continue;
      known = true;
      std::string name = k.substr(p.size());
      if (!IsValidFileName(name)) {
        invalid(key + ": \"" + name +
                "\" is not a valid file name (1-63 of [A-Za-z0-9._-], not starting with '.')");
        break;
      }
      files[name].*row.slot = value;
      break;
    }
    if (!known)
      invalid(key + ": unknown " + (key_prefix.empty() ? "key" : "annotation") +
              " (see the memsecret.io/ annotation reference)");
  }

  for (auto& [name, raw] : files) {
    const std::string where = "file \"" + name + "\"";
    if (raw.secret && raw.token) {
      invalid(where + ": both " + Key("secret-" + name) + " and " + Key("token-" + name) +
              " are set");
      continue;
    }
    if (!raw.secret && !raw.token) {
      invalid(where + ": settings without " + Key("secret-" + name) + " or " +
              Key("token-" + name));
      continue;
    }
    PlannedFile f;
    f.name = name;
    f.kind = raw.token ? FileKind::kToken : FileKind::kSecret;
    const std::string& ref_key = Key((raw.token ? "token-" : "secret-") + name);
    auto ref = ParseSecretRef(raw.token ? *raw.token : *raw.secret);
    bool ok = ref.ok();
    if (!ok)
      invalid(ref_key + ": " + ref.status().message());
    else
      f.ref = *ref;
    if (raw.format) {
      auto fmt = ParseOutputFormat(*raw.format);
      if (!fmt.ok())
        ok = false, invalid(Key("format-" + name) + ": " + fmt.status().message());
      else
        f.format = *fmt;
    }
    if (raw.mode) {
      auto mode = ParseMode(*raw.mode);
      if (!mode)
        ok = false, invalid(Key("mode-" + name) + "=\"" + *raw.mode +
                            "\": must be an octal mode such as 0400 or 0440");
      else if (*mode & 0133)
        ok = false, invalid(Key("mode-" + name) + "=\"" + *raw.mode +
                            "\": secrets must not be executable or writable by group/others");
      else
        f.mode = *mode;
    }
    if (f.kind == FileKind::kSecret) {
      for (auto [kind, slot] :
           {std::pair{"issuer", &raw.issuer}, {"scope", &raw.scope}, {"audience", &raw.audience}})
        if (*slot)
          ok = false, invalid(Key(std::string(kind) + "-" + name) + ": only applies to token-" +
                              name + ", not secret-" + name);
    } else {
      TokenSpec t;
      if (!raw.issuer)
        ok = false, invalid(ref_key + ": a token needs " + Key("issuer-" + name));
      else if (auto iss = ParseIssuer(*raw.issuer); !iss.ok())
        ok = false, invalid(Key("issuer-" + name) + ": " + iss.status().message());
      else
        t.issuer = *raw.issuer;
      // RFC 6749 §3.3 scope-token characters, space separated.
      if (raw.scope && !Matches(*raw.scope, kScope))
        ok = false,
        invalid(Key("scope-" + name) + ": scope must be space-separated RFC 6749 scope tokens");
      else if (raw.scope)
        t.scope = *raw.scope;
      if (raw.audience && !Matches(*raw.audience, kAudience))
        ok = false,
        invalid(Key("audience-" + name) + ": audience must be printable text without spaces");
      else if (raw.audience)
        t.audience = *raw.audience;
      f.token = t;
    }
    if (raw.env_var) {
      const std::string k = Key("env-var-" + name) + "=\"" + *raw.env_var + "\"";
      if (!IsValidEnvVarName(*raw.env_var))
        ok = false, invalid(k + ": must be a shell variable name ([A-Za-z_][A-Za-z0-9_]*)");
      else if (f.format != OutputFormat::kEnv)
        ok = false, invalid(k + ": only applies with " + Key("format-" + name) + "=env");
      else
        f.env_var = *raw.env_var;
    }
    if (ok) spec.files.push_back(std::move(f));
  }

  // Two env-format files must not define one variable (a pod sourcing both
  // would silently get one of them).
  std::map<std::string, std::string> defined_by;
  for (const PlannedFile& f : spec.files) {
    for (const std::string& var : KnownEnvVars(f)) {
      auto [it, fresh] = defined_by.emplace(var, f.name);
      if (!fresh)
        invalid("files \"" + it->second + "\" and \"" + f.name + "\" both define the variable " +
                var + " (set " + Key("env-var-" + f.name) + ")");
    }
  }
  return spec;
}

}  // namespace memsecret
