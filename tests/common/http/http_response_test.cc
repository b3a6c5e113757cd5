// Response serialization: one buffer with status line, headers and body;
// HEAD, Connection and Allow variants.
#include "memsecret/http/http_response.h"

#include <gtest/gtest.h>

namespace memsecret::http {
namespace {

TEST(HttpResponseTest, SerializesStatusHeadersAndBodyInOneBuffer) {
  HttpResponse r;
  r.content_type = kContentTypeJson;
  r.body = "{\"a\":1}";
  std::string out = "previous";
  AppendResponse(r, {}, &out);
  EXPECT_EQ(out,
            "previousHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Content-Length: 7\r\n\r\n{\"a\":1}");
}

TEST(HttpResponseTest, Variants) {
  struct Case {
    const char* name;
    HttpResponse response;
    ResponseFraming framing;
    const char* want;
  };
  HttpResponse allow = TextResponse(405, "method not allowed");
  allow.allow = "GET, HEAD";
  const Case cases[] = {
      {"head",
       TextResponse(200, "ok"),
       {.head_only = true},
       "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\n"},
      {"close",
       TextResponse(413, "too large"),
       {.close = true},
       "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
       "Content-Length: 10\r\nConnection: close\r\n\r\ntoo large\n"},
      {"http/1.0 keep-alive",
       TextResponse(200, "ok"),
       {.keep_alive_http10 = true},
       "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n"
       "Connection: keep-alive\r\n\r\nok\n"},
      {"allow",
       allow,
       {},
       "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n"
       "Content-Length: 19\r\nAllow: GET, HEAD\r\n\r\nmethod not allowed\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string out;
    AppendResponse(c.response, c.framing, &out);
    EXPECT_EQ(out, c.want);
  }
}

TEST(HttpResponseTest, EveryStatusTheServerSendsHasItsReasonPhrase) {
  for (int status : {200, 400, 404, 405, 408, 411, 413, 414, 417, 431, 500, 503, 505}) {
    EXPECT_NE(ReasonPhrase(status), "Unknown") << status;
  }
}

}  // namespace
}  // namespace memsecret::http
