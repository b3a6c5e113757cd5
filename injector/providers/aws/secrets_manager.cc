#include "injector/providers/aws/secrets_manager.h"

#include <nlohmann/json.hpp>

#include "injector/base/json_fields.h"
#include "injector/providers/aws/aws_response.h"
#include "injector/providers/aws/credential_chain.h"
#include "injector/providers/aws/endpoints.h"
#include "injector/providers/aws/failover.h"
#include "injector/providers/aws/sigv4.h"
#include "memsecret/base64.h"

namespace memsecret::injector::aws {

namespace {

using nlohmann::json;

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Status MapSecretsManagerError(int http_status, const std::string& type,
                              const std::string& message) {
  const std::string what = (type.empty() ? "HTTP " + std::to_string(http_status) : type) +
                           (message.empty() ? "" : ": " + message);
  if (type == "ResourceNotFoundException") return NotFound(what);
  if (type == "AccessDeniedException" || type == "AccessDenied") return PermissionDenied(what);
  if (type == "DecryptionFailure")
    return FailedPrecondition(what + " (the KMS key cannot decrypt the secret)");
  if (type == "InvalidRequestException") return FailedPrecondition(what);
  if (type == "InvalidParameterException" || type == "ValidationException")
    return InvalidArgument(what);
  if (type == "ThrottlingException" || type == "TooManyRequestsException" ||
      type == "RequestLimitExceeded" || type == "LimitExceededException" || http_status == 429)
    return ResourceExhausted(what);
  if (IsCredentialRejection(type) || type == "MissingAuthenticationToken")
    return Unauthenticated(what);
  if (type == "InternalServiceError" || type == "InternalFailure" || type == "ServiceUnavailable" ||
      http_status >= 500)
    return Unavailable(what);
  if (http_status == 403) return PermissionDenied(what);
  return InvalidArgument(what);
}

bool IsCredentialRejection(const std::string& type) {
  return type == "ExpiredTokenException" || type == "ExpiredToken" ||
         type == "InvalidClientTokenId" || type == "UnrecognizedClientException" ||
         type == "IncompleteSignature" || type == "InvalidSignatureException" ||
         type == "SignatureDoesNotMatch" || type == "RequestExpired";
}

SecretsManagerProvider::SecretsManagerProvider(std::string region, std::string endpoint,
                                               std::unique_ptr<CredentialSource> credentials,
                                               HttpClient& http, const Clock& clock,
                                               std::chrono::milliseconds timeout)
    : region_(std::move(region)),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials), clock),
      http_(http),
      clock_(clock),
      timeout_(timeout) {}

FetchResult SecretsManagerProvider::Fetch(const SecretRef& ref, const FetchOptions& options) {
  bool rejected = false;
  FetchResult r = FetchOnce(ref, options, &rejected);
  if (rejected) {
    credentials_.Invalidate();
    r = FetchOnce(ref, options, &rejected);
  }
  return r;
}

FetchResult SecretsManagerProvider::FetchOnce(const SecretRef& ref, const FetchOptions& options,
                                              bool* credentials_rejected) {
  *credentials_rejected = false;
  const std::string context = "GetSecretValue " + ref.path;
  auto creds = credentials_.Get();
  if (!creds.ok()) return FetchResult::Failure(creds.status().WithContext("aws credentials"));

  json body = {{"SecretId", ref.path}};
  std::optional<std::string> stage = options.stage ? options.stage : ref.Query("stage");
  std::optional<std::string> version = options.version ? options.version : ref.Query("version");
  if (stage) body["VersionStage"] = *stage;
  if (version) body["VersionId"] = *version;

  HttpRequest req;
  req.method = "POST";
  req.url = endpoint_ + "/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
  req.body = body.dump();
  req.timeout = timeout_;
  if (Status st = SignRequest(req, *creds, region_, "secretsmanager", clock_.Now()); !st.ok())
    return FetchResult::Failure(st.WithContext(context));
  auto resp = http_.Send(req);
  for (auto& h : req.headers) SecureWipe(h.second);
  if (!resp.ok()) return FetchResult::Failure(resp.status().WithContext(context));

  json j = json::parse(resp->body, nullptr, false);
  SecureWipe(resp->body);
  if (resp->status != 200) {
    std::string type = j.is_object() ? StringField(j, "__type") : "";
    if (type.empty()) type = resp->Header("x-amzn-ErrorType").value_or("");
    type = SanitizeErrorCode(type);
    std::string message = j.is_object() ? StringField(j, "Message") : "";
    if (message.empty() && j.is_object()) message = StringField(j, "message");
    *credentials_rejected = IsCredentialRejection(type);
    return FetchResult::Failure(
        MapSecretsManagerError(resp->status, type, CleanRemoteText(message)).WithContext(context),
        ParseRetryAfter(*resp, clock_.Now()));
  }
  if (!j.is_object())
    return FetchResult::Failure(Internal(context + ": response is not a JSON object"));
  FetchedSecret out;
  out.version = StringField(j, "VersionId");
  out.created = JsonUnixTimeField(j, "CreatedDate");
  SecretMetadata& meta = out.metadata;
  meta.id = StringField(j, "ARN");
  meta.name = StringField(j, "Name");
  if (auto st = j.find("VersionStages"); st != j.end() && st->is_array())
    for (const json& stage : *st)
      if (stage.is_string()) meta.labels.push_back(stage.get<std::string>());
  meta.binary = !j.contains("SecretString");
  if (auto it = j.find("SecretString"); it != j.end() && it->is_string()) {
    out.value = SecretValue(it->get<std::string>());
    SecureWipe(it->get_ref<std::string&>());
  } else if (auto bin = j.find("SecretBinary"); bin != j.end() && bin->is_string()) {
    std::optional<std::string> decoded =
        Base64Decode(bin->get_ref<const std::string&>(), Base64Padding::kOptional);
    SecureWipe(bin->get_ref<std::string&>());
    if (!decoded)
      return FetchResult::Failure(Internal(context + ": SecretBinary is not valid base64"));
    out.value = SecretValue(std::move(*decoded));
  } else {
    return FetchResult::Failure(
        Internal(context + ": response has neither SecretString nor SecretBinary"));
  }
  return FetchResult::Success(std::move(out));
}

Result<std::unique_ptr<SecretProvider>> MakeSecretsManagerProvider(const AwsSettings& plan,
                                                                   const Environment& env,
                                                                   HttpClient& http,
                                                                   const Clock& clock) {
  auto primary = ResolveRegion(plan.region, env);
  if (!primary.ok()) return primary.status();
  std::vector<std::string> names{*primary};
  names.insert(names.end(), plan.failover_regions.begin(), plan.failover_regions.end());
  const std::chrono::milliseconds timeout = names.size() > 1
                                                ? std::chrono::milliseconds(kFailoverRequestTimeout)
                                                : kDefaultRequestTimeout;
  std::vector<RegionalProvider> regions;
  for (const auto& name : names) {
    auto source = SelectCredentialSource(plan, env, StsEndpoint(name, plan.endpoints, env), http,
                                         clock, timeout);
    if (!source.ok()) return source.status();
    regions.push_back({name, std::make_unique<SecretsManagerProvider>(
                                 name, SecretsManagerEndpoint(name, plan.endpoints, env),
                                 std::move(source).value(), http, clock, timeout)});
  }
  return std::unique_ptr<SecretProvider>(
      std::make_unique<RegionalFailoverProvider>(std::move(regions)));
}

}  // namespace memsecret::injector::aws
