// The Agent endpoint's requests and answers, as a pure function: what the
// AWS Secrets Manager Agent (and the Parameters and Secrets Lambda
// extension) answer, for the secrets in AgentSecretCache. No I/O, no clock,
// no logging; thread-safe (the cache is).
//
//   GET /ping                                  200 "healthy" (no token, as the Agent)
//   X-Forwarded-For present                    400 "Forwarded" (a proxied request)
//   X-Aws-Parameters-Secrets-Token missing     401 "Missing token"
//                                  wrong       403 "Bad Token"
//   a method other than GET                    405 "Not allowed" (Allow: GET)
//   GET /secretsmanager/get?secretId=ID[&versionStage=S][&versionId=V][&refreshNow=B]
//                                              200 the GetSecretValue JSON (ARN, Name,
//                                                  VersionId, SecretString | SecretBinary,
//                                                  VersionStages, CreatedDate)
//       no secretId, an unknown or repeated parameter, bad %-encoding,
//       refreshNow not true/false/1/0           400 {"__type":"InvalidParameterException",..}
//       undeclared, not cached yet, or no such version/stage
//                                              404 {"__type":"ResourceNotFoundException",..}
//   any other path                             404 "Not found"
//
// Where it differs from the Agent: a missing token is 401 (the Agent says 403
// to both); only declared secrets exist (404 otherwise, never a backend
// call); refreshNow is accepted and ignored (the cache follows the refresh
// schedule); an unknown secret is 404 where the Agent relays Secrets
// Manager's 400. Error bodies name the parameter, never a value or token.
#pragma once

#include "injector/agent/secret_cache.h"
#include "memsecret/http/http_connection.h"
#include "memsecret/http/http_response.h"

namespace memsecret::injector::agent {

inline constexpr const char* kAgentTokenHeader = "X-Aws-Parameters-Secrets-Token";

// `token`: the content of <mount>/.agent-token.
http::HttpResponse AnswerAgentRequest(const http::HttpRequestView& request,
                                      const SecretValue& token, const AgentSecretCache& cache);

// CreatedDate as the Agent prints it: epoch seconds as a string, with the
// fraction only when there is one ("1523477145", "1523477145.713").
std::string AgentCreatedDate(WallTime created);

}  // namespace memsecret::injector::agent
