#include "injector/oauth/nice_cxone.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "injector/oauth/form_encoding.h"
#include "injector/oauth/token_endpoint.h"
#include "memsecret/ascii.h"
#include "memsecret/url.h"

namespace memsecret::injector::oauth {
namespace {

bool IsCxoneHost(std::string_view host) {
  constexpr std::string_view kSuffix = ".niceincontact.com";
  return host.size() > kSuffix.size() && host.ends_with(kSuffix) &&
         host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") == std::string_view::npos;
}

std::string AccessKeyUrl(const std::string& base, const std::string& area) {
  return (base.empty() ? "https://" + area + ".nice-incontact.com" : base) +
         "/authentication/v1/token/access-key";
}

}  // namespace

bool IsCxoneArea(std::string_view area) {
  return !area.empty() && area.size() <= 16 &&
         area.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string_view::npos;
}

bool IsAllowedCxoneTokenUrl(std::string_view url) {
  Result<Url> p = ParseUrl(url);
  return p.ok() && p->scheme == "https" && IsCxoneHost(p->host);
}

Result<std::unique_ptr<NiceCxoneIssuer>> NiceCxoneIssuer::Create(std::string_view area,
                                                                 HttpClient* http,
                                                                 std::string auth_url) {
  if (!area.empty() && !IsCxoneArea(area)) {
    return InvalidArgument("cxone: \"" + std::string(area) +
                           "\" is not an area name such as na1, au1 or eu1");
  }
  return std::unique_ptr<NiceCxoneIssuer>(
      new NiceCxoneIssuer(std::string(area), http, std::move(auth_url)));
}

std::string NiceCxoneIssuer::Describe() const {
  return fixed_area_.empty() ? "cxone" : "cxone(" + fixed_area_ + ".nice-incontact.com)";
}

MintResult NiceCxoneIssuer::Mint(const ClientCredentials& c, const TokenOptions& options,
                                 WallTime now) {
  if (!c.has_access_key()) {
    return MintResult::Failure(FailedPrecondition(
        "cxone: credentials need accessKeyId (or api_key) and accessKeySecret (or api_secret)"));
  }
  if (!fixed_area_.empty()) return MintAccessKey(fixed_area_, c, now);
  if (c.has_client_secret()) {
    if (c.token_url.empty() && !auth_url_.empty())
      return MintPassword(auth_url_ + "/auth/token", c, options, now);
    std::string url = c.token_url.empty()
                          ? std::string("https://") + kDefaultPasswordHost + "/auth/token"
                          : c.token_url;
    if (!IsAllowedCxoneTokenUrl(url)) {
      return MintResult::Failure(
          FailedPrecondition("cxone: credentials' tokenUrl \"" + url +
                             "\" is not an https://*.niceincontact.com URL"));
    }
    return MintPassword(url, c, options, now);
  }
  const std::string area = AsciiLowercase(c.region.empty() ? kDefaultArea : c.region);
  if (!IsCxoneArea(area)) {
    return MintResult::Failure(FailedPrecondition("cxone: credentials' region \"" + area +
                                                  "\" is not an area name such as na1"));
  }
  return MintAccessKey(area, c, now);
}

MintResult NiceCxoneIssuer::MintAccessKey(const std::string& area, const ClientCredentials& c,
                                          WallTime now) {
  nlohmann::json body = {{"accessKeyId", c.access_key_id},
                         {"accessKeySecret", std::string(c.access_key_secret.Reveal())}};
  TokenPost post;
  post.url = AccessKeyUrl(auth_url_, area);
  post.content_type = "application/json";
  std::string text = body.dump();
  post.body = SecretValue(text);
  SecureWipe(text);
  SecureWipe(body["accessKeySecret"].get_ref<std::string&>());
  return PostForToken(*http_, post, "cxone(" + area + ".nice-incontact.com)", now);
}

MintResult NiceCxoneIssuer::MintPassword(const std::string& url, const ClientCredentials& c,
                                         const TokenOptions& options, WallTime now) {
  if (!c.has_client_secret()) {
    return MintResult::Failure(FailedPrecondition(
        "cxone: the password grant needs the app's clientId and clientSecret in the credentials"));
  }
  FormBody form;
  form.Add("grant_type", "password");
  form.Add("username", c.access_key_id);
  form.AddSecret("password", c.access_key_secret);
  const std::string& scope = options.scope.empty() ? c.scope : options.scope;
  if (!scope.empty()) form.Add("scope", scope);
  TokenPost post;
  post.url = url;
  if (c.auth_method == ClientAuthMethod::kSecretPost) {
    form.Add("client_id", c.client_id);
    form.AddSecret("client_secret", c.client_secret);
  } else {
    post.authorization = BasicAuthorization(c.client_id, c.client_secret);
  }
  post.body = form.Build();
  Result<Url> parts = ParseUrl(url);
  return PostForToken(*http_, post, "cxone(" + (parts.ok() ? parts->host : url) + ")", now);
}

}  // namespace memsecret::injector::oauth
