// The Agent endpoint's requests and answers: what the AWS Secrets Manager
// Agent (and the Parameters and Secrets Lambda extension) answer, for the
// secrets the pod declared. The decision is pure (ParseAgentRequest,
// NeedsFetch, AnswerSecret, AnswerFetchFailure); AnswerAgentRequest wires it
// to the cache and, when the cache cannot answer, to OnDemandFetch. No
// logging; thread-safe (the cache and the fetcher are).
//
//   GET /ping                                  200 "healthy" (no token, as the Agent)
//   X-Forwarded-For present                    400 "Forwarded" (a proxied request)
//   X-Aws-Parameters-Secrets-Token missing or wrong
//                                              403 "Bad Token" (as the Agent)
//   a method other than GET                    405 "Not allowed" (Allow: GET)
//   GET /secretsmanager/get?secretId=ID[&versionStage=S][&versionId=V][&refreshNow=B]
//   GET /v1/ID[?versionStage=S][&versionId=V][&refreshNow=B]   (the Agent's path form)
//                                              200 the GetSecretValue JSON (ARN, Name,
//                                                  VersionId, SecretString | SecretBinary,
//                                                  VersionStages, CreatedDate)
//       no secret id, an unknown or repeated parameter, bad %-encoding,
//       refreshNow not true/false/1/0 (any case)
//                                              400 {"__type":"InvalidParameterException",..}
//       undeclared                             404 {"__type":"ResourceNotFoundException",..}
//   any other path                             404 "Not found"
//
// Which answers come from the cache (secret_cache.h): a cached entry that is
// neither expired nor stale, unless refreshNow is true. Otherwise the
// secret is fetched (on_demand_fetch.h, rate-bounded) and its failure is
// answered as the Agent relays Secrets Manager's: 404 ResourceNotFoundException,
// 400 AccessDeniedException, 400 InvalidRequestException (marked for
// deletion, or not decryptable), 400 ThrottlingException, 502 ConnectionError,
// 504 TimeoutError, 500 InternalFailure — except that during an outage
// (anything retryable: connect error, timeout, 5xx, throttling) a cached
// entry younger than the maximum age is served instead (outage ≠ revocation).
//
// Where it differs from the Agent: only declared secrets exist (404
// otherwise, never a backend call); an undeclared or unknown secret is 404
// where the Agent relays Secrets Manager's 400. Error bodies name the
// parameter, never a value or token.
#pragma once

#include <optional>
#include <string>

#include "injector/agent/on_demand_fetch.h"
#include "injector/agent/secret_cache.h"
#include "memsecret/http/http_response.h"
#include "memsecret/http/http_service.h"

namespace memsecret::injector::agent {

inline constexpr const char* kAgentTokenHeader = "X-Aws-Parameters-Secrets-Token";
// The Agent's default path prefix for GET <prefix><secret id>.
inline constexpr const char* kAgentPathPrefix = "/v1/";

struct AgentQuery {
  std::string secret_id;
  std::optional<std::string> version_id, version_stage;
  bool refresh_now = false;
};

// A request checked (X-Forwarded-For, token, method, path, query, in the
// Agent's order): either answered at once, or a query for a secret.
struct AgentRequest {
  std::optional<http::HttpResponse> answer;
  AgentQuery query;  // meaningful iff !answer
};
AgentRequest ParseAgentRequest(const http::HttpRequestView& request, const SecretValue& token);

// Whether `query` needs the store: refreshNow, or no servable fresh entry.
bool NeedsFetch(const AgentQuery& query, const AgentSecretCache::Lookup& cached);

// 200 with the GetSecretValue JSON of `secret`.
http::HttpResponse AnswerSecret(const CachedSecret& secret);
// The answer to a failed fetch (see above); never names a value.
http::HttpResponse AnswerFetchFailure(const Status& status);

// The whole answer. `token`: the content of <mount>/.agent-token.
http::HttpResponse AnswerAgentRequest(const http::HttpRequestView& request,
                                      const SecretValue& token, const AgentSecretCache& cache,
                                      OnDemandFetch& fetch);

// CreatedDate as the Agent prints it: epoch seconds as a string, with the
// fraction only when there is one ("1523477145", "1523477145.713").
std::string AgentCreatedDate(WallTime created);

}  // namespace memsecret::injector::agent
