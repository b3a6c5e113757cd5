// Shared pieces of the libFuzzer targets: a scripted HttpClient whose
// responses come from the fuzz input, a temp token file, quiet logging.
//
// Input format of the "remote response" targets (seeds are plain text):
//   <first line: target-specific, e.g. a secret ref>
//   ====
//   <status>            e.g. "200" (defaults to 200 when not a number)
//   <Header: value>...  optional header lines
//   <empty line>
//   <body>
//   ====
//   <next response>...
// Each HTTP request the code under test sends gets the next response; when
// they run out, requests fail as a refused connection would.
#pragma once

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "injector/base/http_client.h"

namespace memsecret::fuzz {

inline constexpr std::string_view kSeparator = "\n====\n";

// Splits the input at kSeparator.
inline std::vector<std::string_view> SplitRecords(std::string_view in) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = in.find(kSeparator);
    if (at == std::string_view::npos) {
      out.push_back(in);
      return out;
    }
    out.push_back(in.substr(0, at));
    in.remove_prefix(at + kSeparator.size());
  }
}

inline HttpResponse ParseRecord(std::string_view rec) {
  HttpResponse r;
  r.status = 200;
  size_t eol = rec.find('\n');
  std::string_view first = rec.substr(0, eol);
  if (!first.empty() && first.size() <= 3 &&
      first.find_first_not_of("0123456789") == std::string_view::npos)
    r.status = std::atoi(std::string(first).c_str());
  rec = eol == std::string_view::npos ? std::string_view() : rec.substr(eol + 1);
  while (!rec.empty()) {
    eol = rec.find('\n');
    std::string_view line = rec.substr(0, eol);
    rec = eol == std::string_view::npos ? std::string_view() : rec.substr(eol + 1);
    if (line.empty()) break;
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
  }
  r.body = std::string(rec);
  return r;
}

// Answers each request with the next scripted response (at most 32).
class ScriptedHttp final : public HttpClient {
 public:
  explicit ScriptedHttp(std::vector<std::string_view> records) : records_(std::move(records)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (next_ >= records_.size() || next_ >= 32) return Unavailable("connection refused");
    return ParseRecord(records_[next_++]);
  }

 private:
  std::vector<std::string_view> records_;
  size_t next_ = 0;
};

// A file holding a fixed fake token, created once per process.
inline const std::string& FakeTokenFile() {
  static const std::string path = [] {
    std::string p = "/tmp/memsecret-fuzz-token-" + std::to_string(::getpid());
    std::ofstream(p) << "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2ln";
    std::atexit([] { ::unlink(FakeTokenFile().c_str()); });
    return p;
  }();
  return path;
}

// Logging off: the targets exercise parsing, not spdlog.
inline void QuietLogs() {
  static bool done = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)done;
}

}  // namespace memsecret::fuzz
