// The injector's Prometheus series (docs/injector.md "Metrics"), rendered
// from a HealthRegistry snapshot at scrape time `now`. Pure: the same
// snapshot and time give the same text. Labels are `file` and `ref` (refs
// name where a secret lives, never its value) and `reason` (a status code
// name); a series whose fact is unknown (no creation time, no rule, no token
// yet, no success yet) is left out rather than written as 0.
//   memsecret_injector_version_age_seconds{file,ref}
//   memsecret_injector_rotation_max_age_seconds{file,ref}
//   memsecret_injector_rotation_overdue{file,ref}                 0/1
//   memsecret_injector_token_expiry_timestamp_seconds{file,ref}
//   memsecret_injector_last_success_timestamp_seconds{file,ref}
//   memsecret_injector_fetch_failures_total{file,ref,reason}      reasons seen so far
//   memsecret_injector_credential_info{file,ref,client_id}         1 per token file: the
//       client the token on disk was minted with (`memsecret rotate`'s census)
#pragma once

#include <string>
#include <vector>

#include "injector/runtime/health_registry.h"
#include "memsecret/clock.h"

namespace memsecret::injector {

std::string RenderHealthMetrics(const std::vector<FileHealth>& files, WallTime now);

}  // namespace memsecret::injector
