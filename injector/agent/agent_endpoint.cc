#include "injector/agent/agent_endpoint.h"

#include <spdlog/spdlog.h>

#include "injector/agent/agent_request.h"
#include "injector/agent/agent_token.h"

namespace memsecret::injector::agent {

http::ServerOptions AgentServerOptions(int port) {
  http::ServerOptions o;
  o.host = "127.0.0.1";  // never another address: the endpoint serves secrets
  o.port = port;
  o.event_loops = 1;
  o.max_connections = 64;
  o.max_header_bytes = 4 * 1024;  // a GET with a secret id and the token
  o.max_body_bytes = 1024;        // GET has no body
  o.request_timeout = std::chrono::milliseconds(2000);
  o.keep_alive_timeout = std::chrono::milliseconds(5000);
  o.write_timeout = std::chrono::milliseconds(2000);
  return o;
}

Result<std::unique_ptr<AgentEndpoint>> AgentEndpoint::Start(int port, AtomicFileWriter& writer,
                                                            const AgentSecretCache& cache) {
  std::unique_ptr<AgentEndpoint> e(new AgentEndpoint());
  auto token = NewAgentToken();
  if (!token.ok()) return token.status();
  e->token_ = std::move(*token);
  if (auto w = writer.WriteDotFile(kAgentTokenFile, e->token_, 0444); !w.ok())
    return w.status().WithContext("agent endpoint token file");
  const SecretValue* token_ptr = &e->token_;
  e->server_ =
      std::make_unique<http::HttpServer>("agent", AgentServerOptions(port), nullptr,
                                         [token_ptr, &cache](const http::HttpRequestView& req) {
                                           return AnswerAgentRequest(req, *token_ptr, cache);
                                         });
  if (Status st = e->server_->Start(); !st.ok()) return st.WithContext("agent endpoint");
  spdlog::info(
      "agent endpoint: declared aws secrets from the cache on 127.0.0.1:{}, token in {}/{}",
      e->server_->port(), writer.dir(), kAgentTokenFile);
  return e;
}

}  // namespace memsecret::injector::agent
