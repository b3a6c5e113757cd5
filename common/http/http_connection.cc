#include "common/http/http_connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace memsecret::http {
namespace {

// Pipelined requests are answered only while less than this much output is
// waiting: a client that sends without reading gets backpressure, not an
// ever-growing buffer.
constexpr size_t kMaxPendingOutput = 64 * 1024;
// A lingering close (after an error answer, with the request possibly not
// read to its end) drops further input until the peer closes, so our FIN is
// not turned into a reset that would destroy the answer in the peer's receive
// buffer. Bounded: 2 s of silence, 5 s in all.
constexpr std::chrono::seconds kLingerIdle{2};
constexpr std::chrono::seconds kLingerMax{5};
// Buffers larger than this are freed when the connection goes idle, so idle
// keep-alive connections cost little memory.
constexpr size_t kIdleBufferCapacity = 1024;

void ReleaseIfLarge(std::string& buffer) {
  if (buffer.capacity() > kIdleBufferCapacity) std::string().swap(buffer);
}

}  // namespace

HttpConnection::HttpConnection(const HttpService& service, int fd, SteadyTime now)
    : service_(service),
      transport_(std::make_unique<Transport>(service.tls, fd)),
      parser_(service.limits),
      handshake_deadline_(now + service.handshake_timeout),
      idle_since_(now) {
  if (!transport_->ok()) {
    spdlog::error("tls: cannot create a session for a new connection");
    Close();
  }
}

SteadyTime HttpConnection::deadline() const {
  switch (phase_) {
    case Phase::kHandshake:
      return handshake_deadline_;
    case Phase::kLingering:
      return linger_deadline_;
    case Phase::kClosed:
      return SteadyTime::max();
    case Phase::kOpen:
      break;
  }
  if (out_sent_ < out_.size()) return write_started_ + service_.write_timeout;
  if (request_in_progress_) return request_started_ + service_.request_timeout;
  // Before the first request a silent client has not shown it will send one.
  return idle_since_ +
         (requests_answered_ == 0 ? service_.first_byte_timeout : service_.idle_timeout);
}

bool HttpConnection::idle() const {
  if (phase_ == Phase::kHandshake) return true;
  return phase_ == Phase::kOpen && !request_in_progress_ && out_sent_ == out_.size() &&
         in_.empty() && !input_waiting_;
}

void HttpConnection::Evict() {
  service_.counters->evicted.fetch_add(1, std::memory_order_relaxed);
  if (phase_ == Phase::kHandshake) return Close();
  CloseGracefully();
}

void HttpConnection::OnReady(SteadyTime now, std::span<char> scratch) {
  if (phase_ == Phase::kHandshake && !ContinueHandshake(now)) return;
  if (phase_ == Phase::kLingering) return ContinueLinger(now, scratch);
  if (phase_ != Phase::kOpen) return;

  // One socket read per readiness report, more only while OpenSSL holds
  // received bytes it has not returned yet: epoll (level-triggered) reports
  // what is still in the socket, so reading until EAGAIN would only cost an
  // extra read(2) per request.
  bool may_read = true;
  for (;;) {
    if (!Flush(now) || FinishIfDone(now)) return;
    if (input_waiting_) {  // pipelined requests held back while output was pending
      Consume(now);
      continue;
    }
    if (!may_read && !transport_->HasBufferedInput()) {
      wants_write_ = false;
      return;
    }
    may_read = false;
    size_t received = 0;
    const Transport::Io io = transport_->Read(scratch.data(), scratch.size(), &received);
    if (io != Transport::Io::kDone) return (void)Stalled(io, "reading");
    in_.append(scratch.data(), received);
    Consume(now);
  }
}

bool HttpConnection::Stalled(Transport::Io io, const char* doing) {
  switch (io) {
    case Transport::Io::kWantRead:
      wants_write_ = false;
      break;
    case Transport::Io::kWantWrite:
      wants_write_ = true;
      break;
    case Transport::Io::kError:
      spdlog::debug("connection closed while {}: {}", doing, transport_->last_error());
      Close();
      break;
    case Transport::Io::kClosed:
    case Transport::Io::kDone:
      Close();
      break;
  }
  return false;
}

bool HttpConnection::ContinueHandshake(SteadyTime now) {
  const Transport::Io io = transport_->Handshake();
  if (io != Transport::Io::kDone) return Stalled(io, "in the TLS handshake");
  phase_ = Phase::kOpen;
  idle_since_ = now;
  return true;
}

void HttpConnection::ContinueLinger(SteadyTime now, std::span<char> scratch) {
  switch (transport_->DiscardInput(scratch.data(), scratch.size())) {
    case Transport::Io::kDone:
      linger_deadline_ = std::min(linger_started_ + kLingerMax, now + kLingerIdle);
      return;
    case Transport::Io::kWantRead:
      return;
    default:
      return Close();
  }
}

// Writes pending output; true once nothing is left to write.
bool HttpConnection::Flush(SteadyTime now) {
  while (out_sent_ < out_.size()) {
    size_t sent = 0;
    const Transport::Io io = transport_->Write(std::string_view(out_).substr(out_sent_), &sent);
    if (io != Transport::Io::kDone) return Stalled(io, "writing");
    out_sent_ += sent;
  }
  if (!out_.empty()) {
    out_.clear();
    out_sent_ = 0;
    if (!request_in_progress_) idle_since_ = now;
  }
  wants_write_ = false;
  if (in_.empty()) {
    ReleaseIfLarge(in_);
    ReleaseIfLarge(out_);
  }
  return true;
}

// With all output written: closes or lingers when the connection is done.
bool HttpConnection::FinishIfDone(SteadyTime now) {
  if (close_after_flush_) {
    CloseOrLinger(now);
    return true;
  }
  if (stopping_ && !request_in_progress_) {
    CloseGracefully();
    return true;
  }
  return false;
}

// Answers every complete request in in_ (pipelining), in order.
void HttpConnection::Consume(SteadyTime now) {
  input_waiting_ = false;
  size_t consumed = 0;
  while (consumed < in_.size() && out_.size() < kMaxPendingOutput && !close_after_flush_) {
    const std::string_view input = std::string_view(in_).substr(consumed);
    if (!request_in_progress_) {
      request_in_progress_ = true;
      request_started_ = now;
    }
    switch (parser_.Parse(input)) {
      case HttpRequestParser::State::kNeedMore:
        if (parser_.head_complete() && parser_.expect_continue() && !continue_sent_) {
          out_.append(kContinueResponse);
          write_started_ = now;
          continue_sent_ = true;
        }
        in_.erase(0, consumed);
        return;
      case HttpRequestParser::State::kError:
        in_.clear();
        return Refuse(parser_.error_status(), parser_.error_reason(), now);
      case HttpRequestParser::State::kComplete:
        Answer(now);
        consumed += parser_.request_size();
        parser_.Reset();
        request_in_progress_ = false;
        continue_sent_ = false;
        break;
    }
  }
  in_.erase(0, consumed);
  input_waiting_ = !in_.empty() && !close_after_flush_;
}

void HttpConnection::Answer(SteadyTime now) {
  const std::string_view target = parser_.target();
  const std::string_view query = target.substr(std::min(target.size(), parser_.path().size() + 1));
  const HttpRequestView request{parser_.method(),  target,        parser_.path(), query,
                                parser_.headers(), parser_.body()};
  const HttpResponse response = CallHandler(request);
  ++requests_answered_;
  ResponseFraming framing;
  framing.head_only = request.method == "HEAD";
  framing.close = !parser_.keep_alive() || stopping_ ||
                  requests_answered_ >= service_.max_requests_per_connection;
  framing.keep_alive_http10 = parser_.minor_version() == 0;
  Queue(response, framing, now);
  if (framing.close) close_after_flush_ = true;
}

HttpResponse HttpConnection::CallHandler(const HttpRequestView& request) {
  try {
    return service_.handle(request);
  } catch (const std::exception& e) {
    spdlog::error("request handler failed: {}", e.what());
  } catch (...) {
    spdlog::error("request handler failed with a non-standard exception");
  }
  return TextResponse(500, "internal error");
}

// The HTTP layer's own refusal: answered, then the connection closes (the
// request's framing can no longer be trusted, or its body was not read).
void HttpConnection::Refuse(int status, std::string_view reason, SteadyTime now) {
  if (service_.on_refused) service_.on_refused(status);
  ResponseFraming framing;
  framing.close = true;
  Queue(TextResponse(status, reason), framing, now);
  close_after_flush_ = true;
  refused_ = true;
  request_in_progress_ = false;
  parser_.Reset();
}

void HttpConnection::Queue(const HttpResponse& response, ResponseFraming framing, SteadyTime now) {
  if (out_sent_ == out_.size()) write_started_ = now;
  AppendResponse(response, framing, &out_);
}

void HttpConnection::OnDeadline(SteadyTime now) {
  if (phase_ == Phase::kClosed || now < deadline()) return;
  switch (phase_) {
    case Phase::kHandshake:
      service_.counters->handshake_timeouts.fetch_add(1, std::memory_order_relaxed);
      return Close();
    case Phase::kLingering:
      return Close();
    default:
      break;
  }
  if (out_sent_ < out_.size()) {
    service_.counters->write_timeouts.fetch_add(1, std::memory_order_relaxed);
    return Close();
  }
  if (request_in_progress_) {
    // Slow client (slowloris): the request did not arrive in time.
    service_.counters->request_timeouts.fetch_add(1, std::memory_order_relaxed);
    in_.clear();
    Refuse(408, "request not received in time", now);
    if (Flush(now)) FinishIfDone(now);
    return;
  }
  CloseGracefully();  // idle keep-alive connection
}

void HttpConnection::BeginShutdown(SteadyTime) {
  stopping_ = true;
  if (phase_ == Phase::kHandshake) return Close();
  if (phase_ == Phase::kOpen && !request_in_progress_ && out_sent_ == out_.size()) {
    CloseGracefully();
  }
}

void HttpConnection::CloseOrLinger(SteadyTime now) {
  // Like nginx's lingering_close heuristic: only when the peer may still be
  // sending (a refused request, or pipelined bytes after the last answer).
  if (!refused_ && in_.empty() && !transport_->HasBufferedInput()) return CloseGracefully();
  transport_->ShutdownWrite();
  phase_ = Phase::kLingering;
  wants_write_ = false;
  linger_started_ = now;
  linger_deadline_ = now + kLingerIdle;
  std::string().swap(in_);
  std::string().swap(out_);
  out_sent_ = 0;
}

void HttpConnection::CloseGracefully() {
  transport_->SendCloseNotify();
  Close();
}

void HttpConnection::Close() {
  transport_.reset();
  phase_ = Phase::kClosed;
  wants_write_ = false;
}

}  // namespace memsecret::http
