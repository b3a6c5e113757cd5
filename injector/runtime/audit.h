// Audit: one JSON line per fetch or mint on stdout (docs/injector.md) — who (pod,
// namespace, service account), what (provider, ref, file, version), how it
// went (outcome, latency, error reason). References and reasons only: the
// record has no field that could hold a secret value.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "memsecret/clock.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret::injector {

// How one attempt at a file went: new content written, the same content
// already on disk, or a failure (the last good file is kept).
enum class AuditOutcome { kWritten, kUnchanged, kError };
const char* AuditOutcomeName(AuditOutcome outcome);  // "written", "unchanged", "error"

struct AuditRecord {
  WallTime time;
  PodIdentity pod;
  FileKind kind = FileKind::kSecret;  // "secret" or "token" in the line
  std::string provider;               // "aws", "vault", "azure"
  std::string ref;                    // canonical ref text
  std::string file;                   // output file name
  std::string version;                // store version id; "" when unknown
  std::string region;                 // AWS region that served or answered; "" for other stores
  // When the version read was created (tokens: the client credentials');
  // written as RFC 3339, or "unknown", on every line that is not an error.
  std::optional<WallTime> version_created;
  std::optional<WallTime> expires_at;  // tokens: when the token written expires
  AuditOutcome outcome = AuditOutcome::kWritten;
  std::chrono::milliseconds latency{0};
  std::string error;  // status text when outcome == "error"
};

// {"time":"2026-...Z","audit":true,"pod":...,"namespace":...,
//  "serviceAccount":...,"kind":...,"provider":...,"ref":...,"file":...,
//  "version":...[,"version_created":...][,"expires_at":...][,"region":...],
//  "outcome":...,"latencyMs":N[,"error":...]}
std::string FormatAuditLine(const AuditRecord& record);

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Thread-safe.
  virtual void Emit(const AuditRecord& record) = 0;
};

// Whether audit lines follow the log level: the injector's `run` always
// writes them (they are its audit trail); the pipeline commands write them as
// info facts, so the default level `warn` keeps a job's output to warnings.
enum class AuditLevel { kAlways, kInfo };

// Writes each line with a single fwrite + fflush (stdout in production);
// with AuditLevel::kInfo only while the log level lets info lines through.
class StreamAuditSink final : public AuditSink {
 public:
  explicit StreamAuditSink(std::FILE* out, AuditLevel level = AuditLevel::kAlways)
      : out_(out), level_(level) {}
  void Emit(const AuditRecord& record) override;

 private:
  std::mutex mu_;  // serialises lines on out_
  std::FILE* out_;
  const AuditLevel level_;
};

}  // namespace memsecret::injector
