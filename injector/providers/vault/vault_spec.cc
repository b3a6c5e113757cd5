#include "injector/providers/vault/vault_spec.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "memsecret/config_section.h"
#include "memsecret/json_member.h"
#include "memsecret/ref_syntax.h"
#include "memsecret/url.h"

namespace memsecret {

namespace {

using nlohmann::json;

bool Segments(std::string_view s, std::string_view extra) {
  for (auto seg : SplitOn(s, '/'))
    if (seg.empty() || seg == "." || seg == ".." || !AllOf(seg, extra)) return false;
  return true;
}

Status CheckPath(std::string_view path) {
  auto segs = SplitOn(path, '/');
  if (segs.size() < 2) return InvalidArgument("vault path must be <mount>/<path>");
  for (auto seg : segs) {
    if (seg.empty() || seg == "." || seg == "..")
      return InvalidArgument("vault path has an empty, '.' or '..' segment");
    if (!AllOf(seg, "._-@+="))
      return InvalidArgument("vault path may only contain letters, digits, '/' and ._-@+=");
  }
  return Status::Ok();
}

Status CheckKv(std::string_view value) {
  if (value != "1" && value != "2") return InvalidArgument("kv must be 1 or 2");
  return Status::Ok();
}

Status CheckVersion(std::string_view value) {
  if (!IsDigits(value) || value.size() > 9 || value == "0")
    return InvalidArgument("version must be a positive integer");
  return Status::Ok();
}

// A mount whose name has '/': vault:team-a/kv/app?mount=team-a/kv
Status CheckMount(std::string_view value) {
  if (!Segments(value, "._-@+="))
    return InvalidArgument("mount must be '/'-separated segments of letters, digits and ._-@+=");
  return Status::Ok();
}

// Checks across a ref's parts once all are read.
Status CheckRef(const SecretRef& ref) {
  if (auto mount = ref.Query("mount");
      mount && !(ref.path.size() > mount->size() + 1 && ref.path.starts_with(*mount + "/")))
    return InvalidArgument("mount \"" + *mount +
                           "\" must be a leading part of the path followed by the secret's path");
  if (ref.Query("kv") == "1" && ref.Query("version"))
    return InvalidArgument("version is only supported by KV v2 (drop kv=1)");
  return Status::Ok();
}

Status CheckAddrKey(std::string_view value) {
  static const std::regex kAddr(R"(https?://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?/?)");
  if (!std::regex_match(value.begin(), value.end(), kAddr))
    return InvalidArgument("not a Vault address (https://host[:port])");
  return Status::Ok();
}

Status CheckRoleKey(std::string_view value) {
  static const std::regex kRole("[A-Za-z0-9._{}-]{1,128}");
  if (!std::regex_match(value.begin(), value.end(), kRole))
    return InvalidArgument("role must be 1-128 of [A-Za-z0-9._-]");
  return Status::Ok();
}

Status CheckAuthPathKey(std::string_view value) {
  static const std::regex kPath("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  if (!std::regex_match(value.begin(), value.end(), kPath) ||
      value.find("..") != std::string_view::npos)
    return InvalidArgument("auth path must be segments of [A-Za-z0-9._-] joined by '/'");
  return Status::Ok();
}

Status CheckNamespaceKey(std::string_view value) {
  static const std::regex kNamespace("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?");
  if (!std::regex_match(value.begin(), value.end(), kNamespace) ||
      value.find("..") != std::string_view::npos)
    return InvalidArgument("namespace must be segments of [A-Za-z0-9._-] joined by '/'");
  return Status::Ok();
}

// The URL's origin "<scheme>://<host>[:<port>]" (the port only when not the
// scheme's default), where the Vault token or JWT goes.
std::optional<std::string> AddrOrigin(std::string_view value) { return UrlOrigin(value); }

std::any DefaultConfig() { return VaultSection{}; }

bool IsHttpsOrLoopback(const std::string& url) { return ParseOutboundUrl(url, "url").ok(); }

void ParseConfig(const json& node, std::any* config, std::vector<std::string>* errors) {
  VaultSection& c = *std::any_cast<VaultSection>(config);
  ConfigSection s(node, kVaultBackend, errors);
  s.Keys({"addr", "authPath", "role", "namespace", "tokenAudience", "allowedAddrs",
          "allowSkipVerify"});
  s.String("addr", &c.addr);
  s.String("authPath", &c.auth_path);
  s.String("role", &c.role);
  s.String("namespace", &c.vault_namespace);
  s.String("tokenAudience", &c.token_audience);
  s.StringList("allowedAddrs", &c.allowed_addrs);
  s.Bool("allowSkipVerify", &c.allow_skip_verify);
  if (!c.addr.empty() && !IsHttpsOrLoopback(c.addr))
    errors->push_back("vault.addr: must be https:// (http only to loopback)");
  for (const auto& a : c.allowed_addrs)
    if (!IsHttpsOrLoopback(a))
      errors->push_back("vault.allowedAddrs: \"" + a +
                        "\" must be https:// (http only to loopback)");
}

void CheckPolicy(const BackendKeys& keys, const std::any& config, PlanNotes* notes) {
  const auto addr = KeyValue(keys, "vault-addr");
  if (!addr) return;
  const auto& allowed = std::any_cast<const VaultSection&>(config).allowed_addrs;
  if (std::find(allowed.begin(), allowed.end(), *addr) == allowed.end())
    notes->policy.push_back("vault-addr " + *addr + " is not in vault.allowedAddrs");
}

std::shared_ptr<const BackendSettings> Resolve(const BackendKeys& keys, const PlanContext& ctx,
                                               const std::any* config, PlanNotes* notes) {
  // Pipelines: no defaults; an empty auth path is the auth method's default
  // mount, and what else a key leaves empty comes from the runner's env.
  static const VaultSection kNone{.addr = "",
                                  .auth_path = "",
                                  .role = "",
                                  .vault_namespace = "",
                                  .token_audience = "",
                                  .allowed_addrs = {},
                                  .allow_skip_verify = false};
  const VaultSection& d = config != nullptr ? *std::any_cast<VaultSection>(config) : kNone;
  VaultSettings v;
  v.addr = KeyValue(keys, "vault-addr").value_or(d.addr);
  if (v.addr.empty() && config != nullptr)
    notes->problems.push_back(
        "vault: no address (set memsecret.io/vault-addr or vault.addr in the webhook config)");
  v.auth_path = KeyValue(keys, "vault-auth-path").value_or(d.auth_path);
  v.role = SubstitutePodVars(KeyValue(keys, "vault-role").value_or(d.role), ctx.namespace_name,
                             ctx.service_account);
  v.vault_namespace = KeyValue(keys, "vault-namespace").value_or(d.vault_namespace);
  v.allow_skip_verify = d.allow_skip_verify;
  v.token_file = ctx.ProjectToken(d.token_audience, "vault-token", notes);
  return std::make_shared<const SettingsOf<VaultSettings>>(std::move(v));
}

Result<std::shared_ptr<const BackendSettings>> Decode(const json& j, const std::string& where) {
  VaultSettings v;
  std::string err;
  if (!ReadMember(j, "addr", &v.addr, &err, where) ||
      !ReadMember(j, "authPath", &v.auth_path, &err, where) ||
      !ReadMember(j, "role", &v.role, &err, where) ||
      !ReadMember(j, "namespace", &v.vault_namespace, &err, where) ||
      !ReadMember(j, "tokenFile", &v.token_file, &err, where) ||
      !ReadMember(j, "allowSkipVerify", &v.allow_skip_verify, &err, where))
    return InvalidArgument(err);
  return std::shared_ptr<const BackendSettings>(
      std::make_shared<const SettingsOf<VaultSettings>>(std::move(v)));
}

}  // namespace

void VaultSettings::Encode(JsonWriter& w) const {
  w.BeginObject();
  w.Member("addr", addr).Member("allowSkipVerify", allow_skip_verify);
  w.Member("authPath", auth_path).Member("namespace", vault_namespace);
  w.Member("role", role).Member("tokenFile", token_file);
  w.EndObject();
}

const Backend& VaultBackend() {
  static const Backend backend{
      .name = kVaultBackend,
      .check_path = CheckPath,
      .query = {{"kv", CheckKv}, {"version", CheckVersion}, {"mount", CheckMount}},
      .check_ref = CheckRef,
      .keys = {{"vault-addr", CheckAddrKey, AddrOrigin},
               {"vault-role", CheckRoleKey},
               {"vault-auth-path", CheckAuthPathKey},
               {"vault-namespace", CheckNamespaceKey}},
      .default_config = DefaultConfig,
      .parse_config = ParseConfig,
      .check_policy = CheckPolicy,
      .resolve = Resolve,
      .decode = Decode,
  };
  return backend;
}

}  // namespace memsecret
