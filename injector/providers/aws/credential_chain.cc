#include "injector/providers/aws/credential_chain.h"

#include "injector/providers/aws/container_credentials.h"
#include "injector/providers/aws/web_identity.h"

namespace memsecret::injector::aws {

Result<std::unique_ptr<CredentialSource>> SelectCredentialSource(
    const AwsSettings& plan, const Environment& env, const std::string& sts_endpoint,
    HttpClient& http, const Clock& clock, std::chrono::milliseconds sts_timeout) {
  std::string role = plan.role_arn;
  std::string token_file = plan.web_identity_token_file;
  if (role.empty()) {
    role = env.GetOr("AWS_ROLE_ARN");
    if (token_file.empty() || role.empty()) token_file = env.GetOr("AWS_WEB_IDENTITY_TOKEN_FILE");
  } else if (token_file.empty()) {
    token_file = env.GetOr("AWS_WEB_IDENTITY_TOKEN_FILE");
  }
  if (!role.empty()) {
    if (token_file.empty())
      return InvalidArgument("AWS role " + role +
                             " needs a web identity token file (plan webIdentityTokenFile or "
                             "AWS_WEB_IDENTITY_TOKEN_FILE)");
    return MakeWebIdentitySource(
        {role, token_file, env.GetOr("AWS_ROLE_SESSION_NAME"), sts_endpoint, sts_timeout}, http,
        clock);
  }

  std::string full_uri = env.GetOr("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (full_uri.empty()) {
    std::string relative = env.GetOr("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (!relative.empty()) full_uri = "http://169.254.170.2" + relative;
  }
  if (!full_uri.empty()) {
    return MakeContainerCredentialsSource(
        {full_uri, env.GetOr("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
         env.GetOr("AWS_CONTAINER_AUTHORIZATION_TOKEN")},
        http);
  }

  std::string akid = env.GetOr("AWS_ACCESS_KEY_ID");
  std::string secret = env.GetOr("AWS_SECRET_ACCESS_KEY");
  if (!akid.empty() && !secret.empty()) {
    AwsCredentials c{akid, SecretValue(std::move(secret)),
                     SecretValue(env.GetOr("AWS_SESSION_TOKEN")), std::nullopt};
    return MakeStaticCredentialsSource(std::move(c));
  }
  if (!akid.empty() || !secret.empty())
    return InvalidArgument("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  return InvalidArgument(
      "no AWS credentials: set memsecret.io/aws-role-arn, AWS_ROLE_ARN + "
      "AWS_WEB_IDENTITY_TOKEN_FILE, "
      "AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity) or AWS_ACCESS_KEY_ID + "
      "AWS_SECRET_ACCESS_KEY");
}

}  // namespace memsecret::injector::aws
