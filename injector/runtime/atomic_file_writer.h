// AtomicFileWriter: replaces files in one output directory (the tmpfs volume)
// so that a reader sees the old content or the new, never a partial file
// (docs/injector.md). Each write goes to a temp file in the same directory, is written
// fully, fchmod'ed to the requested mode, then renamed over the target. Files
// whose content and mode are already right are left untouched; a failure
// never deletes or truncates the existing file and removes the temp file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "injector/base/secret_value.h"
#include "memsecret/status.h"

namespace memsecret::injector {

enum class WriteOutcome { kWritten, kUnchanged };

class AtomicFileWriter {
 public:
  // The readiness marker: a dot-file, so it can never collide with an output
  // file (names may not start with '.'), written last and atomically.
  static constexpr const char* kReadyMarker = ".memsecret-ready";

  // `dir` must exist; it is not created (it is the mounted volume).
  explicit AtomicFileWriter(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }

  // Writes `content` to dir/name with permission bits `mode` (e.g. 0400).
  // `name` must satisfy IsValidFileName. Errors (kInvalidArgument for a bad
  // name, kResourceExhausted for ENOSPC/EDQUOT, kInternal otherwise) name the
  // file and the errno text, never the content.
  Result<WriteOutcome> Write(std::string_view name, const SecretValue& content, uint32_t mode);

  // Writes a dot-file the injector itself keeps beside the outputs (e.g. the
  // Agent endpoint's token, ".agent-token"): `dot_name` is "." followed by a
  // name that satisfies IsValidFileName, so it never collides with an output.
  // Same atomicity and errors as Write.
  Result<WriteOutcome> WriteDotFile(std::string_view dot_name, const SecretValue& content,
                                    uint32_t mode);

  // Writes the readiness marker (content: the injector's pid; mode 0444).
  Status WriteReadyMarker();
  // Removes a marker left by an earlier run, so `probe` reflects this run's
  // first complete write. Missing marker is not an error.
  Status RemoveReadyMarker();
  // True if dir/.memsecret-ready exists (used by `memsecret-injector probe`).
  static bool ReadyMarkerExists(const std::string& dir);

  // Removes temp files left behind by a crashed writer (".<name>.tmp-*").
  // Best effort; returns how many were removed.
  int RemoveStaleTempFiles();

 private:
  Result<WriteOutcome> WriteBytes(const std::string& name, std::string_view bytes, uint32_t mode);

  std::string dir_;
};

}  // namespace memsecret::injector
