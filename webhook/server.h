// WebhookServer: the HTTPS edge of the admission webhook. It routes
//   POST /mutate   body -> AdmitHandler -> answer (status, body, content type)
//   GET  /healthz  200 while the process serves
//   GET  /readyz   200 while serving, 503 once Drain() was called
//   GET  /metrics  Prometheus text from Metrics
// and refuses anything else (404 unknown path, 405 wrong method, 413 body over
// the limit). Metrics and the one log line per admission are emitted here, at
// the edge; the handler stays pure. TLS follows tls_context.h: the listener
// never restarts, each handshake uses the certificate current at that time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "memsecret/status.h"
#include "webhook/admission_review.h"
#include "webhook/metrics.h"
#include "webhook/tls_context.h"

namespace httplib {
class SSLServer;
}

namespace memsecret::webhook {

// Decides one AdmissionReview body. Must be thread-safe; should not throw
// (an exception becomes a 500 and an error log line).
using AdmitHandler = std::function<AdmitAnswer(std::string_view body)>;

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8443;  // 0: the kernel picks a free port (tests); see port()
  // kube-apiserver caps request bodies at 3 MiB; an AdmissionReview carrying
  // a pod (object + oldObject) stays far below that.
  size_t max_body_bytes = 3 * 1024 * 1024;
  // cpp-httplib gives each connection one worker for its whole life,
  // keep-alive idle time included, so the pool bounds concurrent
  // connections. Every kube-apiserver replica keeps a handful of keep-alive
  // connections per webhook; 64 covers a few dozen with headroom. Further
  // connections are accepted and wait in the pool's queue (not refused)
  // until a worker frees up, at most keep_alive_timeout after its last request.
  size_t worker_threads = 64;
  // Requests per connection before the server closes it, so long-lived
  // apiserver connections spread over new webhook replicas after a scale-up.
  // Every close costs a new TLS handshake on both sides; at 100 the load
  // benchmark (bench/webhook_load.sh, 16/64 connections) served 2-39 % fewer
  // reviews per second than at 1000. A busy connection still turns over
  // within seconds, and an idle one closes after keep_alive_timeout anyway.
  size_t keep_alive_max_requests = 1000;
  // Idle keep-alive time. It also bounds shutdown: an idle connection is
  // noticed as finished only when this expires, so it must stay short for a
  // prompt SIGTERM exit; a new TLS handshake after 2 s idle costs ~1 ms.
  std::chrono::seconds keep_alive_timeout{2};
  // Per read/write wait (handshake included): slow-client (slowloris)
  // defence. The apiserver sends a whole request at once and gives up after
  // its own timeout (10 s default), so 5 s of silence means a dead peer.
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
};

class WebhookServer {
 public:
  // `certs` and `metrics` must outlive the server.
  WebhookServer(ServerOptions options, const CertificateStore& certs, Metrics& metrics,
                AdmitHandler handler);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Sets up TLS and binds the listening socket; logs the bound address.
  // Errors name the address. Call once, before Run().
  Status Bind();
  // The bound port (useful with port 0); 0 before Bind().
  int port() const { return port_; }

  // Accepts and serves until Stop(); returns once every accepted connection
  // is finished (in-flight requests complete; idle keep-alive connections
  // close within keep_alive_timeout). Call once, after a successful Bind().
  void Run();

  // /readyz answers 503 from now on (requests are still served), so the
  // endpoint leaves the Service before the listener closes. Thread-safe.
  void Drain();
  // Stops accepting and makes Run() return as described. Thread-safe,
  // idempotent, non-blocking; may be called before Run() starts.
  void Stop();

 private:
  void InstallRoutes();

  const ServerOptions options_;
  const CertificateStore& certs_;
  Metrics& metrics_;
  const AdmitHandler handler_;
  std::unique_ptr<httplib::SSLServer> http_;
  int port_ = 0;
  std::atomic<bool> draining_{false};

  std::mutex run_mu_;  // guards run_state_ and stop_requested_
  enum class RunState { kIdle, kRunning, kFinished } run_state_ = RunState::kIdle;
  bool stop_requested_ = false;
};

}  // namespace memsecret::webhook
