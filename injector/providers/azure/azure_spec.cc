#include "injector/providers/azure/azure_spec.h"

#include <nlohmann/json.hpp>

#include "memsecret/config_section.h"
#include "memsecret/json_member.h"
#include "memsecret/ref_syntax.h"

namespace memsecret {

namespace {

using nlohmann::json;

Status CheckPath(std::string_view path) {
  auto segs = SplitOn(path, '/');
  if (segs.size() != 2) return InvalidArgument("azure ref must be <vault-name>/<secret-name>");
  auto vault = segs[0], name = segs[1];
  const bool letter_first = !vault.empty() && ((vault[0] >= 'a' && vault[0] <= 'z') ||
                                               (vault[0] >= 'A' && vault[0] <= 'Z'));
  if (vault.size() < 3 || vault.size() > 24 || !AllOf(vault, "-") || !letter_first)
    return InvalidArgument(
        "key vault name must be 3-24 letters, digits or '-', starting with a letter");
  if (name.empty() || name.size() > 127 || !AllOf(name, "-"))
    return InvalidArgument("key vault secret name must be 1-127 letters, digits or '-'");
  return Status::Ok();
}

Status CheckVersion(std::string_view value) {
  if (value.empty() || value.size() > 64 || !AllOf(value, ""))
    return InvalidArgument("version must be 1-64 letters or digits");
  return Status::Ok();
}

std::any DefaultConfig() { return AzureSection{}; }

void ParseConfig(const json& node, std::any* config, std::vector<std::string>* errors) {
  AzureSection& c = *std::any_cast<AzureSection>(config);
  ConfigSection s(node, kAzureBackend, errors);
  s.Keys({"tokenAudience"});
  s.String("tokenAudience", &c.token_audience);
}

std::shared_ptr<const BackendSettings> Resolve(const BackendKeys&, const PlanContext& ctx,
                                               const std::any* config, PlanNotes* notes) {
  const std::string audience =
      config != nullptr ? std::any_cast<const AzureSection&>(*config).token_audience : "";
  return std::make_shared<const SettingsOf<AzureSettings>>(
      AzureSettings{ctx.ProjectToken(audience, "azure-token", notes)});
}

Result<std::shared_ptr<const BackendSettings>> Decode(const json& j, const std::string& where) {
  AzureSettings a;
  std::string err;
  if (!ReadMember(j, "federatedTokenFile", &a.federated_token_file, &err, where))
    return InvalidArgument(err);
  return std::shared_ptr<const BackendSettings>(
      std::make_shared<const SettingsOf<AzureSettings>>(std::move(a)));
}

}  // namespace

void AzureSettings::Encode(JsonWriter& w) const {
  w.BeginObject().Member("federatedTokenFile", federated_token_file).EndObject();
}

const Backend& AzureBackend() {
  static const Backend backend{
      .name = kAzureBackend,
      .check_path = CheckPath,
      .query = {{"version", CheckVersion}},
      .check_ref = nullptr,
      .keys = {},
      .default_config = DefaultConfig,
      .parse_config = ParseConfig,
      .check_policy = nullptr,
      .resolve = Resolve,
      .decode = Decode,
  };
  return backend;
}

}  // namespace memsecret
