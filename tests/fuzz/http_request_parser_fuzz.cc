// The webhook server's HTTP/1.x request parser (memsecret/http/http_request_parser.h)
// on raw bytes from the network. Input: one byte choosing the chunk size in
// which the rest is fed (1..64, as a connection receives it), then the bytes.
// Properties: no crash; the same outcome whether fed at once or in chunks
// (same state, same request fields); a complete request never claims more
// bytes than were given; pipelined requests are parsed one after another.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "memsecret/http/http_request_parser.h"

namespace {

using memsecret::http::HttpLimits;
using memsecret::http::HttpRequestParser;
using State = HttpRequestParser::State;

// Small limits so the fuzzer reaches them; max_head_bytes leaves room for a
// request line at max_target_bytes, as the server's defaults do.
HttpLimits FuzzLimits() {
  HttpLimits l;
  l.max_target_bytes = 256;
  l.max_head_bytes = 1024;
  l.max_body_bytes = 512;
  return l;
}

State FeedInChunks(HttpRequestParser& p, std::string_view in, size_t chunk) {
  for (size_t end = std::min(chunk, in.size());; end = std::min(end + chunk, in.size())) {
    const State s = p.Parse(in.substr(0, end));
    if (s != State::kNeedMore || end == in.size()) return s;
  }
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  for (int request = 0; request < 16 && !in.empty(); ++request) {
    HttpRequestParser whole(FuzzLimits());
    HttpRequestParser pieces(FuzzLimits());
    const State a = whole.Parse(in);
    const State b = FeedInChunks(pieces, in, chunk);
    Check(a == b);
    if (a != State::kComplete) {
      if (a == State::kError) Check(whole.error_status() >= 400 && !whole.error_reason().empty());
      return 0;
    }
    Check(whole.request_size() <= in.size());
    Check(whole.body().size() == whole.content_length());
    Check(whole.content_length() <= FuzzLimits().max_body_bytes);
    Check(!whole.method().empty() && whole.target().starts_with("/"));
    Check(whole.request_size() == pieces.request_size() && whole.method() == pieces.method() &&
          whole.target() == pieces.target() && whole.body() == pieces.body() &&
          whole.keep_alive() == pieces.keep_alive() &&
          whole.expect_continue() == pieces.expect_continue());
    in.remove_prefix(whole.request_size());
  }
  return 0;
}
