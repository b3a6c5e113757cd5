// HttpRequestParser: complete requests, the same requests fed in every
// split (byte by byte included), pipelining, and every refusal with its
// status, as tables.
#include "memsecret/http/http_request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace memsecret::http {
namespace {

using State = HttpRequestParser::State;

HttpLimits SmallLimits() {
  HttpLimits l;
  l.max_target_bytes = 64;
  l.max_head_bytes = 256;
  l.max_body_bytes = 100;
  return l;
}

// Feeds `raw` in chunks of `chunk` bytes, as a connection would.
State FeedInChunks(HttpRequestParser& p, const std::string& raw, size_t chunk) {
  State s = State::kNeedMore;
  for (size_t end = std::min(chunk, raw.size());; end = std::min(end + chunk, raw.size())) {
    s = p.Parse(std::string_view(raw).substr(0, end));
    if (s != State::kNeedMore || end == raw.size()) return s;
  }
}

TEST(HttpRequestParserTest, ParsesAPostWithBodyInAnySplit) {
  const std::string raw =
      "POST /mutate?timeout=10s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}";
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{50}, raw.size()}) {
    SCOPED_TRACE(chunk);
    HttpRequestParser p(SmallLimits());
    ASSERT_EQ(FeedInChunks(p, raw, chunk), State::kComplete);
    EXPECT_EQ(p.method(), "POST");
    EXPECT_EQ(p.target(), "/mutate?timeout=10s");
    EXPECT_EQ(p.path(), "/mutate");
    EXPECT_EQ(p.minor_version(), 1);
    EXPECT_TRUE(p.keep_alive());
    EXPECT_EQ(p.content_length(), 7u);
    EXPECT_EQ(p.body(), "{\"a\":1}");
    EXPECT_EQ(p.request_size(), raw.size());
  }
}

TEST(HttpRequestParserTest, HeadIsAvailableBeforeTheBody) {
  HttpRequestParser p(SmallLimits());
  const std::string head =
      "POST /mutate HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(p.Parse(head), State::kNeedMore);
  EXPECT_TRUE(p.head_complete());
  EXPECT_TRUE(p.expect_continue());
  const std::string partial = head + "ab";
  EXPECT_EQ(p.Parse(partial), State::kNeedMore);
  const std::string whole = head + "abcde";  // views point into the buffer last parsed
  EXPECT_EQ(p.Parse(whole), State::kComplete);
  EXPECT_EQ(p.body(), "abcde");
}

TEST(HttpRequestParserTest, PipelinedRequestsParseOneAfterAnother) {
  std::string buffer =
      "GET /healthz HTTP/1.1\r\n\r\nPOST /mutate HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
      "GET /readyz HTTP/1.1\r\nConnection: close\r\n\r\n";
  HttpRequestParser p(SmallLimits());
  std::vector<std::string> seen;
  while (!buffer.empty()) {
    ASSERT_EQ(p.Parse(buffer), State::kComplete) << buffer;
    seen.push_back(std::string(p.method()) + " " + std::string(p.path()) + " " +
                   std::string(p.body()) + (p.keep_alive() ? "" : " close"));
    buffer.erase(0, p.request_size());
    p.Reset();
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"GET /healthz ", "POST /mutate {}", "GET /readyz  close"}));
}

TEST(HttpRequestParserTest, KeepAliveFollowsVersionAndConnectionHeader) {
  struct Case {
    const char* raw;
    bool keep_alive;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: te, keep-alive\r\n\r\n", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.raw);
    HttpRequestParser p(SmallLimits());
    ASSERT_EQ(p.Parse(c.raw), State::kComplete);
    EXPECT_EQ(p.keep_alive(), c.keep_alive);
  }
}

TEST(HttpRequestParserTest, AcceptsWhatClientsSend) {
  const char* cases[] = {
      "\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n",  // empty lines before a request
      "GET /healthz HTTP/1.1\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n",
      "GET /healthz HTTP/1.2\r\n\r\n",  // a later 1.x is served as 1.1
      "POST /mutate HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
      "GET /healthz HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nUser-Agent: \xc3\xa9t\xc3\xa9\r\n\r\n",  // obs-text
  };
  for (const char* raw : cases) {
    SCOPED_TRACE(raw);
    HttpRequestParser p(SmallLimits());
    EXPECT_EQ(FeedInChunks(p, raw, 1), State::kComplete);
  }
}

TEST(HttpRequestParserTest, RefusalsCarryTheirStatus) {
  const std::string long_target = "/" + std::string(64, 'a');
  const std::string many_headers =
      "GET / HTTP/1.1\r\n" + std::string(30, 'X') + ": " + std::string(240, 'v') + "\r\n\r\n";
  struct Case {
    const char* name;
    std::string raw;
    int status;
  };
  const Case cases[] = {
      {"no version", "GET /\r\n\r\n", 400},
      {"two spaces", "GET  / HTTP/1.1\r\n\r\n", 400},
      {"lowercase version", "GET / http/1.1\r\n\r\n", 400},
      {"bad method", "G{T / HTTP/1.1\r\n\r\n", 400},
      {"absolute target", "GET http://x/ HTTP/1.1\r\n\r\n", 400},
      {"control in target", "GET /a\x01 HTTP/1.1\r\n\r\n", 400},
      {"bare LF request line", "GET / HTTP/1.1\n\n", 400},
      {"bare LF in header", "GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"folding", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400},
      {"NUL in value", std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26), 400},
      {"negative length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"length with sign", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400},
      {"conflicting lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       400},
      {"length list", "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", 400},
      {"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"chunked and length",
       "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"body over limit", "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413},
      {"huge length", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"target too long", "GET " + long_target + " HTTP/1.1\r\n\r\n", 414},
      {"target too long, unfinished", "GET " + long_target + "aaaa", 414},
      {"other expectation", "POST / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", 417},
      {"headers too large", many_headers, 431},
      {"headers too large, unfinished", many_headers.substr(0, 258), 431},
      {"HTTP/2", "GET / HTTP/2.0\r\n\r\n", 505},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505},
      {"method too long, unfinished", std::string(40, 'G'), 400},
  };
  for (const Case& c : cases) {
    for (size_t chunk : {size_t{1}, c.raw.size()}) {
      SCOPED_TRACE(std::string(c.name) + " chunk " + std::to_string(chunk));
      HttpRequestParser p(SmallLimits());
      ASSERT_EQ(FeedInChunks(p, c.raw, chunk), State::kError);
      EXPECT_EQ(p.error_status(), c.status);
      EXPECT_FALSE(p.error_reason().empty());
    }
  }
}

TEST(HttpRequestParserTest, BodyLimitIsCheckedFromTheHeadAlone) {
  HttpRequestParser p(SmallLimits());
  // No body byte has arrived: the refusal must not wait for it.
  EXPECT_EQ(
      p.Parse("POST /mutate HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n"),
      State::kError);
  EXPECT_EQ(p.error_status(), 413);
}

TEST(HttpRequestParserTest, IncompleteInputWaits) {
  const char* cases[] = {"",
                         "G",
                         "GET",
                         "GET /",
                         "GET / HTTP/1.1",
                         "GET / HTTP/1.1\r",
                         "GET / HTTP/1.1\r\n",
                         "GET / HTTP/1.1\r\nHost: x\r\n",
                         "GET / HTTP/1.1\r\nHost: x\r\n\r",
                         "\r\n",
                         "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab"};
  for (const char* raw : cases) {
    SCOPED_TRACE(raw);
    HttpRequestParser p(SmallLimits());
    EXPECT_EQ(p.Parse(raw), State::kNeedMore);
  }
}

TEST(HttpRequestParserTest, DrippedHeadersAtTheLimitStillParse) {
  // Exactly max_head_bytes, fed byte by byte.
  HttpLimits limits = SmallLimits();
  std::string raw = "GET / HTTP/1.1\r\nX: ";
  raw += std::string(limits.max_head_bytes - raw.size() - 4, 'v') + "\r\n\r\n";
  ASSERT_EQ(raw.size(), limits.max_head_bytes);
  HttpRequestParser p(limits);
  EXPECT_EQ(FeedInChunks(p, raw, 1), State::kComplete);
  HttpRequestParser over(limits);
  EXPECT_EQ(FeedInChunks(over, "GET / HTTP/1.1\r\nX: v" + raw.substr(19), 1), State::kError);
  EXPECT_EQ(over.error_status(), 431);
}

}  // namespace
}  // namespace memsecret::http
