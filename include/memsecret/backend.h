// Backend: what a secret store backend's *spec part* fills in, so that the
// generic code (ref parsing, the annotation keys, the plan codec, the
// planners, the webhook's config) knows no backend by name. Each backend's
// spec part lives in its own folder (injector/providers/<name>/<name>_spec.*),
// is linked into both binaries, and is one row of the table in
// memsecret/plan/backends.h. Its *fetch part* (authentication, reads, writes)
// is linked into the injector only and is one row of the injector's table
// (injector/providers/backend_table.h).
//
// Backend-specific data travels type-erased: a plan carries each used
// backend's settings (BackendSettings), the webhook config each backend's
// section (std::any), an InjectionSpec each backend key's validated text.
// Only the backend's own code looks inside. Pure. Thread-safe.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/json_writer.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret {

// One backend's settings in a plan, as its spec part resolved them from a
// pod's or pipeline's keys. Immutable once made.
class BackendSettings {
 public:
  virtual ~BackendSettings() = default;
  // Writes one JSON object (keys sorted) that the backend's decode reads back.
  virtual void Encode(JsonWriter& w) const = 0;
  virtual bool Equals(const BackendSettings& other) const = 0;
};

// A backend's settings struct T (with `void Encode(JsonWriter&) const` and
// operator==) as BackendSettings.
template <class T>
class SettingsOf final : public BackendSettings {
 public:
  explicit SettingsOf(T value) : value_(std::move(value)) {}
  void Encode(JsonWriter& w) const override { value_.Encode(w); }
  bool Equals(const BackendSettings& other) const override {
    const auto* o = dynamic_cast<const SettingsOf*>(&other);
    return o != nullptr && o->value_ == value_;
  }
  const T& value() const { return value_; }

 private:
  T value_;
};

// The settings of every backend a plan uses, by backend name.
class PlanSettings {
 public:
  using Map = std::map<std::string, std::shared_ptr<const BackendSettings>, std::less<>>;

  void Set(std::string backend, std::shared_ptr<const BackendSettings> settings) {
    map_[std::move(backend)] = std::move(settings);
  }
  template <class T>
  void Set(std::string backend, T value) {
    Set(std::move(backend), std::shared_ptr<const BackendSettings>(
                                std::make_shared<const SettingsOf<T>>(std::move(value))));
  }
  // The backend's settings as its own type; null when the plan has none (a
  // pipeline plan, or the backend is unused) or they are of another type.
  template <class T>
  const T* Get(std::string_view backend) const {
    auto it = map_.find(backend);
    if (it == map_.end()) return nullptr;
    const auto* typed = dynamic_cast<const SettingsOf<T>*>(it->second.get());
    return typed != nullptr ? &typed->value() : nullptr;
  }
  // The same, or T's defaults.
  template <class T>
  T GetOr(std::string_view backend) const {
    const T* t = Get<T>(backend);
    return t != nullptr ? *t : T{};
  }
  bool Has(std::string_view backend) const { return map_.find(backend) != map_.end(); }
  const Map& all() const { return map_; }

  bool operator==(const PlanSettings& other) const;

 private:
  Map map_;
};

// A projected service-account token a pod's injector needs: its audience and
// the file name under PlanContext::token_dir.
struct ProjectedToken {
  std::string audience;
  std::string path;
};

// What resolving adds beside the plan.
struct PlanNotes {
  std::vector<std::string> problems;  // the pod is denied / the command exits 2
  std::vector<std::string> policy;    // the pod is denied by the config's policy
  std::vector<std::string> warnings;
  std::vector<ProjectedToken> sa_tokens;
};

// Who asks for a plan. Pods: `app_env` and `token_dir` set, and each
// backend's config section (Backend::config) passed to its resolver.
// Pipelines: all unset and no config: what a key leaves empty the injector
// takes from the runner's own environment.
struct PlanContext {
  // A literal env value of the app's containers ("" when unset).
  std::function<std::string(std::string_view)> app_env;
  std::string token_dir;  // where projected service-account tokens are mounted
  std::string namespace_name, service_account;
  std::string key_prefix;  // how messages name keys: "memsecret.io/" for pods, "" for pipelines

  std::string AppEnv(std::string_view name) const { return app_env ? app_env(name) : ""; }
  // A projected token's path for a pod (and the token added to `notes`);
  // "" for pipelines, which use the runner's own identity.
  std::string ProjectToken(const std::string& audience, const std::string& file,
                           PlanNotes* notes) const;
};

// A pod's or pipeline's backend keys ("vault-addr" -> its text), each checked
// by its Backend::keys row as it was read.
using BackendKeys = std::map<std::string, std::string, std::less<>>;

// The value of `key` in `keys`, if given.
std::optional<std::string> KeyValue(const BackendKeys& keys, std::string_view key);

// "{namespace}" and "{serviceAccount}" in `pattern` replaced by the pod's
// (policy globs, the Vault role).
std::string SubstitutePodVars(std::string_view pattern, const std::string& namespace_name,
                              const std::string& service_account);

// One backend's spec part.
struct Backend {
  // The ref prefix ("vault:"), the config section and the plan's member.
  const char* name;

  // Ref syntax: `<name>:<path>[?k=v&...][#field]`. Errors are messages
  // without the ref (ParseSecretRef adds it).
  struct QueryKey {
    const char* name;
    Status (*check)(std::string_view value);
  };
  Status (*check_path)(std::string_view path);
  std::vector<QueryKey> query;
  Status (*check_ref)(const SecretRef& ref);  // across the parts once all are read; may be null

  // Pod-wide keys ("vault-addr"): annotations after memsecret.io/, and the
  // pipeline commands' keys. `check` returns the reason a value is refused
  // (the parser prefixes `key="value": `). `address`: where the key sends an
  // identity or credentials, as an address fence matches it (null: none).
  struct Key {
    const char* name;
    Status (*check)(std::string_view value);
    std::optional<std::string> (*address)(std::string_view value) = nullptr;
  };
  std::vector<Key> keys;

  // The webhook config's section `<name>:` (docs/configuration.md): its
  // defaults, and its parse from the section's JSON (YAML read as JSON; null
  // when absent). Errors name the key path ("vault.addr: ...").
  std::any (*default_config)();
  void (*parse_config)(const nlohmann::json& section, std::any* config,
                       std::vector<std::string>* errors);
  // The config's policy on the pod's keys (the Vault address allowlist);
  // denials go to notes->policy. May be null.
  void (*check_policy)(const BackendKeys& keys, const std::any& config, PlanNotes* notes);

  // The plan's settings for this backend from the keys, the context and the
  // config section (null for pipelines); problems and projected tokens go to
  // `notes`.
  std::shared_ptr<const BackendSettings> (*resolve)(const BackendKeys& keys, const PlanContext& ctx,
                                                    const std::any* config, PlanNotes* notes);
  // The plan's member `<name>` back into settings; errors start with `where`
  // ("plan.vault").
  Result<std::shared_ptr<const BackendSettings>> (*decode)(const nlohmann::json& j,
                                                           const std::string& where);
};

}  // namespace memsecret
