#include "webhook/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>
#include <tuple>
#include <utility>

#include "memsecret/log.h"
#include "memsecret/prometheus_text.h"
#include "webhook/http/event_loop.h"
#include "webhook/http/http_connection.h"
#include "webhook/http/http_response.h"
#include "webhook/http/listener.h"

namespace memsecret::webhook {
namespace {

constexpr std::string_view kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kGetMethods = "GET, HEAD";
// Accept errors that mean "out of descriptors or memory": retrying at once
// would spin, so the acceptor pauses this long.
constexpr int kAcceptBackoffMillis = 100;
constexpr std::chrono::seconds kRefusalLogInterval{10};

bool IsDenialLike(AdmitOutcome o) {
  return o == AdmitOutcome::kDenied || o == AdmitOutcome::kBadRequest;
}

// One line per admission: identifiers from the request, the decision and
// the problems found (reasons and references, never secret values).
void LogAdmission(const AdmitAnswer& a, Metrics::Entry entry, std::chrono::nanoseconds latency) {
  const bool check = entry == Metrics::Entry::kCheck;
  const spdlog::level::level_enum level = IsDenialLike(a.outcome) ? spdlog::level::warn
                                          : check                 ? spdlog::level::debug
                                                                  : spdlog::level::info;
  if (!spdlog::should_log(level)) return;
  std::string problems = "[";
  for (size_t i = 0; i < a.problems.size(); ++i) {
    if (i > 0) problems += ",";
    problems += "\"" + JsonEscape(a.problems[i]) + "\"";
  }
  problems += "]";
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  LogEvent(level, check ? "opt_in_check" : "admission",
           {{"uid", a.uid},
            {"namespace", a.namespace_name},
            {"outcome", AdmitOutcomeName(a.outcome)},
            {"status", int64_t{a.http_status}},
            {"files", static_cast<int64_t>(a.files)},
            {"latency_ms", ms},
            LogField::Raw("problems", problems)});
}

}  // namespace

WebhookServer::WebhookServer(ServerOptions options, const CertificateStore& certs, Metrics& metrics,
                             AdmitHandler handler, AdmitHandler check_handler)
    : options_(std::move(options)),
      certs_(certs),
      metrics_(metrics),
      handler_(std::move(handler)),
      check_handler_(std::move(check_handler)),
      counters_(std::make_unique<ConnectionCounters>()),
      stop_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

WebhookServer::~WebhookServer() {
  Stop();
  loops_.clear();  // closes connections before their SSL_CTX goes
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

Status WebhookServer::Bind() {
  if (stop_fd_ < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  tls_.reset(SSL_CTX_new(TLS_server_method()));
  if (!tls_ || !ConfigureServerTls(*tls_, &certs_)) {
    return Internal("tls: cannot configure the server context: " + TakeOpenSslError());
  }
  // Idle connections give their TLS buffers back; read-ahead takes several
  // records per read(); writes report progress record by record and may
  // resume from a moved buffer (the pending output string can grow).
  SSL_CTX_set_mode(tls_.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(tls_.get(), 1);

  service_ = std::make_unique<HttpService>();
  service_->tls = tls_.get();
  service_->limits.max_head_bytes = options_.max_header_bytes;
  service_->limits.max_body_bytes = options_.max_body_bytes;
  service_->handshake_timeout = options_.handshake_timeout;
  service_->request_timeout = options_.request_timeout;
  service_->idle_timeout = options_.keep_alive_timeout;
  service_->write_timeout = options_.write_timeout;
  service_->max_requests_per_connection = std::max<size_t>(1, options_.keep_alive_max_requests);
  service_->handle = [this](const HttpRequestView& request) { return Route(request); };
  service_->on_refused = [this](int status) { metrics_.RecordHttpRejection(status); };
  service_->counters = counters_.get();

  const size_t loops = options_.event_loops != 0
                           ? options_.event_loops
                           : std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < loops; ++i) {
    auto loop = std::make_unique<EventLoop>(*service_);
    if (Status s = loop->Init(); !s.ok()) return s.WithContext("event loop");
    loops_.push_back(std::move(loop));
  }

  Result<ListeningSocket> socket = OpenListeningSocket(options_.host, options_.port);
  if (!socket.ok()) return socket.status();
  listen_fd_ = socket->fd;
  port_ = socket->port;
  spdlog::info("listening on https://{}:{}", options_.host, port_);
  spdlog::debug("serving with {} event loops, at most {} connections", loops,
                options_.max_connections);
  return Status::Ok();
}

HttpResponse WebhookServer::Route(const HttpRequestView& request) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  const auto method_not_allowed = [this](std::string_view allow) {
    metrics_.RecordHttpRejection(405);
    HttpResponse r = TextResponse(405, "method not allowed");
    r.allow = allow;
    return r;
  };
  if (request.path == "/mutate") {
    return request.method == "POST" ? Decide(handler_, Metrics::Entry::kInject, request.body)
                                    : method_not_allowed("POST");
  }
  if (request.path == "/check") {
    return request.method == "POST" ? Decide(check_handler_, Metrics::Entry::kCheck, request.body)
                                    : method_not_allowed("POST");
  }
  if (request.path == "/healthz") {
    return get ? TextResponse(200, "ok") : method_not_allowed(kGetMethods);
  }
  if (request.path == "/readyz") {
    if (!get) return method_not_allowed(kGetMethods);
    return draining_.load() ? TextResponse(503, "shutting down") : TextResponse(200, "ok");
  }
  if (request.path == "/metrics") {
    if (!get) return method_not_allowed(kGetMethods);
    HttpResponse r;
    r.content_type = kPrometheusText;
    r.body = RenderMetrics();
    return r;
  }
  metrics_.RecordHttpRejection(404);
  return TextResponse(404, "not found");
}

HttpResponse WebhookServer::Decide(const AdmitHandler& handler, Metrics::Entry entry,
                                   std::string_view body) {
  const auto start = std::chrono::steady_clock::now();
  AdmitAnswer answer;
  try {
    answer = handler(body);
  } catch (const std::exception& e) {
    spdlog::error("admission handler failed: {}", e.what());
    return TextResponse(500, "internal error");
  }
  const auto latency = std::chrono::steady_clock::now() - start;
  metrics_.RecordAdmission(answer.outcome, latency, entry);
  LogAdmission(answer, entry, latency);
  HttpResponse r;
  r.status = answer.http_status;
  r.content_type = answer.http_status == 200 ? kContentTypeJson : kContentTypeText;
  r.body = std::move(answer.body);
  return r;
}

// The registry plus what only the server knows: its connections.
std::string WebhookServer::RenderMetrics() const {
  std::string out = metrics_.RenderPrometheus();
  const ConnectionCounters& c = *counters_;
  const auto value = [](const auto& counter) { return std::to_string(counter.load()); };
  prometheus::AppendHeader(out, "memsecret_webhook_connections_open", "gauge",
                           "TLS connections open now.");
  out.append("memsecret_webhook_connections_open ").append(value(c.open)).append("\n");
  prometheus::AppendHeader(out, "memsecret_webhook_connections_refused_total", "counter",
                           "Connections closed at accept because max_connections were open.");
  out.append("memsecret_webhook_connections_refused_total ").append(value(c.refused)).append("\n");
  prometheus::AppendHeader(out, "memsecret_webhook_connection_timeouts_total", "counter",
                           "Connections cut by a server deadline, by phase.");
  const std::pair<const char*, const std::atomic<uint64_t>*> phases[] = {
      {"handshake", &c.handshake_timeouts},
      {"request", &c.request_timeouts},
      {"write", &c.write_timeouts}};
  for (const auto& [phase, counter] : phases) {
    out.append("memsecret_webhook_connection_timeouts_total{phase=\"")
        .append(phase)
        .append("\"} ")
        .append(value(*counter))
        .append("\n");
  }
  return out;
}

void WebhookServer::Run() {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    if (stop_requested_ || listen_fd_ < 0) {
      run_state_ = RunState::kFinished;
      return;
    }
    run_state_ = RunState::kRunning;
  }
  std::vector<std::thread> threads;
  threads.reserve(loops_.size());
  for (auto& loop : loops_) threads.emplace_back([&loop] { loop->Run(); });

  AcceptUntilStopped();
  ::close(listen_fd_);  // new connections are refused from here on
  listen_fd_ = -1;
  for (auto& loop : loops_) loop->RequestStop();
  for (auto& thread : threads) thread.join();
  spdlog::info("listener closed, in-flight requests finished");
  std::lock_guard<std::mutex> lock(run_mu_);
  run_state_ = RunState::kFinished;
}

// Why one acceptor handing sockets to the loops rather than one SO_REUSEPORT
// listener per loop: the kernel's hash would pin each connection to a loop
// blindly, and the apiserver keeps only a few long-lived connections, so two
// of them could share a loop while another loop idles; and a loop stuck in a
// slow handler would still be handed new connections. The acceptor puts each
// connection on a loop that is not busy at that instant, among those on the
// one with the fewest connections.
// It costs one eventfd write per connection, not per request.
void WebhookServer::AcceptUntilStopped() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  bool paused = false;  // out of descriptors: wait before accepting again
  for (;;) {
    fds[0].events = paused ? 0 : POLLIN;
    const int n = poll(fds, 2, paused ? kAcceptBackoffMillis : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::critical("poll on the listener: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;  // Stop()
    paused = !AcceptPending();
  }
}

// Accepts what is queued; false when out of descriptors or memory.
bool WebhookServer::AcceptPending() {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EAGAIN:
          return true;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
          continue;
        default:
          spdlog::error("accept: {}; pausing {} ms", std::strerror(errno), kAcceptBackoffMillis);
          return false;
      }
    }
    if (static_cast<size_t>(counters_->open.load(std::memory_order_relaxed)) >=
        options_.max_connections) {
      RefuseConnection(fd);
      continue;
    }
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    PickLoop().Adopt(fd);
  }
}

void WebhookServer::RefuseConnection(int fd) {
  ::close(fd);
  counters_->refused.fetch_add(1, std::memory_order_relaxed);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ >= kRefusalLogInterval) {
    last_refusal_log_ = now;
    spdlog::warn("connection refused: {} connections open (max_connections); refusals so far: {}",
                 counters_->open.load(), counters_->refused.load());
  }
}

// A loop serving one connection for longer than this is stuck in a slow
// handler; an admission takes ~50 us, a TLS handshake ~1 ms.
constexpr std::chrono::milliseconds kStuckLoop{20};

EventLoop& WebhookServer::PickLoop() {
  // Rank: not stuck first (a handshake placed on a stuck loop waits for the
  // handler), then not busy at this instant, then fewest connections. Being
  // busy for a moment must not outrank being stuck: with two loops, one
  // blocked and one briefly serving, the new connection goes to the latter.
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  const int64_t stuck_ns = std::chrono::nanoseconds(kStuckLoop).count();
  const auto rank = [&](const EventLoop* loop) {
    const int64_t since = loop->busy_since_ns();
    return std::tuple(since != 0 && now - since > stuck_ns, since != 0, loop->connection_count());
  };
  EventLoop* best = nullptr;
  for (size_t i = 0; i < loops_.size(); ++i) {
    EventLoop* loop = loops_[(next_loop_ + i) % loops_.size()].get();
    if (best == nullptr || rank(loop) < rank(best)) best = loop;
  }
  next_loop_ = (next_loop_ + 1) % loops_.size();
  return *best;
}

void WebhookServer::Drain() {
  if (!draining_.exchange(true)) spdlog::info("draining: /readyz now answers 503");
}

void WebhookServer::Stop() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (stop_requested_) return;
  stop_requested_ = true;
  // Wakes the acceptor if Run() is in it; otherwise Run() sees the flag.
  const uint64_t one = 1;
  if (stop_fd_ >= 0) {
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  }
}

}  // namespace memsecret::webhook
