// EventLoop: one thread's share of the HTTP server's connections. It owns an
// epoll instance (level-triggered; a connection is registered once and its
// interest changes only when a write would block), an eventfd through which
// other threads hand it accepted sockets and ask it to stop, and the
// connections' deadlines in an ordered set (epoll_wait sleeps until the
// nearest one). Requests are answered on this thread: the admission handler
// is pure CPU work of tens of microseconds, as are the injector's cache
// lookups: cheaper than a hand-off.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/http/http_connection.h"
#include "memsecret/status.h"

namespace memsecret::http {

class EventLoop {
 public:
  explicit EventLoop(const HttpService& service);
  ~EventLoop();  // closes the connections still open
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Creates the epoll instance and the wake-up eventfd.
  Status Init();

  // Thread-safe. Hands over an accepted non-blocking socket (ownership too).
  // `evict_oldest_idle`: the server was at its connection limit, so the loop
  // first closes its connection idle longest (HttpConnection::idle()) if the
  // server is still over the limit when it takes the socket; with none idle
  // by then, the new socket is closed instead (counted refused).
  void Adopt(int fd, bool evict_oldest_idle = false);
  // Thread-safe, idempotent: idle connections close at once, the others after
  // their current request; Run() returns when none is left.
  void RequestStop();
  // Serves until stopped and every connection is closed.
  void Run();

  // For the acceptor's choice of loop (read from another thread).
  int64_t connection_count() const { return connection_count_.load(std::memory_order_relaxed); }
  // Whether the loop is serving a connection rather than waiting in epoll: a
  // new connection placed elsewhere is served sooner.
  bool busy() const { return busy_.load(std::memory_order_relaxed); }
  // Whether the loop is inside the request handler. A handshake or a write
  // is bounded work; a handler may block (a slow backend, a test's gate), and
  // a connection placed on that loop waits, handshake included, until it
  // returns.
  bool in_handler() const { return in_handler_.load(std::memory_order_acquire); }
  // Since when this loop's longest-idle connection has been idle; nullopt
  // when none is idle. Read by the acceptor at the connection limit.
  std::optional<SteadyTime> oldest_idle_since() const;

 private:
  struct Slot {
    std::unique_ptr<HttpConnection> connection;
    SteadyTime scheduled = SteadyTime::max();  // its entry in timers_, max(): none
    uint32_t events = 0;                       // registered epoll interest
    bool in_idle = false;                      // listed in idle_ at idle_pos
    std::list<Slot*>::iterator idle_pos;
    SteadyTime idle_key;  // the connection's idle_since() when listed
  };

  void Wake();
  void TakeHandedOver(SteadyTime now);
  void AddConnection(int fd, SteadyTime now);
  void Update(Slot* slot);
  void TrackIdle(Slot* slot);
  void UntrackIdle(Slot* slot);
  void PublishOldestIdle();
  bool EvictOldestIdle();  // false: none idle
  void Serve(Slot* slot, SteadyTime now);
  void FireDeadlines(SteadyTime now);
  int WaitMillis(SteadyTime now) const;

  // The server's service, its handler wrapped to maintain in_handler_.
  HttpService service_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;

  std::mutex mu_;                                  // guards handed_over_ and stop_requested_
  std::vector<std::pair<int, bool>> handed_over_;  // fd, evict_oldest_idle
  bool stop_requested_ = false;

  bool stopping_ = false;  // loop thread only, from here on
  std::unordered_map<Slot*, std::unique_ptr<Slot>> slots_;
  // Lazily maintained: an entry is moved only when a deadline comes earlier;
  // a later one is noticed when the entry fires (most requests move the
  // deadline later, so they cost no set operation).
  std::set<std::pair<SteadyTime, Slot*>> timers_;
  std::vector<std::unique_ptr<Slot>> closed_;  // freed after the current batch
  std::vector<char> scratch_;                  // shared read buffer
  // Idle connections, longest idle first (idle_since only grows on one
  // loop, so appending keeps the order); kept in step by Update().
  std::list<Slot*> idle_;
  // idle_.front()'s idle_key (steady-clock ticks); max(): none idle.
  std::atomic<int64_t> oldest_idle_ticks_{INT64_MAX};
  std::atomic<int64_t> connection_count_{0};
  std::atomic<bool> busy_{false};
  std::atomic<bool> in_handler_{false};
};

}  // namespace memsecret::http
