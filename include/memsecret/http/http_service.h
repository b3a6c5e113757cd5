// What the HTTP server's connections share and a handler sees: the parsed request
// (HttpRequestView), the service every connection of a server serves with (limits, deadlines,
// the handler; immutable while serving) and the connection counters /metrics reads.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "memsecret/http/http_request_parser.h"
#include "memsecret/http/http_response.h"

namespace memsecret::http {

using SteadyTime = std::chrono::steady_clock::time_point;

// One parsed request as the router sees it; views are valid during the call.
struct HttpRequestView {
  std::string_view method;  // "HEAD" is answered as GET without a body
  std::string_view target;  // path and query
  std::string_view path;
  std::string_view query;    // after the '?', empty without one
  std::string_view headers;  // header lines for HeaderValues() (http_request_parser.h)
  std::string_view body;
};

// Connection-level events, for /metrics. Updated from every loop thread.
struct ConnectionCounters {
  std::atomic<int64_t> open{0};
  std::atomic<uint64_t> refused{0};  // over max_connections, closed at accept
  std::atomic<uint64_t> evicted{0};  // idle, closed to make room (evict_idle_at_limit)
  std::atomic<uint64_t> handshake_timeouts{0};
  std::atomic<uint64_t> request_timeouts{0};
  std::atomic<uint64_t> write_timeouts{0};
};

// Everything connections share; immutable while serving (the counters aside).
struct HttpService {
  SSL_CTX* tls = nullptr;
  HttpLimits limits;
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};    // first byte to complete body
  std::chrono::milliseconds idle_timeout{2000};        // between keep-alive requests
  std::chrono::milliseconds first_byte_timeout{2000};  // open (handshake done) to a first byte
  std::chrono::milliseconds write_timeout{5000};       // to flush one response
  size_t max_requests_per_connection = 1000;
  size_t max_connections = 1024;  // open at once, in all loops (ConnectionCounters::open)
  // Answers a routed request; runs on the loop thread; may throw (-> 500).
  std::function<HttpResponse(const HttpRequestView&)> handle;
  // A request the HTTP layer refused itself (400, 408, 411, 413, 414, 431...).
  std::function<void(int status)> on_refused;
  ConnectionCounters* counters = nullptr;
};

}  // namespace memsecret::http
