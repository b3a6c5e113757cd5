#include "injector/runtime/rotation_watch.h"

#include "memsecret/duration.h"
#include "memsecret/log.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector {

bool IsRotationOverdue(std::optional<WallTime> created, std::chrono::seconds max_age,
                       WallTime now) {
  return created && max_age.count() > 0 && now - *created > max_age;
}

bool RotationWatch::Observe(std::optional<WallTime> created, WallTime now) {
  if (!IsRotationOverdue(created, max_age_, now)) {
    last_warned_.reset();
    return false;
  }
  if (last_warned_ && now - *last_warned_ < kOverdueWarnInterval) return true;
  last_warned_ = now;
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *created);
  LogEvent(spdlog::level::warn, "rotation overdue",
           {{"file", file_},
            {"ref", ref_},
            {"version_created", FormatRfc3339(*created)},
            {"age", FormatDuration(age)},
            {"ageSeconds", static_cast<int64_t>(age.count())},
            {"maxAge", FormatDuration(max_age_)}});
  return true;
}

}  // namespace memsecret::injector
