// Eventually: awaits a condition that another thread makes true (a file
// watcher reload, a server stopping), polling with a deadline instead of
// sleeping a guessed amount of time.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace memsecret::testing {

inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace memsecret::testing
