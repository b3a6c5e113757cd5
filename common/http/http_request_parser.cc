#include "memsecret/http/http_request_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "memsecret/ascii.h"

namespace memsecret::http {
namespace {

// Longest method and version accepted while the request line is incomplete;
// real ones are a few characters ("OPTIONS", "HTTP/1.1").
constexpr size_t kMaxMethodBytes = 32;
constexpr size_t kVersionBytes = 8;  // "HTTP/1.1"

// RFC 9110 token characters (header names, methods).
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// Header values: visible characters, spaces, tabs and obs-text; no controls
// (a CR or LF inside a line is how header injection and smuggling start).
bool IsValidFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

// Origin-form targets: printable ASCII without spaces.
bool IsValidTarget(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f;
  });
}

std::string_view TrimWhitespace(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Decimal digits only; saturates at SIZE_MAX (which is over any limit).
bool ParseContentLength(std::string_view s, size_t* out) {
  if (s.empty()) return false;
  size_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const size_t digit = static_cast<size_t>(c - '0');
    if (value > (std::numeric_limits<size_t>::max() - digit) / 10) {
      value = std::numeric_limits<size_t>::max();
    } else {
      value = value * 10 + digit;
    }
  }
  *out = value;
  return true;
}

}  // namespace

std::string_view HttpRequestParser::path() const {
  const std::string_view t = target();
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequestParser::headers() const {
  if (head_size_ == 0) return {};
  const size_t begin = line_end_ + 2;
  return input_.substr(begin, head_size_ - 2 - begin);
}

std::vector<std::string_view> HeaderValues(std::string_view headers, std::string_view name) {
  std::vector<std::string_view> values;
  while (!headers.empty()) {
    const size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos && EqualsIgnoreAsciiCase(line.substr(0, colon), name)) {
      values.push_back(TrimWhitespace(line.substr(colon + 1)));
    }
  }
  return values;
}

void HttpRequestParser::Reset() { *this = HttpRequestParser(limits_); }

HttpRequestParser::State HttpRequestParser::Fail(int status, std::string_view reason) {
  state_ = State::kError;
  error_status_ = status;
  error_reason_ = reason;
  return state_;
}

HttpRequestParser::State HttpRequestParser::Parse(std::string_view input) {
  input_ = input;
  if (state_ != State::kNeedMore) return state_;

  if (!have_request_line_) {
    for (size_t i = scanned_; i < input.size(); ++i) {
      if (input[i] != '\n') continue;
      if (i == start_ || input[i - 1] != '\r') return Fail(400, "lines must end with CRLF");
      if (i == start_ + 1) {  // leading empty lines are ignored (RFC 9112 2.2)
        start_ = i + 1;
        continue;
      }
      line_end_ = i - 1;
      have_request_line_ = true;
      break;
    }
    if (!have_request_line_) {
      scanned_ = input.size();
      return CheckIncompleteLine();
    }
    if (ParseRequestLine(line_end_) == State::kError) return state_;
    scanned_ = line_end_;
  }

  if (head_size_ == 0) {
    // The head ends at the first CRLF CRLF at or after the request line's CRLF.
    const size_t end = input.find("\r\n\r\n", scanned_);
    if (end == std::string_view::npos) {
      if (input.size() > limits_.max_head_bytes) return Fail(431, "request headers too large");
      scanned_ = std::max(line_end_, input.size() >= 3 ? input.size() - 3 : 0);
      return State::kNeedMore;
    }
    if (end + 4 > limits_.max_head_bytes) return Fail(431, "request headers too large");
    if (ParseHeaders(end + 2) == State::kError) return state_;
    head_size_ = end + 4;
    keep_alive_ = minor_version_ >= 1 ? !saw_close_ : saw_keep_alive_ && !saw_close_;
    if (content_length_ > limits_.max_body_bytes) return Fail(413, "request body too large");
  }

  if (input.size() - head_size_ < content_length_) return State::kNeedMore;
  state_ = State::kComplete;
  return state_;
}

// The request line has not ended yet: refuse it as soon as a part of it is
// longer than any acceptable one, instead of waiting for max_head_bytes.
HttpRequestParser::State HttpRequestParser::CheckIncompleteLine() {
  if (input_.size() > limits_.max_head_bytes) return Fail(431, "request headers too large");
  const std::string_view line = input_.substr(start_);
  const size_t sp1 = line.find(' ');
  if (std::min(sp1, line.size()) > kMaxMethodBytes) return Fail(400, "malformed request method");
  if (sp1 == std::string_view::npos) return State::kNeedMore;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (std::min(sp2, line.size()) - sp1 - 1 > limits_.max_target_bytes) {
    return Fail(414, "request target too long");
  }
  if (sp2 == std::string_view::npos) return State::kNeedMore;
  // "\r" may still be missing its "\n".
  if (line.size() - sp2 - 1 > kVersionBytes + 1) return Fail(400, "malformed request line");
  return State::kNeedMore;
}

HttpRequestParser::State HttpRequestParser::ParseRequestLine(size_t line_end) {
  const std::string_view line = input_.substr(start_, line_end - start_);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line");
  }
  method_ = {start_, sp1};
  target_ = {start_ + sp1 + 1, sp2 - sp1 - 1};
  if (method_.size > kMaxMethodBytes || !IsToken(method())) {
    return Fail(400, "malformed request method");
  }
  if (target_.size > limits_.max_target_bytes) return Fail(414, "request target too long");
  if (target().empty() || target()[0] != '/' || !IsValidTarget(target())) {
    return Fail(400, "malformed request target");
  }
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != kVersionBytes || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Fail(400, "malformed HTTP version");
  }
  if (version[5] != '1') return Fail(505, "only HTTP/1.x is supported");
  minor_version_ = version[7] - '0';
  return state_;
}

// Header lines run from after the request line's CRLF to `end`, each ending
// in CRLF.
HttpRequestParser::State HttpRequestParser::ParseHeaders(size_t end) {
  size_t pos = line_end_ + 2;
  while (pos < end) {
    const size_t eol = input_.find("\r\n", pos);
    const std::string_view line = input_.substr(pos, eol - pos);
    pos = eol + 2;
    if (line[0] == ' ' || line[0] == '\t') return Fail(400, "obsolete header line folding");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Fail(400, "malformed header line");
    }
    const std::string_view value = TrimWhitespace(line.substr(colon + 1));
    if (!IsValidFieldValue(value)) return Fail(400, "invalid character in a header value");
    if (ParseHeader(line.substr(0, colon), value) == State::kError) return state_;
  }
  return state_;
}

HttpRequestParser::State HttpRequestParser::ParseHeader(std::string_view name,
                                                        std::string_view value) {
  if (EqualsIgnoreAsciiCase(name, "content-length")) {
    size_t length = 0;
    if (!ParseContentLength(value, &length)) return Fail(400, "invalid Content-Length");
    if (has_content_length_ && length != content_length_) {
      return Fail(400, "conflicting Content-Length headers");
    }
    has_content_length_ = true;
    content_length_ = length;
  } else if (EqualsIgnoreAsciiCase(name, "transfer-encoding")) {
    return Fail(411, "chunked request bodies are not supported; send Content-Length");
  } else if (EqualsIgnoreAsciiCase(name, "connection")) {
    while (!value.empty()) {
      const size_t comma = value.find(',');
      const std::string_view option = TrimWhitespace(value.substr(0, comma));
      if (EqualsIgnoreAsciiCase(option, "close")) saw_close_ = true;
      if (EqualsIgnoreAsciiCase(option, "keep-alive")) saw_keep_alive_ = true;
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
  } else if (EqualsIgnoreAsciiCase(name, "expect")) {
    if (!EqualsIgnoreAsciiCase(value, "100-continue")) return Fail(417, "unsupported expectation");
    expect_continue_ = minor_version_ >= 1;  // HTTP/1.0 clients do not wait for it
  }
  return state_;
}

}  // namespace memsecret::http
