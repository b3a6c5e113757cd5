#include "injector/runtime/bounded_executor.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

namespace memsecret::injector {

Result<size_t> ParseMaxInFlight(std::string_view text) {
  if (text.empty()) return kDefaultMaxInFlight;
  size_t n = 0;
  const bool digits = text.size() <= 3 && text.find_first_not_of("0123456789") == text.npos;
  if (digits) n = std::stoul(std::string(text));
  if (!digits || n < 1 || n > kMaxMaxInFlight)
    return InvalidArgument("MEMSECRET_CONCURRENCY \"" + std::string(text) +
                           "\": want a whole number from 1 to " + std::to_string(kMaxMaxInFlight));
  return n;
}

void BoundedExecutor::RunAll(const std::vector<std::function<void()>>& tasks) const {
  const size_t workers = std::min(max_in_flight_, tasks.size());
  if (workers <= 1) {
    for (const auto& task : tasks) task();
    return;
  }
  // Each worker claims the next unstarted task until none is left: tasks
  // start in order and at most `workers` run at once.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < tasks.size(); i = next.fetch_add(1)) tasks[i]();
  };
  std::vector<std::thread> helpers;
  helpers.reserve(workers - 1);
  for (size_t i = 0; i + 1 < workers; ++i) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
}

}  // namespace memsecret::injector
