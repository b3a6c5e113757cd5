// Metrics: the webhook's counters and latency histogram, rendered in the
// Prometheus text exposition format (version 0.0.4) for GET /metrics.
// Labels carry only fixed vocabularies (outcome, result, HTTP status code):
// never a namespace, pod name, uid, reference or secret value.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "memsecret/clock.h"
#include "webhook/admission/admission_review.h"

namespace memsecret::webhook {

// Upper bounds (seconds) of memsecret_webhook_admission_duration_seconds.
// An admission is a pure in-memory computation (sub-millisecond typically);
// the upper buckets show contention well before the apiserver's 10 s timeout.
inline constexpr std::array<double, 13> kAdmissionLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

// Thread-safe: every method may be called from any thread.
class Metrics {
 public:
  enum class ReloadResult { kSuccess, kFailure };
  // The webhook entry a request came in on: /mutate (inject.memsecret.io) or
  // /check (check.memsecret.io).
  enum class Entry { kInject, kCheck };

  // One decided /mutate request: memsecret_webhook_admissions_total{outcome},
  // the latency histogram, and injections_total (patched) / denials_total (denied).
  // One decided /check request: memsecret_webhook_checks_total{outcome} and
  // memsecret_webhook_check_duration_seconds (same buckets).
  void RecordAdmission(AdmitOutcome outcome, std::chrono::nanoseconds latency,
                       Entry entry = Entry::kInject);
  // A request the HTTP layer refused before any handler ran (404, 405, 413...).
  void RecordHttpRejection(int http_status);
  void RecordConfigReload(ReloadResult result);
  void RecordCertificateReload(ReloadResult result);
  // Expiry of the certificate currently served (a gauge for alerting).
  void SetCertificateNotAfter(WallTime not_after);

  // Point reads, for tests and logs.
  uint64_t admissions(AdmitOutcome outcome, Entry entry = Entry::kInject) const;
  uint64_t config_reloads(ReloadResult result) const;
  uint64_t certificate_reloads(ReloadResult result) const;

  // The whole registry as Prometheus text; every series is present from the
  // start (zero-valued) so rate() and absent() alerts work after a restart.
  std::string RenderPrometheus() const;

 private:
  static constexpr size_t kOutcomes = 4;  // AdmitOutcome values
  // Counters and latency histogram of one entry.
  struct EntryFigures {
    std::array<uint64_t, kOutcomes> admissions{};
    std::array<uint64_t, kAdmissionLatencyBuckets.size()> latency_buckets{};  // non-cumulative
    uint64_t latency_count = 0;
    double latency_sum_seconds = 0;
  };
  struct EntryNames {
    std::string_view total, total_help, duration, duration_help;
  };
  static void RenderEntry(const EntryFigures& f, const EntryNames& names, std::string& out);

  mutable std::mutex mu_;                    // guards every field below
  std::array<EntryFigures, 2> entries_{};    // by Entry
  std::map<int, uint64_t> http_rejections_;  // by status code
  std::array<uint64_t, 2> config_reloads_{};
  std::array<uint64_t, 2> certificate_reloads_{};
  double certificate_not_after_seconds_ = 0;
};

}  // namespace memsecret::webhook
