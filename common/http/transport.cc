#include "common/http/transport.h"

#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "memsecret/http/tls_context.h"

namespace memsecret::http {

Transport::Transport(SSL_CTX* ctx, int fd) : fd_(fd) {
  if (ctx == nullptr) return;  // plain text
  ssl_ = SSL_new(ctx);
  if (ssl_ != nullptr && SSL_set_fd(ssl_, fd) == 1) {
    SSL_set_accept_state(ssl_);
    return;
  }
  if (ssl_ != nullptr) SSL_free(ssl_);
  ssl_ = nullptr;
  ok_ = false;
}

Transport::~Transport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

// Maps an SSL_* return value to Io. OpenSSL's error queue is per thread and
// SSL_get_error() reads it, so every failure leaves it empty again.
Transport::Io Transport::Classify(int ret) {
  const int saved_errno = errno;
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      return Io::kClosed;
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (saved_errno == 0 || saved_errno == ECONNRESET || saved_errno == EPIPE) {
        return Io::kClosed;  // EOF without close_notify, or a reset: the peer is gone
      }
      last_error_ = std::string("socket: ") + std::strerror(saved_errno);
      return Io::kError;
    default: {
      last_error_ = TakeOpenSslError();
      return Io::kError;
    }
  }
}

// A plain socket call's result: EOF and resets are the peer leaving.
Transport::Io Transport::ClassifySocket(ssize_t ret) {
  if (ret > 0) return Io::kDone;
  if (ret == 0) return Io::kClosed;
  switch (errno) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
      return Io::kWantRead;  // the caller fixes the direction
    case ECONNRESET:
    case EPIPE:
      return Io::kClosed;
    default:
      last_error_ = std::string("socket: ") + std::strerror(errno);
      return Io::kError;
  }
}

Transport::Io Transport::Handshake() {
  if (ssl_ == nullptr) return Io::kDone;
  errno = 0;
  const int ret = SSL_do_handshake(ssl_);
  return ret == 1 ? Io::kDone : Classify(ret);
}

Transport::Io Transport::Read(char* buffer, size_t capacity, size_t* received) {
  if (ssl_ == nullptr) {
    const ssize_t n = ::recv(fd_, buffer, capacity, 0);
    if (n > 0) *received = static_cast<size_t>(n);
    return ClassifySocket(n);
  }
  errno = 0;
  const int ret = SSL_read(ssl_, buffer, static_cast<int>(capacity > INT_MAX ? INT_MAX : capacity));
  if (ret > 0) {
    *received = static_cast<size_t>(ret);
    return Io::kDone;
  }
  return Classify(ret);
}

Transport::Io Transport::Write(std::string_view data, size_t* sent) {
  if (ssl_ == nullptr) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) *sent = static_cast<size_t>(n);
    const Io io = ClassifySocket(n);
    return io == Io::kWantRead ? Io::kWantWrite : io;
  }
  errno = 0;
  const int ret =
      SSL_write(ssl_, data.data(), static_cast<int>(data.size() > INT_MAX ? INT_MAX : data.size()));
  if (ret > 0) {
    *sent = static_cast<size_t>(ret);
    return Io::kDone;
  }
  return Classify(ret);
}

void Transport::SendCloseNotify() {
  if (ssl_ == nullptr) return;
  if (SSL_is_init_finished(ssl_) == 1) SSL_shutdown(ssl_);
  ERR_clear_error();
}

void Transport::ShutdownWrite() {
  SendCloseNotify();
  ::shutdown(fd_, SHUT_WR);
}

Transport::Io Transport::DiscardInput(char* scratch, size_t capacity) {
  const ssize_t n = ::recv(fd_, scratch, capacity, 0);
  if (n > 0) return Io::kDone;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Io::kWantRead;
  return Io::kClosed;
}

}  // namespace memsecret::http
