#include "common/http/event_loop.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace memsecret::http {
namespace {

// TLS records carry at most 16 KiB; with read-ahead OpenSSL reads several.
constexpr size_t kScratchBytes = 64 * 1024;
constexpr int kMaxEventsPerWait = 128;
// Deadlines are re-checked at least this often (keeps epoll_wait's int timeout small).
constexpr int64_t kMaxWaitMillis = 60'000;

}  // namespace

EventLoop::EventLoop(const HttpService& service) : service_(service), scratch_(kScratchBytes) {
  service_.handle = [this, handle = service.handle](const HttpRequestView& request) {
    struct Mark {
      std::atomic<bool>& flag;
      explicit Mark(std::atomic<bool>& f) : flag(f) { flag.store(true, std::memory_order_release); }
      ~Mark() { flag.store(false, std::memory_order_release); }
    } mark(in_handler_);
    return handle(request);
  };
}

EventLoop::~EventLoop() {
  slots_.clear();  // closes the connections
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [fd, evict] : handed_over_) ::close(fd);
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Status EventLoop::Init() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Internal(std::string("epoll_create1: ") + std::strerror(errno));
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake-up descriptor
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return Internal(std::string("epoll_ctl(eventfd): ") + std::strerror(errno));
  }
  return Status::Ok();
}

void EventLoop::Wake() {
  const uint64_t one = 1;
  // Fails only when the counter would overflow, i.e. a wake-up is pending anyway.
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::Adopt(int fd, bool evict_oldest_idle) {
  connection_count_.fetch_add(1, std::memory_order_relaxed);
  service_.counters->open.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    handed_over_.emplace_back(fd, evict_oldest_idle);
  }
  Wake();
}

void EventLoop::RequestStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_requested_ = true;
  }
  Wake();
}

void EventLoop::Run() {
  epoll_event events[kMaxEventsPerWait];
  SteadyTime now = std::chrono::steady_clock::now();
  for (;;) {
    if (stopping_ && slots_.empty()) return;
    const int n = epoll_wait(epoll_fd_, events, kMaxEventsPerWait, WaitMillis(now));
    now = std::chrono::steady_clock::now();
    if (n < 0 && errno != EINTR) {
      spdlog::critical("epoll_wait: {}", std::strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) {
      auto* slot = static_cast<Slot*>(events[i].data.ptr);
      if (slot == nullptr) {
        TakeHandedOver(now);
        continue;
      }
      if (slot->connection->closed()) continue;  // closed earlier in this batch
      Serve(slot, now);
    }
    FireDeadlines(now);
    closed_.clear();
  }
}

// New sockets and stop requests from other threads.
void EventLoop::TakeHandedOver(SteadyTime now) {
  uint64_t ignored;
  [[maybe_unused]] ssize_t r = ::read(wake_fd_, &ignored, sizeof ignored);
  std::vector<std::pair<int, bool>> fds;
  bool stop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fds.swap(handed_over_);
    stop = stop_requested_;
  }
  for (const auto& [fd, evict] : fds) {
    // At the limit when accepted: make room, unless others closed meanwhile.
    const bool over = static_cast<size_t>(service_.counters->open.load(std::memory_order_relaxed)) >
                      service_.max_connections;
    if (evict && over && !EvictOldestIdle()) {  // no room after all: refuse the new one
      ::close(fd);
      connection_count_.fetch_sub(1, std::memory_order_relaxed);
      service_.counters->open.fetch_sub(1, std::memory_order_relaxed);
      service_.counters->refused.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    AddConnection(fd, now);
  }
  if (stop && !stopping_) {
    stopping_ = true;
    std::vector<Slot*> all;
    all.reserve(slots_.size());
    for (auto& [slot, owned] : slots_) all.push_back(slot);
    for (Slot* slot : all) {
      slot->connection->BeginShutdown(now);
      Update(slot);
    }
  }
}

void EventLoop::AddConnection(int fd, SteadyTime now) {
  auto owned = std::make_unique<Slot>();
  Slot* slot = owned.get();
  slot->connection = std::make_unique<HttpConnection>(service_, fd, now);
  slots_.emplace(slot, std::move(owned));
  if (stopping_) slot->connection->BeginShutdown(now);
  if (!slot->connection->closed()) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = slot;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      spdlog::error("epoll_ctl(add): {}", std::strerror(errno));
      slot->connection->BeginShutdown(now);
    } else {
      slot->events = EPOLLIN;
      // The ClientHello is often there already: no need to wait a round.
      return Serve(slot, now);
    }
  }
  Update(slot);
}

void EventLoop::Serve(Slot* slot, SteadyTime now) {
  // Bytes arrived: not idle while they are served (a handler may block, and
  // the acceptor must not pick this connection to evict meanwhile).
  if (slot->in_idle) {
    UntrackIdle(slot);
    PublishOldestIdle();
  }
  busy_.store(true, std::memory_order_relaxed);
  slot->connection->OnReady(now, scratch_);
  busy_.store(false, std::memory_order_relaxed);
  Update(slot);
}

std::optional<SteadyTime> EventLoop::oldest_idle_since() const {
  const int64_t ticks = oldest_idle_ticks_.load(std::memory_order_relaxed);
  if (ticks == INT64_MAX) return std::nullopt;
  return SteadyTime(SteadyTime::duration(ticks));
}

bool EventLoop::EvictOldestIdle() {
  if (idle_.empty()) return false;
  Slot* victim = idle_.front();
  victim->connection->Evict();
  Update(victim);
  return true;
}

// Lists `slot` in idle_ while its connection is idle, at the back whenever it
// became idle again since it was listed; publishes the front.
void EventLoop::TrackIdle(Slot* slot) {
  const HttpConnection& c = *slot->connection;
  const bool idle = !c.closed() && c.idle();
  if (slot->in_idle && (!idle || c.idle_since() != slot->idle_key)) UntrackIdle(slot);
  if (idle && !slot->in_idle) {
    slot->idle_pos = idle_.insert(idle_.end(), slot);
    slot->idle_key = c.idle_since();
    slot->in_idle = true;
  }
  PublishOldestIdle();
}

void EventLoop::PublishOldestIdle() {
  oldest_idle_ticks_.store(
      idle_.empty() ? INT64_MAX : idle_.front()->idle_key.time_since_epoch().count(),
      std::memory_order_relaxed);
}

void EventLoop::UntrackIdle(Slot* slot) {
  idle_.erase(slot->idle_pos);
  slot->in_idle = false;
}

// Brings the epoll interest, the timer entry and the idle list in line with
// the connection, or frees the slot once the connection has closed.
void EventLoop::Update(Slot* slot) {
  HttpConnection& c = *slot->connection;
  TrackIdle(slot);
  if (c.closed()) {
    if (slot->scheduled != SteadyTime::max()) timers_.erase({slot->scheduled, slot});
    auto it = slots_.find(slot);
    closed_.push_back(std::move(it->second));  // events later in this batch may name it
    slots_.erase(it);
    connection_count_.fetch_sub(1, std::memory_order_relaxed);
    service_.counters->open.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  const uint32_t wanted = c.wants_write() ? EPOLLOUT : EPOLLIN;
  if (wanted != slot->events) {
    epoll_event ev{};
    ev.events = wanted;
    ev.data.ptr = slot;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd(), &ev) == 0) slot->events = wanted;
  }
  const SteadyTime deadline = c.deadline();
  if (deadline < slot->scheduled) {
    if (slot->scheduled != SteadyTime::max()) timers_.erase({slot->scheduled, slot});
    timers_.emplace(deadline, slot);
    slot->scheduled = deadline;
  }
}

void EventLoop::FireDeadlines(SteadyTime now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    Slot* slot = timers_.begin()->second;
    timers_.erase(timers_.begin());
    slot->scheduled = SteadyTime::max();
    if (slot->connection->deadline() <= now) slot->connection->OnDeadline(now);  // no handler runs
    Update(slot);  // reschedules at the connection's current deadline
  }
}

int EventLoop::WaitMillis(SteadyTime now) const {
  if (timers_.empty()) return -1;
  const auto wait = timers_.begin()->first - now;
  if (wait <= SteadyTime::duration::zero()) return 0;
  // Rounded up: waking before the deadline would only wait again.
  const auto millis = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<int64_t>(millis, kMaxWaitMillis));
}

}  // namespace memsecret::http
