// WebhookServer: the HTTPS edge of the admission webhook. It routes
//   POST /mutate   body -> AdmitHandler -> answer (status, body, content type)
//   POST /check    body -> the check handler (CheckAdmission by default): the
//                  opt-in check entry, which sees every pod, never patches
//   GET  /healthz  200 while the process serves
//   GET  /readyz   200 while serving, 503 once Drain() was called
//   GET  /metrics  Prometheus text from Metrics (+ connection figures)
// (HEAD too on the GET routes) and refuses anything else: 404 unknown path,
// 405 wrong method (with Allow), and the HTTP layer's own refusals (400, 408,
// 411, 413, 414, 431, 505; see http_request_parser.h). Metrics (per entry) and
// the one log line per admission are emitted here, at the edge; the handlers
// stay pure. The check entry logs only what it does not allow (it sees every
// pod creation); its allowed requests are counted, and logged at debug.
// TLS follows tls_context.h: the listener never restarts, each handshake uses
// the certificate current at that time.
//
// Connections, threads and limits are memsecret/http/http_server.h's: Run()'s
// thread accepts, `event_loops` threads serve. OpenSSL writes with write(2),
// so the process must ignore SIGPIPE (main does) or a peer hanging up kills it.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "memsecret/http/http_server.h"
#include "memsecret/http/tls_context.h"
#include "memsecret/status.h"
#include "webhook/admission/admission_review.h"
#include "webhook/metrics.h"

namespace memsecret::webhook {

// Decides one AdmissionReview body. Must be thread-safe; should not throw
// (an exception becomes a 500 and an error log line).
using AdmitHandler = std::function<AdmitAnswer(std::string_view body)>;

using http::ServerOptions;

class WebhookServer {
 public:
  // `certs` and `metrics` must outlive the server. `handler` serves /mutate,
  // `check_handler` /check.
  WebhookServer(ServerOptions options, const http::CertificateStore& certs, Metrics& metrics,
                AdmitHandler handler, AdmitHandler check_handler = CheckAdmission);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Sets up TLS and binds the listening socket; logs the bound address.
  // Errors name the address. Call once, before Run().
  Status Bind();
  // The bound port (useful with port 0); 0 before Bind().
  int port() const { return http_ ? http_->port() : 0; }

  // Accepts and serves until Stop(); returns once every connection is closed
  // (idle keep-alive connections at once, in-flight requests after their
  // response). Call once, after a successful Bind().
  void Run();

  // /readyz answers 503 from now on (requests are still served), so the
  // endpoint leaves the Service before the listener closes. Thread-safe.
  void Drain();
  // Stops accepting and makes Run() return as described. Thread-safe,
  // idempotent, non-blocking; may be called before Run() starts.
  void Stop();

 private:
  http::HttpResponse Route(const http::HttpRequestView& request);
  http::HttpResponse Decide(const AdmitHandler& handler, Metrics::Entry entry,
                            std::string_view body);
  std::string RenderMetrics() const;

  const ServerOptions options_;
  const http::CertificateStore& certs_;
  Metrics& metrics_;
  const AdmitHandler handler_;
  const AdmitHandler check_handler_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls_{nullptr, &SSL_CTX_free};
  std::unique_ptr<http::HttpServer> http_;  // after tls_: its connections go first
  std::atomic<bool> draining_{false};
  std::mutex stop_mu_;           // guards http_'s creation against Stop()
  bool stop_requested_ = false;  // under stop_mu_: Stop() came before Bind()
};

}  // namespace memsecret::webhook
