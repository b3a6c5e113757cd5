// BoundedExecutor: runs one pass's due jobs with at most `max_in_flight` of
// them at a time. The scheduler keeps time and decides what is due; this
// class only runs a batch and returns when every task of it has finished.
//
// Threads exist only while a batch runs: RunAll starts min(max_in_flight,
// tasks) - 1 helper threads, the calling thread works too, and all of them
// are joined before RunAll returns. Between passes the injector therefore has
// no worker threads at all — nothing polls, nothing wakes up, and a pass of
// one task (or max_in_flight 1) runs inline with no thread created.
//
// Thread-safety: RunAll must not be called concurrently on one executor.
// Tasks run concurrently with each other and must only share thread-safe
// state (see the "Thread-safety:" notes of the providers and caches).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "memsecret/status.h"

namespace memsecret::injector {

// The default bound: fetches and token mints in flight in one pass.
inline constexpr size_t kDefaultMaxInFlight = 8;
// The largest bound an operator may ask for (MEMSECRET_CONCURRENCY).
inline constexpr size_t kMaxMaxInFlight = 32;

// MEMSECRET_CONCURRENCY: "" -> kDefaultMaxInFlight; otherwise a whole
// number 1..kMaxMaxInFlight (1: one fetch or mint at a time, the sequential
// pass). Anything else is kInvalidArgument quoting the value. Pure.
Result<size_t> ParseMaxInFlight(std::string_view text);

class BoundedExecutor {
 public:
  // `max_in_flight` < 1 is treated as 1 (sequential).
  explicit BoundedExecutor(size_t max_in_flight = 1)
      : max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight) {}

  size_t max_in_flight() const { return max_in_flight_; }

  // Runs every task once. Tasks are started in order: task i starts before
  // task i+1 (with max_in_flight 1 this is exactly the sequential loop). A
  // task's exceptions are not caught (the injector does not throw).
  void RunAll(const std::vector<std::function<void()>>& tasks) const;

 private:
  size_t max_in_flight_;
};

}  // namespace memsecret::injector
