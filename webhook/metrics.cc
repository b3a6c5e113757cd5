#include "webhook/metrics.h"

#include <charconv>
#include <iterator>
#include <string_view>

#include "memsecret/prometheus_text.h"

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

size_t EntryIndex(Metrics::Entry e) { return e == Metrics::Entry::kInject ? 0 : 1; }

size_t ResultIndex(Metrics::ReloadResult r) { return r == Metrics::ReloadResult::kSuccess ? 0 : 1; }

using prometheus::FormatNumber;
constexpr auto Header = prometheus::AppendHeader;
constexpr auto Sample = prometheus::AppendSample;

}  // namespace

void Metrics::RecordAdmission(AdmitOutcome outcome, std::chrono::nanoseconds latency, Entry entry) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard<std::mutex> lock(mu_);
  EntryFigures& f = entries_[EntryIndex(entry)];
  ++f.admissions[OutcomeIndex(outcome)];
  ++f.latency_count;
  f.latency_sum_seconds += seconds;
  for (size_t i = 0; i < kAdmissionLatencyBuckets.size(); ++i) {
    if (seconds <= kAdmissionLatencyBuckets[i]) {
      ++f.latency_buckets[i];
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

uint64_t Metrics::admissions(AdmitOutcome outcome, Entry entry) const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_[EntryIndex(entry)].admissions[OutcomeIndex(outcome)];
}

uint64_t Metrics::config_reloads(ReloadResult result) const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_reloads_[ResultIndex(result)];
}

uint64_t Metrics::certificate_reloads(ReloadResult result) const {
  std::lock_guard<std::mutex> lock(mu_);
  return certificate_reloads_[ResultIndex(result)];
}

// <names.total>{outcome} and the <names.duration> histogram of one entry.
void Metrics::RenderEntry(const EntryFigures& f, const EntryNames& names, std::string& out) {
  const std::string_view total = names.total, duration = names.duration;
  Header(out, total, "counter", names.total_help);
  for (AdmitOutcome o : kAllOutcomes) {
    Sample(out, total, std::string("outcome=\"") + AdmitOutcomeName(o) + "\"",
           static_cast<double>(f.admissions[OutcomeIndex(o)]));
  }
  Header(out, duration, "histogram", names.duration_help);
  uint64_t cumulative = 0;
  const std::string bucket = std::string(duration) + "_bucket";
  for (size_t i = 0; i < kAdmissionLatencyBuckets.size(); ++i) {
    cumulative += f.latency_buckets[i];
    Sample(out, bucket, "le=\"" + FormatNumber(kAdmissionLatencyBuckets[i]) + "\"",
           static_cast<double>(cumulative));
  }
  Sample(out, bucket, "le=\"+Inf\"", static_cast<double>(f.latency_count));
  Sample(out, std::string(duration) + "_sum", "", f.latency_sum_seconds);
  Sample(out, std::string(duration) + "_count", "", static_cast<double>(f.latency_count));
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.reserve(4096);

  const EntryFigures& inject = entries_[EntryIndex(Entry::kInject)];
  RenderEntry(
      inject,
      {"memsecret_webhook_admissions_total", "AdmissionReview requests answered, by outcome.",
       "memsecret_webhook_admission_duration_seconds",
       "Time to decide one AdmissionReview request."},
      out);
  RenderEntry(
      entries_[EntryIndex(Entry::kCheck)],
      {"memsecret_webhook_checks_total", "Opt-in checks (POST /check) answered, by outcome.",
       "memsecret_webhook_check_duration_seconds", "Time to decide one opt-in check."},
      out);

  constexpr std::string_view kInjections = "memsecret_webhook_injections_total";
  Header(out, kInjections, "counter", "Pods patched to receive the injector.");
  Sample(out, kInjections, "",
         static_cast<double>(inject.admissions[OutcomeIndex(AdmitOutcome::kPatched)]));

  constexpr std::string_view kDenials = "memsecret_webhook_denials_total";
  Header(out, kDenials, "counter", "Pods denied (invalid annotations or policy).");
  Sample(out, kDenials, "",
         static_cast<double>(inject.admissions[OutcomeIndex(AdmitOutcome::kDenied)]));

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
