#include "injector/oauth/client_credentials.h"

#include "injector/oauth/form_encoding.h"
#include "injector/oauth/token_endpoint.h"

namespace memsecret::injector::oauth {

Result<std::unique_ptr<ClientCredentialsIssuer>> ClientCredentialsIssuer::Create(
    std::string token_url, HttpClient* http) {
  if (Status s = CheckTokenUrl(token_url); !s.ok()) return s;
  return std::unique_ptr<ClientCredentialsIssuer>(
      new ClientCredentialsIssuer(std::move(token_url), http));
}

MintResult ClientCredentialsIssuer::Mint(const ClientCredentials& credentials,
                                         const TokenOptions& options, WallTime now) {
  if (!credentials.has_client_secret()) {
    return MintResult::Failure(FailedPrecondition(
        Describe() + ": credentials need clientId and clientSecret for client_credentials"));
  }
  const std::string& scope = options.scope.empty() ? credentials.scope : options.scope;
  const std::string& audience = options.audience.empty() ? credentials.audience : options.audience;
  const bool post_auth = credentials.auth_method == ClientAuthMethod::kSecretPost;

  FormBody form;
  form.Add("grant_type", "client_credentials");
  if (!scope.empty()) form.Add("scope", scope);
  if (!audience.empty()) form.Add("audience", audience);
  TokenPost post;
  post.url = token_url_;
  if (post_auth) {
    form.Add("client_id", credentials.client_id);
    form.AddSecret("client_secret", credentials.client_secret);
  } else {
    post.authorization = BasicAuthorization(credentials.client_id, credentials.client_secret);
  }
  post.body = form.Build();
  return PostForToken(*http_, post, Describe(), now);
}

}  // namespace memsecret::injector::oauth
