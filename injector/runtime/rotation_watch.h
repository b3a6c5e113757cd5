// RotationWatch: whether the version a file serves is older than its
// rotation rule allows (PlannedFile::rotation_max_age_seconds), and the one
// `warn` line that says so: at the first read that finds it overdue, then at
// most once per kOverdueWarnInterval for that file while it stays overdue. A
// read that finds it within its maxAge again (a new version) clears the
// state, so a later overdue version is reported at once. Time comes from the
// caller (the scheduler's `now`), so tests move a fake clock. The line
// carries the file, the ref, the version's creation time, its age and the
// maxAge — never a value. One per file job; not thread-safe (a job runs on one
// thread at a time).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "memsecret/clock.h"

namespace memsecret::injector {

inline constexpr std::chrono::hours kOverdueWarnInterval{24};

// The rule itself, pure: overdue when the creation time is known, a maxAge
// is set (> 0) and now - created > max_age. Unknown creation: never overdue.
bool IsRotationOverdue(std::optional<WallTime> created, std::chrono::seconds max_age, WallTime now);

class RotationWatch {
 public:
  RotationWatch(std::string file, std::string ref, std::chrono::seconds max_age)
      : file_(std::move(file)), ref_(std::move(ref)), max_age_(max_age) {}

  // After each successful read of the version created at `created`; logs
  // "rotation overdue" when due. Returns whether the version is overdue.
  bool Observe(std::optional<WallTime> created, WallTime now);

  std::chrono::seconds max_age() const { return max_age_; }

 private:
  std::string file_, ref_;
  std::chrono::seconds max_age_;
  std::optional<WallTime> last_warned_;  // while overdue
};

}  // namespace memsecret::injector
