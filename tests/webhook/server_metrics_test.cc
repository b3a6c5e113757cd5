// Metrics: exposition format, zero-valued series from the start, cumulative
// histogram buckets, and counters that follow the recorded facts.
#include <gtest/gtest.h>

#include "testing/metric_value.h"
#include "webhook/metrics.h"

namespace memsecret::webhook {
namespace {

using memsecret::testing::MetricValue;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(MetricsTest, EverySeriesIsPresentAndZeroAtStart) {
  Metrics m;
  const std::string text = m.RenderPrometheus();
  for (const char* series : {
           "memsecret_webhook_admissions_total{outcome=\"patched\"}",
           "memsecret_webhook_admissions_total{outcome=\"unchanged\"}",
           "memsecret_webhook_admissions_total{outcome=\"denied\"}",
           "memsecret_webhook_admissions_total{outcome=\"bad_request\"}",
           "memsecret_webhook_admission_duration_seconds_bucket{le=\"0.0005\"}",
           "memsecret_webhook_admission_duration_seconds_bucket{le=\"+Inf\"}",
           "memsecret_webhook_admission_duration_seconds_count",
           "memsecret_webhook_admission_duration_seconds_sum",
           "memsecret_webhook_injections_total",
           "memsecret_webhook_denials_total",
           "memsecret_webhook_config_reloads_total{result=\"success\"}",
           "memsecret_webhook_config_reloads_total{result=\"failure\"}",
           "memsecret_webhook_certificate_reloads_total{result=\"success\"}",
           "memsecret_webhook_certificate_reloads_total{result=\"failure\"}",
       }) {
    EXPECT_EQ(MetricValue(text, series), 0.0) << series;
  }
  EXPECT_NE(text.find("# TYPE memsecret_webhook_admission_duration_seconds histogram\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE memsecret_webhook_admissions_total counter\n"), std::string::npos);
}

TEST(MetricsTest, AdmissionsCountByOutcomeAndFeedInjectionsAndDenials) {
  Metrics m;
  m.RecordAdmission(AdmitOutcome::kPatched, microseconds(100));
  m.RecordAdmission(AdmitOutcome::kPatched, microseconds(100));
  m.RecordAdmission(AdmitOutcome::kDenied, microseconds(100));
  m.RecordAdmission(AdmitOutcome::kBadRequest, microseconds(100));
  const std::string text = m.RenderPrometheus();
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_admissions_total{outcome=\"patched\"}"), 2.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_admissions_total{outcome=\"denied\"}"), 1.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_admissions_total{outcome=\"bad_request\"}"), 1.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_admissions_total{outcome=\"unchanged\"}"), 0.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_injections_total"), 2.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_denials_total"), 1.0);
  EXPECT_EQ(m.admissions(AdmitOutcome::kPatched), 2u);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInclusiveUpperBounds) {
  Metrics m;
  m.RecordAdmission(AdmitOutcome::kUnchanged, microseconds(500));   // exactly 0.0005
  m.RecordAdmission(AdmitOutcome::kUnchanged, milliseconds(3));     // in (0.0025, 0.005]
  m.RecordAdmission(AdmitOutcome::kUnchanged, milliseconds(7000));  // above the last bound
  const std::string text = m.RenderPrometheus();
  const std::string b = "memsecret_webhook_admission_duration_seconds_bucket";
  EXPECT_EQ(MetricValue(text, b + "{le=\"0.0005\"}"), 1.0);
  EXPECT_EQ(MetricValue(text, b + "{le=\"0.0025\"}"), 1.0);
  EXPECT_EQ(MetricValue(text, b + "{le=\"0.005\"}"), 2.0);
  EXPECT_EQ(MetricValue(text, b + "{le=\"5\"}"), 2.0);
  EXPECT_EQ(MetricValue(text, b + "{le=\"+Inf\"}"), 3.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_admission_duration_seconds_count"), 3.0);
  EXPECT_NEAR(*MetricValue(text, "memsecret_webhook_admission_duration_seconds_sum"), 7.0035, 1e-9);
}

TEST(MetricsTest, ReloadsRejectionsAndCertificateExpiry) {
  Metrics m;
  m.RecordConfigReload(Metrics::ReloadResult::kSuccess);
  m.RecordConfigReload(Metrics::ReloadResult::kFailure);
  m.RecordConfigReload(Metrics::ReloadResult::kFailure);
  m.RecordCertificateReload(Metrics::ReloadResult::kSuccess);
  m.RecordHttpRejection(413);
  m.RecordHttpRejection(404);
  m.RecordHttpRejection(413);
  m.SetCertificateNotAfter(WallTime(std::chrono::seconds(1'800'000'000)));
  const std::string text = m.RenderPrometheus();
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_config_reloads_total{result=\"success\"}"), 1.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_config_reloads_total{result=\"failure\"}"), 2.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_certificate_reloads_total{result=\"success\"}"),
            1.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_http_rejections_total{code=\"413\"}"), 2.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_http_rejections_total{code=\"404\"}"), 1.0);
  EXPECT_EQ(MetricValue(text, "memsecret_webhook_certificate_expiry_timestamp_seconds"),
            1'800'000'000.0);
  EXPECT_EQ(m.config_reloads(Metrics::ReloadResult::kFailure), 2u);
}

}  // namespace
}  // namespace memsecret::webhook
