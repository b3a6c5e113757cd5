// HttpRequestParser: a pure, incremental HTTP/1.x request parser (no I/O).
// The caller keeps the connection's unconsumed bytes in one buffer that
// starts at the first byte of the request being parsed, and calls Parse()
// again with that buffer each time more bytes arrive. The parser remembers how
// far it has scanned, so a request dripped in byte by byte costs linear time.
//
// What it accepts (the subset kube-apiserver and probes use):
//   request line   METHOD SP origin-form-target SP HTTP/1.x CRLF
//   headers        name ":" OWS value OWS CRLF, ended by an empty line
//   body           Content-Length bytes (none without Content-Length)
// and what it refuses, with the status the server answers:
//   400 malformed request line or header, conflicting Content-Length
//   411 Transfer-Encoding (chunked bodies are refused, not decoded: the
//       apiserver always sends Content-Length, and a second body framing is
//       a request-smuggling surface)
//   413 Content-Length over max_body_bytes (reported as soon as the head is
//       parsed, so the body is never read)
//   414 target longer than max_target_bytes
//   417 an Expect other than 100-continue
//   431 request line + headers longer than max_head_bytes
//   505 an HTTP major version other than 1
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace memsecret::http {

struct HttpLimits {
  size_t max_target_bytes = 8 * 1024;
  size_t max_head_bytes = 16 * 1024;  // request line + headers + the empty line
  size_t max_body_bytes = 3 * 1024 * 1024;
};

class HttpRequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit HttpRequestParser(HttpLimits limits) : limits_(limits) {}

  // `input`: the unconsumed bytes, starting at this request's first byte
  // (the previous call's input plus whatever arrived since). After kError
  // or kComplete, call Reset() before parsing the next request.
  State Parse(std::string_view input);
  // Forgets the current request (after kComplete, its request_size() bytes
  // should have been consumed from the front of the buffer).
  void Reset();

  // Once the head is parsed (also while the body is still arriving): the
  // fields below describe the request. Views point into the input given to
  // the last Parse() call and are valid as long as that buffer is.
  bool head_complete() const { return head_size_ != 0; }
  std::string_view method() const { return Slice(method_); }
  std::string_view target() const { return Slice(target_); }  // path and query
  std::string_view path() const;                              // target without the query
  int minor_version() const { return minor_version_; }        // HTTP/1.<minor>
  // The header lines (each ending in CRLF, already validated), for
  // HeaderValues(); empty when there are none.
  std::string_view headers() const;
  // HTTP/1.1: unless "Connection: close"; HTTP/1.0: only "Connection: keep-alive".
  bool keep_alive() const { return keep_alive_; }
  bool expect_continue() const { return expect_continue_; }
  size_t content_length() const { return content_length_; }
  // Whether the body has been fully received (only meaningful after the head).
  bool body_complete() const { return state_ == State::kComplete; }

  // At kComplete: the body, and head + body size to consume.
  std::string_view body() const { return input_.substr(head_size_, content_length_); }
  size_t request_size() const { return head_size_ + content_length_; }

  // At kError: the status to answer and a short reason for the text body.
  int error_status() const { return error_status_; }
  std::string_view error_reason() const { return error_reason_; }

 private:
  struct Span {
    size_t offset = 0;
    size_t size = 0;
  };
  std::string_view Slice(Span s) const { return input_.substr(s.offset, s.size); }
  State Fail(int status, std::string_view reason);
  State ParseRequestLine(size_t line_end);
  State ParseHeaders(size_t end);
  State ParseHeader(std::string_view name, std::string_view value);
  State CheckIncompleteLine();

  HttpLimits limits_;
  std::string_view input_;
  State state_ = State::kNeedMore;
  size_t start_ = 0;  // first byte of the request line (leading CRLFs skipped)
  bool have_request_line_ = false;
  size_t line_end_ = 0;   // end of the request line (its CR), once seen
  size_t scanned_ = 0;    // bytes already searched for the end of the head
  size_t head_size_ = 0;  // bytes up to and including the empty line, 0 until seen
  Span method_;
  Span target_;
  int minor_version_ = 1;
  bool keep_alive_ = true;
  bool saw_close_ = false;
  bool saw_keep_alive_ = false;
  bool expect_continue_ = false;
  bool has_content_length_ = false;
  size_t content_length_ = 0;
  int error_status_ = 0;
  std::string_view error_reason_;
};

// The values of every header line named `name` (ASCII case-insensitive) in
// `headers` (HttpRequestParser::headers()), in order, whitespace trimmed.
std::vector<std::string_view> HeaderValues(std::string_view headers, std::string_view name);

}  // namespace memsecret::http
