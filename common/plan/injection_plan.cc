// JSON codec for InjectionPlan: written with JsonWriter, read with
// nlohmann_json (whose exceptions stop here).
#include "memsecret/plan/injection_plan.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "memsecret/json_member.h"
#include "memsecret/json_writer.h"
#include "memsecret/plan/backends.h"

namespace memsecret {

using nlohmann::json;

const char* LifecycleName(Lifecycle l) { return l == Lifecycle::kInit ? "init" : "sidecar"; }

const char* OutputFormatName(OutputFormat f) {
  switch (f) {
    case OutputFormat::kRaw:
      return "raw";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kEnv:
      return "env";
  }
  return "?";
}

const char* FileKindName(FileKind k) { return k == FileKind::kToken ? "token" : "secret"; }

Result<Lifecycle> ParseLifecycle(std::string_view s) {
  if (s == "sidecar") return Lifecycle::kSidecar;
  if (s == "init") return Lifecycle::kInit;
  return InvalidArgument("lifecycle must be sidecar or init, not \"" + std::string(s) + "\"");
}

Result<OutputFormat> ParseOutputFormat(std::string_view s) {
  if (s == "raw") return OutputFormat::kRaw;
  if (s == "json") return OutputFormat::kJson;
  if (s == "env") return OutputFormat::kEnv;
  return InvalidArgument("format must be raw, json or env, not \"" + std::string(s) + "\"");
}

bool IsValidFileName(std::string_view name) {
  if (name.empty() || name.size() > 63 || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidEnvVarName(std::string_view name) {
  if (name.empty() || name.size() > 128 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string EnvVarFromFileName(std::string_view file_name) {
  std::string out;
  for (char c : file_name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += alnum ? static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c) : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "_" + out;
  return out;
}

std::string TokenEnvVar(const PlannedFile& file) {
  return file.env_var.empty() ? EnvVarFromFileName(file.name) + "_ACCESS_TOKEN" : file.env_var;
}

std::vector<std::string> KnownEnvVars(const PlannedFile& file) {
  if (file.format != OutputFormat::kEnv) return {};
  if (file.kind == FileKind::kToken) {
    const std::string v = TokenEnvVar(file);
    return {v, v + "_TYPE", v + "_EXPIRES_AT"};
  }
  if (!file.env_var.empty()) return {file.env_var};
  if (file.ref.field)
    return {IsValidEnvVarName(*file.ref.field) ? *file.ref.field
                                               : EnvVarFromFileName(*file.ref.field)};
  return {};
}

namespace {

std::string ModeString(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

// Written with JsonWriter (the webhook encodes a plan on every admission),
// members in sorted key order: the same text nlohmann_json's dump() prints.
void WriteFile(JsonWriter& w, const PlannedFile& f) {
  w.BeginObject();
  if (!f.env_var.empty()) w.Member("envVar", f.env_var);
  w.Member("format", OutputFormatName(f.format));
  w.Member("kind", FileKindName(f.kind));
  w.Member("mode", ModeString(f.mode));
  w.Member("name", f.name);
  w.Member("ref", f.ref.ToString());
  if (f.rotation_max_age_seconds > 0) w.Member("rotationMaxAgeSeconds", f.rotation_max_age_seconds);
  if (f.token) {
    w.Key("token").BeginObject();
    if (!f.token->audience.empty()) w.Member("audience", f.token->audience);
    w.Member("issuer", f.token->issuer.ToString());
    if (!f.token->scope.empty()) w.Member("scope", f.token->scope);
    w.EndObject();
  }
  w.EndObject();
}

template <typename T>
bool Get(const json& obj, const char* key, T* out, std::string* err, const std::string& where) {
  return ReadMember(obj, key, out, err, where);
}

Result<PlannedFile> FileFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgument(where + " must be an object");
  std::string err, kind = "secret", ref, format = "raw", mode = "0400";
  PlannedFile f;
  if (!Get(j, "name", &f.name, &err, where) || !Get(j, "kind", &kind, &err, where) ||
      !Get(j, "ref", &ref, &err, where) || !Get(j, "format", &format, &err, where) ||
      !Get(j, "mode", &mode, &err, where) || !Get(j, "envVar", &f.env_var, &err, where) ||
      !Get(j, "rotationMaxAgeSeconds", &f.rotation_max_age_seconds, &err, where))
    return InvalidArgument(err);
  if (f.rotation_max_age_seconds < 0)
    return InvalidArgument(where + ".rotationMaxAgeSeconds must be >= 0");
  if (!f.env_var.empty() && !IsValidEnvVarName(f.env_var))
    return InvalidArgument(where + ".envVar \"" + f.env_var + "\" is not a shell variable name");
  if (!IsValidFileName(f.name))
    return InvalidArgument(where + ".name \"" + f.name + "\" is not a valid file name");
  if (kind == "secret")
    f.kind = FileKind::kSecret;
  else if (kind == "token")
    f.kind = FileKind::kToken;
  else
    return InvalidArgument(where + ".kind must be secret or token");
  auto parsed = ParseSecretRef(ref);
  if (!parsed.ok()) return parsed.status().WithContext(where);
  f.ref = std::move(parsed).value();
  auto fmt = ParseOutputFormat(format);
  if (!fmt.ok()) return fmt.status().WithContext(where);
  f.format = *fmt;
  if (mode.empty() || mode.size() > 4 || mode.find_first_not_of("01234567") != std::string::npos)
    return InvalidArgument(where + ".mode must be an octal string such as 0400");
  f.mode = static_cast<uint32_t>(std::stoul(mode, nullptr, 8));
  if (auto it = j.find("token"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument(where + ".token must be an object");
    TokenSpec t;
    std::string issuer;
    if (!Get(*it, "issuer", &issuer, &err, where + ".token") ||
        !Get(*it, "scope", &t.scope, &err, where + ".token") ||
        !Get(*it, "audience", &t.audience, &err, where + ".token"))
      return InvalidArgument(err);
    if (issuer.empty()) return InvalidArgument(where + ".token.issuer is required");
    auto parsed_issuer = ParseIssuer(issuer);
    if (!parsed_issuer.ok()) return parsed_issuer.status().WithContext(where + ".token.issuer");
    t.issuer = std::move(parsed_issuer).value();
    f.token = t;
  }
  if ((f.kind == FileKind::kToken) != f.token.has_value())
    return InvalidArgument(where + ": token settings must be present exactly for kind token");
  return f;
}

}  // namespace

std::string EncodePlan(const InjectionPlan& p) {
  std::string out;
  out.reserve(256 + 160 * p.files.size());
  JsonWriter w(&out);
  // Members in sorted key order (the same text nlohmann_json's dump()
  // prints): the plan's own and one per backend it uses.
  std::vector<std::pair<std::string_view, std::function<void()>>> members;
  if (p.agent_port != 0)
    members.emplace_back("agentPort", [&] { w.Member("agentPort", p.agent_port); });
  for (const auto& [name, settings] : p.backends.all())
    members.emplace_back(name, [&w, &name = name, &settings = settings] {
      w.Key(name);
      settings->Encode(w);
    });
  members.emplace_back("files", [&] {
    w.Key("files").BeginArray();
    for (const auto& f : p.files) WriteFile(w, f);
    w.EndArray();
  });
  members.emplace_back("lifecycle", [&] { w.Member("lifecycle", LifecycleName(p.lifecycle)); });
  if (p.metrics_port != 0)
    members.emplace_back("metricsPort", [&] { w.Member("metricsPort", p.metrics_port); });
  members.emplace_back("outputDir", [&] { w.Member("outputDir", p.output_dir); });
  members.emplace_back("pod", [&] {
    w.Key("pod").BeginObject();
    w.Member("name", p.pod.name)
        .Member("namespace", p.pod.namespace_name)
        .Member("serviceAccount", p.pod.service_account);
    w.EndObject();
  });
  members.emplace_back("refreshIntervalSeconds",
                       [&] { w.Member("refreshIntervalSeconds", p.refresh_interval_seconds); });
  members.emplace_back("tokenMinRemainingSeconds", [&] {
    w.Member("tokenMinRemainingSeconds", p.token_min_remaining_seconds);
  });
  members.emplace_back("tokenRefreshFraction",
                       [&] { w.Key("tokenRefreshFraction").Double(p.token_refresh_fraction); });
  members.emplace_back("version", [&] { w.Member("version", InjectionPlan::kVersion); });
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  w.BeginObject();
  for (const auto& [key, write] : members) write();
  w.EndObject();
  return out;
}

Result<InjectionPlan> DecodePlan(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("plan: not a JSON object");
  InjectionPlan p;
  std::string err, lifecycle = "sidecar";
  int version = 0;
  if (!Get(j, "version", &version, &err, "plan")) return InvalidArgument(err);
  if (version != InjectionPlan::kVersion)
    return InvalidArgument("plan: unsupported version " + std::to_string(version) +
                           " (this injector reads version 1)");
  if (auto it = j.find("pod"); it != j.end() && it->is_object()) {
    if (!Get(*it, "namespace", &p.pod.namespace_name, &err, "plan.pod") ||
        !Get(*it, "serviceAccount", &p.pod.service_account, &err, "plan.pod") ||
        !Get(*it, "name", &p.pod.name, &err, "plan.pod"))
      return InvalidArgument(err);
  }
  if (!Get(j, "lifecycle", &lifecycle, &err, "plan") ||
      !Get(j, "outputDir", &p.output_dir, &err, "plan") ||
      !Get(j, "refreshIntervalSeconds", &p.refresh_interval_seconds, &err, "plan") ||
      !Get(j, "tokenRefreshFraction", &p.token_refresh_fraction, &err, "plan") ||
      !Get(j, "tokenMinRemainingSeconds", &p.token_min_remaining_seconds, &err, "plan") ||
      !Get(j, "metricsPort", &p.metrics_port, &err, "plan") ||
      !Get(j, "agentPort", &p.agent_port, &err, "plan"))
    return InvalidArgument(err);
  if (p.metrics_port != 0 && (p.metrics_port < 1024 || p.metrics_port > 65535))
    return InvalidArgument("plan.metricsPort must be between 1024 and 65535");
  if (p.agent_port != 0 && (p.agent_port < 1024 || p.agent_port > 65535))
    return InvalidArgument("plan.agentPort must be between 1024 and 65535");
  if (Status ports = CheckInjectorPorts(InjectorPorts(p)); !ports.ok())
    return ports.WithContext("plan");
  auto lc = ParseLifecycle(lifecycle);
  if (!lc.ok()) return lc.status().WithContext("plan");
  p.lifecycle = *lc;
  if (p.output_dir.empty() || p.output_dir[0] != '/')
    return InvalidArgument("plan.outputDir must be an absolute path");
  if (p.refresh_interval_seconds < 0)
    return InvalidArgument("plan.refreshIntervalSeconds must be >= 0");
  if (!(p.token_refresh_fraction > 0.0 && p.token_refresh_fraction < 1.0))
    return InvalidArgument("plan.tokenRefreshFraction must be between 0 and 1");
  if (p.token_min_remaining_seconds < 0)
    return InvalidArgument("plan.tokenMinRemainingSeconds must be >= 0");

  auto files = j.find("files");
  if (files == j.end() || !files->is_array()) return InvalidArgument("plan.files must be an array");
  std::set<std::string> names;
  for (size_t i = 0; i < files->size(); ++i) {
    auto f = FileFromJson((*files)[i], "plan.files[" + std::to_string(i) + "]");
    if (!f.ok()) return f.status();
    if (!names.insert(f->name).second)
      return InvalidArgument("plan: file name \"" + f->name + "\" appears twice");
    p.files.push_back(std::move(f).value());
  }
  for (const Backend* backend : Backends()) {
    auto it = j.find(backend->name);
    if (it == j.end() || !it->is_object()) continue;
    auto settings = backend->decode(*it, std::string("plan.") + backend->name);
    if (!settings.ok()) return settings.status();
    p.backends.Set(backend->name, std::move(settings).value());
  }
  return p;
}

std::vector<InjectorPort> InjectorPorts(const InjectionPlan& plan) {
  std::vector<InjectorPort> out;
  if (plan.metrics_port != 0) out.push_back({"metrics-port", plan.metrics_port});
  if (plan.agent_port != 0) out.push_back({"agent-port", plan.agent_port});
  return out;
}

Status CheckInjectorPorts(const std::vector<InjectorPort>& ports) {
  for (size_t i = 0; i < ports.size(); ++i) {
    if (ports[i].port < 1024 || ports[i].port > 65535)
      return InvalidArgument(ports[i].key + " " + std::to_string(ports[i].port) +
                             " must be between 1024 and 65535");
    for (size_t j = 0; j < i; ++j)
      if (ports[j].port == ports[i].port)
        return InvalidArgument(ports[j].key + " and " + ports[i].key + " are both " +
                               std::to_string(ports[i].port) +
                               " (the injector's ports must differ)");
  }
  return Status::Ok();
}

}  // namespace memsecret
