#include "injector/agent/agent_endpoint.h"

#include <spdlog/spdlog.h>

#include "injector/agent/agent_request.h"
#include "injector/agent/agent_token.h"

namespace memsecret::injector::agent {

http::ServerOptions AgentServerOptions(int port) {
  http::ServerOptions o;
  o.host = "127.0.0.1";  // never another address: the endpoint serves secrets
  o.port = port;
  o.event_loops = 2;
  o.max_connections = 64;
  o.evict_idle_at_limit = true;
  o.first_byte_timeout = kAgentFirstByteTimeout;
  o.max_header_bytes = 4 * 1024;  // a GET with a secret id and the token
  o.max_body_bytes = 1024;        // GET has no body
  o.request_timeout = std::chrono::milliseconds(2000);
  o.keep_alive_timeout = std::chrono::milliseconds(2000);
  o.write_timeout = std::chrono::milliseconds(2000);
  return o;
}

Result<std::unique_ptr<AgentEndpoint>> AgentEndpoint::Start(int port, AtomicFileWriter& writer,
                                                            uint32_t token_mode,
                                                            const AgentSecretCache& cache,
                                                            OnDemandFetch& fetch) {
  std::unique_ptr<AgentEndpoint> e(new AgentEndpoint());
  auto token = NewAgentToken();
  if (!token.ok()) return token.status();
  e->token_ = std::move(*token);
  if (auto w = writer.WriteDotFile(kAgentTokenFile, e->token_, token_mode); !w.ok())
    return w.status().WithContext("agent endpoint token file");
  const SecretValue* token_ptr = &e->token_;
  e->server_ = std::make_unique<http::HttpServer>(
      "agent", AgentServerOptions(port), nullptr,
      [token_ptr, &cache, &fetch](const http::HttpRequestView& req) {
        return AnswerAgentRequest(req, *token_ptr, cache, fetch);
      });
  if (Status st = e->server_->Start(); !st.ok()) return st.WithContext("agent endpoint");
  spdlog::info(
      "agent endpoint: declared aws secrets from the cache on 127.0.0.1:{}, token in {}/{} "
      "(mode {:04o})",
      e->server_->port(), writer.dir(), kAgentTokenFile, token_mode);
  return e;
}

}  // namespace memsecret::injector::agent
