// HealthRegistry: what the injector knows about each file's health, for the
// metrics endpoint (health_metrics.h) — per file: the ref, the version served
// and when it was created, the rotation maxAge, the token's expiry, the last
// successful read or mint, and failures counted by reason (the Status code
// name: "unavailable", "permission_denied", ...). References, times and
// counts only: nothing here can hold a value or a token.
//
// Thread-safe: file jobs record from the scheduler's thread(s) (passes may
// run jobs concurrently) while the metrics server reads Snapshot() from its
// own. Recording is a map lookup under a mutex; nothing polls.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/clock.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/status.h"

namespace memsecret::injector {

struct FileHealth {
  std::string file;
  FileKind kind = FileKind::kSecret;
  std::string ref;                          // canonical ref text; for tokens the client credentials
  std::string version;                      // of the last successful read; "" unknown
  std::optional<WallTime> version_created;  // nullopt: unknown (KV v1, or not read yet)
  std::chrono::seconds max_age{0};          // rotation rule; 0: none
  std::optional<WallTime> token_expiry;     // token files, after the first mint
  std::optional<WallTime> last_success;
  std::map<std::string, uint64_t> failures;  // reason -> count, since start
  std::string client_id;  // token files: the client the token on disk was minted with
  bool operator==(const FileHealth&) const = default;
};

class HealthRegistry {
 public:
  // Registers `file` (name, kind, ref, rotation maxAge) with no facts yet.
  // Files are reported in the order declared. Declaring a name again
  // replaces it.
  void Declare(const PlannedFile& file);

  // A successful read (secret) or mint (token, with `token_expiry`) at `now`
  // of `version` created at `created`. Unknown names are ignored.
  void RecordSuccess(std::string_view file, std::string_view version,
                     std::optional<WallTime> created, WallTime now,
                     std::optional<WallTime> token_expiry = std::nullopt);

  // The client id (not secret) the token now in token file `file` was
  // minted with; the rotation census reads it (credential_info).
  void RecordClientId(std::string_view file, std::string_view client_id);
  // A failed attempt, counted under CodeName(reason).
  void RecordFailure(std::string_view file, Code reason);

  std::vector<FileHealth> Snapshot() const;

 private:
  FileHealth* Find(std::string_view file);  // requires mu_

  mutable std::mutex mu_;          // guards files_
  std::vector<FileHealth> files_;  // declaration order; a pod has a handful of files
};

}  // namespace memsecret::injector
