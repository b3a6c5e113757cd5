#include "injector/runtime/health_metrics.h"

#include <functional>
#include <optional>

#include "injector/runtime/rotation_watch.h"
#include "memsecret/prometheus_text.h"

namespace memsecret::injector {
namespace {

double Seconds(WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

std::string FileLabels(const FileHealth& f) {
  return prometheus::LabelPair("file", f.file) + "," + prometheus::LabelPair("ref", f.ref);
}

struct Gauge {
  const char* name;
  const char* help;
  std::function<std::optional<double>(const FileHealth&, WallTime now)> value;
};

const Gauge kGauges[] = {
    {"memsecret_injector_version_age_seconds",
     "Age of the secret version served (for tokens: of the client credentials), from the "
     "store's creation time.",
     [](const FileHealth& f, WallTime now) -> std::optional<double> {
       if (!f.version_created) return std::nullopt;
       return std::chrono::duration<double>(now - *f.version_created).count();
     }},
    {"memsecret_injector_rotation_max_age_seconds", "The rotation rule's maxAge for this file.",
     [](const FileHealth& f, WallTime) -> std::optional<double> {
       if (f.max_age.count() <= 0) return std::nullopt;
       return static_cast<double>(f.max_age.count());
     }},
    {"memsecret_injector_rotation_overdue",
     "1 when the version served is older than its rotation rule's maxAge.",
     [](const FileHealth& f, WallTime now) -> std::optional<double> {
       if (f.max_age.count() <= 0 || !f.version_created) return std::nullopt;
       return IsRotationOverdue(f.version_created, f.max_age, now) ? 1.0 : 0.0;
     }},
    {"memsecret_injector_token_expiry_timestamp_seconds",
     "Unix time at which the token in the file expires.",
     [](const FileHealth& f, WallTime) -> std::optional<double> {
       if (!f.token_expiry) return std::nullopt;
       return Seconds(*f.token_expiry);
     }},
    {"memsecret_injector_last_success_timestamp_seconds",
     "Unix time of the last successful read (secrets) or mint (tokens).",
     [](const FileHealth& f, WallTime) -> std::optional<double> {
       if (!f.last_success) return std::nullopt;
       return Seconds(*f.last_success);
     }},
};

}  // namespace

std::string RenderHealthMetrics(const std::vector<FileHealth>& files, WallTime now) {
  std::string out;
  out.reserve(512 + 256 * files.size());
  for (const Gauge& g : kGauges) {
    prometheus::AppendHeader(out, g.name, "gauge", g.help);
    for (const FileHealth& f : files)
      if (std::optional<double> v = g.value(f, now))
        prometheus::AppendSample(out, g.name, FileLabels(f), *v);
  }
  constexpr const char* kFailures = "memsecret_injector_fetch_failures_total";
  prometheus::AppendHeader(out, kFailures, "counter",
                           "Failed reads and mints by reason (a status code name) since start.");
  for (const FileHealth& f : files)
    for (const auto& [reason, count] : f.failures)
      prometheus::AppendSample(out, kFailures,
                               FileLabels(f) + "," + prometheus::LabelPair("reason", reason),
                               static_cast<double>(count));
  constexpr const char* kCredential = "memsecret_injector_credential_info";
  prometheus::AppendHeader(out, kCredential, "gauge",
                           "The client id the token in the file was minted with (always 1).");
  for (const FileHealth& f : files)
    if (f.kind == FileKind::kToken && !f.client_id.empty())
      prometheus::AppendSample(
          out, kCredential, FileLabels(f) + "," + prometheus::LabelPair("client_id", f.client_id),
          1.0);
  return out;
}

}  // namespace memsecret::injector
