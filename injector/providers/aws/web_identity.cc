#include "injector/providers/aws/web_identity.h"

#include "injector/base/percent_encoding.h"
#include "injector/base/read_file.h"
#include "injector/providers/aws/aws_response.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector::aws {

namespace {

class WebIdentitySource final : public CredentialSource {
 public:
  WebIdentitySource(WebIdentityConfig config, HttpClient& http, const Clock& clock)
      : config_(std::move(config)), http_(http), clock_(clock) {}

  std::string Describe() const override { return "web identity (" + config_.role_arn + ")"; }

  Result<AwsCredentials> Fetch() override {
    auto result = Exchange();
    if (!result.ok())
      return result.status().WithContext("sts AssumeRoleWithWebIdentity for " + config_.role_arn);
    return result;
  }

 private:
  Result<AwsCredentials> Exchange() {
    auto token = ReadSecretFile(config_.token_file);
    if (!token.ok()) return token.status().WithContext("web identity token");
    std::string session = config_.session_name;
    if (session.empty()) {
      session = "memsecret-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                  clock_.Now().time_since_epoch())
                                                  .count());
    }
    HttpRequest req;
    req.method = "POST";
    req.url = config_.sts_endpoint + "/";
    req.timeout = config_.timeout;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                   {"Accept", "text/xml"}};
    req.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" +
               FormUrlEncode(config_.role_arn) + "&RoleSessionName=" + FormUrlEncode(session) +
               "&WebIdentityToken=" + FormUrlEncode(token->Reveal());
    auto resp = http_.Send(req);
    SecureWipe(req.body);
    if (!resp.ok()) return resp.status();
    AwsCredentials creds;
    Status st = Parse(*resp, &creds);
    SecureWipe(resp->body);
    if (!st.ok()) return st;
    return creds;
  }

  static Status Parse(const HttpResponse& resp, AwsCredentials* out) {
    const std::string& xml = resp.body;
    if (resp.status != 200) {
      std::string code = SanitizeErrorCode(XmlElementText(xml, "Code").value_or(""));
      return MapStsError(resp.status, code,
                         CleanRemoteText(XmlElementText(xml, "Message").value_or("")));
    }
    auto akid = XmlElementText(xml, "AccessKeyId");
    auto secret = XmlElementText(xml, "SecretAccessKey");
    auto token = XmlElementText(xml, "SessionToken");
    auto expiration = XmlElementText(xml, "Expiration");
    if (!akid || !secret || !token || !expiration || akid->empty() || secret->empty())
      return Internal(
          "response lacks Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration)");
    auto when = ParseRfc3339(*expiration);
    if (!when.ok()) return when.status().WithContext("Expiration");
    out->access_key_id = *akid;
    out->secret_access_key = SecretValue(std::move(*secret));
    out->session_token = SecretValue(std::move(*token));
    out->expiration = *when;
    return Status::Ok();
  }

  WebIdentityConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

}  // namespace

Status MapStsError(int http_status, const std::string& code, const std::string& message) {
  std::string what = (code.empty() ? "HTTP " + std::to_string(http_status) : code) +
                     (message.empty() ? "" : ": " + message);
  // Throttling is the quota's answer, as a store's ThrottlingException is:
  // the scheduler holds every request of the pod (runtime/scheduler.h) and no
  // other region is tried for it.
  if (code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
      http_status == 429)
    return ResourceExhausted(what);
  if (code == "IDPCommunicationError" || code == "ServiceUnavailable" ||
      code == "InternalFailure" || http_status >= 500)
    return Unavailable(what);
  if (code == "InvalidIdentityToken" || code == "ExpiredTokenException" || code == "ExpiredToken")
    return Unauthenticated(what);
  if (code == "IDPRejectedClaim" || code == "AccessDenied" || code == "AccessDeniedException" ||
      code == "RegionDisabledException" || http_status == 403)
    return PermissionDenied(what);
  return InvalidArgument(what);
}

std::unique_ptr<CredentialSource> MakeWebIdentitySource(WebIdentityConfig config, HttpClient& http,
                                                        const Clock& clock) {
  return std::make_unique<WebIdentitySource>(std::move(config), http, clock);
}

}  // namespace memsecret::injector::aws
