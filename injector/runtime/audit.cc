#include "injector/audit.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace memsecret::injector {

namespace {

std::string Rfc3339Millis(WallTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

std::string FormatAuditLine(const AuditRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = Rfc3339Millis(r.time);
  j["audit"] = true;
  j["pod"] = r.pod.name;
  j["namespace"] = r.pod.namespace_name;
  j["serviceAccount"] = r.pod.service_account;
  j["kind"] = r.kind;
  j["provider"] = r.provider;
  j["ref"] = r.ref;
  j["file"] = r.file;
  j["version"] = r.version;
  j["outcome"] = r.outcome;
  j["latencyMs"] = r.latency.count();
  if (!r.error.empty()) j["error"] = r.error;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void StreamAuditSink::Emit(const AuditRecord& record) {
  std::string line = FormatAuditLine(record) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace memsecret::injector
