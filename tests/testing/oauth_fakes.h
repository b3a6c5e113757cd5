// Test doubles for the OAuth tests: a scripted HttpClient that records
// requests, an in-memory SecretProvider with stages and versions, and a log
// capture that swaps spdlog's default logger for an in-memory sink.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "injector/base/http_client.h"
#include "injector/providers/secret_provider.h"

namespace memsecret::injector::oauth::testing {

// Answers each Send with the next scripted response (the last one repeats).
class FakeHttpClient final : public HttpClient {
 public:
  void Push(Result<HttpResponse> r) { script_.push_back(std::move(r)); }
  void PushJson(int status, std::string body, HttpHeaders headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", "application/json");
    Push(std::move(r));
  }
  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (script_.empty()) return Unavailable("fake: no scripted response");
    Result<HttpResponse> r = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return r;
  }
  static std::string HeaderOf(const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::vector<HttpRequest> requests;

 private:
  std::deque<Result<HttpResponse>> script_;
};

// Secrets keyed by "<ref path>|<stage>" (stage "" = current). Fetches with a
// stage that has no entry fail with kNotFound, as Secrets Manager does.
class FakeSecretStore final : public SecretProvider {
 public:
  void Put(const std::string& path, const std::string& value, const std::string& version,
           const std::string& stage = "", std::optional<WallTime> created = std::nullopt) {
    entries_[path + "|" + stage] = FetchedSecret{SecretValue(value), version, created, {}};
  }
  void FailNext(Status s) { fail_next_ = std::move(s); }
  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options = {}) override {
    fetches.push_back(options.stage.value_or(""));
    if (!fail_next_.ok()) {
      Status s = fail_next_;
      fail_next_ = Status::Ok();
      return FetchResult::Failure(s);
    }
    auto it = entries_.find(ref.path + "|" + options.stage.value_or(""));
    if (it == entries_.end()) return FetchResult::Failure(NotFound("fake: no " + ref.path));
    return FetchResult::Success(it->second);
  }

  std::vector<std::string> fetches;  // the stage asked for, "" for current

 private:
  std::map<std::string, FetchedSecret> entries_;
  Status fail_next_;
};

// While alive, spdlog's default logger writes into text().
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

inline std::string TokenJson(const std::string& token, int expires_in) {
  return R"({"access_token":")" + token + R"(","token_type":"Bearer","expires_in":)" +
         std::to_string(expires_in) + "}";
}

}  // namespace memsecret::injector::oauth::testing
