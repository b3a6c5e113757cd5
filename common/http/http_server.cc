#include "memsecret/http/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <tuple>
#include <utility>

#include "common/http/event_loop.h"
#include "common/http/listener.h"

namespace memsecret::http {
namespace {

// Accept errors that mean "out of descriptors or memory": retrying at once
// would spin, so the acceptor pauses this long.
constexpr int kAcceptBackoffMillis = 100;
constexpr std::chrono::seconds kRefusalLogInterval{10};

}  // namespace

HttpServer::HttpServer(std::string name, ServerOptions options, SSL_CTX* tls, HttpHandler handler,
                       std::function<void(int status)> on_refused)
    : name_(std::move(name)),
      options_(std::move(options)),
      counters_(std::make_unique<ConnectionCounters>()),
      service_(std::make_unique<HttpService>()),
      stop_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  service_->tls = tls;
  service_->limits.max_head_bytes = options_.max_header_bytes;
  service_->limits.max_body_bytes = options_.max_body_bytes;
  service_->handshake_timeout = options_.handshake_timeout;
  service_->request_timeout = options_.request_timeout;
  service_->idle_timeout = options_.keep_alive_timeout;
  service_->first_byte_timeout = options_.first_byte_timeout.value_or(options_.keep_alive_timeout);
  service_->write_timeout = options_.write_timeout;
  service_->max_requests_per_connection = std::max<size_t>(1, options_.keep_alive_max_requests);
  service_->max_connections = options_.max_connections;
  service_->handle = std::move(handler);
  service_->on_refused = std::move(on_refused);
  service_->counters = counters_.get();
}

HttpServer::~HttpServer() {
  Stop();
  if (background_.joinable()) background_.join();
  loops_.clear();  // closes connections before their SSL_CTX may go
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

Status HttpServer::Bind() {
  if (stop_fd_ < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  const size_t loops = options_.event_loops != 0
                           ? options_.event_loops
                           : std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < loops; ++i) {
    auto loop = std::make_unique<EventLoop>(*service_);
    if (Status s = loop->Init(); !s.ok()) return s.WithContext(name_ + ": event loop");
    loops_.push_back(std::move(loop));
  }
  Result<ListeningSocket> socket = OpenListeningSocket(options_.host, options_.port);
  if (!socket.ok()) return socket.status().WithContext(name_);
  listen_fd_ = socket->fd;
  port_ = socket->port;
  spdlog::info("{}: listening on {}://{}:{}", name_, service_->tls != nullptr ? "https" : "http",
               options_.host, port_);
  spdlog::debug("{}: serving with {} event loops, at most {} connections", name_, loops,
                options_.max_connections);
  return Status::Ok();
}

void HttpServer::Run() {
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
  spdlog::info("{}: listener closed, in-flight requests finished", name_);
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
void HttpServer::AcceptUntilStopped() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  bool paused = false;  // out of descriptors: wait before accepting again
  for (;;) {
    fds[0].events = paused ? 0 : POLLIN;
    const int n = poll(fds, 2, paused ? kAcceptBackoffMillis : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::critical("{}: poll on the listener: {}", name_, std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;  // Stop()
    paused = !AcceptPending();
  }
}

// Accepts what is queued; false when out of descriptors or memory.
bool HttpServer::AcceptPending() {
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
          spdlog::error("{}: accept: {}; pausing {} ms", name_, std::strerror(errno),
                        kAcceptBackoffMillis);
          return false;
      }
    }
    const int on = 1;
    if (static_cast<size_t>(counters_->open.load(std::memory_order_relaxed)) >=
        options_.max_connections) {
      EventLoop* room = options_.evict_idle_at_limit ? LoopToMakeRoom() : nullptr;
      if (room == nullptr) {
        RefuseConnection(fd);
        continue;
      }
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      room->Adopt(fd, /*evict_oldest_idle=*/true);
      continue;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    PickLoop().Adopt(fd);
  }
}

void HttpServer::RefuseConnection(int fd) {
  // Counted before the close, so a peer seeing its EOF sees the count too.
  counters_->refused.fetch_add(1, std::memory_order_relaxed);
  ::close(fd);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ >= kRefusalLogInterval) {
    last_refusal_log_ = now;
    spdlog::warn(
        "{}: connection refused: {} connections open (max_connections); refusals so far: {}", name_,
        counters_->open.load(), counters_->refused.load());
  }
}

EventLoop& HttpServer::PickLoop() {
  // Rank: not inside a handler first (a handshake placed on a loop whose
  // handler blocks waits for that handler), then not busy at this instant,
  // then fewest connections. Only the handler counts as stuck: a handshake
  // is bounded work however long a loaded machine takes over it, so a loop
  // that is slow for a moment still beats one that may not come back.
  const auto rank = [](const EventLoop* loop) {
    return std::tuple(loop->in_handler(), loop->busy(), loop->connection_count());
  };
  EventLoop* best = nullptr;
  for (size_t i = 0; i < loops_.size(); ++i) {
    EventLoop* loop = loops_[(next_loop_ + i) % loops_.size()].get();
    if (best == nullptr || rank(loop) < rank(best)) best = loop;
  }
  next_loop_ = (next_loop_ + 1) % loops_.size();
  return *best;
}

EventLoop* HttpServer::LoopToMakeRoom() {
  EventLoop* oldest = nullptr;
  SteadyTime oldest_since = SteadyTime::max();
  EventLoop* fullest = nullptr;
  for (auto& loop : loops_) {
    const std::optional<SteadyTime> since = loop->oldest_idle_since();
    if (since && *since < oldest_since) {
      oldest = loop.get();
      oldest_since = *since;
    }
    if (loop->connection_count() > 0 && !loop->in_handler() &&
        (fullest == nullptr || loop->connection_count() > fullest->connection_count()))
      fullest = loop.get();
  }
  // None idle yet may only mean the loops have not taken their new
  // connections yet (a burst of connects): the fullest decides when it does
  // (not one inside a handler, which may not come back soon).
  return oldest != nullptr ? oldest : fullest;
}

Status HttpServer::Start() {
  if (Status s = Bind(); !s.ok()) return s;
  background_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (stop_requested_) return;
  stop_requested_ = true;
  // Wakes the acceptor if Run() is in it; otherwise Run() sees the flag.
  const uint64_t one = 1;
  if (stop_fd_ >= 0) {
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  }
}

}  // namespace memsecret::http
