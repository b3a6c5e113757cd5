#include "injector/providers/aws/secrets_manager_writer.h"

#include <nlohmann/json.hpp>

#include "injector/providers/aws/aws_response.h"
#include "injector/providers/aws/credential_chain.h"
#include "injector/providers/aws/endpoints.h"
#include "injector/providers/aws/secrets_manager.h"
#include "injector/providers/aws/sigv4.h"

namespace memsecret::injector::aws {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

SecretsManagerWriter::SecretsManagerWriter(std::string region, std::string endpoint,
                                           std::unique_ptr<CredentialSource> credentials,
                                           HttpClient& http, const Clock& clock)
    : region_(std::move(region)),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials), clock),
      http_(http),
      clock_(clock) {}

Result<std::string> SecretsManagerWriter::Call(const std::string& operation,
                                               const std::string& secret_id, std::string body) {
  auto answer = Send(operation, secret_id, std::move(body));
  if (!answer.ok()) return answer.status();
  json j = json::parse(*answer, nullptr, false);
  return j.is_object() ? Str(j, "VersionId") : "";
}

Result<SecretRotationState> SecretsManagerWriter::DescribeSecret(const std::string& secret_id) {
  auto answer = Send("DescribeSecret", secret_id, json({{"SecretId", secret_id}}).dump());
  if (!answer.ok()) return answer.status();
  json j = json::parse(*answer, nullptr, false);
  if (!j.is_object())
    return Unavailable("DescribeSecret " + secret_id + ": the answer is not a JSON object");
  SecretRotationState state;
  auto enabled = j.find("RotationEnabled");
  state.rotation_enabled = enabled != j.end() && enabled->is_boolean() && enabled->get<bool>();
  auto versions = j.find("VersionIdsToStages");
  if (versions != j.end() && versions->is_object()) {
    for (const auto& [id, stages] : versions->items()) {
      std::vector<std::string>& out = state.version_stages[id];
      if (stages.is_array())
        for (const json& st : stages)
          if (st.is_string()) out.push_back(st.get<std::string>());
    }
  }
  return state;
}

Result<std::string> SecretsManagerWriter::Send(const std::string& operation,
                                               const std::string& secret_id, std::string body) {
  const std::string context = operation + " " + secret_id;
  auto creds = credentials_.Get();
  if (!creds.ok()) return creds.status().WithContext("aws credentials");
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint_ + "/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "secretsmanager." + operation}};
  req.body = std::move(body);
  Status signed_ok = SignRequest(req, *creds, region_, "secretsmanager", clock_.Now());
  if (!signed_ok.ok()) {
    SecureWipe(req.body);
    return signed_ok.WithContext(context);
  }
  auto resp = http_.Send(req);
  SecureWipe(req.body);
  for (auto& h : req.headers) SecureWipe(h.second);
  if (!resp.ok()) return resp.status().WithContext(context);
  json j = json::parse(resp->body, nullptr, false);
  if (resp->status != 200) {
    std::string type = j.is_object() ? Str(j, "__type") : "";
    if (type.empty()) type = resp->Header("x-amzn-ErrorType").value_or("");
    type = SanitizeErrorCode(type);
    std::string message = j.is_object() ? Str(j, "Message") : "";
    if (message.empty() && j.is_object()) message = Str(j, "message");
    if (type == "ResourceExistsException")  // same token, another value
      return FailedPrecondition(context + ": " + type + ": " + CleanRemoteText(message));
    return MapSecretsManagerError(resp->status, type, CleanRemoteText(message))
        .WithContext(context);
  }
  return resp->body;
}

Result<std::string> SecretsManagerWriter::PutSecretValue(const std::string& secret_id,
                                                         const SecretValue& value,
                                                         const std::string& client_request_token,
                                                         const std::vector<std::string>& stages) {
  json body = {{"SecretId", secret_id},
               {"ClientRequestToken", client_request_token},
               {"SecretString", std::string(value.Reveal())},
               {"VersionStages", stages}};
  std::string text = body.dump();
  SecureWipe(body["SecretString"].get_ref<std::string&>());
  auto version = Call("PutSecretValue", secret_id, std::move(text));
  if (!version.ok()) return version.status();
  return version->empty() ? client_request_token : *version;
}

Status SecretsManagerWriter::UpdateSecretVersionStage(const std::string& secret_id,
                                                      const std::string& stage,
                                                      const std::string& move_to,
                                                      const std::string& remove_from) {
  json body = {{"SecretId", secret_id}, {"VersionStage", stage}};
  if (!move_to.empty()) body["MoveToVersionId"] = move_to;
  if (!remove_from.empty()) body["RemoveFromVersionId"] = remove_from;
  auto done = Call("UpdateSecretVersionStage", secret_id, body.dump());
  return done.ok() ? Status::Ok() : done.status();
}

Result<std::unique_ptr<SecretsManagerWriter>> MakeSecretsManagerWriter(const AwsSettings& plan,
                                                                       const Environment& env,
                                                                       HttpClient& http,
                                                                       const Clock& clock) {
  auto region = ResolveRegion(plan.region, env);
  if (!region.ok()) return region.status();
  auto source =
      SelectCredentialSource(plan, env, StsEndpoint(*region, plan.endpoints, env), http, clock);
  if (!source.ok()) return source.status();
  return std::make_unique<SecretsManagerWriter>(
      *region, SecretsManagerEndpoint(*region, plan.endpoints, env), std::move(source).value(),
      http, clock);
}

}  // namespace memsecret::injector::aws
