// HttpServer: an event-driven HTTP/1.1 server, over TLS or in plain text,
// serving one handler. It owns the listening socket, an acceptor thread and
// `event_loops` loop threads (common/http/event_loop.h, http_connection.h); every request
// is answered on its loop's thread. No thread per connection: an idle
// keep-alive connection costs a few KiB and never holds up other clients, and
// an idle server makes no system call (every thread sleeps in poll/epoll
// with no timeout). The HTTP layer itself refuses bad requests (400, 408,
// 411, 413, 414, 431, 505; see http_request_parser.h), cuts slow clients
// (request_timeout), cuts silent ones (first_byte_timeout) and bounds
// connections (max_connections, optionally making room by evicting the oldest
// idle one).
//
// Used by the webhook (HTTPS, routes in webhook/server.h) and the injector
// (plain-text endpoints on loopback or for Prometheus). OpenSSL writes with
// write(2), so a TLS server's process must ignore SIGPIPE or a peer hanging
// up kills it (plain connections send with MSG_NOSIGNAL).
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "memsecret/http/http_service.h"
#include "memsecret/status.h"

namespace memsecret::http {

class EventLoop;

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8443;  // 0: the kernel picks a free port (tests); see HttpServer::port()
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
  // ConnectionCounters::refused). Every kube-apiserver replica keeps a
  // handful of keep-alive connections per webhook; an idle one costs a few
  // KiB (TLS buffers are released while idle).
  size_t max_connections = 1024;
  // At max_connections, whether a new connection closes the one that has been
  // idle longest (no request in progress, nothing left to write; a TLS
  // connection still in its handshake counts as idle) instead of being
  // refused; refused only when none is idle. Without it, N clients that
  // connect and send nothing lock everyone else out until their deadline;
  // with it they can only ever hold slots nobody else needs. The victim is
  // the oldest idle connection of the event loop holding the oldest one (with
  // one loop: of the server). Counted in ConnectionCounters::evicted.
  bool evict_idle_at_limit = false;
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
  // From accept (TLS: from the completed handshake) to the first byte of the
  // first request; a connection silent that long is closed. Unset: the same
  // as keep_alive_timeout. A loopback client sends its request at once, so a
  // short first-byte deadline cuts a silent client early without affecting
  // anyone else.
  std::optional<std::chrono::milliseconds> first_byte_timeout;
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

// Answers a routed request; runs on a loop thread, so it must be
// thread-safe; an exception becomes a 500 and an error log line.
using HttpHandler = std::function<HttpResponse(const HttpRequestView&)>;

class HttpServer {
 public:
  // `tls` null: plain text; otherwise the context (not owned) must outlive
  // the server. `name` prefixes the server's log lines ("webhook", ...).
  // `on_refused` (optional) hears every status the HTTP layer answered itself.
  HttpServer(std::string name, ServerOptions options, SSL_CTX* tls, HttpHandler handler,
             std::function<void(int status)> on_refused = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket and creates the loops; logs the bound
  // address. Errors name the address. Call once, before Run().
  Status Bind();
  // The bound port (useful with port 0); 0 before Bind().
  int port() const { return port_; }
  // Connection figures, for a metrics page. Updated from every loop thread.
  const ConnectionCounters& counters() const { return *counters_; }

  // Accepts and serves until Stop(); returns once every connection is closed
  // (idle keep-alive connections at once, in-flight requests after their
  // response). Call once, after a successful Bind().
  void Run();
  // Stops accepting and makes Run() return as described. Thread-safe,
  // idempotent, non-blocking; may be called before Run() starts.
  void Stop();

  // Bind(), then Run() on a thread the server owns; the destructor stops it
  // and joins. For servers beside other work (the injector's endpoints).
  Status Start();

 private:
  void AcceptUntilStopped();
  bool AcceptPending();
  EventLoop& PickLoop();
  // At the limit: the loop holding the connection idle longest, else the one
  // outside a handler with the most connections (it evicts or refuses once it
  // has taken the connections handed to it before); null: refuse now.
  EventLoop* LoopToMakeRoom();
  void RefuseConnection(int fd);

  std::thread background_;  // Start() only; joined by the destructor
  const std::string name_;
  const ServerOptions options_;
  std::unique_ptr<ConnectionCounters> counters_;
  std::unique_ptr<HttpService> service_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  size_t next_loop_ = 0;  // acceptor thread only: round-robin among equals
  std::chrono::steady_clock::time_point last_refusal_log_{};  // acceptor thread only
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: Stop() wakes the acceptor
  int port_ = 0;

  std::mutex run_mu_;  // guards run_state_ and stop_requested_
  enum class RunState { kIdle, kRunning, kFinished } run_state_ = RunState::kIdle;
  bool stop_requested_ = false;
};

}  // namespace memsecret::http
