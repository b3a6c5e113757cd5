#include "injector/runtime/audit.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "memsecret/rfc3339.h"

namespace memsecret::injector {

const char* AuditOutcomeName(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::kWritten:
      return "written";
    case AuditOutcome::kUnchanged:
      return "unchanged";
    case AuditOutcome::kError:
      return "error";
  }
  return "error";
}

std::string FormatAuditLine(const AuditRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = FormatRfc3339Millis(r.time);
  j["audit"] = true;
  j["pod"] = r.pod.name;
  j["namespace"] = r.pod.namespace_name;
  j["serviceAccount"] = r.pod.service_account;
  j["kind"] = FileKindName(r.kind);
  j["provider"] = r.provider;
  j["ref"] = r.ref;
  j["file"] = r.file;
  j["version"] = r.version;
  if (r.outcome != AuditOutcome::kError)
    j["version_created"] = r.version_created ? FormatRfc3339(*r.version_created) : "unknown";
  if (r.expires_at) j["expires_at"] = FormatRfc3339(*r.expires_at);
  if (!r.region.empty()) j["region"] = r.region;
  j["outcome"] = AuditOutcomeName(r.outcome);
  j["latencyMs"] = r.latency.count();
  if (!r.error.empty()) j["error"] = r.error;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void StreamAuditSink::Emit(const AuditRecord& record) {
  if (level_ == AuditLevel::kInfo && !spdlog::should_log(spdlog::level::info)) return;
  std::string line = FormatAuditLine(record) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace memsecret::injector
