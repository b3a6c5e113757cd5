#include "memsecret/plan/annotation_keys.h"

#include <array>
#include <functional>
#include <regex>

#include "memsecret/duration.h"
#include "memsecret/issuer.h"
#include "memsecret/plan/backends.h"
#include "memsecret/url.h"

namespace memsecret {

namespace {

enum PatternId : size_t { kContainerName, kMountPath, kScope, kAudience };

// Compiled once: std::regex construction is far too slow for the admission path.
const std::regex& Pattern(size_t i) {
  static const std::regex kPatterns[] = {
      std::regex("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"),
      std::regex("(/[A-Za-z0-9._-]+)+"),
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

// "scope" -> the full key of this file's scope ("memsecret.io/scope-crm").
using KeyOf = std::function<std::string(std::string_view kind)>;

Status ApplyRef(const std::string& value, const KeyOf&, PlannedFile& f) {
  auto ref = ParseSecretRef(value);
  if (!ref.ok()) return ref.status();
  f.ref = std::move(ref).value();
  return Status::Ok();
}

// One row per per-file key "<kind>-<name>", applied in this order once all of
// a file's keys are in (env-var reads the format). `token_only`: refused on a
// secret-<name> file. `quote`: messages show the value as key="value".
struct FileKey {
  const char* kind;
  bool token_only;
  bool quote;
  Status (*apply)(const std::string& value, const KeyOf& key, PlannedFile& f);
};

constexpr FileKey kFileKeys[] = {
    {"secret", false, false, ApplyRef},
    {"token", false, false, ApplyRef},
    {"format", false, false,
     [](const std::string& value, const KeyOf&, PlannedFile& f) {
       auto fmt = ParseOutputFormat(value);
       if (!fmt.ok()) return fmt.status();
       f.format = *fmt;
       return Status::Ok();
     }},
    {"mode", false, true,
     [](const std::string& value, const KeyOf&, PlannedFile& f) {
       auto mode = ParseMode(value);
       if (!mode) return InvalidArgument("must be an octal mode such as 0400 or 0440");
       if (*mode & 0133)
         return InvalidArgument("secrets must not be executable or writable by group/others");
       f.mode = *mode;
       return Status::Ok();
     }},
    {"issuer", true, false,
     [](const std::string& value, const KeyOf&, PlannedFile& f) {
       auto issuer = ParseIssuer(value);
       if (!issuer.ok()) return issuer.status();
       f.token->issuer = std::move(issuer).value();
       return Status::Ok();
     }},
    {"scope", true, false,
     [](const std::string& value, const KeyOf&, PlannedFile& f) {
       // RFC 6749 §3.3 scope-token characters, space separated.
       if (!Matches(value, kScope))
         return InvalidArgument("scope must be space-separated RFC 6749 scope tokens");
       f.token->scope = value;
       return Status::Ok();
     }},
    {"audience", true, false,
     [](const std::string& value, const KeyOf&, PlannedFile& f) {
       if (!Matches(value, kAudience))
         return InvalidArgument("audience must be printable text without spaces");
       f.token->audience = value;
       return Status::Ok();
     }},
    {"env-var", false, true,
     [](const std::string& value, const KeyOf& key, PlannedFile& f) {
       if (!IsValidEnvVarName(value))
         return InvalidArgument("must be a shell variable name ([A-Za-z_][A-Za-z0-9_]*)");
       if (f.format != OutputFormat::kEnv)
         return InvalidArgument("only applies with " + key("format") + "=env");
       f.env_var = value;
       return Status::Ok();
     }},
};
using RawFile = std::array<std::optional<std::string>, std::size(kFileKeys)>;

constexpr size_t RowOf(std::string_view kind) {
  for (size_t i = 0; i < std::size(kFileKeys); ++i)
    if (kind == kFileKeys[i].kind) return i;
  return std::size(kFileKeys);
}
constexpr size_t kSecretRow = RowOf("secret"), kTokenRow = RowOf("token"),
                 kIssuerRow = RowOf("issuer");
static_assert(kSecretRow < std::size(kFileKeys) && kTokenRow < std::size(kFileKeys) &&
              kIssuerRow < std::size(kFileKeys));

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

const Backend::Key* FindBackendKey(std::string_view k) {
  for (const Backend* b : Backends())
    for (const Backend::Key& row : b->keys)
      if (k == row.name) return &row;
  return nullptr;
}

}  // namespace

std::optional<std::string> InjectionKeyAddress(std::string_view key, std::string_view value) {
  if (key.starts_with("issuer-")) {
    // A token URL; named Genesys/CXone issuers go to their fixed hosts.
    if (!value.starts_with("https://") && !value.starts_with("http://")) return std::nullopt;
    return UrlOrigin(value);
  }
  if (const Backend::Key* row = FindBackendKey(key); row != nullptr && row->address != nullptr)
    return row->address(value);
  return std::nullopt;
}

std::vector<std::string> KnownInjectionKeys() {
  std::vector<std::string> keys;
  for (const FileKey& row : kFileKeys) keys.push_back(std::string(row.kind) + "-<name>");
  for (const PodKey& row : kPodKeys) keys.push_back(row.name);
  for (const Backend* b : Backends())
    for (const Backend::Key& row : b->keys) keys.push_back(row.name);
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
    if (const Backend::Key* row = FindBackendKey(k)) {
      if (Status st = row->check(value); !st.ok())
        invalid(q + ": " + st.message());
      else
        spec.backend_keys[k] = value;
      continue;
    }
    bool known = false;  // "<kind>-<name>", or unknown
    for (size_t i = 0; i < std::size(kFileKeys); ++i) {
      std::string p = std::string(kFileKeys[i].kind) + "-";
      if (k.rfind(p, 0) != 0) continue;
      known = true;
      std::string name = k.substr(p.size());
      if (!IsValidFileName(name)) {
        invalid(key + ": \"" + name +
                "\" is not a valid file name (1-63 of [A-Za-z0-9._-], not starting with '.')");
        break;
      }
      files[name][i] = value;
      break;
    }
    if (!known)
      invalid(key + ": unknown " + (key_prefix.empty() ? "key" : "annotation") +
              " (see the memsecret.io/ annotation reference)");
  }

  for (auto& [name, raw] : files) {
    const std::string where = "file \"" + name + "\"";
    const KeyOf key_of = [&, &name = name](std::string_view kind) {
      return Key(std::string(kind) + "-" + name);
    };
    const bool secret = raw[kSecretRow].has_value(), token = raw[kTokenRow].has_value();
    if (secret && token) {
      invalid(where + ": both " + key_of("secret") + " and " + key_of("token") + " are set");
      continue;
    }
    if (!secret && !token) {
      invalid(where + ": settings without " + key_of("secret") + " or " + key_of("token"));
      continue;
    }
    PlannedFile f;
    f.name = name;
    f.kind = token ? FileKind::kToken : FileKind::kSecret;
    if (token) f.token = TokenSpec{};
    bool ok = true;
    for (size_t i = 0; i < std::size(kFileKeys); ++i) {
      const FileKey& row = kFileKeys[i];
      if (!raw[i]) continue;
      const std::string k = key_of(row.kind) + (row.quote ? "=\"" + *raw[i] + "\"" : "");
      if (row.token_only && !token) {
        ok = false, invalid(k + ": only applies to token-" + name + ", not secret-" + name);
        continue;
      }
      if (Status st = row.apply(*raw[i], key_of, f); !st.ok())
        ok = false, invalid(k + ": " + st.message());
    }
    if (token && !raw[kIssuerRow])
      ok = false, invalid(key_of("token") + ": a token needs " + key_of("issuer"));
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
