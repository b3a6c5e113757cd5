#include "injector/oauth/token_endpoint.h"

#include "injector/oauth/token_response.h"
#include "memsecret/url.h"

namespace memsecret::injector::oauth {

Status CheckTokenUrl(std::string_view url) { return ParseOutboundUrl(url, "token URL").status(); }

MintResult PostForToken(HttpClient& http, const TokenPost& post, std::string_view issuer,
                        WallTime now) {
  HttpRequest req;
  req.method = "POST";
  req.url = post.url;
  req.headers = {{"Content-Type", post.content_type}, {"Accept", "application/json"}};
  if (post.authorization)
    req.headers.emplace_back("Authorization", std::string(post.authorization->Reveal()));
  req.body = std::string(post.body.Reveal());

  Result<HttpResponse> resp = http.Send(req);
  SecureWipe(req.body);
  for (auto& [name, value] : req.headers) {
    if (name == "Authorization") SecureWipe(value);
  }
  if (!resp.ok()) return MintResult::Failure(resp.status().WithContext(std::string(issuer)));
  MintResult result = ParseTokenResponse(*resp, issuer, now);
  SecureWipe(resp->body);
  return result;
}

}  // namespace memsecret::injector::oauth
