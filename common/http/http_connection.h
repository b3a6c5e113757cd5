// HttpConnection: one client connection of the HTTP server as a state
// machine driven by its event loop (event_loop.h): TLS handshake (when the
// server has TLS), then requests read and parsed incrementally
// (http_request_parser.h), answered on the loop's thread, each response
// written with one write, then either the next request (keep-alive,
// pipelining) or a lingering close. It never
// blocks: the loop calls OnReady() when the socket is ready for what
// wants_write() asks, and OnDeadline() when deadline() has passed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/http/transport.h"
#include "memsecret/http/http_service.h"

namespace memsecret::http {

class HttpConnection {
 public:
  // Takes ownership of the accepted, non-blocking `fd`.
  HttpConnection(const HttpService& service, int fd, SteadyTime now);

  // The socket is ready (or failed); `scratch` is the loop's read buffer.
  void OnReady(SteadyTime now, std::span<char> scratch);
  // Called when deadline() has passed.
  void OnDeadline(SteadyTime now);
  // The server is stopping: idle connections close now; a request being
  // received or answered finishes first and is answered "Connection: close".
  void BeginShutdown(SteadyTime now);

  bool closed() const { return phase_ == Phase::kClosed; }
  // Idle: in the TLS handshake, or open with no request bytes received and
  // nothing left to write; since idle_since(). Such a connection may be
  // evicted to make room for a new one.
  bool idle() const;
  SteadyTime idle_since() const { return idle_since_; }
  // Closes an idle connection to make room (counted in counters->evicted).
  void Evict();
  // Whether the next OnReady() needs the socket writable rather than readable.
  bool wants_write() const { return wants_write_; }
  // When the current phase times out (max() once closed).
  SteadyTime deadline() const;
  int fd() const { return transport_ ? transport_->fd() : -1; }

 private:
  enum class Phase { kHandshake, kOpen, kLingering, kClosed };

  bool ContinueHandshake(SteadyTime now);
  // A TLS call that did not complete: records which readiness to wait for,
  // or closes on kClosed/kError (logged at debug, `doing` says where).
  // Always false, for `return Stalled(...)`.
  bool Stalled(Transport::Io io, const char* doing);
  void ContinueLinger(SteadyTime now, std::span<char> scratch);
  bool Flush(SteadyTime now);
  bool FinishIfDone(SteadyTime now);
  void Consume(SteadyTime now);
  void Answer(SteadyTime now);
  HttpResponse CallHandler(const HttpRequestView& request);
  void Refuse(int status, std::string_view reason, SteadyTime now);
  void Queue(const HttpResponse& response, ResponseFraming framing, SteadyTime now);
  void CloseOrLinger(SteadyTime now);
  void CloseGracefully();
  void Close();

  const HttpService& service_;
  std::unique_ptr<Transport> transport_;
  HttpRequestParser parser_;
  Phase phase_ = Phase::kHandshake;
  bool wants_write_ = false;
  bool stopping_ = false;
  bool close_after_flush_ = false;
  bool refused_ = false;              // the HTTP layer refused a request: linger before closing
  bool request_in_progress_ = false;  // bytes of an unanswered request received
  bool continue_sent_ = false;
  bool input_waiting_ = false;  // in_ holds requests not yet parsed (output backpressure)
  size_t requests_answered_ = 0;
  std::string in_;   // received, not yet consumed (a partial request, or pipelined ones)
  std::string out_;  // responses not yet written
  size_t out_sent_ = 0;
  SteadyTime handshake_deadline_;
  SteadyTime request_started_;
  SteadyTime idle_since_;
  SteadyTime write_started_;
  SteadyTime linger_started_;
  SteadyTime linger_deadline_;
};

}  // namespace memsecret::http
