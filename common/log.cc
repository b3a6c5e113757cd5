#include "memsecret/log.h"

#include <pthread.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

#include "memsecret/json_writer.h"

namespace memsecret {

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  AppendJsonEscaped(&out, s);
  return out;
}

LogField::LogField(std::string_view k, std::string_view value)
    : key(k), json("\"" + JsonEscape(value) + "\"") {}
LogField::LogField(std::string_view k, int64_t value) : key(k), json(std::to_string(value)) {}
LogField::LogField(std::string_view k, double value) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  json = buf;
}
LogField LogField::Raw(std::string_view k, std::string json) {
  LogField f(k, int64_t{0});
  f.json = std::move(json);
  return f;
}

namespace {

// Fields of the LogEvent call in progress on this thread (loggers are synchronous).
thread_local const std::initializer_list<LogField>* t_fields = nullptr;

// Formats the payload as a quoted JSON string, followed by the fields of the
// current LogEvent call, if any.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string out =
        "\"" + JsonEscape(std::string_view(msg.payload.data(), msg.payload.size())) + "\"";
    if (t_fields)
      for (const auto& f : *t_fields) out += ",\"" + JsonEscape(f.key) + "\":" + f.json;
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// LogWrites::kBatched (see log.h). A flusher thread sleeps until a line is
// pending, then writes whatever is pending after kMaxDelay: no polling while
// nothing is logged.
class BatchedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr size_t kMaxPending = 64 * 1024;
  static constexpr std::chrono::milliseconds kMaxDelay{200};

  BatchedStderrSink() : flusher_([this] { FlushLoop(); }) {}
  ~BatchedStderrSink() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    flusher_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    WritePending();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    const bool was_empty = pending_.empty();
    pending_.append(line.data(), line.size());
    if (msg.level >= spdlog::level::warn || pending_.size() >= kMaxPending)
      WritePending();
    else if (was_empty)
      wake_.notify_one();
  }
  void flush_() override { WritePending(); }

 private:
  // Called with mutex_ held.
  void WritePending() {
    size_t done = 0;
    while (done < pending_.size()) {
      const ssize_t n = ::write(STDERR_FILENO, pending_.data() + done, pending_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // stderr gone: drop the lines rather than block or spin
      done += static_cast<size_t>(n);
    }
    pending_.clear();
  }

  void FlushLoop() {
    // Signals are for the threads that wait for them (the webhook blocks
    // SIGTERM everywhere else after this thread may have started).
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      wake_.wait_for(lock, kMaxDelay, [this] { return stopping_ || pending_.empty(); });
      WritePending();
    }
  }

  std::string pending_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread flusher_;  // last: started after the members it uses
};

}  // namespace

void InitJsonLogging(std::string_view component, std::string_view level, LogWrites writes) {
  const std::string name(component);
  spdlog::drop(name);
  std::shared_ptr<spdlog::logger> logger;
  if (writes == LogWrites::kBatched)
    logger = std::make_shared<spdlog::logger>(name, std::make_shared<BatchedStderrSink>());
  else
    logger = spdlog::stderr_logger_mt(name);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('*');
  formatter->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":")" +
                         JsonEscape(component) + R"(","msg":%*})");
  logger->set_formatter(std::move(formatter));
  spdlog::level::level_enum lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  logger->set_level(lvl);
  logger->flush_on(writes == LogWrites::kBatched ? spdlog::level::warn : spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void FlushLogs() {
  if (auto logger = spdlog::default_logger()) logger->flush();
}

void LogEvent(spdlog::level::level_enum level, std::string_view msg,
              std::initializer_list<LogField> fields) {
  t_fields = &fields;
  spdlog::log(level, "{}", msg);
  t_fields = nullptr;
}

}  // namespace memsecret
