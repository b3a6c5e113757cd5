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
// Threads: Run()'s thread accepts; `event_loops` threads serve connections
// (event_loop.h, http_connection.h), each request answered on its loop's
// thread. No thread per connection: idle keep-alive connections cost a few
// KiB each and never hold up other clients. OpenSSL writes with write(2), so
// the process must ignore SIGPIPE (main does) or a peer hanging up kills it.
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
#include <thread>
#include <vector>

#include "memsecret/status.h"
#include "webhook/admission/admission_review.h"
#include "webhook/http/tls_context.h"
#include "webhook/metrics.h"

namespace memsecret::webhook {

class EventLoop;
struct ConnectionCounters;
struct HttpService;
struct HttpRequestView;
struct HttpResponse;

// Decides one AdmissionReview body. Must be thread-safe; should not throw
// (an exception becomes a 500 and an error log line).
using AdmitHandler = std::function<AdmitAnswer(std::string_view body)>;

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8443;  // 0: the kernel picks a free port (tests); see port()
  // kube-apiserver caps request bodies at 3 MiB; an AdmissionReview carrying
  // a pod (object + oldObject) stays far below that. A larger Content-Length
  // is answered 413 as soon as the headers are in, without reading the body.
  size_t max_body_bytes = 3 * 1024 * 1024;
  // Request line + headers; beyond it 431 (a target alone over 8 KiB: 414).
  // The apiserver sends well under 1 KiB.
  size_t max_header_bytes = 16 * 1024;
  // Event-loop threads; 0: one per CPU (at least 1). Each serves any number
  // of connections, so this is about CPUs, not about concurrent clients.
  size_t event_loops = 0;
  // Open connections beyond which new ones are closed at once (counted in
  // memsecret_webhook_connections_refused_total). Every kube-apiserver
  // replica keeps a handful of keep-alive connections per webhook; an idle
  // one costs a few KiB (TLS buffers are released while idle).
  size_t max_connections = 1024;
  // Requests per connection before the server closes it, so long-lived
  // apiserver connections spread over new webhook replicas after a scale-up.
  // Every close costs a new TLS handshake on both sides; at 100 the load
  // benchmark (bench/webhook_load.sh, 16/64 connections) served 2-39 % fewer
  // reviews per second than at 1000. A busy connection still turns over
  // within seconds, and an idle one closes after keep_alive_timeout anyway.
  size_t keep_alive_max_requests = 1000;
  // Idle time allowed between keep-alive requests (and after the handshake,
  // before the first one); a new TLS handshake after 2 s idle costs ~1 ms.
  std::chrono::milliseconds keep_alive_timeout{2000};
  // From accept to a completed TLS handshake.
  std::chrono::milliseconds handshake_timeout{5000};
  // From a request's first byte to its complete body; a late request is
  // answered 408 and the connection closed. This is the slow-client
  // (slowloris) defence: a client dripping a byte at a time cannot hold a
  // connection longer than this. The apiserver sends a whole request at once
  // and gives up after its own timeout (10 s by default).
  std::chrono::milliseconds request_timeout{10000};
  // To write one response out; a peer that does not read is dropped.
  std::chrono::milliseconds write_timeout{5000};
};

class WebhookServer {
 public:
  // `certs` and `metrics` must outlive the server. `handler` serves /mutate,
  // `check_handler` /check.
  WebhookServer(ServerOptions options, const CertificateStore& certs, Metrics& metrics,
                AdmitHandler handler, AdmitHandler check_handler = CheckAdmission);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Sets up TLS and binds the listening socket; logs the bound address.
  // Errors name the address. Call once, before Run().
  Status Bind();
  // The bound port (useful with port 0); 0 before Bind().
  int port() const { return port_; }

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
  HttpResponse Route(const HttpRequestView& request);
  HttpResponse Decide(const AdmitHandler& handler, Metrics::Entry entry, std::string_view body);
  std::string RenderMetrics() const;
  void AcceptUntilStopped();
  bool AcceptPending();
  EventLoop& PickLoop();
  void RefuseConnection(int fd);

  const ServerOptions options_;
  const CertificateStore& certs_;
  Metrics& metrics_;
  const AdmitHandler handler_;
  const AdmitHandler check_handler_;
  std::unique_ptr<ConnectionCounters> counters_;
  std::unique_ptr<HttpService> service_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls_{nullptr, &SSL_CTX_free};
  std::vector<std::unique_ptr<EventLoop>> loops_;
  size_t next_loop_ = 0;  // acceptor thread only: round-robin among equals
  std::chrono::steady_clock::time_point last_refusal_log_{};  // acceptor thread only
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: Stop() wakes the acceptor
  int port_ = 0;
  std::atomic<bool> draining_{false};

  std::mutex run_mu_;  // guards run_state_ and stop_requested_
  enum class RunState { kIdle, kRunning, kFinished } run_state_ = RunState::kIdle;
  bool stop_requested_ = false;
};

}  // namespace memsecret::webhook
