// Snapshot<T>: an immutable value shared by many readers and replaced as a
// whole by one writer (TLS certificate, webhook config). Readers take a
// shared_ptr and keep using it for as long as they need, so a reload never
// changes data under a request that is already running.
#pragma once

#include <atomic>
#include <memory>
#include <utility>

namespace memsecret {

template <typename T>
class Snapshot {
 public:
  // `initial` must not be null.
  explicit Snapshot(std::shared_ptr<const T> initial) : current_(std::move(initial)) {}
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Thread-safe; never null.
  std::shared_ptr<const T> Get() const { return current_.load(std::memory_order_acquire); }
  // Thread-safe; `next` must not be null. Readers holding the old value keep it alive.
  void Set(std::shared_ptr<const T> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const T>> current_;
};

}  // namespace memsecret
