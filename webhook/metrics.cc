#include "webhook/metrics.h"

#include "memsecret/prometheus_text.h"

#include <charconv>
#include <iterator>
#include <string_view>

namespace memsecret::webhook {
namespace {

constexpr AdmitOutcome kAllOutcomes[] = {AdmitOutcome::kPatched, AdmitOutcome::kUnchanged,
                                         AdmitOutcome::kDenied, AdmitOutcome::kBadRequest};

size_t OutcomeIndex(AdmitOutcome o) {
  for (size_t i = 0; i < std::size(kAllOutcomes); ++i) {
    if (kAllOutcomes[i] == o) return i;
  }
  return std::size(kAllOutcomes) - 1;  // unreachable for valid enum values
}

size_t ResultIndex(Metrics::ReloadResult r) { return r == Metrics::ReloadResult::kSuccess ? 0 : 1; }

using prometheus::FormatNumber;
constexpr auto Header = prometheus::AppendHeader;
constexpr auto Sample = prometheus::AppendSample;

}  // namespace

void Metrics::RecordAdmission(AdmitOutcome outcome, std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard<std::mutex> lock(mu_);
  ++admissions_[OutcomeIndex(outcome)];
  ++latency_count_;
  latency_sum_seconds_ += seconds;
  for (size_t i = 0; i < kAdmissionLatencyBuckets.size(); ++i) {
    if (seconds <= kAdmissionLatencyBuckets[i]) {
      ++latency_buckets_[i];
      break;
    }
  }
}

void Metrics::RecordHttpRejection(int http_status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++http_rejections_[http_status];
}

void Metrics::RecordConfigReload(ReloadResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++config_reloads_[ResultIndex(result)];
}

void Metrics::RecordCertificateReload(ReloadResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++certificate_reloads_[ResultIndex(result)];
}

void Metrics::SetCertificateNotAfter(WallTime not_after) {
  const double seconds = std::chrono::duration<double>(not_after.time_since_epoch()).count();
  std::lock_guard<std::mutex> lock(mu_);
  certificate_not_after_seconds_ = seconds;
}

uint64_t Metrics::admissions(AdmitOutcome outcome) const {
  std::lock_guard<std::mutex> lock(mu_);
  return admissions_[OutcomeIndex(outcome)];
}

uint64_t Metrics::config_reloads(ReloadResult result) const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_reloads_[ResultIndex(result)];
}

uint64_t Metrics::certificate_reloads(ReloadResult result) const {
  std::lock_guard<std::mutex> lock(mu_);
  return certificate_reloads_[ResultIndex(result)];
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.reserve(4096);

  constexpr std::string_view kAdmissions = "memsecret_webhook_admissions_total";
  Header(out, kAdmissions, "counter", "AdmissionReview requests answered, by outcome.");
  for (AdmitOutcome o : kAllOutcomes) {
    Sample(out, kAdmissions, std::string("outcome=\"") + AdmitOutcomeName(o) + "\"",
           static_cast<double>(admissions_[OutcomeIndex(o)]));
  }

  constexpr std::string_view kDuration = "memsecret_webhook_admission_duration_seconds";
  Header(out, kDuration, "histogram", "Time to decide one AdmissionReview request.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kAdmissionLatencyBuckets.size(); ++i) {
    cumulative += latency_buckets_[i];
    Sample(out, std::string(kDuration) + "_bucket",
           "le=\"" + FormatNumber(kAdmissionLatencyBuckets[i]) + "\"", static_cast<double>(cumulative));
  }
  Sample(out, std::string(kDuration) + "_bucket", "le=\"+Inf\"",
         static_cast<double>(latency_count_));
  Sample(out, std::string(kDuration) + "_sum", "", latency_sum_seconds_);
  Sample(out, std::string(kDuration) + "_count", "", static_cast<double>(latency_count_));

  constexpr std::string_view kInjections = "memsecret_webhook_injections_total";
  Header(out, kInjections, "counter", "Pods patched to receive the injector.");
  Sample(out, kInjections, "",
         static_cast<double>(admissions_[OutcomeIndex(AdmitOutcome::kPatched)]));

  constexpr std::string_view kDenials = "memsecret_webhook_denials_total";
  Header(out, kDenials, "counter", "Pods denied (invalid annotations or policy).");
  Sample(out, kDenials, "", static_cast<double>(admissions_[OutcomeIndex(AdmitOutcome::kDenied)]));

  constexpr std::string_view kRejections = "memsecret_webhook_http_rejections_total";
  Header(out, kRejections, "counter",
         "HTTP requests refused before reaching a handler, by status code.");
  for (const auto& [code, count] : http_rejections_) {
    Sample(out, kRejections, "code=\"" + std::to_string(code) + "\"", static_cast<double>(count));
  }

  const std::pair<std::string_view, const std::array<uint64_t, 2>*> reloads[] = {
      {"memsecret_webhook_config_reloads_total", &config_reloads_},
      {"memsecret_webhook_certificate_reloads_total", &certificate_reloads_}};
  for (const auto& [name, counts] : reloads) {
    Header(out, name, "counter", "Reload attempts after a file change, by result.");
    Sample(out, name, "result=\"success\"", static_cast<double>((*counts)[0]));
    Sample(out, name, "result=\"failure\"", static_cast<double>((*counts)[1]));
  }

  constexpr std::string_view kNotAfter = "memsecret_webhook_certificate_expiry_timestamp_seconds";
  Header(out, kNotAfter, "gauge", "notAfter of the serving certificate, Unix seconds.");
  Sample(out, kNotAfter, "", certificate_not_after_seconds_);
  return out;
}

}  // namespace memsecret::webhook
