// Test doubles for the injector core: a scripted SecretProvider, an audit sink
// and a log capture that remember everything, and a waiter that moves a fake
// clock instead of sleeping.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <mutex>
#include <sstream>

#include "injector/providers/secret_provider.h"
#include "injector/runtime/audit.h"
#include "injector/runtime/scheduler.h"

namespace memsecret::injector {

// Answers fetches from a queue of scripted results; when the queue is empty,
// repeats `steady` (a success by default).
class ScriptedProvider final : public SecretProvider {
 public:
  void SetValue(std::string value, std::string version,
                std::optional<WallTime> created = std::nullopt) {
    steady_value_ = std::move(value);
    steady_version_ = std::move(version);
    steady_created_ = created;
    steady_status_ = Status::Ok();
  }
  void SetFailure(Status s, std::optional<std::chrono::seconds> retry_after = {}) {
    steady_status_ = std::move(s);
    steady_retry_after_ = retry_after;
  }
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options) override {
    ++calls;
    last_ref = ref.ToString();
    if (!steady_status_.ok()) return FetchResult::Failure(steady_status_, steady_retry_after_);
    return FetchResult::Success({SecretValue(steady_value_), steady_version_, steady_created_, {}});
  }
  int calls = 0;
  std::string last_ref;

 private:
  std::string steady_value_, steady_version_;
  std::optional<WallTime> steady_created_;
  Status steady_status_;
  std::optional<std::chrono::seconds> steady_retry_after_;
};

// Thread-safe, as AuditSink requires (the jobs of a pass emit concurrently);
// read `records`/`lines` only when no pass is running.
class RecordingAudit final : public AuditSink {
 public:
  void Emit(const AuditRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    records.push_back(r);
    lines.push_back(FormatAuditLine(r));
  }
  std::vector<AuditRecord> records;
  std::vector<std::string> lines;

 private:
  std::mutex mu_;
};

// Routes spdlog's default logger into a string for the test's lifetime.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Jumps `clock` to each deadline; stops after `max_waits` waits or when asked
// to wait forever. Calls `on_wait` (may be empty) before each jump.
class FakeWaiter final : public Waiter {
 public:
  FakeWaiter(FakeClock* clock, int max_waits, std::function<void(WallTime)> on_wait = {})
      : clock_(clock), left_(max_waits), on_wait_(std::move(on_wait)) {}
  bool WaitUntil(std::optional<WallTime> deadline) override {
    deadlines.push_back(deadline);
    if (--left_ < 0 || !deadline) stopped_ = true;
    if (stopped_) return false;
    if (on_wait_) on_wait_(*deadline);
    if (*deadline > clock_->Now()) clock_->Set(*deadline);
    return true;
  }
  void Stop() override { stopped_ = true; }
  bool stopped() const override { return stopped_; }
  std::vector<std::optional<WallTime>> deadlines;

 private:
  FakeClock* clock_;
  int left_;
  bool stopped_ = false;
  std::function<void(WallTime)> on_wait_;
};

}  // namespace memsecret::injector
