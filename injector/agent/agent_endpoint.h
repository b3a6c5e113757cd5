// AgentEndpoint: the listener of the endpoint compatible with the AWS Secrets
// Manager Agent — memsecret::http::HttpServer in plain text on
// 127.0.0.1:<agent-port> only, two event loops (a request waiting, at most
// 2 s, for a fetch on demand holds one), few connections, small requests, short deadlines,
// answering with AnswerAgentRequest (agent_request.h) from the sidecar's cache. At start it makes a
// new token and writes it atomically to <mount>/.agent-token (mode: AgentTokenMode, agent_token.h)
// before it accepts anything. Idle, its threads sleep in poll/epoll. It never logs a value or the
// token.
//
// Thread-safe: Stop() from any thread; the destructor stops and joins.
#pragma once

#include <memory>

#include "injector/agent/on_demand_fetch.h"
#include "injector/agent/secret_cache.h"
#include "injector/runtime/atomic_file_writer.h"
#include "memsecret/http/http_server.h"

namespace memsecret::injector::agent {

// The listener's limits: an app on loopback sends small GETs at once;
// anything bigger or slower is refused by the HTTP layer (413/431/408), a
// connection silent for kAgentFirstByteTimeout is cut, and at the connection
// limit a new client evicts the connection idle longest, so silent clients
// cannot lock the endpoint.
inline constexpr std::chrono::milliseconds kAgentFirstByteTimeout{250};
http::ServerOptions AgentServerOptions(int port);

class AgentEndpoint {
 public:
  // Writes the token file through `writer` with `token_mode`, binds
  // 127.0.0.1:`port` and serves on threads of its own. Errors (the token
  // file cannot be written, the port is taken) name the file or the address.
  // `cache` and `fetch` must outlive the endpoint.
  static Result<std::unique_ptr<AgentEndpoint>> Start(int port, AtomicFileWriter& writer,
                                                      uint32_t token_mode,
                                                      const AgentSecretCache& cache,
                                                      OnDemandFetch& fetch);
  AgentEndpoint(const AgentEndpoint&) = delete;
  AgentEndpoint& operator=(const AgentEndpoint&) = delete;

  int port() const { return server_->port(); }
  void Stop() { server_->Stop(); }

 private:
  AgentEndpoint() = default;

  SecretValue token_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace memsecret::injector::agent
