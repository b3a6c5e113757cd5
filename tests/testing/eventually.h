// Eventually: awaits a condition that another thread makes true (a file
// watcher reload, a server stopping), polling with a deadline instead of
// sleeping a guessed amount of time. The default deadline is a hang guard
// only (it costs nothing when the condition comes true): generous, so a
// loaded CI machine or a sanitizer build never turns slowness into a failure.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace memsecret::testing {

inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace memsecret::testing
